/**
 * Owner-only modes for the data folder and the library on POSIX. The database names every file, project and
 * (later) account of the user; another local account has no business reading it. Modes are set with chmod after
 * creation because `mkdir`/`open` modes are filtered by the process umask, which we do not control.
 *
 * Windows has no POSIX modes (chmod only toggles read-only there), so nothing is changed; the per-user AppData
 * folder already carries an owner-only ACL.
 */
import fs from 'node:fs';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

const posix = process.platform !== 'win32';

/** Creates `dir` (and parents) if needed and makes it owner-only; a folder we do not own is left as it is. */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  tighten(dir, PRIVATE_DIR_MODE);
}

/**
 * Creates `file` empty if missing, then makes it owner-only. SQLite creates its -wal, -shm and -journal files with
 * the mode of the database file, so creating the database this way keeps them private too.
 */
export function ensurePrivateFile(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE_MODE));
  tighten(file, PRIVATE_FILE_MODE);
}

/** Makes existing files owner-only; missing ones are skipped (a -shm that SQLite has not made yet). */
export function tightenFiles(...files: string[]): void {
  for (const f of files) tighten(f, PRIVATE_FILE_MODE);
}

function tighten(p: string, mode: number): void {
  if (!posix) return;
  try {
    if ((fs.statSync(p).mode & 0o777) !== mode) fs.chmodSync(p, mode);
  } catch (err) {
    const code = (err as { code?: string }).code;
    // Missing: nothing to protect. EPERM: not ours (a shared folder given as --data-dir); we cannot, and should not.
    if (code !== 'ENOENT' && code !== 'EPERM') throw err;
  }
}
