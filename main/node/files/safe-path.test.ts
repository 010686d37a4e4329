/** The safe-path rule: hand-picked attacks, then properties over arbitrary names, then real symbolic links on disk. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../common/app-error';
import { quoteName } from './file-names';
import { hasControlCharacter, realpathInside, realpathInsideSync, resolveInside, resolveInsideFor, safeRelativePath } from './safe-path';

function refusal(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    return err as AppError;
  }
  throw new Error('expected a refusal');
}

describe('safeRelativePath', () => {
  it.each([
    ['', /empty/],
    ['/etc/passwd', /absolute/],
    ['\\Windows\\win.ini', /absolute/],
    ['C:', /drive letter/],
    ['C:\\x', /drive letter/],
    ['c:foo', /drive letter/],
    ['\\\\?\\C:\\x', /UNC|device/],
    ['\\\\server\\share\\x', /UNC|device/],
    ['//server/share', /UNC|device/],
    ['..', /"\.\."/],
    ['../../../../.bashrc', /"\.\."/],
    ['a/../../b', /"\.\."/],
    ['a\\..\\..\\b', /"\.\."/],
    ['ok/..\\x', /"\.\."/],
    ['.. /x', /dots and spaces/],
    ['a/...', /dots and spaces/],
    ['w.bin\u0000.png', /control character/],
    ['a\nb', /control character/],
    ['a\u007f', /control character/],
    ['a\u0085', /control character/],
    ['.', /folder itself/],
    ['./', /folder itself/],
    ['//', /UNC/],
    ['CON', /Windows device/],
    ['out/aux.png', /Windows device/],
    ['LPT1 .txt', /Windows device/],
  ])('refuses %j', (name, why) => {
    const e = refusal(() => safeRelativePath(name));
    expect(e).toBeInstanceOf(AppError);
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toMatch(why);
    // The sentence names the entry, with control characters escaped rather than printed.
    expect(e.message).toContain(quoteName(name));
    expect(hasControlCharacter(e.message)).toBe(false);
  });

  it.each([
    ['w.bin', 'w.bin'],
    ['group1/shard1of2.bin', 'group1/shard1of2.bin'],
    ['./a//b/./c', 'a/b/c'],
    ['a\\b\\c.bin', 'a/b/c.bin'],
    ['dir/', 'dir'],
    ['..hidden', '..hidden'],
    ['a..b', 'a..b'],
    ['.bashrc', '.bashrc'],
    ['名前 😀.png', '名前 😀.png'],
    ['a/b:c', 'a/b:c'],
    ['console.png', 'console.png'],
    ['auxiliary/com10.bin', 'auxiliary/com10.bin'],
  ])('accepts %j as %j', (name, expected) => {
    expect(safeRelativePath(name)).toBe(expected);
  });

  // Segments a real archive could hold: no separator, no control character, not only dots and spaces.
  const segment = fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 12 })
    .filter((s) => !/[\\/]/.test(s) && !hasControlCharacter(s) && !/^[. ]+$/.test(s) && !/^[a-zA-Z]:/.test(s));
  const separator = fc.constantFrom('/', '\\', '//', '/./', '\\.\\');

  it('property: plain segments joined by any mix of separators come back joined by "/"', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(segment, separator), { minLength: 1, maxLength: 6 }), (parts) => {
        const name = parts.map(([s, sep], i) => (i === parts.length - 1 ? s : s + sep)).join('');
        const expected = parts.map(([s]) => s).join('/');
        // The first segment decides the drive-letter rule only when it is at the start; it was filtered above.
        expect(safeRelativePath(name)).toBe(expected);
      }),
    );
  });

  it('property: a ".." segment anywhere is refused, whatever separators surround it', () => {
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 4 }), fc.array(segment, { maxLength: 4 }), separator, (before, after, sep) => {
        const name = [...before, '..', ...after].join(sep);
        expect(() => safeRelativePath(name)).toThrow(/"\.\."|absolute|UNC/);
      }),
    );
  });

  it('refuses a drive letter that only appears once "." parts are dropped', () => {
    for (const name of ['.\\C:', './C:/Windows/x.dll', './/./c:x', '.\\.\\D:\\a']) {
      expect(() => safeRelativePath(name), name).toThrow(/drive letter/);
    }
  });

  it('property: any string is refused with INVALID_INPUT or comes back as a clean, stable relative path', () => {
    const anyName = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.array(fc.constantFrom('..', '.', '/', '\\', 'C:', 'a', ' ', '\u0000', '?', ':', '😀', 'ä'), { maxLength: 12 }).map((a) => a.join('')),
    );
    fc.assert(
      fc.property(anyName, (name) => {
        let out: string;
        try {
          out = safeRelativePath(name);
        } catch (err) {
          expect(err).toBeInstanceOf(AppError);
          expect((err as AppError).code).toBe('INVALID_INPUT');
          return;
        }
        expect(out).not.toBe('');
        expect(out).not.toMatch(/\\|^\/|\/$|^[a-zA-Z]:/);
        expect(hasControlCharacter(out)).toBe(false);
        expect(out.split('/')).not.toContain('..');
        expect(out.split('/')).not.toContain('.');
        expect(safeRelativePath(out)).toBe(out);
      }),
      { numRuns: Number(process.env.KRAKEN_PROPERTY_RUNS ?? 2000) },
    );
  });
});

describe('resolveInside', () => {
  it('joins a checked name under the root and refuses what would leave it', () => {
    const root = path.resolve('/srv/models/tmp');
    expect(resolveInside(root, 'group/w.bin')).toBe(path.join(root, 'group', 'w.bin'));
    expect(() => resolveInside(root, '../x')).toThrow(AppError);
    expect(() => resolveInside(root, '/etc/passwd')).toThrow(/absolute/);
  });

  it('property: whatever the name, the result lies strictly inside the root, with POSIX and with Windows path rules', () => {
    const roots: [path.PlatformPath, string][] = [
      [path.posix, '/home/u/data/models/.m.partial'],
      [path.win32, 'C:\\Users\\u\\data\\models\\.m.partial'],
      [path.win32, '\\\\server\\share\\data'],
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...roots),
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 30 }),
          fc.array(fc.constantFrom('..', '.', '/', '\\', 'C:', 'c:', 'x', '\\\\?\\', '//', ' ', ':'), { maxLength: 10 }).map((a) => a.join('')),
        ),
        ([p, root], name) => {
          let full: string;
          try {
            full = resolveInsideFor(p, root, name);
          } catch (err) {
            expect((err as AppError).code).toBe('INVALID_INPUT');
            return;
          }
          const rel = p.relative(root, full);
          expect(rel).not.toBe('');
          expect(p.isAbsolute(rel)).toBe(false);
          expect(rel.split(p.sep)[0]).not.toBe('..');
          expect(full.toLowerCase().startsWith(root.toLowerCase() + p.sep)).toBe(true);
        },
      ),
      { numRuns: Number(process.env.KRAKEN_PROPERTY_RUNS ?? 2000) },
    );
  });
});

describe('realpathInside (real symbolic links)', () => {
  let work: string;
  let root: string;
  let outside: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-safe-path-'));
    root = path.join(work, 'root');
    outside = path.join(work, 'outside');
    fs.mkdirSync(path.join(root, 'sub'), { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'secret');
    fs.writeFileSync(path.join(root, 'sub', 'w.bin'), 'w');
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'leak.bin'));
    fs.symlinkSync(outside, path.join(root, 'out-dir'));
    fs.symlinkSync(path.join(root, 'sub', 'w.bin'), path.join(root, 'alias.bin'));
    fs.symlinkSync(path.join(outside, 'not-yet.txt'), path.join(root, 'dangling'));
    fs.symlinkSync(path.join(root, 'loop-b'), path.join(root, 'loop-a'));
    fs.symlinkSync(path.join(root, 'loop-a'), path.join(root, 'loop-b'));
    fs.symlinkSync(root, path.join(work, 'root-link'));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('accepts a file inside, a link that stays inside, and a file that does not exist yet (even in missing folders)', async () => {
    const realRoot = fs.realpathSync(root);
    expect(await realpathInside(root, path.join(root, 'sub', 'w.bin'))).toBe(path.join(realRoot, 'sub', 'w.bin'));
    expect(await realpathInside(root, 'alias.bin')).toBe(path.join(realRoot, 'sub', 'w.bin'));
    expect(await realpathInside(root, path.join(root, 'new', 'deeper', 'x.bin'))).toBe(path.join(realRoot, 'new', 'deeper', 'x.bin'));
    expect(realpathInsideSync(root, 'sub/new.bin')).toBe(path.join(realRoot, 'sub', 'new.bin'));
  });

  it('accepts paths under a root that is itself reached through a link', async () => {
    expect(await realpathInside(path.join(work, 'root-link'), path.join(work, 'root-link', 'sub', 'w.bin'))).toBe(path.join(fs.realpathSync(root), 'sub', 'w.bin'));
  });

  it.each([
    ['a link to a file outside', 'leak.bin', /outside/],
    ['a file under a linked folder outside', 'out-dir/secret.txt', /outside/],
    ['a new file under a linked folder outside', 'out-dir/new/x.txt', /outside/],
    ['a dangling link (writing would create its target)', 'dangling', /symbolic link whose target does not exist/],
    ['a loop of links', 'loop-a', /loop/],
    ['the parent folder', '..', /outside/],
    ['the root itself', '.', /outside/],
  ])('refuses %s', async (_what, candidate, why) => {
    await expect(realpathInside(root, candidate)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(why) });
    expect(() => realpathInsideSync(root, candidate)).toThrow(why);
  });

  it('refuses an absolute path elsewhere, and says NOT_FOUND for a root that does not exist', async () => {
    await expect(realpathInside(root, path.join(outside, 'secret.txt'))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(realpathInside(path.join(work, 'nope'), 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
