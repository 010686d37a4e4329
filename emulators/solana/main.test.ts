/** `npm run cloud:solana` (emulators/solana/main.ts): flags, the URL line first, state in --data-dir, a clean stop. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs } from './main';
import { tempDir, unavailable } from './test-kit';

const root = path.resolve(__dirname, '..', '..');

describe('parseArgs', () => {
  it('reads every flag, in both --flag value and --flag=value forms', () => {
    const a = parseArgs(['--port', '4784', '--data-dir=/tmp/x', '--quiet']);
    expect(a.options).toEqual({ port: 4784, dataDir: '/tmp/x' });
    expect(a.quiet).toBe(true);
    expect(parseArgs(['-h']).help).toBe(true);
  });

  it('refuses unknown flags and bad numbers with one line', () => {
    expect(() => parseArgs(['--prot', '1'])).toThrow(/unknown option --prot/);
    expect(() => parseArgs(['--port', 'abc'])).toThrow(/--port needs a whole number/);
    expect(() => parseArgs(['--port', '70000'])).toThrow(/65535/);
    expect(() => parseArgs(['--data-dir'])).toThrow(/--data-dir/);
  });
});

const runIt = (args: string[]) =>
  new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const c = spawn(process.execPath, ['--import', 'tsx', 'emulators/solana/main.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (err += d));
    c.on('exit', (code) => resolve({ code, out, err }));
  });

describe('the emulator process', () => {
  it.skipIf(!!unavailable)('prints "Solana emulator: http://127.0.0.1:PORT/api" first, serves the API and the RPC, keeps state in --data-dir, exits 0 on SIGTERM', async () => {
    const dataDir = tempDir();
    const child = spawn(process.execPath, ['--import', 'tsx', 'emulators/solana/main.ts', '--port', '0', '--data-dir', dataDir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (c) => {
          out += c;
          const m = /^Solana emulator: (http:\/\/127\.0\.0\.1:\d+\/api)\n/.exec(out);
          if (m && out.includes('Admin API')) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      expect(out).toContain(`Data folder: ${dataDir}\n`);
      expect(out).toContain('Treasury (pay subscriptions here): 6ARTaxhp25pSyWChb7QtturWCvZoDhrQda283ii2FfFc\n');
      const rpc = url.replace(/\/api$/, '/rpc');
      expect(out).toContain(`RPC: ${rpc} `);
      const slot = await (await fetch(rpc, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'getHealth' }) })).json();
      expect(slot).toEqual({ jsonrpc: '2.0', id: 1, result: 'ok' });
      const r = await fetch(`${url}/signature-royalty/process-signature-royalty`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(r.status).toBe(400);
      expect(await r.json()).toEqual({ success: false, error: 'Validation error: "transactionSignature" is required' });
      const code = await new Promise<number | null>((resolve) => {
        child.removeAllListeners('exit');
        child.on('exit', (c) => resolve(c));
        child.kill('SIGTERM');
      });
      expect(code).toBe(0);
      expect(fs.existsSync(path.join(dataDir, 'solana.sqlite'))).toBe(true);
      expect(fs.existsSync(path.join(dataDir, 'svm.bin'))).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('--help prints the usage; a bad flag exits 2 with one line on stderr', async () => {
    const help = await runIt(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^Usage: npm run cloud:solana/);
    const bad = await runIt(['--nope']);
    expect(bad.code).toBe(2);
    expect(bad.err).toBe('solana emulator: unknown option --nope (see --help)\n');
  });
});
