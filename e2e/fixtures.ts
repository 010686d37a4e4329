/**
 * The `studio` fixture: a fresh data folder and a browser host serving the built renderer
 * (`node dist/main/host/index.js --port 0 --data-dir <tmp> --no-open`). It builds nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base, type Page } from '@playwright/test';

export const repoRoot = path.resolve(__dirname, '..');
export const hostEntry = path.join(repoRoot, 'dist', 'main', 'host', 'index.js');
const READY = /running at (https?:\/\/\S+)/;

export interface Studio {
  page: Page;
  /** The signed-in session's page address (the host prints a single-use sign-in link; the fixture signs in once). */
  url: string;
  dataDir: string;
  /** Stops the host and starts it again on the same port and data folder; returns the new address. */
  restartHost(): Promise<string>;
}

interface RunningHost {
  child: ChildProcess;
  url: string;
  output: () => string;
}

function startHost(dataDir: string, port: number, extraEnv: Record<string, string> = {}): Promise<RunningHost> {
  if (!fs.existsSync(hostEntry)) {
    throw new Error(`${path.relative(repoRoot, hostEntry)} is missing: run \`npm run build\` before the end-to-end tests.`);
  }
  const child = spawn(process.execPath, [hostEntry, '--port', String(port), '--data-dir', dataDir, '--no-open'], {
    cwd: repoRoot,
    env: { ...process.env, ...extraEnv, KRAKEN_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const output = () => log;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('the host printed no address within 30 s')), 30_000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${err.message}\n--- host output ---\n${log}`));
    };
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      const m = READY.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => {
      log += c.toString();
    });
    child.once('error', fail);
    child.once('exit', (code, signal) => fail(new Error(`the host exited early (code ${code}, signal ${signal})`)));
  });
}

async function stopHost(host: RunningHost): Promise<void> {
  const { child } = host;
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.removeAllListeners('exit');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 8_000); // a graceful stop closes SQLite; never wait forever
  await exited;
  clearTimeout(timer);
}

/**
 * Signs the page's browser context in with the printed single-use link (the host answers with a session cookie
 * and the session's address), without loading the app yet; the tests then open the session address as often as they like.
 */
async function signIn(page: Page, loginUrl: string): Promise<string> {
  const res = await page.request.get(loginUrl, { maxRedirects: 0 });
  const location = res.headers()['location'];
  if (res.status() !== 303 || !location) throw new Error(`signing in to the host failed: HTTP ${res.status()}`);
  return new URL(location, loginUrl).href;
}

export const test = base.extend<{ studio: Studio; hostEnv: Record<string, string> }>({
  /** Extra environment for the host (e.g. `KRAKEN_ATLAS_URL` of an emulator); a spec overrides it with `test.extend`. */
  hostEnv: [{}, { option: true }],
  studio: async ({ page, hostEnv }, use, testInfo) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-e2e-'));
    let host = await startHost(dataDir, 0, hostEnv);
    const port = Number(new URL(host.url).port);
    // a failed sign-in must not leave the host running (the finally below is not reached yet)
    const url = await signIn(page, host.url).catch(async (err: unknown) => {
      await stopHost(host);
      fs.rmSync(dataDir, { recursive: true, force: true });
      throw err;
    });
    const studio: Studio = {
      page,
      url,
      dataDir,
      async restartHost() {
        await stopHost(host);
        // Same port, so the page keeps its origin (and its local storage) as a desktop user would.
        host = await startHost(dataDir, port, hostEnv);
        studio.url = await signIn(page, host.url);
        return studio.url;
      },
    };
    try {
      await use(studio);
    } finally {
      if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach('host-output', { body: host.output(), contentType: 'text/plain' });
      await stopHost(host);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },
});

export { expect } from '@playwright/test';
