/**
 * The whole extraction of one frame set into a work folder, resumable at every step:
 *   1. (count mode) list the frame times of the range from packets;
 *   2. ffmpeg writes frames + their source times (`.frames.tsv`);
 *   3. (drop-blurry) up to five candidate frames spread over each output frame's interval are
 *      written, scored for sharpness in a worker, and the sharpest of each interval is kept (for key
 *      frames and scene changes, frames much blurrier than their neighbours are dropped);
 *   4. `.complete` marks the folder finished.
 * Callers (frame sets, `kraken extract`) move the finished folder into place.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../common/app-error';
import { say } from '../../common/messages';
import type { ExtractParams, FrameSetReport, ProbeResult } from '../../common/contract';
import type { FromSharpnessWorker, ToSharpnessWorker } from '../../../native-workers/protocol/extract-protocol';
import { startWorker } from '../workers/worker-path';
import { FRAMES_FILE, rangeOf, TICK_TOLERANCE } from './extract-args';
import { extractToFolder } from './extractor';
import type { Tools } from './ffmpeg-locator';
import { scanFrameTimes } from './frame-scan';
import { dropBlurryNeighbourhood, median, SHARPNESS_SIDE, sharpestPerBucket } from './sharpness';

export const COMPLETE_MARK = '.complete';
export const REPORT_FILE = '.report.json';
const CANDIDATES = 'candidates';
const SCORES_FILE = '.scores.json';

export interface ExtractedFrame {
  n: number;
  /** File name inside the folder. */
  file: string;
  timestampSeconds: number | null;
  width: number | null;
  height: number | null;
  sharpness: number | null;
}

export interface PipelineProgress {
  fraction: number;
  stage: 'scanning' | 'extracting' | 'scoring' | 'saving';
  done: number;
  total: number | null;
}

export interface PipelineRun {
  tools: Tools;
  input: string;
  probe: ProbeResult;
  params: ExtractParams;
  workDir: string;
  /** Keep what an earlier run of the same params left in workDir. */
  resuming: boolean;
  /** Frame times of the range, when the caller already started listing them (count mode, drop-blurry). */
  frameTimes?: Promise<number[]>;
  /** Resolves when `probe` is complete, when the caller started before its probe finished. */
  probeReady?: Promise<unknown>;
  signal?: AbortSignal;
  onStarted?: (pid: number) => void;
  onProgress?: (p: PipelineProgress) => void;
}

export interface PipelineResult {
  frames: ExtractedFrame[];
  report: FrameSetReport;
}

const frameRe = (format: string) => new RegExp(`^(\\d+)\\.${format}$`);

/** Runs (or finishes) the extraction in workDir. */
export async function runExtractionPipeline(run: PipelineRun): Promise<PipelineResult> {
  fs.mkdirSync(run.workDir, { recursive: true });
  if (run.resuming && fs.existsSync(path.join(run.workDir, COMPLETE_MARK))) return readResult(run.workDir, run.params.format);
  if (!run.resuming) clearDir(run.workDir);
  const result = run.params.dropBlurry ? await extractSharpest(run) : await extractPlain(run, run.workDir, run.params, 0, 0.98);
  const frames = result.frames;
  if (frames.length === 0) throw new AppError('MEDIA_UNREADABLE', say('extract.no_frames_kind', {}));
  fs.writeFileSync(path.join(run.workDir, REPORT_FILE), JSON.stringify(result.report));
  fs.writeFileSync(path.join(run.workDir, COMPLETE_MARK), '');
  return result;
}

