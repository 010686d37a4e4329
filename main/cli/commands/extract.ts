/**
 * `kraken extract <video> --out <dir> <mode> [options]` — frames from a video, the way the studio's
 * frame sets make them. Frames go to <dir>/.kraken-partial first and are moved in only when the
 * run succeeded; an interrupted run (Ctrl+C, ffmpeg killed, disk full) keeps them for `--resume`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AppError } from '../../common/app-error';
import { runExtractionPipeline } from '../../node/media/extract-pipeline';
import { prewarmFfmpegWorker } from '../../node/media/extractor';
import { scanFrameTimes } from '../../node/media/frame-scan';
import { probeFile } from '../../node/media/probe';
import { ToolBox } from '../../node/media/tool-box';
import type { ProbeResult } from '../../common/contract';
import { progressLine, UsageError, wantsHelp, type CliIo } from '../cli-io';
import { paramsFromFlags } from './extract-flags';

const USAGE = [
  'usage: kraken extract <video> --out <dir> (--fps N | --every N | --keyframes | --scene T | --count N)',
  '         [--start S] [--end S] [--max-side PX] [--format jpg|png|webp] [--quality 1-100] [--drop-blurry]',
  '         [--resume] [--manifest] [--json]',
].join('\n');

const HELP = `${USAGE}

modes (exactly one):
  --fps N        the first frame at or after every 1/N s (no duplicates on variable-frame-rate video)
  --every N      every N-th frame, the first one included
  --keyframes    key frames only (fast: nothing else is decoded)
  --scene T      the first frame and every frame that differs from the one before by more than T (0..1, try 0.3)
  --count N      exactly N frames spread evenly over the video or the range (the 3D capture default)
options:
  --start/--end  range in seconds from the start of the file
  --max-side PX  downscale so the longer side is at most PX (aspect kept)
  --drop-blurry  score sharpness; keep the sharpest frame of each interval (or drop frames much blurrier than their neighbours)
  --resume       continue an interrupted run in the same --out folder
  --manifest     also write frames.csv (file, source time, size, sharpness)
  --json         print the result as JSON (frames with their real source times)`;

export async function runExtract(argv: string[], io: CliIo): Promise<number> {
  if (wantsHelp(argv)) {
    io.out(HELP);
    return 0;
  }
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      fps: { type: 'string' },
      every: { type: 'string' },
      keyframes: { type: 'boolean', default: false },
      scene: { type: 'string' },
      count: { type: 'string' },
      start: { type: 'string' },
      end: { type: 'string' },
      'max-side': { type: 'string' },
      format: { type: 'string', default: 'jpg' },
      quality: { type: 'string', default: '90' },
      'drop-blurry': { type: 'boolean', default: false },
      resume: { type: 'boolean', default: false },
      manifest: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const input = positionals[0];
  if (!input || positionals.length > 1 || !values.out) throw new UsageError(USAGE);
  const flags = paramsFromFlags(values);
  if ('modes' in flags) throw new UsageError(`choose exactly one mode. ${USAGE}`);
  if ('error' in flags) throw new UsageError(`${flags.error}. ${USAGE}`);
  const params = flags.params;
  // The worker thread starts while ffmpeg is found and the file probed.
  prewarmFfmpegWorker();
  const tools = await new ToolBox(() => ({ ffmpegPath: null, ffprobePath: null })).require();
  // Modes that pick from the list of frame times get it listed while the file is probed.
  const listed = params.mode.kind === 'count' || (params.dropBlurry && params.mode.kind !== 'keyframes' && params.mode.kind !== 'scene');
  const frameTimes = listed ? scanFrameTimes(tools.ffprobe.path, path.resolve(input), { start: params.start ?? 0, end: params.end ?? null }, io.signal) : undefined;
  frameTimes?.catch(() => undefined);
  // ffmpeg starts at once and the file is probed meanwhile (saves the probe's ~50 ms on every run);
  // what the probe says wins: not a video, unreadable or a start past the end stop the run with its message.
  const probe: ProbeResult = provisionalProbe(path.resolve(input));
  const stop = new AbortController();
  io.signal.addEventListener('abort', () => stop.abort());
  const probed = probeFile(tools.ffprobe.path, input, { signal: io.signal, sample: false }).then((p) => {
    Object.assign(probe, p);
    if (p.kind !== 'video') throw new AppError('INVALID_INPUT', 'This is an image; frames can only be extracted from a video.');
    if (params.start !== undefined && p.durationSeconds !== null && params.start >= p.durationSeconds)
      throw new UsageError(`--start ${params.start} is past the end of the video (${p.durationSeconds.toFixed(2)} s).`);
    return p;
  });
  probed.catch(() => stop.abort());

  const outDir = path.resolve(values.out);
  const partial = path.join(outDir, '.kraken-partial');
  try {
    fs.mkdirSync(partial, { recursive: true });
  } catch (err) {
    await probed;
    throw AppError.from(err);
  }
  const started = Date.now();
  try {
    const run = runExtractionPipeline({
      tools,
      input: probe.path,
      probe,
      probeReady: probed,
      params,
      workDir: partial,
      resuming: values.resume,
      frameTimes,
      signal: stop.signal,
      onProgress: (p) => {
        if (io.interactive && !values.json) io.err(progressLine(p.fraction, `${p.stage} ${p.done}${p.total ? `/${p.total}` : ''} frames`));
      },
    });
    // The probe's verdict first: its error explains a failure better than ffmpeg's (and cancels the run).
    const settled = await Promise.allSettled([probed, run]);
    if (settled[0].status === 'rejected') throw settled[0].reason;
    if (settled[1].status === 'rejected') throw settled[1].reason;
    const { frames, report } = settled[1].value;
    for (const f of frames) fs.renameSync(path.join(partial, f.file), path.join(outDir, f.file));
    if (values.manifest) {
      const rows = frames.map((f) => [f.file, f.timestampSeconds ?? '', f.width ?? '', f.height ?? '', f.sharpness ?? ''].join(','));
      fs.writeFileSync(path.join(outDir, 'frames.csv'), ['file,timestamp_s,width,height,sharpness', ...rows].join('\n') + '\n');
    }
    fs.rmSync(partial, { recursive: true, force: true });
    const seconds = (Date.now() - started) / 1000;
    if (io.interactive && !values.json) io.err(progressLine(1, `${frames.length} frames\n`));
    if (values.json) {
      io.out(
        JSON.stringify(
          {
            input: probe.path,
            outDir,
            params,
            frameCount: frames.length,
            // Every frame of a run has the same size (display orientation, after --max-side).
            size: frames[0]?.width ? { width: frames[0].width, height: frames[0].height } : null,
            seconds,
            ffmpeg: tools.ffmpeg,
            frames: frames.map((f) => ({ file: f.file, timestampSeconds: f.timestampSeconds, ...(f.sharpness !== null ? { sharpness: f.sharpness } : {}) })),
            report,
          },
          null,
          2,
        ),
      );
    } else {
      const dropped = report.dropBlurry ? ` (${report.dropBlurry.dropped.length} blurrier candidates dropped)` : '';
      io.out(`${frames.length} frames written to ${outDir} in ${seconds.toFixed(2)} s${dropped}`);
    }
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      fs.rmSync(partial, { recursive: true, force: true });
      throw err;
    }
    const e = AppError.from(err);
    // What can be continued is kept for --resume; a file that cannot be read leaves nothing behind.
    const resumable = e.code === 'CANCELLED' || e.code === 'IO_ERROR' || (e.code === 'INTERNAL' && /stopped by/.test(e.message));
    if (!resumable) fs.rmSync(partial, { recursive: true, force: true });
    else if (e.code !== 'CANCELLED') throw new AppError(e.code, `${e.message} Run the same command with --resume to continue.`, e.details);
    throw e;
  }
}

/** What is assumed of the input until ffprobe answers (a video; duration unknown). */
function provisionalProbe(file: string): ProbeResult {
  return {
    path: file,
    kind: 'video',
    container: '',
    sizeBytes: 0,
    durationSeconds: null,
    bitRate: null,
    video: {
      codec: '', profile: null, width: 0, height: 0, displayWidth: 0, displayHeight: 0, rotation: 0, fps: 0, realFps: 0, variableFrameRate: false,
      pixelFormat: null, bitRate: null, frameCount: null, level: null, keyframeIntervalSeconds: null, keyframeIntervalFrames: null, frameRateEvidence: 'header',
    },
    audio: null,
  };
}
