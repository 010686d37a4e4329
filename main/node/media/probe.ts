/**
 * Probes a video or image with ffprobe (JSON output) and normalises what later stages need:
 * display size after rotation, real and average frame rate, variable frame rate, audio.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { AppError } from '../../common/app-error';
import { say } from '../../common/messages';
import type { ProbeResult } from '../../common/contract';
import { scanForDamage } from './damage-scan';
import { ffFileArg } from './ff-file-arg';

interface FfStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  profile?: string;
  level?: number;
  width?: number;
  height?: number;
  pix_fmt?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  bit_rate?: string;
  nb_frames?: string;
  duration?: string;
  channels?: number;
  sample_rate?: string;
  disposition?: { attached_pic?: number };
  tags?: Record<string, string>;
  side_data_list?: { side_data_type?: string; rotation?: number }[];
}

interface FfProbeJson {
  streams?: FfStream[];
  format?: { format_name?: string; duration?: string; bit_rate?: string; size?: string; tags?: Record<string, string> };
}

/** What a bounded sample of video packets says about key frames and frame timing. */
export interface PacketSample {
  keyframeIntervalSeconds: number | null;
  variableFrameRate: boolean;
  packets: number;
}

/** HEIF-family still images (AVIF, HEIC) that ffmpeg's mov demuxer opens as one-frame videos. */
const HEIF_BRANDS = /^(avif|avis|heic|heix|heim|heis|mif1|msf1)$/;

const IMAGE_FORMATS = /^(image2|png_pipe|jpeg_pipe|webp_pipe|bmp_pipe|tiff_pipe|gif|heif|avif|mjpeg)$/;

/** Parses "30000/1001" → 29.97; "0/0" → 0. */
export function parseRate(rate: string | undefined): number {
  if (!rate) return 0;
  const [n, d] = rate.split('/').map(Number);
  if (!n || !d || !Number.isFinite(n) || !Number.isFinite(d)) return 0;
  return n / d;
}

/** Clockwise display rotation in degrees (0/90/180/270) from the display matrix or the legacy `rotate` tag. */
export function rotationOf(stream: Pick<FfStream, 'side_data_list' | 'tags'>): number {
  const matrix = stream.side_data_list?.find((s) => typeof s.rotation === 'number');
  // ffprobe reports the display matrix angle counter-clockwise; the legacy tag is clockwise.
  const raw = matrix ? -(matrix.rotation as number) : Number(stream.tags?.rotate ?? 0);
  const deg = ((Math.round(raw / 90) * 90) % 360 + 360) % 360;
  return deg;
}

/** Normalises ffprobe's JSON into a ProbeResult; throws MEDIA_UNREADABLE when there is no picture. */
export function normaliseProbe(file: string, sizeBytes: number, json: FfProbeJson): ProbeResult {
  const streams = json.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic) ?? streams.find((s) => s.codec_type === 'video');
  const audio = streams.find((s) => s.codec_type === 'audio');
  const formatName = json.format?.format_name ?? 'unknown';
  if (!video || !video.width || !video.height) {
    if (audio) throw new AppError('MEDIA_UNREADABLE', say('media.audio_only', {}), { file });
    throw new AppError('MEDIA_UNREADABLE', say('media.no_stream', {}), { file });
  }
  const brand = json.format?.tags?.major_brand?.trim() ?? '';
  const isImage = IMAGE_FORMATS.test(formatName) || (formatName.includes('_pipe') && !audio) || (HEIF_BRANDS.test(brand) && !audio && (video.nb_frames ?? '1') === '1');
  const rotation = rotationOf(video);
  const swap = rotation === 90 || rotation === 270;
  const realFps = parseRate(video.r_frame_rate);
  const avgFps = parseRate(video.avg_frame_rate);
  const duration = Number(json.format?.duration ?? video.duration);
  const nbFrames = video.nb_frames ? Number(video.nb_frames) : null;
  // A stream whose base rate and average rate differ by more than 1 % has frames at irregular times.
  const vfr = !isImage && realFps > 0 && avgFps > 0 && Math.abs(realFps - avgFps) / realFps > 0.01;
  const bitRate = json.format?.bit_rate ? Number(json.format.bit_rate) : null;
  return {
    path: file,
    kind: isImage ? 'image' : 'video',
    container: formatName,
    sizeBytes,
    durationSeconds: isImage || !Number.isFinite(duration) ? null : duration,
    bitRate: bitRate && Number.isFinite(bitRate) ? bitRate : null,
    video: {
      codec: video.codec_name ?? 'unknown',
      profile: video.profile ?? null,
      width: video.width,
      height: video.height,
      displayWidth: swap ? video.height : video.width,
      displayHeight: swap ? video.width : video.height,
      rotation,
      fps: isImage ? 0 : avgFps || realFps,
      realFps: isImage ? 0 : realFps,
      variableFrameRate: vfr,
      pixelFormat: video.pix_fmt ?? null,
      bitRate: video.bit_rate ? Number(video.bit_rate) : null,
      frameCount: nbFrames !== null && Number.isFinite(nbFrames) ? nbFrames : null,
      level: typeof video.level === 'number' && video.level > 0 ? video.level : null,
      keyframeIntervalSeconds: null,
      keyframeIntervalFrames: null,
      frameRateEvidence: 'header',
    },
    audio: audio
      ? { codec: audio.codec_name ?? 'unknown', channels: audio.channels ?? null, sampleRate: audio.sample_rate ? Number(audio.sample_rate) : null }
      : null,
  };
}

