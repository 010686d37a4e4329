#!/usr/bin/env node
// `npm test`: the one test command (README and CI run exactly this).
// 1. checks system packages (ffmpeg, Chromium) and installs them where it can (root + apt), or stops with the command to run;
// 2. generates the sample video, builds; 3. unit + integration tests (vitest); 4. end-to-end in Chromium (Playwright);
// 5. prints one summary line "tests: N passed, N failed, N skipped".
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
fs.mkdirSync('.tmp', { recursive: true });
const CHROMIUM = process.env.KRAKEN_CHROMIUM ?? '/usr/bin/chromium';

function has(cmd, args = ['-version']) {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function ensureSystemPackages() {
  const missing = [];
  if (!has('ffmpeg')) missing.push('ffmpeg');
  if (!fs.existsSync(CHROMIUM)) missing.push('chromium');
  if (process.platform === 'linux' && !has('xvfb-run', ['--help'])) missing.push('xvfb', 'xauth');
  // A real Secret Service for the keychain tests (gnome-keyring under dbus-run-session; secret-tool to look in it).
  if (process.platform === 'linux' && !(has('dbus-run-session', ['--version']) && has('gnome-keyring-daemon', ['--version']))) missing.push('gnome-keyring', 'dbus');
  if (process.platform === 'linux' && !has('secret-tool', ['--version'])) missing.push('libsecret-tools');
  // The contributor job sandbox (main/node/contributor/sandbox.ts) and its confinement test.
  if (process.platform === 'linux' && !has('bwrap', ['--version'])) missing.push('bubblewrap');
  // The sample video prints a word with ffmpeg's drawtext, which needs a TrueType font (scripts/make-sample.mjs).
  if (process.platform === 'linux' && !fs.existsSync('/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf')) missing.push('fonts-dejavu-core');
  if (missing.length === 0) return;
  const cmd = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  const isRoot = process.getuid?.() === 0;
  if (process.platform === 'linux' && isRoot && has('apt-get', ['--version'])) {
    console.log(`test: installing ${missing.join(', ')} with apt-get`);
    const r = spawnSync('bash', ['-c', `DEBIAN_FRONTEND=noninteractive ${cmd}`], { stdio: 'inherit' });
    if (r.status === 0) return;
  }
  console.error(`test: missing system packages: ${missing.join(', ')}. Install them and run again:\n  sudo ${cmd}`);
  process.exit(1);
}

function step(name, cmd, args, opts = {}) {
  console.log(`\n=== ${name}: ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...opts.env } });
  return r.status ?? 1;
}

ensureSystemPackages();
if (step('sample video', process.execPath, ['scripts/make-sample.mjs']) !== 0) process.exit(1);
if (step('build', 'npm', ['run', '--silent', 'build']) !== 0) process.exit(1);

for (const f of ['.tmp/vitest.json', '.tmp/playwright.json', '.tmp/playwright-electron.json']) fs.rmSync(f, { force: true });
const vitestArgs = ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=.tmp/vitest.json'];
// On Linux the unit tests run inside their own D-Bus session with an unlocked gnome-keyring, so the keychain tests
// use a real Secret Service. Its keyring files go to a throwaway folder: never the developer's own login keyring.
const keyringDir = path.join(root, '.tmp', 'keyring');
const withKeyring = process.platform === 'linux' && has('dbus-run-session', ['--version']) && has('gnome-keyring-daemon', ['--version']);
if (withKeyring) {
  fs.rmSync(keyringDir, { recursive: true, force: true });
  fs.mkdirSync(keyringDir, { recursive: true, mode: 0o700 });
}
const unit = withKeyring
  ? step(
      'unit and integration tests (in a D-Bus session with gnome-keyring)',
      'dbus-run-session',
      ['--', 'sh', '-c', 'echo pw | XDG_DATA_HOME="$KRAKEN_KEYRING_DIR" gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$@"', 'sh', 'npx', ...vitestArgs],
      { env: { KRAKEN_TEST_KEYRING: '1', KRAKEN_KEYRING_DIR: keyringDir } },
    )
  : step('unit and integration tests', 'npx', vitestArgs);
const e2e = step('end-to-end in Chromium', 'npx', ['playwright', 'test', '-c', 'e2e/playwright.config.ts'], { env: { KRAKEN_CHROMIUM: CHROMIUM } });
const electron = fs.existsSync('e2e/electron/playwright.config.ts')
  ? step('end-to-end in Electron', 'npx', ['playwright', 'test', '-c', 'e2e/electron/playwright.config.ts'])
  : 0;

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}
const totals = { passed: 0, failed: 0, skipped: 0 };
const v = readJson('.tmp/vitest.json');
if (v) {
  totals.passed += v.numPassedTests ?? 0;
  totals.failed += v.numFailedTests ?? 0;
  totals.skipped += (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0);
}
let browserRan = 0;
for (const f of ['.tmp/playwright.json', '.tmp/playwright-electron.json']) {
  const p = readJson(f);
  if (!p?.stats) continue;
  totals.passed += p.stats.expected ?? 0;
  totals.failed += p.stats.unexpected ?? 0;
  totals.skipped += p.stats.skipped ?? 0;
  if (f === '.tmp/playwright.json') browserRan = p.stats.expected ?? 0;
}
console.log('');
if (browserRan === 0) console.error('test: the browser end-to-end tests did not run — that is a failure, not a skip.');
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(unit !== 0 || e2e !== 0 || electron !== 0 || browserRan === 0 || totals.failed > 0 ? 1 : 0);
