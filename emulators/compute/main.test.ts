/** `npm run cloud:compute` (emulators/compute/main.ts): flags, the URL line first, a clean stop. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs } from './main';
import { tempDir } from './test-kit';

const root = path.resolve(__dirname, '..', '..');

describe('parseArgs', () => {
  it('reads every flag, in both --flag value and --flag=value forms', () => {
    const a = parseArgs(['--port', '4200', '--data-dir=/tmp/x', '--creation-ms', '0', '--quiet']);
    expect(a.options).toEqual({ port: 4200, dataDir: '/tmp/x', creationDelayMs: 0 });
    expect(a.quiet).toBe(true);
    expect(parseArgs(['-h']).help).toBe(true);
  });

  it('refuses unknown flags and bad numbers with one line', () => {
    expect(() => parseArgs(['--prot', '1'])).toThrow(/unknown option --prot/);
    expect(() => parseArgs(['--port', 'abc'])).toThrow(/--port needs a whole number/);
    expect(() => parseArgs(['--port', '70000'])).toThrow(/65535/);
    expect(() => parseArgs(['--creation-ms', '-1'])).toThrow(/--creation-ms needs a whole number/);
    expect(() => parseArgs(['--data-dir'])).toThrow(/--data-dir/);
  });
});

describe('the emulator process', () => {
  it('prints "Compute emulator: http://127.0.0.1:PORT" first, serves the endpoints, keeps state in --data-dir, exits 0 on SIGTERM', async () => {
    const dataDir = tempDir();
    const child = spawn(process.execPath, ['--import', 'tsx', 'emulators/compute/main.ts', '--port', '0', '--data-dir', dataDir, '--creation-ms', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (c) => {
          out += c;
          const m = /^Compute emulator: (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
          if (m && out.includes('Admin API')) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      expect(out).toContain(`Data folder: ${dataDir}\n`);
      expect(out).toContain('Creation: pending 0 ms, then createContainer 0 ms');
      const post = (name: string, body: unknown) => fetch(`${url}/${name}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect((await post('registerUser', { userId: 'cli', storageGb: 1, localSchoolId: 1 })).status).toBe(200);
      const run = await (await post('runContainer', { userId: 'cli', clusterId: 'cpu' })).json();
      const st = await (await post('getContainerStatus', { userId: 'cli', containerId: run.containerId })).json();
      expect(st).toEqual({ statusCode: 200, statusContainer: 'success' });
      const code = await new Promise<number | null>((resolve) => {
        child.removeAllListeners('exit');
        child.on('exit', (c) => resolve(c));
        child.kill('SIGTERM');
      });
      expect(code).toBe(0);
      expect(fs.existsSync(path.join(dataDir, 'compute.sqlite'))).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('--help prints the usage; a bad flag exits 2 with one line on stderr', async () => {
    const runIt = (args: string[]) =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const c = spawn(process.execPath, ['--import', 'tsx', 'emulators/compute/main.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        c.stdout.on('data', (d) => (out += d));
        c.stderr.on('data', (d) => (err += d));
        c.on('exit', (code) => resolve({ code, out, err }));
      });
    const help = await runIt(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^Usage: npm run cloud:compute/);
    const bad = await runIt(['--nope']);
    expect(bad.code).toBe(2);
    expect(bad.err).toBe('compute emulator: unknown option --nope (see --help)\n');
  });
});