/**
 * Reads key-frame spacing and real frame timing from `pts,flags` lines of ffprobe's packet listing.
 * Packets are sorted by presentation time first (B-frames arrive out of order).
 */
export function analysePackets(csv: string): PacketSample {
  const pts: number[] = [];
  const keys: number[] = [];
  for (const line of csv.split('\n')) {
    const [t, flags] = line.trim().split(',');
    const v = Number(t);
    if (!t || t === 'N/A' || !Number.isFinite(v)) continue;
    pts.push(v);
    if (flags?.startsWith('K')) keys.push(v);
  }
  pts.sort((a, b) => a - b);
  keys.sort((a, b) => a - b);
  const deltas: number[] = [];
  for (let i = 1; i < pts.length; i++) {
    const d = pts[i]! - pts[i - 1]!;
    if (d > 0) deltas.push(d);
  }
  let variableFrameRate = false;
  if (deltas.length >= 4) {
    const med = median(deltas);
    // Containers with millisecond clocks jitter by one tick (33/34 ms at 30 fps): that is not VFR.
    const tolerance = Math.max(0.15 * med, 0.0015);
    const off = deltas.filter((d) => Math.abs(d - med) > tolerance).length;
    // One odd gap is a glitch (an edit list, a dropped frame); two or more mean the timing really varies.
    variableFrameRate = off >= 2;
  }
  const gaps: number[] = [];
  for (let i = 1; i < keys.length; i++) gaps.push(keys[i]! - keys[i - 1]!);
  return { keyframeIntervalSeconds: gaps.length ? median(gaps) : null, variableFrameRate, packets: pts.length };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Seconds of packets the probe samples for key frames and frame timing (bounded: huge files stay fast). */
export const PACKET_SAMPLE_SECONDS = 10;

export interface ProbeOptions {
  signal?: AbortSignal;
  /** Read a bounded packet sample for key-frame interval and measured VFR (default true). */
  sample?: boolean;
}

/** Probes one file. Clear errors for missing, empty, unreadable, non-media and audio-only files. */
export async function probeFile(ffprobe: string, file: string, signalOrOptions?: AbortSignal | ProbeOptions): Promise<ProbeResult> {
  const opts: ProbeOptions = signalOrOptions instanceof AbortSignal ? { signal: signalOrOptions } : (signalOrOptions ?? {});
  const signal = opts.signal;
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch {
    throw new AppError('NOT_FOUND', say('error.file_not_found', { path: file }), { file });
  }
  if (!stat.isFile()) throw new AppError('INVALID_INPUT', say('error.not_a_file', { path: file }), { file });
  if (stat.size === 0) throw new AppError('MEDIA_UNREADABLE', say('media.empty_file', {}), { file });
  const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', ffFileArg(file)];
  const { stdout, stderr, code } = await run(ffprobe, args, signal);
  if (code !== 0) {
    const detail = { file, ffprobe: stderr.trim().split('\n').slice(-3).join(' | ') };
    if (/\.(heic|heif)$/i.test(file)) {
      throw new AppError('MEDIA_UNREADABLE', say('media.heic_unsupported', {}), detail);
    }
    throw new AppError('MEDIA_UNREADABLE', say('media.unreadable', {}), detail);
  }
  let json: FfProbeJson;
  try {
    json = JSON.parse(stdout) as FfProbeJson;
  } catch {
    throw new AppError('MEDIA_UNREADABLE', say('media.probe_output', {}), { file });
  }
  const probe = normaliseProbe(file, stat.size, json);
  if (probe.kind === 'video') {
    // Cheap for a healthy file (the last seconds' packets), and it must hold for every probe: a cut-short file
    // otherwise passes pre-flight with the duration its index promises.
    const stream = (json.streams ?? []).find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic) ?? (json.streams ?? []).find((s) => s.codec_type === 'video');
    const indexSeconds = Number(stream?.duration ?? probe.durationSeconds);
    probe.damage = await scanForDamage(ffprobe, file, { videoStream: stream?.index ?? 0, indexSeconds: Number.isFinite(indexSeconds) ? indexSeconds : null, fileSize: stat.size, fps: probe.video.fps, signal });
  }
  if (probe.kind === 'video' && opts.sample !== false) {
    const sampleArgs = ['-v', 'error', '-select_streams', 'v:0', '-read_intervals', `%+${PACKET_SAMPLE_SECONDS}`, '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', ffFileArg(file)];
    const sample = await run(ffprobe, sampleArgs, signal).catch(() => null);
    if (sample && sample.code === 0) {
      const a = analysePackets(sample.stdout);
      if (a.packets >= 5) {
        probe.video.variableFrameRate = a.variableFrameRate;
        probe.video.frameRateEvidence = 'packets';
      }
      probe.video.keyframeIntervalSeconds = a.keyframeIntervalSeconds;
      probe.video.keyframeIntervalFrames = a.keyframeIntervalSeconds !== null && probe.video.fps > 0 ? Math.round(a.keyframeIntervalSeconds * probe.video.fps) : null;
    }
  }
  return probe;
}

function run(file: string, args: string[], signal?: AbortSignal): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: 32 * 1024 * 1024, timeout: 60_000, windowsHide: true, signal }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new AppError('FFMPEG_MISSING', say('media.ffprobe_missing', { path: file })));
        return;
      }
      if (err && (err as { name?: string }).name === 'AbortError') {
        reject(new AppError('CANCELLED', say('error.cancelled', {})));
        return;
      }
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ stdout: String(stdout), stderr: String(stderr), code });
    });
  });
}
