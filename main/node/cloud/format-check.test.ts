import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../common/app-error';
import { expectKind, sniffBytes, sniffFile } from './format-check';

const dirs: string[] = [];
function write(name: string, data: Buffer | string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-sniff-'));
  dirs.push(d);
  const f = path.join(d, name);
  fs.writeFileSync(f, data);
  return f;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function glb(extra = 0): Buffer {
  const json = Buffer.from('{"asset":{"version":"2.0"}}  ');
  const total = 12 + 8 + json.length;
  const b = Buffer.alloc(total + extra);
  b.write('glTF', 0, 'latin1');
  b.writeUInt32LE(2, 4);
  b.writeUInt32LE(total, 8);
  b.writeUInt32LE(json.length, 12);
  b.write('JSON', 16, 'latin1');
  json.copy(b, 20);
  return b;
}

describe('sniffFile', () => {
  it('recognises each kind by its content', () => {
    expect(sniffFile(write('a.glb', glb()))).toBe('glb');
    expect(sniffFile(write('s.ply', 'ply\nformat binary_little_endian 1.0\nelement vertex 1\nproperty float x\nend_header\n\0\0\0\0'))).toBe('ply');
    expect(sniffFile(write('c.ply', 'ply\ncomment made by kraken\nformat ascii 1.0\nelement vertex 0\nend_header\n'))).toBe('ply');
    expect(sniffFile(write('m.obj', '# mesh\nmtllib m.mtl\no cube\nv 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0 0\nvn 0 0 1\nf 1/1/1 2/1/1 3/1/1\n'))).toBe('obj');
    expect(sniffFile(write('t.gif', Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(20)])))).toBe('gif');
    expect(sniffFile(write('o.gif', Buffer.concat([Buffer.from('GIF87a'), Buffer.alloc(20)])))).toBe('gif');
    expect(sniffFile(write('x.tar.gz', zlib.gzipSync(Buffer.alloc(1024))))).toBe('gzip');
    expect(sniffBytes(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]))).toBe('png');
    expect(sniffBytes(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]))).toBe('jpeg');
    expect(sniffBytes(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0]))).toBe('zip');
  });

  it('recognises none of them in error pages, JSON, binary noise, a truncated GLB or an empty file', () => {
    expect(sniffFile(write('e.glb', '<html><body>502 Bad Gateway</body></html>'))).toBeNull();
    expect(sniffFile(write('e.obj', '{"message":"No item"}'))).toBeNull();
    expect(sniffFile(write('n.obj', Buffer.from([1, 2, 3, 0, 4, 5])))).toBeNull();
    expect(sniffFile(write('t.glb', glb().subarray(0, 30)))).toBeNull();
    expect(sniffFile(write('l.glb', glb(10)))).toBeNull();
    expect(sniffFile(write('z.bin', ''))).toBeNull();
    expect(sniffFile(write('p.ply', 'ply\nnot a format line\n'))).toBeNull();
    expect(sniffFile(write('x.obj', 'hello world\nthis is text\n'))).toBeNull();
  });
});

describe('expectKind', () => {
  it('returns the kind when it fits', () => {
    expect(expectKind(write('a.glb', glb()), ['glb', 'obj'])).toBe('glb');
  });

  it('removes a file that is not what the service said and says so plainly', () => {
    const f = write('chair.glb', '<html>oops</html>');
    let err: unknown;
    try {
      expectKind(f, 'glb', { service: 'atlas' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('REMOTE');
    expect((err as AppError).message).toBe('The downloaded file is not a GLB model as the Atlas service said; it was removed.');
    expect(fs.existsSync(f)).toBe(false);
    const g = write('t.gif', glb());
    expect(() => expectKind(g, ['gif', 'gzip'], { service: 'atlas' })).toThrow('not a GIF image or a gzip archive as the Atlas service said');
  });
});
