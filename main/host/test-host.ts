/**
 * Test helper (not used by the app): a browser host on a fresh data folder, logged in once the way a browser
 * would — the printed one-time address exchanged for a session (cookie + session path).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCore, type Core } from '../node/core';
import { startBrowserHost, type BrowserHost } from './browser-host';

export interface TestSession {
  /** `name=value` of the session cookie. */
  cookie: string;
  /** The session's page address (ends with /); files are under `${base}files/`. */
  base: string;
  /** ws:// address of the IPC socket. */
  ipcUrl: string;
}

export interface TestHost extends TestSession {
  core: Core;
  host: BrowserHost;
  dir: string;
  port: number;
}

/** Exchanges a login address for a session, as the browser does on its first visit. */
export async function login(url: string): Promise<TestSession> {
  const res = await fetch(url, { redirect: 'manual' });
  const setCookie = res.headers.get('set-cookie');
  if (!setCookie) throw new Error(`login refused: HTTP ${res.status}`);
  const cookie = setCookie.split(';')[0]!;
  const origin = new URL(url).origin;
  const location = res.headers.get('location');
  const base = location ? new URL(location, origin).href : `${origin}/`;
  const ipcUrl = location ? `${base.replace(/^http/, 'ws')}ipc` : `${origin.replace(/^http/, 'ws')}/ipc?token=${new URL(url).searchParams.get('token')}`;
  return { cookie, base, ipcUrl };
}

export function sessionCookie(setCookie: string | null): string {
  return (setCookie ?? '').split(';')[0]!;
}

export async function startHost(): Promise<TestHost> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-host-'));
  const rendererDir = path.join(dir, 'renderer');
  fs.mkdirSync(rendererDir);
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Kraken</title>');
  const core = createCore({ dataDir: path.join(dir, 'data'), shell: 'browser' });
  const host = await startBrowserHost({ core, rendererDir });
  const session = await login(host.url);
  return { core, host, dir, port: Number(new URL(host.origin).port), ...session };
}
