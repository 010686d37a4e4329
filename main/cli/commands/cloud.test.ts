/**
 * `kraken cloud …` as a user runs it: child processes against the local Atlas emulator on 127.0.0.1, a fresh data
 * folder (tokens in the 0600 file there: no keychain in the child), the password only on stdin.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAtlasEmulator, type AtlasEmulator } from '../../../emulators/atlas';
import { fixtures } from '../../../test-support/media-fixtures';

const root = path.resolve(__dirname, '..', '..', '..');
const source = path.join(root, 'main', 'cli', 'index.ts');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-cli-cloud-'));
const dataDir = path.join(work, 'data');
const PASSWORD = 'Cli-pass-1234';
let emu: AtlasEmulator;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI from source (tsx) with `stdin` piped in; KRAKEN_ATLAS_URL points at the emulator unless `env` says otherwise. */
function kraken(args: string[], opts: { stdin?: string; env?: Record<string, string | undefined> } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const env: Record<string, string | undefined> = { ...process.env, KRAKEN_DATA_DIR: dataDir, KRAKEN_ATLAS_URL: emu.url, KRAKEN_KEYCHAIN: 'off', ...opts.env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    const child = spawn(process.execPath, ['--import', 'tsx', source, ...args], { cwd: root, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.stdin ?? '');
  });
}

beforeAll(async () => {
  emu = await startAtlasEmulator({ processingMs: 200, quiet: true });
  await emu.createUser({ email: 'cli@example.com', password: PASSWORD, nickname: 'cli' });
  fixtures.h264();
  fixtures.png();
}, 240_000);

