#!/usr/bin/env node
// `npm start`: build when dist/ is missing or older than the sources, make the sample video when it is missing,
// then run the desktop app in Electron — or, where Electron cannot run (no binary, no display, native modules
// built for Node), say why in one line and start the browser host instead, which prints its address.
// `npm start -- --browser` always starts the browser host; other arguments go to the app or the host.
// Unless `--no-emulator` is given, it first starts the local emulators of the cloud services that have no real
// address configured (KRAKEN_ATLAS_URL, KRAKEN_COMPUTE_URL) — dist/emulators/<service> on fixed loopback ports —
// and hands their addresses to the app as the default cloud (KRAKEN_EMULATOR_<SERVICE>_URL), labelled "local
// emulator"; an address saved in the app still wins.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** What `npm run build` produces and the app needs. */
export const OUTPUTS = [
  'dist/main/electron-main/index.js',
  'dist/main/host/index.js',
  'dist/preload/index.js',
  'dist/renderer/index.html',
  'dist/emulators/atlas/main.js',
  'dist/emulators/compute/main.js',
  'dist/emulators/vision/main.js',
  'dist/emulators/network/main.js',
];
/** Sources whose change makes dist/ stale (tests, docs and e2e do not). */
export const SOURCES = ['main', 'preload', 'native-workers', 'renderer', 'emulators', 'package.json', 'tsconfig.base.json', 'tsconfig.node.json', 'tsconfig.renderer.json'];
// Must equal PRELOAD_BUNDLE_MARKER in main/electron-main/preload-marker.ts.
const PRELOAD_MARKER = 'kraken-preload-bundle:v1';

function newestMtime(p) {
  let stat;
  try {
    stat = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return /\.test\.[cm]?tsx?$|\.md$/.test(p) ? 0 : stat.mtimeMs;
  let newest = 0;
  for (const e of fs.readdirSync(p)) {
    if (e === 'node_modules' || e === 'dist' || e.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(path.join(p, e)));
  }
  return newest;
}

/** Why a build is needed (missing or stale output), or null when dist/ is current. */
export function buildReason(dir = root) {
  let oldest = Infinity;
  for (const o of OUTPUTS) {
    const file = path.join(dir, o);
    if (!fs.existsSync(file)) return `${o} is missing`;
    oldest = Math.min(oldest, fs.statSync(file).mtimeMs);
  }
  const newest = Math.max(...SOURCES.map((s) => newestMtime(path.join(dir, s))));
  return newest > oldest ? 'sources changed since the last build' : null;
}

/** True when dist/preload/index.js is the bundled preload (tsc emits an unbundled one at the same path). */
export function preloadIsBundled(dir = root) {
  try {
    return fs.readFileSync(path.join(dir, 'dist', 'preload', 'index.js'), 'utf8').includes(PRELOAD_MARKER);
  } catch {
    return false;
  }
}

/** The Electron binary's path as the `electron` package reports it, or null when it was never downloaded. */
export function electronBinary() {
  try {
    const p = require('electron');
    return typeof p === 'string' && fs.existsSync(p) ? p : null;
  } catch {
    // The package throws when its postinstall download did not happen (denied offline).
    return null;
  }
}

/** Why Electron cannot show a window here, or null when it can. */
export function electronUnavailableReason({ binary, platform = process.platform, env = process.env }) {
  if (!binary) return 'the Electron binary is not installed (its download was denied or failed)';
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)';
  return null;
}

/**
 * better-sqlite3 is not N-API: a build for Node does not load in Electron. Checked by loading it in Electron's
 * own Node (ELECTRON_RUN_AS_NODE) before the window would fail to open.
 */
