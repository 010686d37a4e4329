/**
 * Can the Electron app run here? The binary's path comes from the `electron` package (which throws when its
 * download never happened); a display is needed on Linux; better-sqlite3 must be built for Electron's ABI.
 * Returns why not, so the tests can skip with that reason printed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..');

export function electronBinary(): string | null {
  try {
    const p = require('electron') as unknown;
    return typeof p === 'string' && fs.existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

/** Why the Electron journeys cannot run here, or null when they can. */
export function electronSkipReason(): string | null {
  const binary = electronBinary();
  if (!binary) {
    return 'Electron binary not installed (download denied offline: the electron package has no dist/ and path.txt). The same journey runs in Chromium via the browser host (e2e/foundation.spec.ts).';
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return 'no display for Electron (DISPLAY/WAYLAND_DISPLAY unset): run under xvfb-run';
  }
  for (const file of ['dist/main/electron-main/index.js', 'dist/preload/index.js', 'dist/renderer/index.html']) {
    if (!fs.existsSync(path.join(repoRoot, file))) return `${file} is missing: run \`npm run build\` first`;
  }
  const probe = spawnSync(binary, ['-e', "require('better-sqlite3')"], {
    cwd: repoRoot,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (probe.status !== 0) return 'better-sqlite3 is built for Node, not Electron: run `npx electron-builder install-app-deps` first';
  return null;
}
