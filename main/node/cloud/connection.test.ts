import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closedPort, startLoopback, type LoopbackServer } from '../../../test-support/loopback-server';
import { openDatabase, type Db } from '../store/database';
import { SettingsService } from '../settings/settings-service';
import { checkReachable, ConnectionSettings } from './connection';

let dir: string;
let db: Db;
const servers: LoopbackServer[] = [];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-conn-'));
  db = openDatabase(path.join(dir, 'studio.db'));
});
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('ConnectionSettings', () => {
  it('resolves override, then setting, then environment, then the emulator, else none', () => {
    const env: NodeJS.ProcessEnv = {};
    const c = new ConnectionSettings({ db, env });
    expect(c.get('atlas')).toEqual({ service: 'atlas', baseUrl: null, emulator: false, source: 'none' });
    env.KRAKEN_EMULATOR_ATLAS_URL = 'http://127.0.0.1:4010/';
    expect(c.get('atlas')).toEqual({ service: 'atlas', baseUrl: 'http://127.0.0.1:4010', emulator: true, source: 'emulator' });
    env.KRAKEN_ATLAS_URL = 'https://atlas.example.com';
    expect(c.get('atlas')).toEqual({ service: 'atlas', baseUrl: 'https://atlas.example.com', emulator: false, source: 'env' });
    expect(c.set('atlas', 'https://saved.example.com/')).toEqual({ service: 'atlas', baseUrl: 'https://saved.example.com', emulator: false, source: 'setting' });
    c.setOverride('atlas', 'http://127.0.0.1:4010');
    expect(c.get('atlas')).toEqual({ service: 'atlas', baseUrl: 'http://127.0.0.1:4010', emulator: true, source: 'override' });
    c.setOverride('atlas', null);
    expect(c.get('atlas').source).toBe('setting');
    expect(c.set('atlas', null).source).toBe('env');
    env.KRAKEN_VISION_URL = 'http://127.0.0.1:9/api';
    expect(c.all().map((x) => [x.service, x.source])).toEqual([
      ['atlas', 'env'],
      ['vision', 'env'],
      ['solana', 'none'],
      ['compute', 'none'],
      ['network', 'none'],
    ]);
  });

  it('persists in the settings table under cloud.<service>, beside the user settings and without disturbing them', () => {
    const settings = new SettingsService(db);
    settings.update({ locale: 'ko' });
    new ConnectionSettings({ db, env: {} }).set('atlas', 'https://atlas.example.com');
    const again = new ConnectionSettings({ db, env: {} });
    expect(again.get('atlas')).toMatchObject({ baseUrl: 'https://atlas.example.com', source: 'setting' });
    expect(db.prepare(`SELECT value_json FROM settings WHERE key = 'cloud.atlas'`).get()).toEqual({ value_json: '{"baseUrl":"https://atlas.example.com"}' });
    expect(settings.get().locale).toBe('ko');
    // A damaged saved value is ignored, not a crash.
    db.prepare(`UPDATE settings SET value_json = '{"nope":1}' WHERE key = 'cloud.atlas'`).run();
    expect(again.get('atlas').source).toBe('none');
  });

  it('refuses a base URL that is not http(s) or has a query', () => {
    const c = new ConnectionSettings({ db, env: {} });
    expect(() => c.set('atlas', 'ftp://x')).toThrow(/http:\/\/ or https/);
    expect(() => c.set('atlas', 'not a url')).toThrow(/not a URL/);
    expect(() => c.set('atlas', 'http://x/?a=1')).toThrow(/query/);
    expect(() => c.setOverride('atlas', 'nope')).toThrow(/not a URL/);
    expect(c.get('atlas').source).toBe('none');
  });
});

describe('checkReachable', () => {
  it('GETs /atlas/version and reports the version and a latency', async () => {
    const seen: string[] = [];
    const s = await startLoopback((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify('2.4.0'));
    });
    servers.push(s);
    const r = await new ConnectionSettings({ db, env: { KRAKEN_ATLAS_URL: s.url } }).check('atlas');
    expect(r).toMatchObject({ service: 'atlas', baseUrl: s.url, reachable: true, version: '2.4.0', message: null });
    expect(r.latencyMs).toBeGreaterThanOrEqual(0);
    expect(seen).toEqual(['GET /atlas/version ']);
  });

  it('a server that answers 404 is reachable with a caveat; a 5xx is not; nothing configured says so', async () => {
    let status = 404;
    const s = await startLoopback((_req, res) => {
      res.writeHead(status, { 'content-type': 'text/html' });
      res.end('<html>nope</html>');
    });
    servers.push(s);
    const a = await checkReachable('atlas', s.url);
    expect(a).toMatchObject({ reachable: true, version: null });
    expect(a.message).toMatch(/not as the Atlas service \(HTTP 404/);
    status = 502;
    const b = await checkReachable('atlas', s.url);
    expect(b).toMatchObject({ reachable: false, latencyMs: null, message: 'The Atlas service had a problem (HTTP 502). Try again later.' });
    expect(b.error?.code).toBe('REMOTE');
    expect(await checkReachable('atlas', null)).toMatchObject({ reachable: false, message: 'No Atlas service address is set.' });
  });

  it('unreachable and silent servers are not reachable, within the short timeout', async () => {
    const port = await closedPort();
    const a = await checkReachable('atlas', `http://127.0.0.1:${port}`);
    expect(a).toMatchObject({ reachable: false, latencyMs: null });
    expect(a.error?.code).toBe('NETWORK');
    const silent = await startLoopback(() => undefined);
    servers.push(silent);
    const b = await checkReachable('atlas', silent.url, { timeoutMs: 200 });
    expect(b.reachable).toBe(false);
    expect(b.message).toMatch(/did not answer/);
  });
});
