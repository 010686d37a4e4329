/**
 * Reading the upload: ffprobe for the limits (length, picture size, rotation), then a few tiny RGB frames
 * (ffmpeg for video, sharp for images) that the result files are made from. Spawned with argument arrays,
 * with timeouts, so a hostile or broken file can only fail its own job.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import sharp from 'sharp';

export interface Tools {
  ffmpeg: string;
  ffprobe: string;
}

/** The system ffmpeg/ffprobe when present, else the ones on PATH. */
export function defaultTools(): Tools {
  const pick = (name: string) => [`/usr/bin/${name}`, `/usr/local/bin/${name}`, `/opt/homebrew/bin/${name}`].find((p) => fs.existsSync(p)) ?? name;
  return { ffmpeg: process.env.KRAKEN_FFMPEG ?? pick('ffmpeg'), ffprobe: process.env.KRAKEN_FFPROBE ?? pick('ffprobe') };
}

export interface MediaProbe {
  kind: 'video' | 'image';
  /** Display size (rotation applied). */
  width: number;
  height: number;
  durationSeconds: number | null;
  formatName: string;
  codec: string;
}

function run(bin: string, args: string[], timeoutMs = 20_000, maxBuffer = 16 << 20): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { encoding: 'buffer', timeout: timeoutMs, maxBuffer, windowsHide: true }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${bin.split(/[\\/]/).pop()} failed: ${stderr.toString('utf8').trim().split('\n').slice(-2).join(' ') || err.message}`));
      else resolve(stdout);
    });
  });
}

const IMAGE_CODECS = new Set(['png', 'mjpeg', 'jpeg2000', 'webp', 'bmp', 'gif', 'tiff']);

/** ffprobe's view of a file; throws when it cannot be read as media. */
export async function probeMedia(tools: Tools, file: string): Promise<MediaProbe> {
  const out = await run(tools.ffprobe, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file]);
  const j = JSON.parse(out.toString('utf8')) as {
    format?: { format_name?: string; duration?: string };
    streams?: { codec_type?: string; codec_name?: string; width?: number; height?: number; duration?: string; tags?: { rotate?: string }; side_data_list?: { rotation?: number }[]; disposition?: { attached_pic?: number } }[];
  };
  const v = (j.streams ?? []).find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic && s.width && s.height);
  if (!v) throw new Error('no picture in this file');
  const rotation = Number(v.tags?.rotate ?? v.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? 0);
  const quarter = Math.abs(Math.round(rotation / 90)) % 2 === 1;
  const formatName = j.format?.format_name ?? '';
  const codec = v.codec_name ?? '';
  const isImage = IMAGE_CODECS.has(codec) && /image2|png_pipe|jpeg_pipe|webp_pipe|bmp_pipe|_pipe/.test(formatName);
  const d = Number(j.format?.duration ?? v.duration);
  return {
    kind: isImage ? 'image' : 'video',
    width: quarter ? v.height! : v.width!,
    height: quarter ? v.width! : v.height!,
    durationSeconds: Number.isFinite(d) ? d : null,
    formatName,
    codec,
  };
}

/** A tiny RGB picture. */
export interface Rgb {
  width: number;
  height: number;
  /** width × height × 3 bytes. */
  data: Uint8Array;
}

/** Size of the sampled frames: `side` px on the long side, aspect kept, even. */
function sampleSize(w: number, h: number, side: number): { w: number; h: number } {
  const s = side / Math.max(w, h);
  const even = (n: number) => Math.max(2, Math.round((n * s) / 2) * 2);
  return { w: even(w), h: even(h) };
}

/** One frame at `at` seconds, `side` px on its long side (a fast seek; falls back to the first frame). */
export async function grabFrame(tools: Tools, file: string, probe: MediaProbe, at: number, side = 64): Promise<Rgb> {
  const { w, h } = sampleSize(probe.width, probe.height, side);
  const args = ['-hide_banner', '-loglevel', 'error', '-ss', at.toFixed(3), '-i', file, '-frames:v', '1', '-vf', `scale=${w}:${h}:flags=area`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'];
  let buf = await run(tools.ffmpeg, args);
  if (buf.length < w * h * 3 && at > 0) buf = await run(tools.ffmpeg, args.map((a, k) => (k === 4 ? '0' : a))); // a seek past the last frame
  if (buf.length < w * h * 3) throw new Error('ffmpeg decoded no frame from this video');
  return { width: w, height: h, data: new Uint8Array(buf.subarray(0, w * h * 3)) };
}

/** A smaller copy of a picture (`side` px on the long side). */
export async function shrink(img: Rgb, side: number): Promise<Rgb> {
  const { w, h } = sampleSize(img.width, img.height, side);
  const data = await sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: 3 } }).resize(w, h, { fit: 'fill' }).raw().toBuffer();
  return { width: w, height: h, data: new Uint8Array(data) };
}

/** A picture as a PNG file. */
export async function writePng(img: Rgb, out: string): Promise<void> {
  await sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: 3 } }).png().toFile(out);
}

/** The image as one tiny frame (EXIF orientation applied). */
export async function sampleImage(file: string, side = 64): Promise<Rgb> {
  const meta = await sharp(file).rotate().metadata();
  const upright = (meta.orientation ?? 1) >= 5;
  const w0 = (upright ? meta.height : meta.width) ?? 1;
  const h0 = (upright ? meta.width : meta.height) ?? 1;
  const { w, h } = sampleSize(w0, h0, side);
  const data = await sharp(file).rotate().resize(w, h, { fit: 'fill' }).removeAlpha().raw().toBuffer();
  return { width: w, height: h, data: new Uint8Array(data) };
}

/** Size of a still image (sharp, orientation applied); throws when sharp cannot read it. */
export async function imageSize(file: string): Promise<{ width: number; height: number; format: string }> {
  const meta = await sharp(file).metadata();
  const upright = (meta.orientation ?? 1) >= 5;
  if (!meta.width || !meta.height) throw new Error('no picture in this file');
  return { width: upright ? meta.height : meta.width, height: upright ? meta.width : meta.height, format: meta.format ?? '' };
}

/** A PNG preview (long side `side`, never enlarged) of an image. */
export async function imageThumbnail(file: string, out: string, side = 256): Promise<void> {
  await sharp(file).rotate().resize(side, side, { fit: 'inside', withoutEnlargement: true }).png().toFile(out);
}
