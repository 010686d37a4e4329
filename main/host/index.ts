#!/usr/bin/env node
/**
 * Entry of the browser host: `node dist/main/host/index.js [--port N] [--data-dir DIR] [--no-open]`. Without --port it
 * serves on the port it used last for that data folder (remembered-port.ts), so the page's origin and its storage stay.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { AppError } from '../common/app-error';
import { createCore } from '../node/core';
import { startBrowserHost } from './browser-host';
import { startOnRememberedPort } from './remembered-port';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: 'string' }, 'data-dir': { type: 'string' }, 'no-open': { type: 'boolean', default: false } },
  });
  const core = createCore({
    dataDir: values['data-dir'],
    shell: 'browser',
    version: readVersion(),
    // No OS keychain (a headless rig): tokens go to a 0600 file in the data folder — said once, as gh and docker do.
    cloud: { onVaultFallback: (message) => process.stderr.write(`kraken host: ${message}\n`) },
  });
  // An empty library next to project folders: say so before anyone works in it (the page shows it too).
  const warning = core.library.status().libraryWarning;
  if (warning) process.stderr.write(`kraken host: warning: ${warning.message}\n`);
  const host = await startOnRememberedPort(
    core.dataDir,
    values.port === undefined ? null : Number(values.port),
    (port) => startBrowserHost({ core, port }),
    (h) => Number(new URL(h.url).port),
  );
  // Each address carries a single-use sign-in code, never a long-lived secret. The launcher gets its own code,
  // good for one minute: a command line is visible to every process on the machine.
  process.stdout.write(`Kraken Studio is running at ${host.url}\n`);
  process.stdout.write(`Data folder: ${core.dataDir}. Press Ctrl+C to stop.\n`);
  if (process.stdin.isTTY) {
    process.stdout.write('Each address signs in one browser once; press Enter for another.\n');
    createInterface({ input: process.stdin }).on('line', () => process.stdout.write(`Sign in at ${host.loginUrl()}\n`));
  }
  if (!values['no-open'] && !process.env.CI) openBrowser(host.loginUrl(60_000));
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    await host.close();
    await core.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

function readVersion(): string {
  try {
    return (require('../../package.json') as { version: string }).version;
  } catch {
    return (require('../../../package.json') as { version: string }).version;
  }
}

function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer.exe' : 'xdg-open';
  try {
    const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No browser launcher: the URL printed above is enough.
  }
}

main().catch((err: unknown) => {
  // One line, no stack: a damaged library (DATABASE_DAMAGED) says which file and how to restore it.
  const code = err instanceof AppError ? ` [${err.code}]` : '';
  process.stderr.write(`kraken host: ${(err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, ' ')}${code}\n`);
  process.exit(1);
});
