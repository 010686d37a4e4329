/**
 * `kraken infer --frame-set` and `kraken sets` on a real data folder: real SQLite, a real frame set extracted
 * with ffmpeg from a generated clip, the bundled MoveNet model run by the studio's own worker. Results are read
 * back through the studio's core, as the Models page reads them.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures } from '../../../test-support/media-fixtures';
import type { ModelRun, ProviderAttempt, RunPlan, RunSummary } from '../../common/contract/inference';
import { createCore, type Core } from '../../node/core';
import type { CliIo } from '../cli-io';
import { runInfer } from './infer';
import { runSets } from './sets';

const MODEL = 'human-movenet-lightning';
const root = path.resolve(__dirname, '..', '..', '..');
let work: string;
let dataDir: string;
let projectId: number;
let setId: number;
let imageIds: number[];
/** A longer set (60 frames) for cancelling mid-run. */
let bigSetId: number;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-cli-sets-'));
  dataDir = path.join(work, 'data');
  await withCore(async (c) => {
    const p = c.projects.create({ name: 'CLI runs' });
    projectId = p.id;
    const { imported } = await c.media.importPaths(p.id, [fixtures.h264(4)]);
    const { jobId, frameSetId } = await c.frames.startExtraction(p.id, imported[0]!.id, { mode: { kind: 'fps', fps: 3 }, format: 'jpg', quality: 85 });
    await c.jobs.idle();
    expect(c.jobs.get(jobId).status).toBe('completed');
    setId = frameSetId;
    imageIds = c.frames.listImages({ projectId, frameSetId, offset: 0, limit: 100 }).items.map((i) => i.id);
    const big = await c.frames.startExtraction(p.id, imported[0]!.id, { mode: { kind: 'fps', fps: 15 }, format: 'jpg', quality: 70 });
    await c.jobs.idle();
    expect(c.jobs.get(big.jobId).status).toBe('completed');
    bigSetId = big.frameSetId;
  });
  expect(imageIds).toHaveLength(12);
}, 240_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** The studio's core on the same data folder, opened and closed around `fn`. */
async function withCore<T>(fn: (c: Core) => Promise<T> | T): Promise<T> {
  const c = createCore({ dataDir, shell: 'cli' });
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

function io(opts: { interactive?: boolean; onErr?: (t: string) => void } = {}): CliIo & { stdout: string[]; stderr: string[]; abort: AbortController } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const abort = new AbortController();
  return {
    stdout,
    stderr,
    abort,
    out: (t) => stdout.push(t),
    err: (t) => {
      stderr.push(t);
      opts.onErr?.(t);
    },
    interactive: opts.interactive ?? false,
    signal: abort.signal,
    env: { KRAKEN_DATA_DIR: dataDir },
  };
}

interface SetRunJson {
  frameSetId: number;
  projectId: number;
  mode: string;
  plan: RunPlan;
  runId: number | null;
  provider: string | null;
  forceCpu: boolean;
  attempts: ProviderAttempt[];
  fallbackReasons: string[];
  summary: RunSummary | null;
}

/** The kraken command as a user runs it: the source entry in a child process. */
function kraken(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'main', 'cli', 'index.ts'), ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    cwd: root,
    env: { ...process.env, KRAKEN_DATA_DIR: dataDir },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('kraken sets', () => {
  it('lists the frame set with its project, image count and how many have results', async () => {
    const o = io();
    expect(await runSets(['--json'], o)).toBe(0);
    const r = JSON.parse(o.stdout.join('')) as { dataDir: string; sets: { id: number; projectId: number; projectName: string; images: number; withResults: number; status: string }[] };
    expect(r.dataDir).toBe(dataDir);
    expect(r.sets).toEqual([
      expect.objectContaining({ id: setId, projectId, projectName: 'CLI runs', images: 12, status: 'complete', mediaName: 'h264-4s-640x360-30.mp4' }),
      expect.objectContaining({ id: bigSetId, projectId, images: 60, status: 'complete' }),
    ]);

    const text = io();
    expect(await runSets(['--project', String(projectId)], text)).toBe(0);
    expect(text.stdout[0]).toMatch(/set\s+project\s+images\s+results/);
    expect(text.stdout[1]).toMatch(new RegExp(`^\\s+${setId}\\s+${projectId} CLI runs\\s+12\\s+\\d+\\s+complete\\s+h264-4s`));
    await expect(runSets(['--project', '999'], io())).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'Project 999 does not exist' });
  });
});

