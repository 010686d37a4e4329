/**
 * One rule for every file name that comes from outside the app — a TF.js manifest's weight paths, a catalogue
 * entry's folder, a download's destination, an archive's entries, a network job's inputs: the name must be a
 * plain relative path that stays inside the folder it is meant for, also on Windows, and also after symbolic
 * links are followed. Names are checked as the strictest file system would read them (`\` is a separator too,
 * `C:x` is drive-relative), so a manifest made on one OS cannot escape on another.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../common/app-error';
import { quoteName } from './file-names';

/** C0 controls, DEL and C1 controls: never part of a real file name, and NUL truncates names in native code. */
export function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

function refuse(name: string, why: string): never {
  // Quoted with escapes: a control or bidi character in the name is shown, not obeyed.
  throw new AppError('INVALID_INPUT', `The file name ${quoteName(name)} is refused: ${why}.`, { name });
}

/**
 * The normalised POSIX relative form of `name` ("a/./b\\c" → "a/b/c"); INVALID_INPUT when it is empty, absolute,
 * drive-lettered, a UNC or device path, climbs with `..`, or holds a control character.
 */
export function safeRelativePath(name: string): string {
  if (typeof name !== 'string' || name.length === 0) refuse(String(name ?? ''), 'it is empty');
  if (hasControlCharacter(name)) refuse(name, 'it contains a control character');
  if (name.startsWith('//') || name.startsWith('\\\\')) refuse(name, 'it is a network (UNC) or device path');
  if (name.startsWith('/') || name.startsWith('\\')) refuse(name, 'it is an absolute path');
  // "C:" alone, "C:\x" and the drive-relative "C:x" all leave the folder on Windows.
  if (/^[a-zA-Z]:/.test(name)) refuse(name, 'it starts with a drive letter');
  const segments: string[] = [];
  for (const s of name.split(/[\\/]+/)) {
    if (s === '' || s === '.') continue;
    if (s === '..') refuse(name, 'it climbs out of its folder with ".."');
    // Windows drops trailing dots and spaces, so ".. " and "..." would be read as ".." or "." there.
    if (/^[. ]+$/.test(s)) refuse(name, 'a part of it is only dots and spaces');
    // On Windows "aux.png" or "CON" opens a device instead of a file, whatever folder it is in.
    if (/^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$) *(\.|$)/i.test(s)) refuse(name, 'a part of it is a Windows device name');
    segments.push(s);
  }
  if (segments.length === 0) refuse(name, 'it names the folder itself, not a file in it');
  // "./C:" or "\\.\\C:x" would come out as "C:…" once the "." parts are dropped: judge the drive on the result too.
  if (/^[a-zA-Z]:/.test(segments[0]!)) refuse(name, 'it starts with a drive letter');
  return segments.join('/');
}

function isInside(root: string, file: string, p: path.PlatformPath = path): boolean {
  const rel = p.relative(root, file);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${p.sep}`) && !p.isAbsolute(rel);
}

/** `root` joined with the checked `name` (lexical: no file system access); INVALID_INPUT when it would leave `root`. */
export function resolveInside(root: string, name: string): string {
  return resolveInsideFor(path, root, name);
}

/** `resolveInside` with the path rules of a given OS (tests check the Windows rules on any machine). */
export function resolveInsideFor(p: path.PlatformPath, root: string, name: string): string {
  const rel = safeRelativePath(name);
  const base = p.resolve(root);
  const full = p.resolve(base, ...rel.split('/'));
  if (!isInside(base, full, p)) refuse(name, `it leads outside ${base}`);
  return full;
}

/**
 * The real path of `candidate` (absolute, or relative to `root`) after following symbolic links, which must lie
 * inside the real path of `root`. A path that does not exist yet is judged by its nearest existing parent; a
 * dangling symbolic link on the way is refused (writing through it would create its target, wherever that is).
 */
export async function realpathInside(root: string, candidate: string): Promise<string> {
  // A few lstat/realpath calls on local folders: the synchronous walk is simpler and as fast.
  return realpathInsideSync(root, candidate);
}

/** The same check as `realpathInside`, synchronous (for code that cannot await, such as reading a model.json). */
export function realpathInsideSync(root: string, candidate: string): string {
  let realRoot: string;
  try {
    realRoot = fs.realpathSync(root);
  } catch (err) {
    throw AppError.from(err);
  }
  const abs = path.resolve(root, candidate);
  const tail: string[] = [];
  for (let p = abs; ; p = path.dirname(p)) {
    let real: string | null = null;
    try {
      real = path.join(fs.realpathSync(p), ...tail);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') refuse(candidate, 'it goes through a loop of symbolic links');
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw AppError.from(err);
      let dangling = false;
      try {
        dangling = fs.lstatSync(p).isSymbolicLink();
      } catch {
        // not there at all: judge by the parent
      }
      if (dangling) refuse(candidate, 'it goes through a symbolic link whose target does not exist');
    }
    if (real !== null) return judge(candidate, realRoot, real);
    if (path.dirname(p) === p) return judge(candidate, realRoot, abs);
    tail.unshift(path.basename(p));
  }
}

function judge(candidate: string, realRoot: string, real: string): string {
  if (!isInside(realRoot, real)) refuse(candidate, `it leads outside ${realRoot} (through a symbolic link or "..")`);
  return real;
}
