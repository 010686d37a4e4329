/** The browser host's entry (main/host/index.ts) as a user starts it, on a damaged or an emptied library. */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../node/store/database';

const root = path.resolve(__dirname, '..', '..');
const entry = path.join(root, 'main', 'host', 'index.ts');
const args = (dataDir: string) => ['--import', 'tsx', entry, '--data-dir', dataDir, '--port', '0', '--no-open'];

const dirs: string[] = [];
function dataDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-host-entry-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('browser host entry', () => {
  it('refuses a damaged library with one line naming the file, and exits 1 without serving', () => {
    const dir = dataDir();
    const file = path.join(dir, 'studio.db');
    const db = openDatabase(file, { backups: false });
    const t = new Date().toISOString();
    for (let i = 0; i < 200; i++) db.prepare(`INSERT INTO projects (name, description, created_at, updated_at) VALUES (?, ?, ?, ?)`).run(`p${i}`, 'x'.repeat(200), t, t);
    db.close();
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 4096 * 2);
    fs.closeSync(fd);
    // Today's bug was a host that started on it: the timeout ends that run, and the assertions below fail.
    const r = spawnSync(process.execPath, args(dir), { encoding: 'utf8', timeout: 60_000, cwd: root, env: { ...process.env, CI: '1' } });
    expect(r.status).toBe(1);
    expect(r.stdout).not.toMatch(/is running at/);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^kraken host: The library .*studio\.db is damaged .*kraken db restore.* your project files under .* are untouched\. \[DATABASE_DAMAGED\]$/);
    expect(lines[0]).toContain(file);
  });

  it('warns on stderr when it starts on an empty library next to project folders', async () => {
    const dir = dataDir();
    fs.mkdirSync(path.join(dir, 'projects', '1', 'frames'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'projects', '2'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'studio.db'), '');
    const child = spawn(process.execPath, args(dir), { cwd: root, env: { ...process.env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          if (/is running at/.test(stdout)) resolve();
        });
        child.on('exit', (code) => reject(new Error(`host exited ${code}: ${stderr}`)));
      });
    } finally {
      child.kill('SIGTERM');
    }
    expect(stderr).toMatch(/kraken host: warning: The library .* is empty, but .* holds 2 project folders/);
  });
});
