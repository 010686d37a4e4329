/** scripts/electronegativity.mjs: the Electron audit fails on a HIGH/MEDIUM finding that the allow-list does not explain. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs script without types
import { findingsFromCsv, readAllowList, unlisted } from './electronegativity.mjs';

const root = path.resolve(__dirname, '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-eneg-test-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function audit(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'electronegativity.mjs'), ...args], { cwd: root, encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe('audit:electron', () => {
  it('fails on a window with nodeIntegration, no isolation and no sandbox that the allow-list does not name, and names the finding', () => {
    const fixture = path.join(work, 'bad-shell');
    fs.mkdirSync(fixture);
    fs.writeFileSync(
      path.join(fixture, 'main.js'),
      "const { BrowserWindow } = require('electron');\nconst win = new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false, sandbox: false } });\nwin.loadURL('https://example.com');\n",
    );
    const r = audit('--input', fixture);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/HIGH CONTEXT_ISOLATION_JS_CHECK bad-shell\/main\.js:2/);
    expect(r.out).toMatch(/MEDIUM SANDBOX_JS_CHECK bad-shell\/main\.js:2/);
    expect(r.out).toMatch(/not in build\/electronegativity-allow\.json/);
  });

  it('passes on the Electron shell as it is, every remaining finding explained in the allow-list', () => {
    const r = audit();
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/audit:electron: \d+ findings in main\/electron-main, preload/);
  });

  it('refuses an allow-list entry without a reason', () => {
    const file = path.join(work, 'allow.json');
    fs.writeFileSync(file, JSON.stringify([{ check: 'SANDBOX_JS_CHECK', file: 'x.ts' }]));
    expect(() => readAllowList(file)).toThrow(/needs "check", "file" and a "reason"/);
    const r = audit('--allow', file);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/needs "check", "file" and a "reason"/);
  });

  it('reads its CSV (quoted commas, quotes, N/A) and keeps only unlisted HIGH/MEDIUM findings', () => {
    const csv = [
      'issue, severity, confidence, filename, location, sample, description, url',
      'SANDBOX_JS_CHECK,"MEDIUM","FIRM","a.ts","1:2","new BrowserWindow({ a, b })","Use ""sandbox""",https://x',
      'CSP_GLOBAL_CHECK,"MEDIUM","CERTAIN","N/A","0:0",N/A,"No CSP",https://y',
      'PRELOAD_JS_CHECK,"LOW","FIRM","a.ts","3:1","x","y",https://z',
      '',
    ].join('\n');
    const findings = findingsFromCsv(csv);
    expect(findings).toHaveLength(3);
    expect(findings[0]).toMatchObject({ issue: 'SANDBOX_JS_CHECK', sample: 'new BrowserWindow({ a, b })', description: 'Use "sandbox"' });
    const left = unlisted(findings, [{ check: 'SANDBOX_JS_CHECK', file: 'a.ts', reason: 'because it is' }]);
    expect(left.map((f: { issue: string }) => f.issue)).toEqual(['CSP_GLOBAL_CHECK']);
  });
});