/** One ffmpeg pass into `dir`, resuming after the frames already complete there. */
async function extractPlain(run: PipelineRun, dir: string, params: ExtractParams, from: number, to: number, scanned?: number[], explicit = false): Promise<PipelineResult> {
  fs.mkdirSync(dir, { recursive: true });
  let kept = run.resuming ? keepCompleteFrames(dir, params.format) : 0;
  const last = kept > 0 ? lastTimestamp(dir, kept) : null;
  if (kept > 0 && last === null && params.mode.kind !== 'fps') {
    // Without the time of the last kept frame only fps mode knows where it was: start over.
    clearDir(dir);
    kept = 0;
  }
  let frameTimes = scanned;
  if (params.mode.kind === 'count' && !frameTimes) {
    run.onProgress?.({ fraction: from, stage: 'scanning', done: kept, total: params.mode.count });
    frameTimes = await scanOnce(run);
  }
  await extractToFolder({
    ffmpeg: run.tools.ffmpeg,
    input: run.input,
    probe: run.probe,
    params,
    outDir: dir,
    kept,
    lastTimestamp: last,
    frameTimes: explicit ? undefined : frameTimes,
    chosenTimes: explicit ? frameTimes : undefined,
    framesFile: path.join(dir, FRAMES_FILE),
    probeReady: run.probeReady,
    signal: run.signal,
    onStarted: run.onStarted,
    onProgress: (p) => run.onProgress?.({ fraction: from + (to - from) * p.fraction, stage: 'extracting', done: p.done, total: p.total }),
  });
  if (run.signal?.aborted) throw new AppError('CANCELLED', 'Cancelled');
  return { frames: readFrames(dir, params.format), report: { dropBlurry: null, notices: [] } };
}

/** Candidates examined per output frame when dropping blurry frames (spread over the output frame's interval). */
export const CANDIDATES_PER_FRAME = 5;

export interface CandidatePlan {
  /** Source times of the candidates to write, ascending. */
  times: number[];
  /** Output interval (bucket) of each candidate. */
  buckets: number[];
}

/**
 * Drop-blurry candidates for the regular modes, from every frame time of the range: frames are grouped
 * into the interval each output frame stands for (an fps tick, N decoded frames, one of `count` equal
 * groups), and up to CANDIDATES_PER_FRAME frames spread across each group are written. Null for key
 * frames and scene changes, whose frames are chosen by content.
 */
export function planCandidates(params: ExtractParams, frameTimes: number[]): CandidatePlan | null {
  const mode = params.mode;
  const start = params.start ?? 0;
  let bucketOf: (i: number) => number;
  switch (mode.kind) {
    case 'fps':
      bucketOf = (i) => Math.floor((frameTimes[i]! - start) * mode.fps + TICK_TOLERANCE);
      break;
    case 'every':
      bucketOf = (i) => Math.floor(i / mode.n);
      break;
    case 'count':
      bucketOf = (i) => Math.floor((i * mode.count) / frameTimes.length);
      break;
    default:
      return null;
  }
  const groups = new Map<number, number[]>();
  frameTimes.forEach((_, i) => {
    const b = bucketOf(i);
    const g = groups.get(b);
    if (g) g.push(i);
    else groups.set(b, [i]);
  });
  const times: number[] = [];
  const buckets: number[] = [];
  for (const [b, members] of [...groups.entries()].sort((x, y) => x[0] - y[0])) {
    const m = Math.min(CANDIDATES_PER_FRAME, members.length);
    // Spread across the whole interval, not adjacent frames: blur comes in bursts.
    const picks = m === 1 ? [members[0]!] : [...new Set(Array.from({ length: m }, (_, j) => members[Math.round((j * (members.length - 1)) / (m - 1))]!))];
    for (const i of picks) {
      times.push(frameTimes[i]!);
      buckets.push(b);
    }
  }
  return { times, buckets };
}

