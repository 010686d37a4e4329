/**
 * One extraction run into a folder: builds the ffmpeg command, runs it in the extraction worker,
 * reports progress, honours cancel. Shared by frame sets (projects) and `kraken extract`.
 */
import type { Worker } from 'node:worker_threads';
import { AppError } from '../../common/app-error';
import type { ExtractParams, ProbeResult, ToolInfo } from '../../common/contract';
import type { FromExtractWorker, ToExtractWorker } from '../../../native-workers/protocol/extract-protocol';
import { startWorker } from '../workers/worker-path';
import { parseVersion } from './ffmpeg-locator';
import { buildExtractArgs, expectedFrameCount, resumePoint } from './extract-args';

export interface ExtractRun {
  ffmpeg: ToolInfo;
  input: string;
  probe: ProbeResult;
  params: ExtractParams;
  outDir: string;
  /** Frames 1..kept already exist in outDir (resume). */
  kept?: number;
  signal?: AbortSignal;
  onProgress?: (p: { fraction: number; done: number; total: number | null }) => void;
}

/** Runs ffmpeg in a worker until the frames are written; rejects with AppError (CANCELLED on abort). */
export function extractToFolder(run: ExtractRun): Promise<void> {
  const kept = run.kept ?? 0;
  const resume = kept > 0 ? resumePoint(run.params, kept) : null;
  const args = buildExtractArgs({
    input: run.input,
    outDir: run.outDir,
    params: run.params,
    ffmpegMajorMinor: parseVersion(run.ffmpeg.version),
    startNumber: resume?.startNumber,
    seekSeconds: resume?.seekSeconds,
  });
  const duration = run.probe.durationSeconds;
  const total = expectedFrameCount(run.params, run.probe);
  const seek = resume?.seekSeconds ?? 0;
  return new Promise<void>((resolve, reject) => {
    const worker: Worker = startWorker('extract-frames.worker');
    const seq = 1;
    let settled = false;
    const finish = (err?: AppError) => {
      if (settled) return;
      settled = true;
      run.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      if (err) reject(err);
      else resolve();
    };
    const onAbort = () => worker.postMessage({ type: 'cancel', seq } satisfies ToExtractWorker);
    run.signal?.addEventListener('abort', onAbort);
    worker.on('message', (m: FromExtractWorker) => {
      if (m.seq !== seq) return;
      if (m.type === 'progress') {
        const done = kept + m.frame;
        const fraction = duration ? Math.min(0.98, (seek + m.outSeconds) / duration) : total ? Math.min(0.98, done / total) : 0;
        run.onProgress?.({ fraction, done, total });
      } else if (m.type === 'done') finish();
      else if (m.kind === 'cancelled') finish(new AppError('CANCELLED', 'Cancelled'));
      else if (m.kind === 'spawn-failed') finish(new AppError('FFMPEG_MISSING', `Could not start ffmpeg (${run.ffmpeg.path}): ${m.message}`));
      else finish(ffmpegFailure(m.stderrTail, run.outDir));
    });
    worker.on('error', (err) => finish(new AppError('INTERNAL', `Extraction worker failed: ${err.message}`)));
    worker.on('exit', (code) => {
      if (!settled) finish(new AppError('INTERNAL', `Extraction worker exited early (code ${code})`));
    });
    if (run.signal?.aborted) onAbort();
    const msg: ToExtractWorker = { type: 'start', seq, spec: { ffmpeg: run.ffmpeg.path, args, expectedSeconds: duration ? duration - seek : null } };
    worker.postMessage(msg);
  });
}

/** Turns ffmpeg's failure into a message a creator can act on. */
export function ffmpegFailure(stderr: string, outDir: string): AppError {
  const tail = stderr.trim().split('\n').slice(-3).join(' | ');
  if (/No space left on device/i.test(stderr)) return new AppError('IO_ERROR', 'The disk is full. Free some space and resume.', { ffmpeg: tail });
  if (/Permission denied|Read-only file system/i.test(stderr))
    return new AppError('IO_ERROR', `Cannot write frames to ${outDir}: the folder is read-only or access is denied.`, { ffmpeg: tail });
  return new AppError('MEDIA_UNREADABLE', 'ffmpeg could not decode this video: it may be damaged or truncated.', { ffmpeg: tail });
}