afterAll(async () => {
  await emu?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('kraken cloud', () => {
  it('answers --help for the group and each command', async () => {
    const group = await kraken(['cloud', '--help']);
    expect(group.code).toBe(0);
    for (const c of ['signup', 'login', 'whoami', 'logout', 'submit', 'status', 'items', 'download', 'delete']) expect(group.stdout).toContain(`cloud ${c}`);
    const submit = await kraken(['cloud', 'submit', '--help']);
    expect(submit.code).toBe(0);
    expect(submit.stdout).toMatch(/usage: kraken cloud submit <nerf2mesh\|gs3d\|instant-mesh\|musepose\|decal> <file>/);
  }, 60_000);

  it('bad input: one line on stderr and a non-zero exit', async () => {
    const cases: [string[], RegExp][] = [
      [['cloud', 'nope'], /unknown command/],
      [['cloud', 'login', '--email', 'cli@example.com'], /--password-stdin/],
      [['cloud', 'login', '--email', 'cli@example.com', '--password', 'x'], /password|Unknown option/i],
      [['cloud', 'submit', 'gs4d', 'x.mp4'], /usage/],
      [['cloud', 'submit', 'gs3d', fixtures.h264(), '--epoch', '500'], /--epoch/],
      [['cloud', 'items', 'gs3d', '--limit', '51'], /--limit/],
      [['cloud', 'download', 'abc'], /usage/],
      [['cloud', 'status', 'x', '--api', 'ftp://nowhere'], /http/],
    ];
    for (const [args, re] of cases) {
      const r = await kraken(args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr, args.join(' ')).toMatch(re);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  }, 120_000);

  it('login (password on stdin), whoami, submit gs3d, status --wait, items, download, delete, logout', async () => {
    const wrong = await kraken(['cloud', 'login', '--email', 'cli@example.com', '--password-stdin'], { stdin: 'Wrong-pass-99\n' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/Wrong e-mail address or password/);

    const login = await kraken(['cloud', 'login', '--email', 'cli@example.com', '--password-stdin', '--json'], { stdin: `${PASSWORD}\n` });
    expect(login.stderr.replace(/.*keychain.*\n?/gi, '')).toBe('');
    expect(login.code).toBe(0);
    expect(JSON.parse(login.stdout)).toMatchObject({ state: 'signedIn', email: 'cli@example.com' });
    expect(login.stdout).not.toMatch(/eyJ|Token/);

    const who = await kraken(['cloud', 'whoami', '--json']);
    expect(who.code).toBe(0);
    expect(JSON.parse(who.stdout)).toMatchObject({ state: 'signedIn', email: 'cli@example.com', nickname: 'cli' });

    const submit = await kraken(['cloud', 'submit', 'gs3d', fixtures.h264(), '--name', 'cli chair', '--epoch', '2', '--json']);
    expect(submit.stderr).toBe('');
    expect(submit.code).toBe(0);
    const { requestId } = JSON.parse(submit.stdout) as { requestId: string };
    expect(requestId).toBeTruthy();

    await emu.waitGenerated(requestId, 60_000);
    emu.finishItem(requestId);
    const status = await kraken(['cloud', 'status', requestId, '--wait', '--interval', '1', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ requestId, status: 'OK', model: 'gs3d' });

    const items = await kraken(['cloud', 'items', 'gs3d', '--all', '--json']);
    expect(items.code).toBe(0);
    expect((JSON.parse(items.stdout) as { items: { requestId: string }[] }).items.map((i) => i.requestId)).toContain(requestId);

    const out = path.join(work, 'out');
    const dl = await kraken(['cloud', 'download', requestId, '--out', out, '--json']);
    expect(dl.code).toBe(0);
    const files = (JSON.parse(dl.stdout) as { files: { file: string; kind: string }[] }).files;
    expect(files.map((f) => [path.basename(f.file), f.kind])).toEqual([['cli chair.ply', 'ply']]);
    expect(fs.readFileSync(files[0]!.file).equals(fs.readFileSync(emu.resultFile(requestId, 1)!))).toBe(true);

    const del = await kraken(['cloud', 'delete', requestId, '--json']);
    expect(del.code).toBe(0);
    expect(JSON.parse(del.stdout)).toEqual({ requestId, deleted: true });
    const gone = await kraken(['cloud', 'delete', requestId]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/no item/);

    // No token in clear outside the 0600 credentials file; the password nowhere.
    const hits: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (fs.readFileSync(p).includes(PASSWORD)) hits.push(p);
      }
    };
    walk(dataDir);
    expect(hits).toEqual([]);

    const logout = await kraken(['cloud', 'logout']);
    expect(logout.code).toBe(0);
    const after = await kraken(['cloud', 'whoami']);
    expect(after.code).toBe(1);
    expect(after.stdout).toMatch(/Not signed in/);
  }, 180_000);

  it('submit: a refused input exits 1 with the reasons, before any upload', async () => {
    await kraken(['cloud', 'login', '--email', 'cli@example.com', '--password-stdin'], { stdin: PASSWORD });
    emu.clearRequests();
    const tiny = fixtures.png('120x90');
    const r = await kraken(['cloud', 'submit', 'instant-mesh', tiny]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/would refuse/);
    expect(r.stderr).toMatch(/IMAGE_TOO_SMALL/);
    expect(emu.requests().filter((q) => q.path.startsWith('/atlas/item/'))).toEqual([]);
  }, 120_000);

  it('signup: a weak password is refused before anything is sent; a good one creates the account; 409 for the same e-mail', async () => {
    emu.clearRequests();
    const weak = await kraken(['cloud', 'signup', '--email', 'new-cli@example.com', '--nickname', 'n', '--password-stdin'], { stdin: 'weakpass\n' });
    expect(weak.code).not.toBe(0);
    expect(weak.stderr).toMatch(/upper-case letter/);
    expect(emu.requests().filter((r) => r.path === '/atlas/auth/sign-up')).toEqual([]);
    const ok = await kraken(['cloud', 'signup', '--email', 'new-cli@example.com', '--nickname', 'n', '--password-stdin', '--json'], { stdin: 'Good-pass-123\n' });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ email: 'new-cli@example.com', confirmationSent: true });
    const again = await kraken(['cloud', 'signup', '--email', 'new-cli@example.com', '--nickname', 'n', '--password-stdin'], { stdin: 'Good-pass-123' });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
    // Not confirmed yet: the sign-in says so.
    const login = await kraken(['cloud', 'login', '--email', 'new-cli@example.com', '--password-stdin'], { stdin: 'Good-pass-123' });
    expect(login.code).toBe(1);
    expect(login.stderr).toMatch(/not confirmed/);
  }, 120_000);

  it('--api overrides KRAKEN_ATLAS_URL', async () => {
    const r = await kraken(['cloud', 'whoami', '--json', '--api', emu.url], { env: { KRAKEN_ATLAS_URL: 'http://127.0.0.1:9' } });
    expect(JSON.parse(r.stdout)).toMatchObject({ api: emu.url });
  }, 60_000);
});