async function extractSharpest(run: PipelineRun): Promise<PipelineResult> {
  const dir = path.join(run.workDir, CANDIDATES);
  const fmt = run.params.format;
  const contentPicked = run.params.mode.kind === 'keyframes' || run.params.mode.kind === 'scene';
  let plan: CandidatePlan | null = null;
  if (!contentPicked) {
    run.onProgress?.({ fraction: 0, stage: 'scanning', done: 0, total: null });
    const scanned = await scanOnce(run);
    if (run.params.mode.kind === 'count' && run.params.mode.count > scanned.length)
      throw new AppError('INVALID_INPUT', say('extract.range_frames', { count: scanned.length }), { frames: scanned.length });
    plan = planCandidates(run.params, scanned);
  }
  // Candidates are written by count mode over the exact candidate times (or, content-picked, by the mode itself).
  const candidateParams: ExtractParams = plan ? { ...run.params, dropBlurry: undefined, mode: { kind: 'count', count: Math.max(1, plan.times.length) } } : { ...run.params, dropBlurry: undefined };
  if (!fs.existsSync(path.join(dir, COMPLETE_MARK))) {
    await extractPlain({ ...run, resuming: run.resuming && fs.existsSync(dir) }, dir, candidateParams, 0, 0.8, plan?.times, plan !== null);
    fs.writeFileSync(path.join(dir, COMPLETE_MARK), '');
  }
  const candidates = readFrames(dir, fmt);
  const scores = await scoreCandidates(run, dir, candidates);
  let keep: number[];
  if (plan) {
    const bucketAt = new Map(plan.times.map((t, i) => [t, plan!.buckets[i]!] as const));
    // Each written candidate is matched back to its interval by its recorded source time.
    const buckets = candidates.map((c) => bucketAt.get(nearest(plan!.times, c.timestampSeconds ?? 0)) ?? 0);
    keep = sharpestPerBucket(scores, buckets);
  } else keep = dropBlurryNeighbourhood(scores);
  run.onProgress?.({ fraction: 0.97, stage: 'saving', done: keep.length, total: keep.length });
  // Idempotent: a crash half-way through the moves is finished by the next run from the same scores.
  const frames: ExtractedFrame[] = keep.map((ci, k) => {
    const c = candidates[ci]!;
    const file = `${String(k + 1).padStart(6, '0')}.${fmt}`;
    const from = path.join(dir, c.file);
    if (fs.existsSync(from)) fs.renameSync(from, path.join(run.workDir, file));
    return { ...c, n: k + 1, file, sharpness: scores[ci]! };
  });
  writeFramesFile(run.workDir, frames);
  const keptSet = new Set(keep);
  const report: FrameSetReport = {
    dropBlurry: {
      method: plan ? 'sharpest-per-interval' : 'neighbourhood',
      candidates: candidates.length,
      kept: frames.length,
      medianSharpness: median(scores),
      dropped: candidates.flatMap((c, i) => (keptSet.has(i) ? [] : [{ timestampSeconds: c.timestampSeconds, sharpness: scores[i]! }])),
    },
    notices: [],
  };
  fs.rmSync(dir, { recursive: true, force: true });
  return { frames, report };
}

async function scoreCandidates(run: PipelineRun, dir: string, candidates: ExtractedFrame[]): Promise<number[]> {
  const cache = path.join(dir, SCORES_FILE);
  if (fs.existsSync(cache)) {
    const saved = JSON.parse(fs.readFileSync(cache, 'utf8')) as number[];
    if (saved.length === candidates.length) return saved;
  }
  const scores = await scoreFiles(
    candidates.map((c) => path.join(dir, c.file)),
    run.signal,
    (done) => run.onProgress?.({ fraction: 0.8 + 0.17 * (done / Math.max(1, candidates.length)), stage: 'scoring', done, total: candidates.length }),
  );
  fs.writeFileSync(cache, JSON.stringify(scores));
  return scores;
}

/** The frame times of the run's range: the caller's listing when it started one, else a new one. */
function scanOnce(run: PipelineRun): Promise<number[]> {
  const { start, end } = rangeOf(run.params, run.probe);
  return (run.frameTimes ?? scanFrameTimes(run.tools.ffprobe.path, run.input, { start, end }, run.signal)).then((times) =>
    end === null ? times : times.filter((t) => t < end),
  );
}

/** Sharpness of each file (variance of the Laplacian at 256 px), in a worker. */
export function scoreFiles(files: string[], signal?: AbortSignal, onProgress?: (done: number) => void): Promise<number[]> {
  if (files.length === 0) return Promise.resolve([]);
  return new Promise((resolve, reject) => {
    const worker = startWorker('extract-sharpness.worker');
    const seq = 1;
    const scores = new Array<number>(files.length).fill(0);
    let done = 0;
    let settled = false;
    const finish = (err?: AppError) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      if (err) reject(err);
      else resolve(scores);
    };
    const onAbort = () => {
      worker.postMessage({ type: 'cancel', seq } satisfies ToSharpnessWorker);
      finish(new AppError('CANCELLED', 'Cancelled'));
    };
    signal?.addEventListener('abort', onAbort);
    worker.on('message', (m: FromSharpnessWorker) => {
      if (m.seq !== seq) return;
      if (m.type === 'scores') {
        for (const s of m.scores) scores[s.index] = s.sharpness;
        done += m.scores.length;
        onProgress?.(done);
      } else if (m.type === 'done') finish();
      else if (m.kind === 'cancelled') finish(new AppError('CANCELLED', 'Cancelled'));
      else finish(new AppError(m.kind === 'unreadable' ? 'MEDIA_UNREADABLE' : 'INTERNAL', `Could not score ${m.file ?? 'a frame'} for sharpness: ${m.message}`));
    });
    worker.on('error', (err) => finish(new AppError('INTERNAL', `Sharpness worker failed: ${err.message}`)));
    worker.on('exit', (code) => {
      if (!settled) finish(new AppError('INTERNAL', `Sharpness worker exited early (code ${code})`));
    });
    if (signal?.aborted) onAbort();
    else worker.postMessage({ type: 'score', seq, files, side: SHARPNESS_SIDE } satisfies ToSharpnessWorker);
  });
}

