/** `npm run cloud:network` (emulators/network/main.ts): flags, the URL line first, state in --data-dir, a clean stop. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs } from './main';
import { tempDir } from './test-kit';

const root = path.resolve(__dirname, '..', '..');

describe('parseArgs', () => {
  it('reads every flag, in both --flag value and --flag=value forms', () => {
    const a = parseArgs(['--port', '4783', '--data-dir=/tmp/x', '--welcome-grant', '50', '--lease-seconds=5', '--quiet']);
    expect(a.options).toEqual({ port: 4783, dataDir: '/tmp/x', settings: { welcomeGrant: 50, leaseSeconds: 5 } });
    expect(a.quiet).toBe(true);
    expect(parseArgs(['-h']).help).toBe(true);
    expect(parseArgs(['--solana-rpc', 'http://127.0.0.1:4784/rpc']).options).toEqual({ solanaRpc: 'http://127.0.0.1:4784/rpc' });
  });

  it('refuses unknown flags and bad numbers with one line', () => {
    expect(() => parseArgs(['--prot', '1'])).toThrow(/unknown option --prot/);
    expect(() => parseArgs(['--port', '70000'])).toThrow(/65535/);
    expect(() => parseArgs(['--lease-seconds', '0'])).toThrow(/at least 1/);
    expect(() => parseArgs(['--welcome-grant', '-1'])).toThrow(/whole number/);
    expect(() => parseArgs(['--solana-rpc', 'ftp://x'])).toThrow(/http\(s\) URL/);
    expect(() => parseArgs(['--solana-rpc'])).toThrow(/http\(s\) URL/);
  });
});

describe('the emulator process', () => {
  it('prints "Network emulator: http://127.0.0.1:PORT" first, answers /v1 in the protocol shape, keeps state in --data-dir, exits 0 on SIGTERM', async () => {
    const dataDir = tempDir();
    const child = spawn(process.execPath, ['--import', 'tsx', 'emulators/network/main.ts', '--port', '0', '--data-dir', dataDir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (c) => {
          out += c;
          const m = /^Network emulator: (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
          if (m && out.includes('Admin API')) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      expect(out).toContain(`Data folder: ${dataDir}\n`);
      const r = await fetch(`${url}/v1/accounts/me`);
      expect(r.status).toBe(426);
      expect((await r.json()).error.code).toBe('PROTOCOL_VERSION');
      const code = await new Promise<number | null>((resolve) => {
        child.removeAllListeners('exit');
        child.on('exit', (c) => resolve(c));
        child.kill('SIGTERM');
      });
      expect(code).toBe(0);
      expect(fs.existsSync(path.join(dataDir, 'network.sqlite'))).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
