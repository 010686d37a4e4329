import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { dataFileHeaders, isPrivateDataFile, isPrivateDataPath, isServedDataPath } from './private-paths';

const seg = (p: string) => p.split('/');

describe('data-folder allow-list (issue 9, finding 4)', () => {
  it('serves files inside the folders the page reads', () => {
    for (const p of ['projects/1/frames/7/000001.jpg', 'projects/1/media/poster.jpg', 'results/run-3/depth.png', 'exports/set-1.zip', 'models/ocr/model.onnx', 'uploads/ab12/clip.mp4', 'cache/thumbs/ab/cd.jpg', 'projects/1/studio.db']) {
      expect(isServedDataPath(seg(p)), p).toBe(true);
    }
  });

  it('refuses the database under any spelling, secrets, credentials and anything new at the top level', () => {
    for (const p of [
      'studio.db', 'studio.db-wal', 'STUDIO.DB-shm', 'studio.db.', 'studio.db::$DATA', 'STUDIO~1.DB', 'studio.db ',
      '.secrets.json', 'credentials.json', '.credentials/credentials.json', '.session/Cookies', 'backups/studio-1.db',
      'new-feature/secret.txt', 'Projects/1/x.jpg', 'PROJEC~1/1/x.jpg', 'projects', 'cache/other/x', 'cache/thumbs',
      'projects/1/.000001.jpg.ab12.partial', 'projects/1/x.jpg::$DATA', 'projects./1/x.jpg', 'projects/1/x.jpg.', 'projects//x.jpg',
    ]) {
      expect(isPrivateDataPath(seg(p)), p).toBe(true);
    }
  });

  it('judges absolute paths relative to the data folder, refusing the folder itself and anything outside', () => {
    const root = path.resolve('/data');
    expect(isPrivateDataFile(root, path.join(root, 'projects', '1', 'a.jpg'))).toBe(false);
    expect(isPrivateDataFile(root, root)).toBe(true);
    expect(isPrivateDataFile(root, path.join(root, 'studio.db'))).toBe(true);
    expect(isPrivateDataFile(root, path.resolve('/elsewhere/projects/1/a.jpg'))).toBe(true);
  });

  it('makes unknown types sandboxed downloads and keeps media inline, never sniffed', () => {
    expect(dataFileHeaders('a/evil.html')).toMatchObject({ 'content-disposition': 'attachment', 'content-security-policy': 'sandbox', 'x-content-type-options': 'nosniff', 'content-type': 'application/octet-stream' });
    expect(dataFileHeaders('a/x.SVG')).toMatchObject({ 'content-disposition': 'attachment' });
    expect(dataFileHeaders('a/noext')).toMatchObject({ 'content-disposition': 'attachment' });
    for (const f of ['a.jpg', 'b.PNG', 'c.mp4', 'd.glb', 'e.ply', 'f.splat', 'model.json', 'g.onnx']) expect(dataFileHeaders(f), f).toEqual({ 'x-content-type-options': 'nosniff' });
  });
});
