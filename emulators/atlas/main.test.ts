/** `npm run cloud:atlas` (emulators/atlas/main.ts): flags, the URL line, the demo account, a clean stop. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_EMAIL, DEMO_PASSWORD, parseArgs } from './main';

const root = path.resolve(__dirname, '..', '..');

describe('parseArgs', () => {
  it('reads every flag, in both --flag value and --flag=value forms', () => {
    const a = parseArgs(['--port', '4100', '--data-dir=/tmp/x', '--processing-ms', '0', '--access-ttl-sec', '5', '--refresh-ttl-sec=60', '--auto-confirm', '--no-input-limits', '--demo']);
    expect(a.options).toEqual({ port: 4100, dataDir: '/tmp/x', processingMs: 0, accessTokenTtlSec: 5, refreshTokenTtlSec: 60, autoConfirmEmail: true, enforceInputLimits: false });
    expect(a.demo).toBe(true);
  });

  it('refuses unknown flags and bad numbers with one line', () => {
    expect(() => parseArgs(['--prot', '1'])).toThrow(/unknown option --prot/);
    expect(() => parseArgs(['--port', 'abc'])).toThrow(/--port needs a whole number/);
    expect(() => parseArgs(['--port', '70000'])).toThrow(/65535/);
    expect(() => parseArgs(['--data-dir'])).toThrow(/--data-dir/);
  });
});

describe('the emulator process', () => {
  it('prints "Atlas emulator: http://127.0.0.1:PORT" first, serves the demo account, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'emulators/atlas/main.ts', '--demo', '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c) => {
        out += c;
        const m = /^Atlas emulator: (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
        if (m && out.includes('Demo account')) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    expect(out).toContain(`Demo account: ${DEMO_EMAIL} / ${DEMO_PASSWORD}`);
    const r = await fetch(`${url}/atlas/auth/sign-In`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: DEMO_EMAIL, password: DEMO_PASSWORD }) });
    expect(r.status).toBe(201);
    // a sign-up's confirmation link is printed, as a mail catcher would show it
    await fetch(`${url}/atlas/auth/sign-up`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'new@example.com', password: DEMO_PASSWORD, nickname: 'new' }) });
    for (let i = 0; i < 100 && !out.includes('Mail to new@example.com'); i++) await new Promise((res) => setTimeout(res, 20));
    expect(out).toMatch(/Mail to new@example\.com: .* — http:\/\/127\.0\.0\.1:\d+\/atlas\/auth\/confirm-email\?email=new%40example\.com&userId=/);
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
  });
});
