/** File names from outside: sanitised on code points within the bytes a file system allows; bidi controls refused at the door. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { hasUnsafeNameChar } from '../../common/contract/define';
import { inferenceChannels } from '../../common/contract/inference';
import { frameSetChannels } from '../../common/contract/media';
import { projectChannels } from '../../common/contract/projects';
import { cutToBytes, escapeLine, NAME_MAX_BYTES, quoteName, sanitizeFileName } from './file-names';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-file-names-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('sanitizeFileName', () => {
  it("keeps the upload host's rules: last path part, no hidden names, forbidden characters replaced", () => {
    expect(sanitizeFileName('../../evil.sh')).toBe('evil.sh');
    expect(sanitizeFileName('C:\\x\\a<b>.mp4')).toBe('a_b_.mp4');
    expect(sanitizeFileName('...')).toBe('upload.bin');
    expect(sanitizeFileName('')).toBe('upload.bin');
    expect(sanitizeFileName('a\tb|c?.png')).toBe('a_b_c_.png');
    expect(sanitizeFileName('여행 trip 😀.mov')).toBe('여행 trip 😀.mov');
  });

  it('drops NUL and every bidirectional control, so a name cannot pose as another type', () => {
    expect(sanitizeFileName('invoice\u202Egpj.exe')).toBe('invoicegpj.exe');
    for (const cp of [0x00, 0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]) {
      expect(sanitizeFileName(`a${String.fromCodePoint(cp)}b.png`)).toBe('ab.png');
    }
  });

  it('never names a Windows device, and drops trailing dots and spaces Windows would drop', () => {
    expect(sanitizeFileName('CON')).toBe('_CON');
    expect(sanitizeFileName('nul.txt')).toBe('_nul.txt');
    expect(sanitizeFileName('com1.mp4')).toBe('_com1.mp4');
    expect(sanitizeFileName('console.mp4')).toBe('console.mp4');
    expect(sanitizeFileName('clip.mp4. . ')).toBe('clip.mp4');
  });

  it('cuts an emoji name on code points, within the byte limit, keeping the extension — and the file can be created', () => {
    const name = '😀'.repeat(300) + '.mp4'; // 1204 UTF-8 bytes, 604 UTF-16 units
    const out = sanitizeFileName(name);
    expect(bytes(out)).toBeLessThanOrEqual(200);
    expect(out.endsWith('.mp4')).toBe(true);
    expect(out).toBe('😀'.repeat(49) + '.mp4');
    expect(out).not.toContain('\ufffd');
    // What the browser host writes: the name itself and its `.partial` temp sibling.
    fs.writeFileSync(path.join(work, out + '.partial'), 'x');
    fs.renameSync(path.join(work, out + '.partial'), path.join(work, out));
    expect(fs.readdirSync(work)).toContain(out);
    const max = sanitizeFileName('é'.repeat(400), { maxBytes: 255 });
    expect(bytes(max)).toBe(254);
    fs.writeFileSync(path.join(work, max), 'x');
    expect(bytes(sanitizeFileName('x'.repeat(999), { maxBytes: 9999 }))).toBe(NAME_MAX_BYTES);
  });

  it('replaces lone surrogates, which have no UTF-8 form', () => {
    expect(sanitizeFileName('a\ud800b.png')).toBe('a_b.png');
  });

  it('property: any input gives a non-empty single name without unsafe characters, within the limit, never split inside a code point', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), fc.integer({ min: 20, max: 255 }), (name, maxBytes) => {
        const out = sanitizeFileName(name, { maxBytes });
        expect(out.length).toBeGreaterThan(0);
        expect(bytes(out)).toBeLessThanOrEqual(maxBytes);
        expect(out).not.toMatch(/[\\/<>:"|?*]/);
        expect(hasUnsafeNameChar(out)).toBe(false);
        expect(out.startsWith('.')).toBe(false);
        expect(Buffer.from(out, 'utf8').toString('utf8')).toBe(out);
        expect(sanitizeFileName(out, { maxBytes })).toBe(out);
      }),
      { numRuns: Number(process.env.KRAKEN_PROPERTY_RUNS ?? 1000) },
    );
  });

  it('cutToBytes keeps whole code points', () => {
    expect(cutToBytes('ab😀', 5)).toBe('ab');
    expect(cutToBytes('ab😀', 6)).toBe('ab😀');
  });
});

describe('quoteName', () => {
  it('escapes what could end or reorder a line of output', () => {
    expect(quoteName('a.png')).toBe('"a.png"');
    expect(quoteName('x.png: ok\nforged.png')).toBe('"x.png: ok\\nforged.png"');
    expect(quoteName('a\u202Eb\u0085"\\')).toBe('"a\\u202eb\\u0085\\"\\\\"');
    expect(quoteName('a\u2028b')).toBe('"a\\u2028b"');
    expect(JSON.parse(quoteName('x\ny\u202E'))).toBe('x\ny\u202E');
  });
});

describe('escapeLine', () => {
  it('writes line breaks, control and bidi characters as escapes and leaves the rest', () => {
    expect(escapeLine('Cannot read a.png\nforged: ok')).toBe('Cannot read a.png\\nforged: ok');
    expect(escapeLine('tab\tcr\r\u0000\u202e\u2029 "q" 😀')).toBe('tab\\tcr\\r\\u0000\\u202e\\u2029 "q" 😀');
  });
});

describe('names shown as file names are refused at the contract', () => {
  const bad = ['evil\u202Egpj.exe', 'a\u0000b', 'x\u2067y', 'm\u200fn', 'p\u061cq'];
  it.each(bad)('refuses %j as a project name, a model name and a frame-set export path', (name) => {
    expect(projectChannels['projects.create'].request.safeParse({ name }).success).toBe(false);
    expect(projectChannels['projects.update'].request.safeParse({ id: 1, name }).success).toBe(false);
    expect(inferenceChannels['models.import'].request.safeParse({ path: '/m.onnx', task: 'classification', name }).success).toBe(false);
    expect(frameSetChannels['frames.export'].request.safeParse({ frameSetId: 1, format: 'zip', destFile: `/tmp/${name}.zip` }).success).toBe(false);
    expect(frameSetChannels['frames.export'].request.safeParse({ frameSetId: 1, destDir: `/tmp/${name}` }).success).toBe(false);
  });
  it('still accepts names in any script, with emoji', () => {
    expect(projectChannels['projects.create'].request.safeParse({ name: '여행 trip 😀' }).success).toBe(true);
    expect(inferenceChannels['models.import'].request.safeParse({ path: '/m.onnx', task: 'classification', name: 'مدل 1' }).success).toBe(true);
    expect(frameSetChannels['frames.export'].request.safeParse({ frameSetId: 1, format: 'zip', destFile: '/tmp/出力.zip' }).success).toBe(true);
  });
});
