/**
 * `kraken db …` on real SQLite files in a temp data folder: in-process through runDb (errors formatted the way the
 * CLI entry formats them), and through the real entry in a child process for what only it does (the command list,
 * one line and exit 1 for a damaged library in any command).
 */
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../node/store/database';
import { LATEST_VERSION } from '../../node/store/migrations';
import { UsageError } from '../cli-io';
import { runDb } from './db';

const dirs: string[] = [];
function dataDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-cli-db-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** runDb with the exit codes and the error line of main/cli/index.ts (which cannot require .ts files under vitest). */
async function kraken(env: NodeJS.ProcessEnv, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t), interactive: false, signal: new AbortController().signal, env };
  let code: number;
  try {
    code = await runDb(argv.slice(1), io);
  } catch (e) {
    const ae = e as { code: string; message: string };
    if (e instanceof UsageError) {
      err.push(`kraken db: ${ae.message}`);
      code = 2;
    } else {
      err.push(`kraken db: ${ae.message.replace(/\s*\n\s*/g, ' ')} [${ae.code}]`);
      code = 1;
    }
  }
  return { code, stdout: out.join('\n'), stderr: err.join('\n'), errLines: err };
}

const root = path.resolve(__dirname, '..', '..', '..');
/** The real CLI entry through tsx, as cli.test.ts runs it. */
function realKraken(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'main', 'cli', 'index.ts'), ...args], { encoding: 'utf8', timeout: 120_000, cwd: root });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function library(dir: string, names: string[]): string {
  const file = path.join(dir, 'studio.db');
  const db = openDatabase(file, { backups: false });
  const t = new Date().toISOString();
  for (const n of names) db.prepare(`INSERT INTO projects (name, created_at, updated_at) VALUES (?, ?, ?)`).run(n, t, t);
  db.close();
  return file;
}

function damage(file: string): void {
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 4096);
  fs.closeSync(fd);
}

const names = (file: string) => {
  const db = new Database(file, { readonly: true });
  const rows = (db.prepare('SELECT name FROM projects ORDER BY id').all() as { name: string }[]).map((r) => r.name);
  db.close();
  return rows;
};