/** Frames in a folder with what the frames file says about them, ascending. */
export function readFrames(dir: string, format: string): ExtractedFrame[] {
  const re = frameRe(format);
  const info = readFramesFile(dir);
  return fs
    .readdirSync(dir)
    .map((f) => ({ f, m: re.exec(f) }))
    .filter((x) => x.m)
    .map(({ f, m }) => {
      const n = Number(m![1]);
      const i = info.get(n);
      return { n, file: f, timestampSeconds: i?.t ?? null, width: i?.w ?? null, height: i?.h ?? null, sharpness: i?.s ?? null };
    })
    .sort((a, b) => a.n - b.n);
}

/** A finished folder's frames and report. */
export function readResult(dir: string, format: string): PipelineResult {
  const reportFile = path.join(dir, REPORT_FILE);
  const report = fs.existsSync(reportFile) ? (JSON.parse(fs.readFileSync(reportFile, 'utf8')) as FrameSetReport) : { dropBlurry: null, notices: [] };
  return { frames: readFrames(dir, format), report };
}

function readFramesFile(dir: string): Map<number, { t: number; w: number; h: number; s: number | null }> {
  const out = new Map<number, { t: number; w: number; h: number; s: number | null }>();
  const file = path.join(dir, FRAMES_FILE);
  if (!fs.existsSync(file)) return out;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const [n, t, w, h, s] = line.split('\t');
    if (!n || t === undefined) continue;
    out.set(Number(n), { t: Number(t), w: Number(w), h: Number(h), s: s !== undefined && s !== '' ? Number(s) : null });
  }
  return out;
}

function writeFramesFile(dir: string, frames: ExtractedFrame[]): void {
  const tmp = path.join(dir, `${FRAMES_FILE}.tmp`);
  fs.writeFileSync(tmp, frames.map((f) => `${f.n}\t${f.timestampSeconds ?? ''}\t${f.width ?? ''}\t${f.height ?? ''}\t${f.sharpness ?? ''}\n`).join(''));
  fs.renameSync(tmp, path.join(dir, FRAMES_FILE));
}

function lastTimestamp(dir: string, n: number): number | null {
  return readFramesFile(dir).get(n)?.t ?? null;
}

/**
 * Keeps the contiguous run of frames 1..k that also have a recorded time, dropping the last one (it
 * may be half written) and anything after a gap; the frames file is cut to match.
 */
export function keepCompleteFrames(dir: string, format: string): number {
  const re = frameRe(format);
  const info = readFramesFile(dir);
  const nums = fs
    .readdirSync(dir)
    .map((f) => re.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  let k = 0;
  // Older folders have no frames file: fps mode can still resume from the count alone.
  const needTimes = info.size > 0;
  while (k < nums.length && nums[k] === k + 1 && (!needTimes || info.has(k + 1))) k++;
  const keep = Math.max(0, k - 1);
  for (const f of fs.readdirSync(dir)) {
    const m = re.exec(f);
    if (m ? Number(m[1]) > keep : f !== FRAMES_FILE) fs.rmSync(path.join(dir, f), { force: true, recursive: true });
  }
  if (needTimes) {
    const lines = [...info.entries()].filter(([n]) => n <= keep).sort((a, b) => a[0] - b[0]);
    fs.writeFileSync(path.join(dir, FRAMES_FILE), lines.map(([n, i]) => `${n}\t${i.t}\t${i.w}\t${i.h}\n`).join(''));
  }
  return keep;
}

function clearDir(dir: string): void {
  for (const f of fs.readdirSync(dir)) fs.rmSync(path.join(dir, f), { force: true, recursive: true });
}

function nearest(sorted: number[], x: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(sorted[lo - 1]! - x) <= Math.abs(sorted[lo]! - x)) lo -= 1;
  return sorted[lo]!;
}
