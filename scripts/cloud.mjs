#!/usr/bin/env node
// `npm run cloud`: every local cloud emulator at once (Atlas, compute, vision, network, Solana — the EMULATORS
// table of start.mjs), on the same fixed loopback ports and data folders `npm start` uses, so a studio started
// later with `npm start -- --no-emulator` plus the printed KRAKEN_EMULATOR_* lines, or a second studio, finds them.
// `npm run cloud -- atlas vision` starts only those. Builds dist/ first when it is stale. Ctrl+C stops them all.
// One emulator with its own flags: `npm run cloud:<service> -- --help`.
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EMULATORS, buildReason, dataDir, emulatorArgs, emulatorEnv, startEmulator } from './start.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function main() {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(`Usage: npm run cloud [-- <service>…]   services: ${Object.keys(EMULATORS).join(', ')} (default: all)`);
    return;
  }
  const unknown = args.filter((a) => !(a in EMULATORS));
  if (unknown.length > 0) {
    console.error(`cloud: unknown service ${unknown.join(', ')}; known: ${Object.keys(EMULATORS).join(', ')}`);
    process.exit(1);
  }
  const wanted = args.length > 0 ? args : Object.keys(EMULATORS);
  const reason = buildReason();
  if (reason) {
    console.log(`cloud: building (${reason})`);
    const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
    if (r.status !== 0) process.exit(1);
  }
  const children = [];
  const stop = () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => (stop(), process.exit(0)));
  const base = await dataDir();
  const started = {};
  for (const service of Object.keys(EMULATORS).filter((s) => wanted.includes(s))) {
    const spec = EMULATORS[service];
    const emulator = await startEmulator(service, path.join(base, 'emulators', service), undefined, emulatorArgs(service, started));
    if (!emulator) continue;
    const handed = emulatorEnv(service, emulator.url);
    Object.assign(started, handed);
    children.push(emulator.child);
    emulator.child.on('exit', (code) => console.log(`cloud: the ${spec.label} emulator stopped (exit ${code ?? 'signal'})`));
    for (const [k, v] of Object.entries(handed)) console.log(`${k}=${v}`);
  }
  if (children.length === 0) {
    console.error('cloud: no emulator started');
    process.exit(1);
  }
  console.log(`cloud: ${children.length} emulator(s) running; Ctrl+C stops them`);
}

void main();
