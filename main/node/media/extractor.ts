/**
 * One ffmpeg run in the extraction worker (progress, per-frame source times, cancel), and one
 * extraction run into a folder on top of it. Shared by frame sets (projects), `kraken extract`
 * and the one-click fixes.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { AppError } from '../../common/app-error';
import { say } from '../../common/messages';
import type { ExtractParams, ProbeResult, ToolInfo } from '../../common/contract';
import type { ExtractRunSpec, FrameInfo, FromExtractWorker, ToExtractWorker } from '../../../native-workers/protocol/extract-protocol';
import { startWorker } from '../workers/worker-path';
import { parseVersion } from './ffmpeg-locator';
import { buildExtractPlan, chooseSpread, countTolerance as toleranceFor, expectedFrameCount, rangeOf, resumePoint, type ResumePoint } from './extract-args';

export interface FfmpegRunHooks {
  signal?: AbortSignal;
  onStarted?: (pid: number) => void;
  onProgress?: (p: { outSeconds: number; frame: number; speed: number | null }) => void;
  onFrames?: (frames: FrameInfo[]) => void;
}

let spare: Worker | null = null;

/**
 * Starts the ffmpeg worker ahead of need (while the caller still locates and probes), so its start-up
 * does not add to the run. Unreferenced until used: it never keeps a finished process alive.
 */
export function prewarmFfmpegWorker(): void {
  if (spare) return;
  spare = startWorker('extract-frames.worker');
  spare.unref();
}

/** Runs ffmpeg in a worker thread; resolves when it exits 0 (with what it said about damaged input), rejects with AppError (CANCELLED on abort). */
export function runFfmpeg(ffmpeg: ToolInfo, spec: Omit<ExtractRunSpec, 'ffmpeg'>, hooks: FfmpegRunHooks = {}, outDir = ''): Promise<{ damage: string }> {
  return new Promise<{ damage: string }>((resolve, reject) => {
    const worker: Worker = spare ?? startWorker('extract-frames.worker');
    spare = null;
    worker.ref();
    const seq = 1;
    let settled = false;
    let damage = '';
    const finish = (err?: AppError) => {
      if (settled) return;
      settled = true;
      hooks.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      if (err) reject(err);
      else resolve({ damage });
    };
    const onAbort = () => worker.postMessage({ type: 'cancel', seq } satisfies ToExtractWorker);
    hooks.signal?.addEventListener('abort', onAbort);
    worker.on('message', (m: FromExtractWorker) => {
      if (m.seq !== seq) return;
      if (m.type === 'started') hooks.onStarted?.(m.pid);
      else if (m.type === 'progress') hooks.onProgress?.(m);
      else if (m.type === 'frames') hooks.onFrames?.(m.frames);
      else if (m.type === 'done') {
        damage = m.damage;
        finish();
      }
      else if (m.kind === 'cancelled') finish(new AppError('CANCELLED', 'Cancelled'));
      else if (m.kind === 'spawn-failed') finish(new AppError('FFMPEG_MISSING', `Could not start ffmpeg (${ffmpeg.path}): ${m.message}`));
      else if (m.kind === 'killed')
        finish(new AppError('INTERNAL', `${m.message} before it finished (another program or the system ended it). Resume to continue where it stopped.`, { ffmpeg: tailOf(m.stderrTail) }));
      else finish(ffmpegFailure(m.stderrTail, outDir));
    });
    worker.on('error', (err) => finish(new AppError('INTERNAL', `ffmpeg worker failed: ${err.message}`)));
    worker.on('exit', (code) => {
      if (!settled) finish(new AppError('INTERNAL', `ffmpeg worker exited early (code ${code})`));
    });
    if (hooks.signal?.aborted) onAbort();
    worker.postMessage({ type: 'start', seq, spec: { ffmpeg: ffmpeg.path, ...spec } } satisfies ToExtractWorker);
  });
}

export interface ExtractRun {
  ffmpeg: ToolInfo;
  input: string;
  probe: ProbeResult;
  params: ExtractParams;
  outDir: string;
  /** Frames 1..kept already exist in outDir (resume); `lastTimestamp` is the source time of frame `kept`. */
  kept?: number;
  lastTimestamp?: number | null;
  /** Count mode: sorted source times of every frame in the range (from `scanFrameTimes`). */
  frameTimes?: number[];
  /** Count mode: write exactly these source times (drop-blurry candidates) instead of spreading `count` over frameTimes. */
  chosenTimes?: number[];
  /** Where each written frame's number, source time and size are appended (the pipeline uses outDir/.frames.tsv). */
  framesFile?: string;
  /** Each written frame as ffmpeg reports it. */
  onFrames?: (frames: FrameInfo[]) => void;
  /** Resolves when `probe` is complete (callers may start before their probe has finished). */
  probeReady?: Promise<unknown>;
  signal?: AbortSignal;
  onStarted?: (pid: number) => void;
  onProgress?: (p: { fraction: number; done: number; total: number | null }) => void;
}

/**
 * Runs one extraction into `outDir`: frames `NNNNNN.<format>`, their source times reported through
 * `onFrames` and appended to `framesFile`. Rejects with AppError (CANCELLED on abort).
 */
