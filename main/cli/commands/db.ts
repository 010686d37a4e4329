/**
 * `kraken db check|backup|restore` — the library database of a data folder (`--data-dir`, KRAKEN_DATA_DIR, or the
 * app's default): check it with quick_check, back it up with SQLite's online backup API (safe while the studio
 * runs), or put a backup in its place (only while the studio is closed: the file is replaced, see backups.ts).
 * Nothing here runs migrations; the studio does that when it next opens the library.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AppError } from '../../common/app-error';
import { defaultDataDir } from '../../node/app-paths';
import {
  backupsDirFor,
  DEFAULT_KEEP,
  listBackups,
  restoreDatabaseFile,
  restoreLatestBackup,
  rotatingBackups,
  writeBackup,
  type BackupEntry,
  type RestoreResult,
} from '../../node/store/backups';
import { damagedError, isDamageError, quickCheck } from '../../node/store/integrity';
import { libraryWarning, projectFolderCount, type LibraryWarning } from '../../node/store/library-warning';
import { LATEST_VERSION } from '../../node/store/migrations';
import { UsageError, type CliIo } from '../cli-io';

const USAGE = [
  'usage: kraken db check [--json]                          check the library (quick_check), its schema and its backups',
  '       kraken db backup [--json]                         back the library up now (safe while the studio runs; the newest ' + DEFAULT_KEEP + ' are kept)',
  '       kraken db restore --latest | --from <file|name> [--json]',
  '                                                         replace the library with a backup (quit the studio first);',
  '                                                         the replaced file is kept in backups/',
  '  common: [--data-dir <dir>] (default: KRAKEN_DATA_DIR or the app\'s data folder)',
].join('\n');

const mb = (n: number) => (n < 1048576 ? `${(n / 1024).toFixed(0)} KB` : `${(n / 1048576).toFixed(1)} MB`);
const describe = (b: BackupEntry) => `${b.name} (schema ${b.schemaVersion ?? '?'}, ${mb(b.sizeBytes)})`;

/** Runs `kraken db …`; returns the exit code. */
export async function runDb(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(USAGE);
    return sub ? 0 : 2;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      latest: { type: 'boolean', default: false },
      from: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected "${positionals[0]}".\n${USAGE}`);
  const dataDir = values['data-dir'] ? path.resolve(values['data-dir']) : defaultDataDir(io.env);
  const file = path.join(dataDir, 'studio.db');
  switch (sub) {
    case 'check':
      if (values.latest || values.from !== undefined) throw new UsageError(`--latest and --from belong to restore.\n${USAGE}`);
      return check(file, values.json, io);
    case 'backup':
      if (values.latest || values.from !== undefined) throw new UsageError(`--latest and --from belong to restore.\n${USAGE}`);
      return backup(file, values.json, io);
    case 'restore':
      return restore(file, { latest: values.latest, from: values.from }, values.json, io);
    default:
      throw new UsageError(`unknown subcommand "${sub}".\n${USAGE}`);
  }
}

interface CheckReport {
  file: string;
  exists: boolean;
  sizeBytes: number;
  healthy: boolean;
  problems: string[];
  schemaVersion: number | null;
  supportedVersion: number;
  backupsDir: string;
  backups: BackupEntry[];
  libraryWarning: LibraryWarning | null;
}

/** quick_check through a read-only connection: checking never changes the file. */
function inspect(file: string): CheckReport {
  const dir = backupsDirFor(file);
  const backups = listBackups(dir);
  const latest = backups.find((b) => b.kind === 'backup')?.name ?? null;
  const base = { file, backupsDir: dir, backups, supportedVersion: LATEST_VERSION };
  if (!fs.existsSync(file)) {
    const folders = projectFolderCount(path.dirname(file));
    const warning: LibraryWarning | null =
      folders > 0
        ? {
            kind: 'empty-library',
            projectFolders: folders,
            backupAvailable: latest !== null,
            message: `There is no library at ${file}, but ${path.join(path.dirname(file), 'projects')} holds ${folders} project folder${folders === 1 ? '' : 's'}. ${latest ? `Restore a backup with \`kraken db restore --latest\` (newest: ${latest}).` : 'No backup exists to restore.'}`,
          }
        : null;
    return { ...base, exists: false, sizeBytes: 0, healthy: true, problems: [], schemaVersion: null, libraryWarning: warning };
  }
  const sizeBytes = fs.statSync(file).size;
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const schemaVersion = db.pragma('user_version', { simple: true }) as number;
    const problems = quickCheck(db);
    const warning = problems.length === 0 ? libraryWarning(db, path.dirname(file), latest) : null;
    return { ...base, exists: true, sizeBytes, healthy: problems.length === 0, problems, schemaVersion, libraryWarning: warning };
  } catch (err) {
    if (!isDamageError(err)) throw err;
    return { ...base, exists: true, sizeBytes, healthy: false, problems: [(err as Error).message], schemaVersion: null, libraryWarning: null };
  } finally {
    db?.close();
  }
}

function check(file: string, json: boolean, io: CliIo): number {
  const r = inspect(file);
  if (r.libraryWarning) io.err(`kraken db: warning: ${r.libraryWarning.message}`);
  if (json) {
    io.out(JSON.stringify(r, null, 2));
    return r.healthy ? 0 : 1;
  }
  if (!r.healthy) throw damagedError(file, r.problems, { backups: r.backups.filter((b) => b.kind === 'backup').map((b) => b.name), backupsDir: r.backupsDir });
  if (!r.exists) io.out(`No library at ${file} yet: the studio creates it when it first starts.`);
  else {
    const newer = (r.schemaVersion ?? 0) > LATEST_VERSION ? ` — saved by a newer Kraken Studio (this one knows ${LATEST_VERSION})` : '';
    io.out(`Library ${file}: healthy, schema ${r.schemaVersion}${newer}, ${mb(r.sizeBytes)}.`);
  }
  const rotating = r.backups.filter((b) => b.kind === 'backup');
  io.out(rotating.length > 0 ? `Backups in ${r.backupsDir}: ${rotating.length}, newest ${describe(rotating[0]!)}.` : `No backups yet in ${r.backupsDir}.`);
  return 0;
}

async function backup(file: string, json: boolean, io: CliIo): Promise<number> {
  if (!fs.existsSync(file)) throw new AppError('NOT_FOUND', `No library at ${file} to back up.`, { file });
  const dir = backupsDirFor(file);
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    // A damaged library is not backed up: the copy would push a good backup out of the rotation.
    const problems = quickCheck(db);
    if (problems.length > 0) throw damagedError(file, problems, { backups: rotatingBackups(dir).map((b) => b.name), backupsDir: dir });
    const entry = await writeBackup(db, dir);
    io.out(json ? JSON.stringify(entry, null, 2) : `Backed up ${file} to ${entry.file} (schema ${entry.schemaVersion}, ${mb(entry.sizeBytes)}).`);
    return 0;
  } catch (err) {
    if (isDamageError(err)) throw damagedError(file, [(err as Error).message], { backups: rotatingBackups(dir).map((b) => b.name), backupsDir: dir });
    throw err;
  } finally {
    db?.close();
  }
}

async function restore(file: string, choice: { latest: boolean; from?: string }, json: boolean, io: CliIo): Promise<number> {
  const dir = backupsDirFor(file);
  if (choice.latest === (choice.from !== undefined)) {
    const rotating = rotatingBackups(dir);
    const list = rotating.length > 0 ? `Backups in ${dir}:\n${rotating.map((b) => `  ${describe(b)}`).join('\n')}` : `No backups in ${dir}.`;
    throw new UsageError(`choose one: --latest, or --from <file|name>.\n${list}\n${USAGE}`);
  }
  const result: RestoreResult & { skipped: { file: string; reason: string }[] } =
    choice.from !== undefined
      ? { ...restoreDatabaseFile(file, resolveSource(dir, choice.from), { latest: LATEST_VERSION }), skipped: [] }
      : restoreLatestBackup(file, { latest: LATEST_VERSION, onSkip: (f, reason) => io.err(`kraken db: skipped ${path.basename(f)}: ${reason}`) });
  if (json) io.out(JSON.stringify({ file, ...result }, null, 2));
  else {
    const kept = result.keptCopy ? ` The library it replaced is kept as ${path.join(dir, result.keptCopy)}.` : '';
    io.out(`Restored ${result.from} (schema ${result.schemaVersion}) into ${file}.${kept} The studio brings the schema up to date when it next starts.`);
  }
  return 0;
}

/** `--from` takes a path, or the bare name of a file in the backups folder. */
function resolveSource(dir: string, from: string): string {
  if (!from.includes('/') && !from.includes('\\') && fs.existsSync(path.join(dir, from))) return path.join(dir, from);
  return path.resolve(from);
}
