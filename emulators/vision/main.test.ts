/** `npm run cloud:vision` (emulators/vision/main.ts): flags, the URL line first (the API base incl. /api/v1), a clean stop. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs } from './main';
import { tempDir } from './test-kit';

const root = path.resolve(__dirname, '..', '..');

describe('parseArgs', () => {
  it('reads every flag, in both --flag value and --flag=value forms', () => {
    const a = parseArgs(['--port', '4782', '--data-dir=/tmp/x', '--demo', '--epoch-ms', '0', '--no-export', '--quiet']);
    expect(a.options).toEqual({ port: 4782, dataDir: '/tmp/x', demo: true, epochDelayMs: 0, exportEnabled: false });
    expect(a.quiet).toBe(true);
    expect(parseArgs(['-h']).help).toBe(true);
  });

  it('refuses unknown flags and bad numbers with one line', () => {
    expect(() => parseArgs(['--prot', '1'])).toThrow(/unknown option --prot/);
    expect(() => parseArgs(['--port', 'abc'])).toThrow(/--port needs a whole number/);
    expect(() => parseArgs(['--port', '70000'])).toThrow(/65535/);
    expect(() => parseArgs(['--epoch-ms', '-1'])).toThrow(/--epoch-ms needs a whole number/);
    expect(() => parseArgs(['--data-dir'])).toThrow(/--data-dir/);
  });
});

describe('the emulator process', () => {
  it('prints "Vision emulator: http://127.0.0.1:PORT/api/v1" first, signs the demo user in, keeps state in --data-dir, exits 0 on SIGTERM', async () => {
    const dataDir = tempDir();
    const child = spawn(process.execPath, ['--import', 'tsx', 'emulators/vision/main.ts', '--demo', '--port', '0', '--data-dir', dataDir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (c) => {
          out += c;
          const m = /^Vision emulator: (http:\/\/127\.0\.0\.1:\d+\/api\/v1)\n/.exec(out);
          if (m && out.includes('Admin API')) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      expect(out).toContain(`Data folder: ${dataDir}\n`);
      expect(out).toContain('Demo account: demo@kraken.local / Kraken-Demo-2026! (Pro plan)');
      const r = await fetch(`${url}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'demo@kraken.local', password: 'Kraken-Demo-2026!' }) });
      expect(r.status).toBe(200);
      const code = await new Promise<number | null>((resolve) => {
        child.removeAllListeners('exit');
        child.on('exit', (c) => resolve(c));
        child.kill('SIGTERM');
      });
      expect(code).toBe(0);
      expect(fs.existsSync(path.join(dataDir, 'vision.sqlite'))).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('--help prints the usage; a bad flag exits 2 with one line on stderr', async () => {
    const runIt = (args: string[]) =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const c = spawn(process.execPath, ['--import', 'tsx', 'emulators/vision/main.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        c.stdout.on('data', (d) => (out += d));
        c.stderr.on('data', (d) => (err += d));
        c.on('exit', (code) => resolve({ code, out, err }));
      });
    const help = await runIt(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^Usage: npm run cloud:vision/);
    const bad = await runIt(['--nope']);
    expect(bad.code).toBe(2);
    expect(bad.err).toBe('vision emulator: unknown option --nope (see --help)\n');
  });
});