describe('kraken db', () => {
  it('answers --help for the group and for each subcommand', async () => {
    for (const argv of [['db', '--help'], ['db', 'check', '--help'], ['db', 'backup', '--help'], ['db', 'restore', '--help']]) {
      const r = await kraken({}, ...argv);
      expect(r.code, argv.join(' ')).toBe(0);
      expect(r.stdout).toContain('kraken db restore --latest | --from <file|name>');
    }
  });

  it('check: reports a healthy library and its backups; takes the folder from KRAKEN_DATA_DIR', async () => {
    const dir = dataDir();
    const file = library(dir, ['a']);
    const before = fs.readFileSync(file);
    const r = await kraken({ KRAKEN_DATA_DIR: dir }, 'db', 'check');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Library ${file}: healthy, schema ${LATEST_VERSION}`);
    expect(r.stdout).toContain('No backups yet');
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('check: a damaged library is one line on stderr and exit 1; --json says what is wrong', async () => {
    const dir = dataDir();
    const file = library(dir, ['a']);
    damage(file);
    const r = await kraken({}, 'db', 'check', '--data-dir', dir);
    expect(r.code).toBe(1);
    expect(r.errLines).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^kraken db: The library ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is damaged .*\\[DATABASE_DAMAGED\\]$`));
    const j = await kraken({}, 'db', 'check', '--data-dir', dir, '--json');
    expect(j.code).toBe(1);
    expect(JSON.parse(j.stdout)).toMatchObject({ file, exists: true, healthy: false });
  });

  it('check: warns on stderr when the library is empty but project folders are on disk', async () => {
    const dir = dataDir();
    fs.mkdirSync(path.join(dir, 'projects', '4'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'studio.db'), '');
    const r = await kraken({}, 'db', 'check', '--data-dir', dir, '--json');
    expect(r.code).toBe(0);
    expect(r.errLines).toHaveLength(1);
    expect(r.stderr).toMatch(/^kraken db: warning: The library .* is empty, but .* holds 1 project folder:/);
    expect(JSON.parse(r.stdout).libraryWarning).toMatchObject({ kind: 'empty-library', projectFolders: 1 });
  });

  it('backup, then restore --latest over a damaged library', async () => {
    const dir = dataDir();
    const file = library(dir, ['a', 'b']);
    const b = await kraken({}, 'db', 'backup', '--data-dir', dir, '--json');
    expect(b.code).toBe(0);
    const entry = JSON.parse(b.stdout) as { name: string; file: string; schemaVersion: number };
    expect(entry.schemaVersion).toBe(LATEST_VERSION);
    expect(names(entry.file)).toEqual(['a', 'b']);
    damage(file);
    expect((await kraken({}, 'db', 'backup', '--data-dir', dir)).code).toBe(1);
    const r = await kraken({}, 'db', 'restore', '--latest', '--data-dir', dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Restored .* into .*studio\.db\. The library it replaced is kept as .*studio-damaged-.*\.db\./);
    expect(names(file)).toEqual(['a', 'b']);
    expect((await kraken({}, 'db', 'check', '--data-dir', dir)).code).toBe(0);
  });

  it('restore --latest skips a backup that fails its check and takes the next', async () => {
    const dir = dataDir();
    const file = library(dir, ['old']);
    await kraken({}, 'db', 'backup', '--data-dir', dir);
    library(dir, ['new']);
    // Distinct times in the names: the clock may not have moved between two quick backups.
    const [first] = fs.readdirSync(path.join(dir, 'backups'));
    const newer = path.join(dir, 'backups', `studio-2999-01-01T00-00-00.000Z-v${LATEST_VERSION}.db`);
    fs.copyFileSync(path.join(dir, 'backups', first!), newer);
    damage(newer);
    const r = await kraken({}, 'db', 'restore', '--latest', '--data-dir', dir, '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`skipped ${path.basename(newer)}`);
    expect(JSON.parse(r.stdout)).toMatchObject({ from: path.join(dir, 'backups', first!), skipped: [{ file: newer }] });
    expect(names(file)).toEqual(['old']);
  });

  it('restore --from a file or a backup name; refuses bad choices with usage and exit 2', async () => {
    const dir = dataDir();
    const file = library(dir, ['x']);
    const elsewhere = dataDir();
    const copy = library(elsewhere, ['from elsewhere']);
    const r = await kraken({}, 'db', 'restore', '--from', copy, '--data-dir', dir);
    expect(r.code).toBe(0);
    expect(names(file)).toEqual(['from elsewhere']);
    const [kept] = fs.readdirSync(path.join(dir, 'backups')).filter((n) => n.startsWith('studio-before-restore-'));
    expect((await kraken({}, 'db', 'restore', '--from', kept!, '--data-dir', dir)).code).toBe(0);
    expect(names(file)).toEqual(['x']);
    const neither = await kraken({}, 'db', 'restore', '--data-dir', dir);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('choose one: --latest, or --from <file|name>');
    expect((await kraken({}, 'db', 'restore', '--latest', '--from', copy, '--data-dir', dir)).code).toBe(2);
    expect((await kraken({}, 'db', 'vacuum', '--data-dir', dir)).code).toBe(2);
    const missing = await kraken({}, 'db', 'restore', '--from', path.join(dir, 'nope.db'), '--data-dir', dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No backup at .*nope\.db.*\[NOT_FOUND\]/);
  });

  it('restore refuses while the studio has the library open', async () => {
    const dir = dataDir();
    const file = library(dir, ['a']);
    await kraken({}, 'db', 'backup', '--data-dir', dir);
    const live = openDatabase(file, { backups: false });
    try {
      const r = await kraken({}, 'db', 'restore', '--latest', '--data-dir', dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/open in a running Kraken Studio.*\[CONFLICT\]/);
    } finally {
      live.close();
    }
  });

  it('the real entry warns on stderr when a command opens an empty library next to project folders', () => {
    const dir = dataDir();
    fs.mkdirSync(path.join(dir, 'projects', '3'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'studio.db'), '');
    const r = realKraken('sets', '--data-dir', dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^kraken: warning: The library .*studio\.db is empty, but .* holds 1 project folder: .* Nothing was deleted\.\n$/);
    expect(r.stdout).toContain('No frame sets');
  });

  it('the real entry lists db, and any command that opens a damaged library prints one line and exits 1', () => {
    expect(realKraken('--help').stdout).toContain('kraken db check|backup|restore');
    const dir = dataDir();
    damage(library(dir, ['a']));
    for (const argv of [['sets'], ['db', 'check']]) {
      const r = realKraken(...argv, '--data-dir', dir);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`^kraken ${argv[0]}: The library .* is damaged .* your project files under .* are untouched\\. \\[DATABASE_DAMAGED\\]\\n$`));
    }
  });
});
