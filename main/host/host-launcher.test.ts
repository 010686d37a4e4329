/**
 * Issue 9, finding 3: what the browser launcher's command line shows other processes. The host entry hands
 * `xdg-open` a single-use sign-in code of its own (never a long-lived secret), which works once.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..', '..');
const entry = path.join(root, 'main', 'host', 'index.ts');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-launcher-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const linux = process.platform === 'linux';
if (!linux) console.log('host-launcher.test: skipped, the browser launcher is xdg-open on Linux only');

describe.runIf(linux)('browser launcher', () => {
  it('gets its own single-use code in argv; the printed address and the launcher address each sign in once', async () => {
    const bin = path.join(work, 'bin');
    fs.mkdirSync(bin);
    const argvFile = path.join(work, 'argv.txt');
    // A stand-in xdg-open that records the command line it was given, as `ps` would show it.
    fs.writeFileSync(path.join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$@" > "${argvFile}.tmp" && mv "${argvFile}.tmp" "${argvFile}"\n`);
    fs.chmodSync(path.join(bin, 'xdg-open'), 0o755);
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` };
    delete env.CI;
    const child = spawn(process.execPath, ['--import', 'tsx', entry, '--data-dir', path.join(work, 'data'), '--port', '0'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      const printed = await new Promise<string>((resolve, reject) => {
        child.stdout!.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /running at (\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`host exited ${code}: ${out}`)));
      });
      for (let i = 0; i < 600 && !fs.existsSync(argvFile); i++) await new Promise((r) => setTimeout(r, 50));
      const argv = fs.readFileSync(argvFile, 'utf8').trim().split('\n');
      expect(argv).toHaveLength(1);
      const launched = argv[0]!;
      expect(launched).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?code=[A-Za-z0-9_-]{32}$/);
      expect(launched).not.toBe(printed);
      const signIn = (u: string) => fetch(u, { redirect: 'manual' }).then((r) => r.status);
      expect(await signIn(launched)).toBe(303);
      expect(await signIn(launched)).toBe(403);
      expect(await signIn(printed)).toBe(303);
      expect(await signIn(printed)).toBe(403);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  });
});