function nativeModulesReason(binary) {
  const r = spawnSync(binary, ['-e', "require('better-sqlite3')"], {
    cwd: root,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.status === 0) return null;
  const abi = /NODE_MODULE_VERSION (\d+)/.exec(r.stderr ?? '');
  return `better-sqlite3 is built for Node, not Electron${abi ? ` (ABI ${abi[1]})` : ''}; run \`npx electron-builder install-app-deps\` to rebuild it for Electron`;
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  return r.status ?? 1;
}

/** Runs a child with our stdio, forwarding Ctrl+C / TERM to it, and exits with its code (stopping `companions` first). */
function runForeground(cmd, args, env, companions = []) {
  const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', env });
  const stopCompanions = () => {
    for (const c of companions) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    });
  }
  child.on('error', (err) => {
    console.error(`start: could not run ${cmd}: ${err.message}`);
    stopCompanions();
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    stopCompanions();
    process.exit(code ?? 128 + (os.constants.signals[signal] ?? 1));
  });
}

/**
 * The emulators `npm start` runs, each on a fixed port so its accounts, sessions and the studio's sign-in survive
 * restarts: the folder under dist/emulators, the banner its main prints first, extra arguments, and the env
 * variable that a real address of that service goes in (then that emulator is not started).
 */
export const EMULATORS = {
  atlas: { label: 'Atlas', port: 4780, args: ['--demo'], realEnv: 'KRAKEN_ATLAS_URL', emulatorEnv: 'KRAKEN_EMULATOR_ATLAS_URL' },
  compute: { label: 'Compute', port: 4781, args: [], realEnv: 'KRAKEN_COMPUTE_URL', emulatorEnv: 'KRAKEN_EMULATOR_COMPUTE_URL' },
  // its banner prints the API base including /api/v1, so KRAKEN_EMULATOR_VISION_URL is that base
  vision: { label: 'Vision', port: 4782, args: ['--demo'], realEnv: 'KRAKEN_VISION_URL', emulatorEnv: 'KRAKEN_EMULATOR_VISION_URL' },
  // its banner prints the backend API base (…/api); the JSON-RPC of the same emulator is {root}/rpc, put in rpcEnv
  solana: { label: 'Solana', port: 4784, args: [], realEnv: 'KRAKEN_SOLANA_API', emulatorEnv: 'KRAKEN_EMULATOR_SOLANA_URL', rpcEnv: 'KRAKEN_EMULATOR_SOLANA_RPC' },
  // after Solana: its payouts are sent as transfers on the local Solana emulator's VM when that one runs (emulatorArgs)
  network: { label: 'Network', port: 4783, args: [], realEnv: 'KRAKEN_NETWORK_URL', emulatorEnv: 'KRAKEN_EMULATOR_NETWORK_URL' },
};

/** The environment a started emulator hands the studio: its address, and for Solana its JSON-RPC ({root}/rpc). */
export function emulatorEnv(service, url) {
  const spec = EMULATORS[service];
  return { [spec.emulatorEnv]: url, ...(spec.rpcEnv ? { [spec.rpcEnv]: url.replace(/\/api$/, '') + '/rpc' } : {}) };
}

/** Arguments an emulator takes from the emulators started before it: the network pays out on the local Solana VM only. */
export function emulatorArgs(service, env) {
  return service === 'network' && env.KRAKEN_EMULATOR_SOLANA_RPC ? ['--solana-rpc', env.KRAKEN_EMULATOR_SOLANA_RPC] : [];
}

/** The studio's data folder as the app resolves it (KRAKEN_DATA_DIR, else the per-user folder). */
export async function dataDir(env = process.env) {
  if (env.KRAKEN_DATA_DIR) return path.resolve(env.KRAKEN_DATA_DIR);
  const { defaultDataDir } = await import(pathToFileURL(path.join(root, 'dist', 'main', 'node', 'app-paths.js')).href);
  return defaultDataDir();
}

/**
 * Starts a built emulator (`service` a key of EMULATORS; Atlas with the documented demo account) and resolves with its
 * child process and URL once it prints `<Label> emulator: <url>`; tries the fixed port, then any free one. Null when
 * it cannot start.
 */
