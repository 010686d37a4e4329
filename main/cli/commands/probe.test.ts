/**
 * File names that look like ffmpeg options, as a user types them (`kraken probe -- -report`): the CLI runs in a
 * child process whose working folder holds files literally named `-report` and `-i`. They must be read as
 * files — the right file, and no `ffprobe-*.log` / `ffmpeg-*.log` report written because `-report` became an option.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures } from '../../../test-support/media-fixtures';

const root = path.resolve(__dirname, '..', '..', '..');
const source = path.join(root, 'main', 'cli', 'index.ts');
// By URL: the child runs in the temporary folder, where the bare name "tsx" would not resolve.
const tsx = pathToFileURL(path.join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
let work: string;

function kraken(...args: string[]) {
  // NODE_PATH: the ffmpeg worker thread boots with require('tsx/cjs'), which resolves from the working folder too.
  const env = { ...process.env, NODE_PATH: path.join(root, 'node_modules'), FFREPORT: undefined };
  const r = spawnSync(process.execPath, ['--import', tsx, source, ...args], { encoding: 'utf8', timeout: 120_000, cwd: work, env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const reports = () => fs.readdirSync(work).filter((f) => /^ff(probe|mpeg)-.*\.log$/.test(f));

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-cli-dash-'));
  // Two different files, so a probe of the wrong one shows.
  fs.copyFileSync(fixtures.h264(2, '320x240', 10), path.join(work, '-report'));
  fs.copyFileSync(fixtures.h264(3, '160x120', 10), path.join(work, '-i'));
}, 120_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('file names that start with "-"', () => {
  it('kraken probe -- -report probes the file and writes no report', () => {
    const r = kraken('probe', '--json', '--', '-report');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout) as { kind: string; sizeBytes: number; video: { width: number; height: number } };
    expect(p).toMatchObject({ kind: 'video', sizeBytes: fs.statSync(path.join(work, '-report')).size, video: { width: 320, height: 240 } });
    expect(reports()).toEqual([]);
  });

  it('kraken probe -- -i probes the file named -i', () => {
    const r = kraken('probe', '--json', '--', '-i');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ video: { width: 160, height: 120 } });
    expect(reports()).toEqual([]);
  });

  it('kraken extract reads frames from the file named -report (count mode lists its frames with ffprobe too)', () => {
    const out = path.join(work, 'frames-report');
    const r = kraken('extract', '--out', out, '--count', '3', '--json', '--', '-report');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { frameCount: number; size: { width: number } };
    expect(report).toMatchObject({ frameCount: 3, size: { width: 320 } });
    expect(fs.readdirSync(out).filter((f) => f.endsWith('.jpg'))).toHaveLength(3);
    expect(reports()).toEqual([]);
  });

  it('kraken extract reads frames from the file named -i', () => {
    const out = path.join(work, 'frames-i');
    const r = kraken('extract', '--out', out, '--fps', '1', '--json', '--', '-i');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ frameCount: 3, size: { width: 160 } });
    expect(reports()).toEqual([]);
  });
});

describe('a cut-short video on the command line (issue 15 points 1 and 4)', () => {
  it('kraken probe says where the picture stops; kraken preflight refuses it (exit 3), and --fix says what it does before trimming it to a file that passes', () => {
    fs.copyFileSync(fixtures.truncatedTail(), path.join(work, 'cut.mp4'));
    const probe = kraken('probe', 'cut.mp4');
    expect(probe.code).toBe(0);
    expect(probe.stdout).toMatch(/^damaged {5}cut short: the picture stops at \d\.\d s of the 4\.0 s its index promises$/m);
    const check = kraken('preflight', 'cut.mp4', '--model', 'gs3d', '--fast');
    expect(check.code).toBe(3);
    expect(check.stdout).toMatch(/x DAMAGED: The file is cut short.*\[fix: trim-readable\]/);
    const fix = kraken('preflight', 'cut.mp4', '--model', 'gs3d', '--fast', '--fix', '--out', 'cut.fixed.mp4');
    expect(fix.stderr).toBe('');
    expect(fix.code).toBe(0);
    const lines = fix.stdout.split('\n');
    const said = lines.findIndex((l) => l.startsWith('will apply trim-readable: keeps the part of the cut-short file that is really there'));
    const applied = lines.findIndex((l) => l.startsWith('applied trim-readable'));
    expect(said).toBeGreaterThanOrEqual(0);
    expect(applied).toBeGreaterThan(said);
    expect(fix.stdout).toMatch(/gs3d: passes {2}video .*cut\.fixed\.mp4/);
  });
});
