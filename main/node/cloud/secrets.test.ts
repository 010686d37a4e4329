import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../common/app-error';
import { credentialsFile, FileVault, KeyringVault, openVault, type SecretStoreLike } from './secrets';

const dirs: string[] = [];
function tmpDir(prefix = 'kraken-secrets-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** Every file under `dir` whose bytes contain `needle` in clear. */
function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && fs.readFileSync(p).includes(needle)) hits.push(p);
    }
  };
  walk(dir);
  return hits;
}

function has(cmd: string, args: string[] = ['--version']): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const fakeToken = () => `eyJhbGciOiJIUzI1NiJ9.${randomBytes(24).toString('base64url')}.${randomBytes(16).toString('base64url')}`;

const posix = process.platform !== 'win32';

describe('FileVault (no keychain)', () => {
  it('stores in one owner-only file in an owner-only folder, and says so once', async () => {
    const data = tmpDir();
    const told: string[] = [];
    const vault = new FileVault(data, { onFallback: (m) => told.push(m) });
    const token = fakeToken();
    await vault.set('atlas.session', token);
    await vault.set('atlas.other', 'x');
    expect(await vault.get('atlas.session')).toBe(token);
    expect(await vault.get('missing')).toBeNull();
    const file = credentialsFile(data);
    expect(vault.file).toBe(file);
    if (posix) {
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    }
    expect(told).toEqual([`No system keychain is reachable; credentials are kept in ${file} (readable only by you)`]);
    // The file is the only place it rests; nothing else in the data folder has it.
    expect(filesContaining(data, token)).toEqual([file]);
    expect(await vault.delete('atlas.session')).toBe(true);
    expect(await vault.delete('atlas.session')).toBe(false);
    expect(await vault.get('atlas.session')).toBeNull();
    expect(filesContaining(data, token)).toEqual([]);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['credentials.json']); // no temporary left behind
  });

  it.skipIf(!posix)('tightens a loosened file before reading it', async () => {
    const data = tmpDir();
    const vault = new FileVault(data);
    await vault.set('a', 'b');
    fs.chmodSync(vault.file, 0o644);
    expect(await vault.get('a')).toBe('b');
    expect(fs.statSync(vault.file).mode & 0o777).toBe(0o600);
  });

  it('refuses bad names and says plainly when the file is damaged', async () => {
    const data = tmpDir();
    const vault = new FileVault(data);
    await expect(vault.set('../x', 'v')).rejects.toThrow(/Bad secret name/);
    await expect(vault.get('')).rejects.toBeInstanceOf(AppError);
    fs.mkdirSync(path.dirname(vault.file), { recursive: true });
    fs.writeFileSync(vault.file, '{broken');
    await expect(vault.get('a')).rejects.toThrow(/is damaged; remove it and sign in again/);
  });
});

