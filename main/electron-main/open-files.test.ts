import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { classifyOpenedFiles, filesFromArgv, importOpenedFiles } from './open-files';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-open-'));
  for (const f of ['clip.MP4', 'photo.jpg', 'scan.glb', 'notes.txt']) fs.writeFileSync(path.join(dir, f), 'x');
  fs.mkdirSync(path.join(dir, 'folder.mp4'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('filesFromArgv', () => {
  it('keeps existing files we open, resolved against the working directory, once each', () => {
    const argv = ['/opt/Kraken Studio/kraken-studio', '.', '--no-sandbox', '--original-process-start-time=1', 'clip.MP4', path.join(dir, 'photo.jpg'), 'scan.glb', 'notes.txt', 'missing.mov', 'folder.mp4', 'clip.MP4', 'kraken://open/clip.mp4'];
    expect(filesFromArgv(argv, dir)).toEqual([path.join(dir, 'clip.MP4'), path.join(dir, 'photo.jpg'), path.join(dir, 'scan.glb')]);
  });
});

describe('classifyOpenedFiles', () => {
  it('splits media from 3D results and drops the rest', () => {
    expect(classifyOpenedFiles(['/a/x.mov', '/a/y.PLY', '/a/z.png', '/a/w.zip', '/a/s.splat'])).toEqual({ media: ['/a/x.mov', '/a/z.png'], models: ['/a/y.PLY', '/a/s.splat'] });
  });
});

describe('importOpenedFiles', () => {
  function fakeCore(projects: { id: number; name: string }[]) {
    return {
      projects: { list: vi.fn(() => projects), create: vi.fn((input: { name: string }) => ({ id: 99, name: input.name })) },
      media: {
        importPaths: vi.fn(async (_projectId: number, paths: string[]) => ({
          imported: paths.filter((p) => !p.includes('bad')).map((p) => ({ path: p })),
          failed: paths.filter((p) => p.includes('bad')).map((p) => ({ path: p, error: { code: 'MEDIA_UNREADABLE', message: 'not a video' } })),
        })),
      },
    };
  }

  it('imports into the project the window shows', async () => {
    const core = fakeCore([{ id: 3, name: 'Newest' }, { id: 1, name: 'Open one' }]);
    const r = await importOpenedFiles(core as never, ['/v/a.mp4', '/v/bad.mov', '/v/m.glb'], 1);
    expect(core.media.importPaths).toHaveBeenCalledWith(1, ['/v/a.mp4', '/v/bad.mov']);
    expect(r).toEqual({ projectId: 1, imported: 1, failed: [{ path: '/v/bad.mov', message: 'not a video' }], deferred: ['/v/m.glb'] });
  });

  it('falls back to the newest project, then to a new one named after the file', async () => {
    const some = fakeCore([{ id: 3, name: 'Newest' }]);
    expect((await importOpenedFiles(some as never, ['/v/a.mp4'], 42)).projectId).toBe(3);
    const none = fakeCore([]);
    expect((await importOpenedFiles(none as never, ['/v/Harbour walk.mp4'], null)).projectId).toBe(99);
    expect(none.projects.create).toHaveBeenCalledWith({ name: 'Harbour walk' });
  });

  it('touches no project when only 3D files were opened', async () => {
    const core = fakeCore([]);
    expect(await importOpenedFiles(core as never, ['/v/a.obj'], null)).toEqual({ projectId: null, imported: 0, failed: [], deferred: ['/v/a.obj'] });
    expect(core.projects.create).not.toHaveBeenCalled();
  });
});