export function startEmulator(service, emulatorDataDir, port = EMULATORS[service].port, extraArgs = []) {
  const { label } = EMULATORS[service];
  const args = [...EMULATORS[service].args, ...extraArgs];
  const tag = `[${service} emulator] `;
  const main = path.join(root, 'dist', 'emulators', service, 'main.js');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [main, ...args, '--port', String(port), '--data-dir', emulatorDataDir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let done = false;
    const finish = (value) => {
      if (done) return;
      done = true;
      resolve(value);
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      if (done) {
        process.stdout.write(chunk.replace(/^(?=.)/gm, tag)); // e.g. the e-mails Atlas "sends" (confirmation links)
        return;
      }
      out += chunk;
      const m = new RegExp(`${label} emulator: (http://\\S+)`).exec(out);
      if (m) {
        for (const line of out.split('\n').slice(1)) if (line.trim()) console.log(`${tag}${line}`);
        finish({ child, url: m[1] });
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('error', () => finish(null));
    child.on('exit', () => {
      if (done) return;
      if (port !== 0) startEmulator(service, emulatorDataDir, 0, extraArgs).then(finish);
      else {
        console.log(`start: the local ${label} emulator did not start (${err.trim().split('\n').pop() || 'no reason given'}); its features will say the service is not configured`);
        finish(null);
      }
    });
  });
}

async function main() {
  const args = process.argv.slice(2);
  const forceBrowser = args.includes('--browser');
  const noEmulator = args.includes('--no-emulator');
  const passThrough = args.filter((a) => a !== '--browser' && a !== '--no-emulator');

  const reason = buildReason();
  if (reason) {
    console.log(`start: building (${reason})`);
    if (run('npm', ['run', '--silent', 'build']) !== 0) process.exit(1);
  }
  // Until `npm run build:node` runs it itself, make sure the preload is the bundled one.
  if (!preloadIsBundled() && run(process.execPath, [path.join('scripts', 'bundle-preload.mjs')]) !== 0) process.exit(1);

  const sample = path.join(root, 'resources', 'sample', 'sample.mp4');
  const makeSample = path.join(root, 'scripts', 'make-sample.mjs');
  // make-sample.mjs does nothing when the video is newer than the script, and remakes an old one otherwise
  if (fs.existsSync(makeSample) && run(process.execPath, [makeSample]) !== 0 && !fs.existsSync(sample)) {
    console.log('start: the sample video could not be made; everything else works without it');
  }

  const env = { ...process.env };
  const companions = [];
  for (const [service, spec] of Object.entries(EMULATORS)) {
    if (noEmulator || env[spec.realEnv]) continue;
    const emulator = await startEmulator(service, path.join(await dataDir(env), 'emulators', service), undefined, emulatorArgs(service, env));
    if (!emulator) continue;
    Object.assign(env, emulatorEnv(service, emulator.url));
    companions.push(emulator.child);
    const demo = service === 'atlas' || service === 'vision' ? ' (demo account demo@kraken.local / Kraken-Demo-2026!)' : '';
    console.log(`start: local ${spec.label} emulator at ${emulator.url} is the default${demo}; set ${spec.realEnv} or an address in the app to use a real one`);
  }

  const binary = electronBinary();
  const why = forceBrowser ? 'you asked for the browser (--browser)' : (electronUnavailableReason({ binary }) ?? nativeModulesReason(binary));
  if (!why) {
    // ELECTRON_RUN_AS_NODE (set by some tools) would make the binary a plain Node and open no window.
    delete env.ELECTRON_RUN_AS_NODE;
    runForeground(binary, [root, ...passThrough], env, companions);
    return;
  }
  console.log(`start: not starting Electron because ${why}; starting the browser host instead.`);
  runForeground(process.execPath, [path.join(root, 'dist', 'main', 'host', 'index.js'), ...passThrough], env, companions);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) void main();
