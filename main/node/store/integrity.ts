/**
 * Telling a damaged library from a healthy one: SQLite's `quick_check` (every page, index order and record
 * format, without the slow cross-check of indexes against tables) and the errors SQLite raises when a page or
 * the header is unreadable. A damaged database is refused with a message that names the file and what to do,
 * never a SQLITE_CORRUPT stack; nothing is written to it.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { AppError } from '../../common/app-error';

/** The most problems kept from one check; the first one is what the message shows. */
const MAX_PROBLEMS = 10;

/** Runs quick_check; returns [] for a healthy database, else its problems (one line each). */
export function quickCheck(db: Database.Database): string[] {
  try {
    const rows = db.pragma(`quick_check(${MAX_PROBLEMS})`) as { quick_check: string }[];
    const lines = rows.flatMap((r) => String(r.quick_check).split('\n')).filter((l) => l.trim() && !/^\*\*\* in database/.test(l));
    return lines.length === 1 && lines[0] === 'ok' ? [] : lines.slice(0, MAX_PROBLEMS);
  } catch (err) {
    if (isDamageError(err)) return [(err as Error).message];
    throw err;
  }
}

/** SQLite's own words for "this file is not a readable database" (a bad page, a bad header, a short file). */
export function isDamageError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(CORRUPT|NOTADB)/.test(code);
}

export interface DamageContext {
  /** Names of the backups there are to restore, newest first. */
  backups: readonly string[];
  backupsDir: string;
}

/** The refusal of a damaged library: the file, the first problem, what to do, and that project files are safe. */
export function damagedError(file: string, problems: readonly string[], ctx: DamageContext): AppError {
  const projects = path.join(path.dirname(file), 'projects');
  const first = (problems[0] ?? 'unreadable').replace(/\s+/g, ' ').slice(0, 200);
  const todo =
    ctx.backups.length > 0
      ? `Restore a backup with \`kraken db restore --latest\` (newest: ${ctx.backups[0]}; the desktop app offers the same when it starts)`
      : `No backup exists in ${ctx.backupsDir}. Restore a copy with \`kraken db restore --from <file>\`, or move the file aside to start an empty library`;
  return new AppError('DATABASE_DAMAGED', `The library ${file} is damaged (${first}). ${todo}; your project files under ${projects} are untouched.`, {
    file,
    problems: [...problems],
    backups: ctx.backups.length,
    latestBackup: ctx.backups[0] ?? null,
  });
}