describe('openVault', () => {
  it("prefers Electron's safeStorage store, and skips it when it cannot store safely", async () => {
    const map = new Map<string, string>();
    const store: SecretStoreLike = { get: (n) => map.get(n) ?? null, set: (n, v) => void map.set(n, v), delete: (n) => map.delete(n) };
    const v = await openVault(tmpDir(), { electron: store, keychain: false });
    expect(v.backend).toBe('electron');
    await v.set('a', 'b');
    expect(map.get('a')).toBe('b');
    expect(await v.delete('a')).toBe(true);

    const told: string[] = [];
    const broken = { ...store, unavailableReason: () => 'No system keyring is running' };
    const f = await openVault(tmpDir(), { electron: broken, keychain: false, onFallback: (m) => told.push(m) });
    expect(f.backend).toBe('file');
    expect(f.fallbackReason).toMatch(/No system keyring is running/);
    await f.set('a', 'b');
    expect(told).toHaveLength(1);
  });

  it('moves what the fallback file holds into a keychain that answers now, and removes the file', async () => {
    const data = tmpDir();
    const file = new FileVault(data);
    await file.set('atlas.session', 'tok-1');
    await file.set('wallet.key', 'tok-2');
    const store = new Map<string, string>();
    const keychain = Object.assign(new KeyringVault(), {
      probe: async () => null,
      get: async (n: string) => store.get(n) ?? null,
      set: async (n: string, v: string) => void store.set(n, v),
      delete: async (n: string) => store.delete(n),
    });
    const v = await openVault(data, { keychain });
    expect(v.backend).toBe('keychain');
    expect(await v.get('atlas.session')).toBe('tok-1');
    expect([...store.keys()].sort()).toEqual(['atlas.session', 'wallet.key']);
    expect(fs.existsSync(file.file)).toBe(false);
    expect(filesContaining(data, 'tok-1')).toEqual([]);
  });

  it('falls back to the file when the keychain probe fails', async () => {
    const failing = Object.assign(new KeyringVault(), { probe: async () => 'Couldn’t access platform storage: AccessDenied' });
    const v = await openVault(tmpDir(), { keychain: failing });
    expect(v.backend).toBe('file');
    expect(v.fallbackReason).toBe('Couldn’t access platform storage: AccessDenied');
  });

  it.skipIf(process.platform !== 'linux')('with no Secret Service on the session bus, the real keychain probe fails and the file is used (child process)', () => {
    const data = tmpDir();
    const r = runChild(data, { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/kraken-test-bus', KRAKEN_TEST_TOKEN: fakeToken() }, 'fallback');
    expect(r.backend).toBe('file');
    expect(r.fallbackReason).toMatch(/keychain/i);
    expect(r.roundTrip).toBe(true);
    expect(r.told).toMatch(/^No system keychain is reachable; credentials are kept in .*credentials\.json \(readable only by you\)$/);
  });
});

/** Runs openVault + set/get in a fresh Node process (its own environment, its own keyring session). */
function runChild(dataDir: string, env: Record<string, string>, mode: 'fallback' | 'keychain', wrap?: string[]): Record<string, unknown> {
  const script = `
    const mode = ${JSON.stringify(mode)};
    const mod = await import(${JSON.stringify(path.join(__dirname, 'secrets.ts'))});
    const { openVault } = mod.openVault ? mod : mod.default; // a CommonJS module seen from ESM
    const { execFileSync } = await import('node:child_process');
    let told = null;
    const vault = await openVault(process.env.KRAKEN_TEST_DATA, { onFallback: (m) => { told = m; } });
    const token = process.env.KRAKEN_TEST_TOKEN;
    await vault.set('atlas.session', token);
    const roundTrip = (await vault.get('atlas.session')) === token;
    let lookup = null;
    if (mode === 'keychain') {
      try { lookup = execFileSync('secret-tool', ['lookup', 'service', 'Kraken Studio', 'username', 'atlas.session']).toString() === token; } catch (e) { lookup = 'secret-tool: ' + e.message; }
      await vault.set('atlas.gone', 'x');
    }
    const deleted = mode === 'keychain' ? await vault.delete('atlas.gone') : null;
    const afterDelete = mode === 'keychain' ? await vault.get('atlas.gone') : null;
    console.log('RESULT ' + JSON.stringify({ backend: vault.backend, fallbackReason: vault.fallbackReason ?? null, roundTrip, lookup, told, deleted, afterDelete }));
  `;
  const node = [process.execPath, '--import', 'tsx', '--input-type=module', '-e', script];
  const cmd = wrap ? [...wrap, ...node] : node;
  const r = spawnSync(cmd[0]!, cmd.slice(1), {
    cwd: path.resolve(__dirname, '..', '..', '..'),
    env: { ...process.env, ...env, KRAKEN_TEST_DATA: dataDir },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`child failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(line.slice(7)) as Record<string, unknown>;
}

describe('KeyringVault on a real Secret Service', () => {
  const tools = process.platform === 'linux' && has('dbus-run-session', ['--version']) && has('gnome-keyring-daemon', ['--version']);
  // npm test runs vitest inside an isolated keyring session and says so; otherwise a child gets its own session.
  const inSession = process.env.KRAKEN_TEST_KEYRING === '1';
  const why = inSession || tools ? null : process.platform !== 'linux' ? 'tests use an isolated Secret Service, which exists on Linux only (the real keychain of this machine is left alone)' : 'dbus-run-session and gnome-keyring-daemon are not installed (apt-get install -y gnome-keyring dbus libsecret-tools)';
  if (why) console.log(`[skip] keychain tests: ${why}`);
  else if (inSession) console.log('[skip] own-session keychain test: this run is already inside the isolated keyring npm test starts, so the in-session test runs instead');
  else console.log('[skip] in-session keychain test: runs only inside the isolated keyring npm test starts (KRAKEN_TEST_KEYRING=1); the own-session test runs instead');

  it.skipIf(why !== null || !inSession)('stores, reads back and deletes through the session keyring; no token in clear in the data folder', async () => {
    const data = tmpDir();
    const v = await openVault(data);
    expect(v.backend).toBe('keychain');
    const token = fakeToken();
    await v.set('atlas.session', token);
    expect(await v.get('atlas.session')).toBe(token);
    expect(filesContaining(data, token)).toEqual([]);
    expect(await v.delete('atlas.session')).toBe(true);
    expect(await v.get('atlas.session')).toBeNull();
    expect(await v.delete('atlas.session')).toBe(false);
  });

  it.skipIf(why !== null || inSession)('in its own dbus session with gnome-keyring: the token is in the Secret Service and nowhere on disk in clear', () => {
    const data = tmpDir();
    const home = tmpDir('kraken-keyring-home-');
    const token = fakeToken();
    const r = runChild(data, { KRAKEN_TEST_TOKEN: token, HOME: home, XDG_DATA_HOME: path.join(home, 'share') }, 'keychain', [
      'dbus-run-session',
      '--',
      'sh',
      '-c',
      'echo pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$@"',
      'sh',
    ]);
    expect(r).toMatchObject({ backend: 'keychain', fallbackReason: null, roundTrip: true, told: null, deleted: true, afterDelete: null });
    if (has('secret-tool', ['--version'])) expect(r.lookup).toBe(true);
    expect(filesContaining(data, token)).toEqual([]);
    // The keyring itself is on disk, encrypted: it exists, and the token is not in it in clear.
    const keyrings = path.join(home, 'share', 'keyrings');
    expect(fs.existsSync(keyrings)).toBe(true);
    expect(filesContaining(home, token)).toEqual([]);
  });
});
