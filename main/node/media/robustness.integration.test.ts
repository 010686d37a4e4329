/**
 * Robustness: truncated, huge, non-Latin paths, read-only and full disks, ffmpeg too old or killed
 * mid-run. Every case must end in one clear error and no result that looks complete; what can be
 * continued must resume to exactly the result of an uninterrupted run.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { fixtures } from '../../../test-support/media-fixtures';
import { createCore, type Core } from '../core';
import { ToolBox } from './tool-box';

const root = path.resolve(__dirname, '..', '..', '..');
const cli = path.join(root, 'main', 'cli', 'index.ts');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-robust-'));
const cores: Core[] = [];
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
beforeAll(() => {
  for (const f of [fixtures.truncatedTail, fixtures.hugeZeros, fixtures.huge, fixtures.h264_1080p20s, fixtures.unicodePath, fixtures.blurEveryThird, fixtures.vp9Webm]) f();
}, 240_000);

function core(dataDir = fs.mkdtempSync(path.join(work, 'core-'))): Core {
  const c = createCore({ dataDir, shell: 'cli' });
  cores.push(c);
  return c;
}

function kraken(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8', timeout: 180_000, cwd: root, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** ffmpeg processes whose parent is `ppid` (Linux /proc). */
function ffmpegChildren(ppid: number): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const m = /^\d+ \((.*)\) \S (\d+)/.exec(stat);
      if (m && m[1] === 'ffmpeg' && Number(m[2]) === ppid) out.push(Number(d));
    } catch {
      // gone already
    }
  }
  return out;
}

function script(name: string, body: string): string {
  const file = path.join(work, name);
  fs.writeFileSync(file, `#!/bin/bash\n${body}\n`);
  fs.chmodSync(file, 0o755);
  return file;
}