export async function extractToFolder(run: ExtractRun): Promise<void> {
  const kept = run.kept ?? 0;
  const resume: ResumePoint | null = kept > 0 ? resumePoint(run.params, kept, run.lastTimestamp ?? null) : null;
  if (kept > 0 && !resume) throw new AppError('INTERNAL', 'Cannot resume this extraction without the time of the last kept frame');
  // The probe may still be filling in (the CLI starts ffmpeg while probing): read it when needed.
  const range = () => rangeOf(run.params, run.probe);
  const { start, end: end0 } = range();
  if (resume && end0 !== null && resume.seekSeconds >= end0) return;

  let countTimes: number[] | undefined;
  let countTolerance: number | undefined;
  let countTotal: number | null = null;
  if (run.params.mode.kind === 'count') {
    let picked: number[];
    if (run.chosenTimes) {
      picked = run.chosenTimes;
      countTolerance = toleranceFor(picked, picked.map((_, i) => i));
    } else {
      const times = run.frameTimes ?? [];
      if (run.params.mode.count > times.length) {
        throw new AppError('INVALID_INPUT', say('extract.range_frames', { count: times.length }), { frames: times.length });
      }
      const chosen = chooseSpread(times, run.params.mode.count);
      countTolerance = toleranceFor(times, chosen);
      picked = chosen.map((i) => times[i]!);
    }
    const last = resume?.lastTimestamp;
    countTimes = picked.filter((t) => last === undefined || t > last + countTolerance!);
    countTotal = picked.length;
    if (countTimes.length === 0) return;
  }
  const planFor = (legacyShowinfo: boolean) => buildExtractPlan({
    input: run.input,
    outDir: run.outDir,
    params: run.params,
    ffmpegMajorMinor: parseVersion(run.ffmpeg.version),
    startNumber: resume?.startNumber,
    seekSeconds: resume?.seekSeconds,
    lastTimestamp: resume?.lastTimestamp ?? null,
    tick: resume?.tick,
    countTimes,
    countTolerance,
    filterScriptPath: path.join(run.outDir, '.filter.txt'),
    legacyShowinfo,
  });
  let plan = planFor(false);
  if (plan.scriptPath) fs.writeFileSync(plan.scriptPath, plan.filter);
  const total = () => countTotal ?? expectedFrameCount(run.params, run.probe);
  const span = () => {
    const e = range().end;
    return e !== null ? e - start : null;
  };
  let done = kept;
  let lastT: number | null = run.lastTimestamp ?? null;
  let damage = '';
  const go = () => runFfmpeg(
      run.ffmpeg,
      { args: plan.args, expectedSeconds: span(), framesFile: run.framesFile, startNumber: resume?.startNumber ?? 1 },
      {
        signal: run.signal,
        onStarted: run.onStarted,
        onFrames: (frames) => {
          run.onFrames?.(frames);
          done = frames[frames.length - 1]!.n;
          const t = frames[frames.length - 1]!.t;
          lastT = t;
          // Time covered is the honest measure for sparse modes; the frame count for count mode.
          const sp = span();
          const tot = total();
          const byTime = sp ? (t - start) / sp : 0;
          const byCount = tot ? done / tot : 0;
          run.onProgress?.({ fraction: Math.min(0.98, Math.max(byTime, run.params.mode.kind === 'count' ? byCount : 0)), done, total: tot });
        },
      },
      run.outDir,
    );
  try {
    try {
      ({ damage } = await go());
    } catch (err) {
      // Builds whose showinfo lacks `checksum` refuse the option before writing anything: run again without it.
      if (!(err instanceof AppError) || !/Option 'checksum' not found/i.test(String(err.details?.ffmpeg ?? ''))) throw err;
      plan = planFor(true);
      if (plan.scriptPath) fs.writeFileSync(plan.scriptPath, plan.filter);
      ({ damage } = await go());
    }
  } finally {
    if (plan.scriptPath) fs.rmSync(plan.scriptPath, { force: true });
  }
  await run.probeReady?.catch(() => undefined);
  // ffmpeg exits 0 on a truncated file after writing what it could read: that is not a complete set.
  const truncated = /partial file/i.test(damage);
  const expected = total();
  const end = range().end;
  const short = expected !== null && (run.params.mode.kind === 'count' ? done < expected : damage !== '' && done < expected * 0.9);
  if (truncated || short) {
    const said =
      lastT !== null && end !== null
        ? say('extract.truncated_at', { frames: expected !== null ? `${done} of ${expected}` : String(done), stop: lastT.toFixed(1), end: end.toFixed(1) })
        : say('extract.truncated', { frames: expected !== null ? `${done} of ${expected}` : String(done) });
    throw new AppError('MEDIA_UNREADABLE', said, {
      ffmpeg: damage.trim().split('\n').slice(-3).join(' | '),
    });
  }
}

/** Turns ffmpeg's failure into a message a creator can act on. */
export function ffmpegFailure(stderr: string, outDir: string): AppError {
  const tail = tailOf(stderr);
  if (/No space left on device|ENOSPC/i.test(stderr)) return new AppError('IO_ERROR', say('extract.disk_full', {}), { ffmpeg: tail });
  if (/Permission denied|Read-only file system|EACCES|EROFS/i.test(stderr))
    return new AppError('IO_ERROR', outDir ? say('extract.read_only', { path: outDir }) : say('extract.read_only_folder', {}), { ffmpeg: tail });
  if (/Not a directory|No such file or directory|ENOTDIR/i.test(stderr) && outDir && !fs.existsSync(outDir))
    return new AppError('IO_ERROR', say('extract.folder_gone', { path: outDir }), { ffmpeg: tail });
  return new AppError('MEDIA_UNREADABLE', say('extract.undecodable', {}), { ffmpeg: tail });
}

function tailOf(stderr: string): string {
  return stderr.trim().split('\n').slice(-3).join(' | ');
}