describe('kraken infer --frame-set', () => {
  it('stores its run like the Models page does, and --remaining processes only the images without a result', async () => {
    // The Models page did the first four frames.
    const first = imageIds.slice(0, 4);
    const uiRunId = await withCore(async (c) => {
      const { jobId, runId } = await c.inference.startRun({ projectId, modelId: MODEL, imageIds: first, mode: 'all' });
      await c.jobs.idle();
      expect(c.jobs.get(jobId).status).toBe('completed');
      return runId;
    });

    const o = io();
    expect(await runInfer(['--model', MODEL, '--frame-set', String(setId), '--remaining', '--json', '--batch', '4'], o)).toBe(0);
    const r = JSON.parse(o.stdout.join('')) as SetRunJson;
    expect(r).toMatchObject({ frameSetId: setId, projectId, mode: 'remaining', forceCpu: false, plan: { inScope: 12, withResult: 4, inProgress: 0, toProcess: 8 } });
    // MoveNet is a TF.js model: tfjs-node-gpu, else wasm, else the CPU backend; the one used and why others were not.
    expect(r.attempts.map((a) => a.name)).toEqual(['tfjs-node-gpu', 'wasm', 'cpu']);
    expect(r.attempts.find((a) => a.status === 'used')?.name).toBe(r.provider);
    const notUsed = r.attempts.filter((a) => a.status === 'skipped' || a.status === 'failed');
    expect(r.fallbackReasons).toEqual(notUsed.map((a) => `${a.name}: ${a.reason}`));
    if (r.provider !== 'tfjs-node-gpu') expect(r.fallbackReasons[0]).toMatch(/^tfjs-node-gpu: .+/);
    // MoveNet takes one image per call (input [1, 192, 192, 3]), whatever --batch asks.
    expect(r.summary!.run).toMatchObject({ id: r.runId, status: 'completed', total: 8, done: 8, failed: 0, skipped: 4, batchSize: 1, modelId: MODEL, frameSetId: setId });
    expect(r.summary!.imagesPerSecond).toBeGreaterThan(0);
    expect(o.stderr).toEqual([]);

    // Read back through the core, as the Models page reads it: the run, its results and the images' marks.
    await withCore((c) => {
      const runs = c.inference.listRuns(projectId);
      expect(runs.map((x) => x.id)).toEqual([r.runId, uiRunId]);
      const cliRun = runs[0]!;
      expect(cliRun).toMatchObject<Partial<ModelRun>>({ mode: 'remaining', status: 'completed', provider: r.provider, attempts: r.attempts, task: 'pose' });
      const results = c.inference.results({ runId: r.runId!, offset: 0, limit: 100 });
      expect(results.items.map((x) => x.imageId).sort((a, b) => a - b)).toEqual(imageIds.slice(4));
      for (const item of results.items) {
        expect(item.output?.task).toBe('pose');
        expect([item.width, item.height]).toEqual([640, 360]);
      }
      expect(c.frames.listImages({ projectId, frameSetId: setId, offset: 0, limit: 100 }).items.every((i) => i.hasResult)).toBe(true);
    });
    // Every frame has a result now: `kraken sets` says so, and --remaining has nothing to do (and starts no run).
    const sets = io();
    await runSets(['--json'], sets);
    expect((JSON.parse(sets.stdout.join('')) as { sets: { withResults: number }[] }).sets[0]!.withResults).toBe(12);
    const again = io();
    expect(await runInfer(['--model', MODEL, '--frame-set', String(setId), '--remaining'], again)).toBe(0);
    expect(again.stdout).toEqual([`Nothing to do: 12 of 12 images of frame set ${setId} already have a result from ${MODEL}.`]);
    expect(await withCore((c) => c.inference.listRuns(projectId).length)).toBe(2);

    // Without --remaining every frame is done again; the text form says how it went.
    const all = io();
    expect(await runInfer(['--model', MODEL, '--frame-set', String(setId)], all)).toBe(0);
    expect(all.stdout[0]).toMatch(new RegExp(`^run \\d+: 12 of 12 images done in [\\d.]+ s on ${r.provider} \\([\\d.]+ images/s\\)$`));
    expect(all.stdout[1]).toMatch(/^people found: \d+$/);
  }, 180_000);

  it('Ctrl+C cancels the run: finished results are kept and --remaining does the rest', async () => {
    const total = 60;
    // Ctrl+C once the progress line shows finished images.
    const o = io({ interactive: true, onErr: (t) => new RegExp(` [1-9]\\d*/${total} images`).test(t) && o.abort.abort() });
    const err = await runInfer(['--model', MODEL, '--frame-set', String(bigSetId), '--batch', '1'], o).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'CANCELLED', message: expect.stringMatching(new RegExp(`^Cancelled after \\d+ of ${total} images; .*--frame-set ${bigSetId} --remaining\` does the rest\\.$`)) });
    expect(o.stderr.some((t) => t.startsWith('\r['))).toBe(true);
    const cancelled = await withCore((c) => c.inference.listRuns(projectId).find((x) => x.frameSetId === bigSetId)!);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.done).toBeGreaterThanOrEqual(1);
    expect(cancelled.done).toBeLessThan(total);

    const rest = io();
    expect(await runInfer(['--model', MODEL, '--frame-set', String(bigSetId), '--remaining', '--json', '--force-cpu'], rest)).toBe(0);
    const r = JSON.parse(rest.stdout.join('')) as SetRunJson;
    // --force-cpu holds for this run only: the GPU backend is skipped for it, the saved preference is untouched.
    expect(r.forceCpu).toBe(true);
    expect(r.attempts[0]).toMatchObject({ name: 'tfjs-node-gpu', status: 'skipped', reason: expect.stringMatching(/Force CPU is on/) });
    expect(await withCore((c) => c.inference.prefs().forceCpu)).toBe(false);
    expect(r.plan).toEqual({ inScope: total, withResult: cancelled.done, inProgress: 0, toProcess: total - cancelled.done });
    expect(r.summary!.run).toMatchObject({ total: total - cancelled.done, done: total - cancelled.done, skipped: cancelled.done });
    // Each frame has exactly one successful result across the two runs.
    await withCore((c) => {
      const all = c.frames.listImages({ projectId, frameSetId: bigSetId, offset: 0, limit: 100 }).items.map((i) => i.id);
      const done = [cancelled.id, r.runId!].flatMap((runId) => c.inference.results({ runId, offset: 0, limit: 100 }).items.filter((x) => x.output).map((x) => x.imageId));
      expect(done.sort((a, b) => a - b)).toEqual(all);
    });
  }, 180_000);
});

