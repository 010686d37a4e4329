/**
 * Probes a video or image with ffprobe (JSON output) and normalises what later stages need:
 * display size after rotation, real and average frame rate, variable frame rate, audio.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { AppError } from '../../common/app-error';
import type { ProbeResult } from '../../common/contract';

interface FfStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  profile?: string;
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
  format?: { format_name?: string; duration?: string; bit_rate?: string; size?: string };
}

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
    if (audio) throw new AppError('MEDIA_UNREADABLE', 'This file has sound but no picture (audio only). Choose a video or an image.', { file });
    throw new AppError('MEDIA_UNREADABLE', 'No video or image stream found in this file.', { file });
  }
  const isImage = IMAGE_FORMATS.test(formatName) || (formatName.includes('_pipe') && !audio);
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
    },
    audio: audio
      ? { codec: audio.codec_name ?? 'unknown', channels: audio.channels ?? null, sampleRate: audio.sample_rate ? Number(audio.sample_rate) : null }
      : null,
  };
}

/** Probes one file. Clear errors for missing, empty, unreadable, non-media and audio-only files. */
export async function probeFile(ffprobe: string, file: string, signal?: AbortSignal): Promise<ProbeResult> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch {
    throw new AppError('NOT_FOUND', `File not found: ${file}`, { file });
  }
  if (!stat.isFile()) throw new AppError('INVALID_INPUT', `Not a file: ${file}`, { file });
  if (stat.size === 0) throw new AppError('MEDIA_UNREADABLE', 'The file is empty (0 bytes).', { file });
  const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file];
  const { stdout, stderr, code } = await run(ffprobe, args, signal);
  if (code !== 0) {
    throw new AppError('MEDIA_UNREADABLE', `ffmpeg cannot read this file: it is damaged, truncated or not a video or image.`, {
      file,
      ffprobe: stderr.trim().split('\n').slice(-3).join(' | '),
    });
  }
  let json: FfProbeJson;
  try {
    json = JSON.parse(stdout) as FfProbeJson;
  } catch {
    throw new AppError('MEDIA_UNREADABLE', 'ffprobe returned output that could not be read.', { file });
  }
  return normaliseProbe(file, stat.size, json);
}

function run(file: string, args: string[], signal?: AbortSignal): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: 32 * 1024 * 1024, timeout: 60_000, windowsHide: true, signal }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new AppError('FFMPEG_MISSING', `ffprobe not found at ${file}`));
        return;
      }
      if (err && (err as { name?: string }).name === 'AbortError') {
        reject(new AppError('CANCELLED', 'Cancelled'));
        return;
      }
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ stdout: String(stdout), stderr: String(stderr), code });
    });
  });
}