describe('damaged and huge files', () => {
  it('a file cut in half (header intact) fails in every mode with no frame set marked complete', async () => {
    const c = core();
    const p = c.projects.create({ name: 'cut' });
    const { imported } = await c.media.importPaths(p.id, [fixtures.truncatedTail()]);
    expect(imported[0]!.probe.durationSeconds).toBeCloseTo(4, 1);
    for (const mode of [{ kind: 'fps', fps: 2 }, { kind: 'count', count: 20 }, { kind: 'every', n: 5 }] as const) {
      const { jobId, frameSetId } = await c.frames.startExtraction(p.id, imported[0]!.id, { mode, format: 'jpg', quality: 80 });
      await c.jobs.idle();
      expect(c.jobs.get(jobId).error, mode.kind).toMatchObject({ code: 'MEDIA_UNREADABLE', message: expect.stringMatching(/truncated or damaged.*Nothing was kept/) });
      expect(c.frames.getSet(frameSetId).status).toBe('failed');
      expect(c.frames.listImages({ projectId: p.id, frameSetId, offset: 0, limit: 1 }).total).toBe(0);
    }
  });

  it('the CLI says so in one line and leaves nothing in the output folder', () => {
    const out = path.join(work, 'cut-out');
    const r = kraken(['extract', fixtures.truncatedTail(), '--out', out, '--count', '10']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/truncated or damaged/);
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it('5 GB of zeros: import fails at the probe and the file is never read through for hashing', async () => {
    const c = core();
    const p = c.projects.create({ name: 'zeros' });
    const reads = vi.spyOn(fs, 'createReadStream');
    const r = await c.media.importPaths(p.id, [fixtures.hugeZeros()]);
    expect(r.failed[0]?.error).toMatchObject({ code: 'MEDIA_UNREADABLE', message: expect.stringMatching(/cannot read/) });
    expect(reads).not.toHaveBeenCalled();
    reads.mockRestore();
  });

  it('a 5 GB file with a real header: pre-flight says too large from its size alone, extraction reads only its pictures', async () => {
    const out = path.join(work, 'huge-frames');
    const r = kraken(['extract', fixtures.huge(), '--out', out, '--fps', '1', '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { frameCount: number }).frameCount).toBe(2);
    const pf = kraken(['preflight', fixtures.huge(), '--model', 'gs3d', '--fast', '--json']);
    expect(pf.code).toBe(3);
    expect(JSON.parse(pf.stdout)).toMatchObject({ problems: [{ code: 'FILE_TOO_LARGE', actual: '5.4 GB' }] });
  });
});

describe('paths and disks', () => {
  it('count + drop-blurry with a Korean data folder and a file path with spaces', async () => {
    const c = core(path.join(fs.mkdtempSync(path.join(work, 'k-')), '데이터 폴더'));
    const p = c.projects.create({ name: '한글 프로젝트' });
    const copy = path.join(path.dirname(fixtures.unicodePath()), '흐린 장면 clip.mp4');
    fs.copyFileSync(fixtures.blurEveryThird(), copy);
    const { imported } = await c.media.importPaths(p.id, [copy]);
    const { jobId, frameSetId } = await c.frames.startExtraction(p.id, imported[0]!.id, { mode: { kind: 'count', count: 8 }, format: 'webp', quality: 80, dropBlurry: true, maxSide: 320 });
    await c.jobs.idle();
    expect(c.jobs.get(jobId).status).toBe('completed');
    const items = c.frames.listImages({ projectId: p.id, frameSetId, offset: 0, limit: 100 }).items;
    expect(items).toHaveLength(8);
    expect(items[0]).toMatchObject({ width: 320, height: 180 });
    for (const i of items) expect(fs.existsSync(path.join(c.dataDir, i.file))).toBe(true);
  });

  it('a read-only output folder fails with IO_ERROR in one line, for every mode', () => {
    const ro = path.join(work, 'ro');
    fs.mkdirSync(ro);
    // As root, permissions are not enforced: a regular file where the output folder must be created stands in.
    const blocker = path.join(ro, 'not-a-folder');
    fs.writeFileSync(blocker, 'x');
    if (process.getuid?.() !== 0) fs.chmodSync(ro, 0o555);
    const out = process.getuid?.() === 0 ? path.join(blocker, 'out') : path.join(ro, 'out');
    for (const mode of [['--count', '5'], ['--keyframes'], ['--scene', '0.3']]) {
      const r = kraken(['extract', fixtures.h264(4), '--out', out, ...mode]);
      expect(r.code, mode.join(' ')).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/IO_ERROR/);
    }
    const fix = kraken(['preflight', fixtures.vp9Webm(), '--model', 'gs3d', '--fast', '--fix', '--out', path.join(out, 'fixed.mp4')]);
    expect(fix.code).toBe(1);
    expect(fix.stderr).toMatch(/IO_ERROR/);
    if (process.getuid?.() !== 0) fs.chmodSync(ro, 0o755);
  });

  it('a disk that fills up mid-run: clear message, finished frames kept, --resume ends with exactly the frames of a clean run', () => {
    // ffmpeg writes 5 frames, then the "disk" is full (what ffmpeg prints when a write fails with ENOSPC).
    // The fake goes first on PATH: KRAKEN_FFMPEG must name a compiled ffmpeg (a script is refused unrun, issue 9).
    fs.mkdirSync(path.join(work, 'disk-full-bin'), { recursive: true });
    const fake = script(
      path.join('disk-full-bin', 'ffmpeg'),
      `case " $* " in *" -version "*) exec /usr/bin/ffmpeg "$@";; esac
args=("$@"); last="\${args[-1]}"; unset 'args[-1]'
/usr/bin/ffmpeg "\${args[@]}" -frames:v 5 "$last"
echo "[image2 @ 0x5555] Could not open file : $last: No space left on device" >&2
exit 1`,
    );
    const out = path.join(work, 'full-disk');
    const full = kraken(['extract', fixtures.h264_1080p20s(), '--out', out, '--count', '30', '--format', 'png', '--max-side', '160'], { KRAKEN_FFMPEG: '', PATH: `${path.dirname(fake)}${path.delimiter}${process.env.PATH ?? ''}` });
    expect(full.code).toBe(1);
    expect(full.stderr.trim().split('\n')).toHaveLength(1);
    expect(full.stderr).toMatch(/disk is full.*--resume.*\[IO_ERROR\]/);
    expect(fs.readdirSync(path.join(out, '.kraken-partial')).filter((f) => f.endsWith('.png')).length).toBeGreaterThanOrEqual(4);
    const resumed = kraken(['extract', fixtures.h264_1080p20s(), '--out', out, '--count', '30', '--format', 'png', '--max-side', '160', '--resume', '--json']);
    expect(resumed.code).toBe(0);
    const clean = kraken(['extract', fixtures.h264_1080p20s(), '--out', path.join(work, 'full-disk-clean'), '--count', '30', '--format', 'png', '--max-side', '160', '--json']);
    const times = (r: { stdout: string }) => (JSON.parse(r.stdout) as { frames: { timestampSeconds: number }[] }).frames.map((f) => f.timestampSeconds);
    expect(times(resumed)).toEqual(times(clean));
    expect(fs.readdirSync(out).filter((f) => f.endsWith('.png'))).toHaveLength(30);
    expect(fs.existsSync(path.join(out, '.kraken-partial'))).toBe(false);
  });
});

describe('ffmpeg missing, too old, killed', () => {
  it('too old: an ffmpeg 3.4 named by KRAKEN_FFMPEG is passed over for a usable one, and the run says which', () => {
    const old = script('ffmpeg-3.4', 'echo "ffmpeg version 3.4.8 Copyright (c) 2000-2020"; exit 0');
    const r = kraken(['extract', fixtures.h264(2), '--out', path.join(work, 'old'), '--fps', '1', '--json'], { KRAKEN_FFMPEG: old });
    expect(r.code).toBe(0);
    const ff = (JSON.parse(r.stdout) as { ffmpeg: { path: string; source: string } }).ffmpeg;
    expect(ff.source).not.toBe('env');
    expect(ff.path).not.toBe(old);
  });

  it('missing: a clear FFMPEG_MISSING with what was tried and how to install', async () => {
    const tools = new ToolBox(() => ({ ffmpegPath: path.join(work, 'nope', 'ffmpeg'), ffprobePath: null }), { env: { PATH: '' }, useBundled: false });
    await expect(tools.require()).rejects.toMatchObject({ code: 'FFMPEG_MISSING', message: expect.stringMatching(/ffmpeg and ffprobe not found.*apt-get install ffmpeg.*setting: .*nope/) });
  });

  it('killed mid-run (frame set): the job fails saying so, the set is not complete, resume finishes with every frame at its time', async () => {
    const c = core();
    const p = c.projects.create({ name: 'kill' });
    const { imported } = await c.media.importPaths(p.id, [fixtures.h264_1080p20s()]);
    const { jobId, frameSetId } = await c.frames.startExtraction(p.id, imported[0]!.id, { mode: { kind: 'every', n: 1 }, format: 'jpg', quality: 60, maxSide: 640 });
    await new Promise<void>((resolve) => {
      const off = c.bus.on('job.progress', (e) => {
        if (e.jobId === jobId && (e.done ?? 0) >= 40) {
          off();
          resolve();
        }
      });
    });
    const pids = ffmpegChildren(process.pid);
    expect(pids).toHaveLength(1);
    process.kill(pids[0]!, 'SIGKILL');
    await c.jobs.idle();
    expect(c.jobs.get(jobId)).toMatchObject({ status: 'failed', error: { code: 'INTERNAL', message: expect.stringMatching(/ffmpeg was stopped by SIGKILL.*Resume/) } });
    expect(c.frames.getSet(frameSetId).status).toBe('failed');
    expect(c.frames.listImages({ projectId: p.id, frameSetId, offset: 0, limit: 1 }).total).toBe(0);
    c.jobs.resume(jobId);
    await c.jobs.idle();
    expect(c.frames.getSet(frameSetId)).toMatchObject({ status: 'complete', frameCount: 600 });
    const t = c.frames.listImages({ projectId: p.id, frameSetId, offset: 0, limit: 1000 }).items.map((i) => i.timestampSeconds!);
    t.forEach((x, i) => expect(x).toBeCloseTo(i / 30, 5));
  });

  it('killed mid-run (CLI): one clear line, then --resume completes', async () => {
    const out = path.join(work, 'cli-kill');
    const child = spawn(process.execPath, ['--import', 'tsx', cli, 'extract', fixtures.h264_1080p20s(), '--out', out, '--every', '1', '--max-side', '480'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const partial = path.join(out, '.kraken-partial');
    await new Promise<void>((resolve, reject) => {
      const tick = setInterval(() => {
        const n = fs.existsSync(partial) ? fs.readdirSync(partial).filter((f) => f.endsWith('.jpg')).length : 0;
        const pids = ffmpegChildren(child.pid!);
        if (n >= 30 && pids.length === 1) {
          clearInterval(tick);
          process.kill(pids[0]!, 'SIGKILL');
          resolve();
        }
      }, 20);
      child.on('exit', () => {
        clearInterval(tick);
        reject(new Error(`finished before it could be killed: ${stderr}`));
      });
    });
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/ffmpeg was stopped by SIGKILL.*--resume/);
    const r = kraken(['extract', fixtures.h264_1080p20s(), '--out', out, '--every', '1', '--max-side', '480', '--resume', '--json']);
    expect(r.code).toBe(0);
    const frames = (JSON.parse(r.stdout) as { frames: { timestampSeconds: number }[] }).frames;
    expect(frames).toHaveLength(600);
    frames.forEach((f, i) => expect(f.timestampSeconds).toBeCloseTo(i / 30, 5));
  });
});