describe('kraken infer --frame-set and kraken sets on bad input', () => {
  it('fail with one clear line on stderr and a non-zero exit, never a stack trace', () => {
    const cases: [string[], number, RegExp][] = [
      [['infer', '--model', MODEL, '--frame-set', '999'], 1, /^kraken infer: No frame set 999 in .*`kraken sets` lists them\. \[NOT_FOUND\]$/],
      [['infer', '--model', 'no-such-model', '--frame-set', String(setId)], 1, /^kraken infer: No model "no-such-model" in the library\. \[NOT_FOUND\]$/],
      [['infer', '--model', MODEL, '--frame-set', 'abc'], 2, /^kraken infer: --frame-set takes a frame set id/],
      [['infer', '--model', MODEL, '--remaining', 'frames/'], 2, /^kraken infer: --remaining needs --frame-set/],
      [['sets', '--project', '999'], 1, /^kraken sets: Project 999 does not exist \[NOT_FOUND\]$/],
    ];
    for (const [args, code, message] of cases) {
      const r = kraken(...args);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(message);
    }
  }, 120_000);

  it('refuse a database written by a newer version and leave it untouched', () => {
    const newer = path.join(work, 'newer');
    fs.mkdirSync(newer);
    const file = path.join(newer, 'studio.db');
    const db = new Database(file);
    db.pragma('user_version = 999');
    db.close();
    const before = fs.readFileSync(file);
    for (const args of [['sets'], ['infer', '--model', MODEL, '--frame-set', '1']]) {
      const r = kraken(...args, '--data-dir', newer);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/saved by a newer Kraken Studio \(schema 999.*nothing was changed\. \[CONFLICT\]/);
    }
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  }, 120_000);

  it('`kraken sets` loads no model runtime (commands load only when they run)', () => {
    const script = `const { runCli } = require(${JSON.stringify(path.join(root, 'main', 'cli', 'index.ts'))});
      runCli(['sets', '--json'], { out() {}, err(t) { console.error(t); }, interactive: false, signal: new AbortController().signal, env: { KRAKEN_DATA_DIR: ${JSON.stringify(dataDir)} } })
        .then((code) => console.log(JSON.stringify({ code, heavy: Object.keys(require.cache).filter((k) => /onnxruntime|tfjs|[\\\\/]sharp[\\\\/]/.test(k)) })));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', cwd: root, timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ code: 0, heavy: [] });
  }, 60_000);
});
