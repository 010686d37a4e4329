/**
 * Finds a video whose index promises more than the file holds: a faststart MP4 (index first) cut short still
 * opens with its full duration, but the pictures after the cut are not there. A fast look at the packets of
 * the last seconds settles a healthy file (~0.1 s, whatever its size); only when they are missing or reach
 * past the end of the file is every packet listed, to find where the picture really stops.
 */
import { execFile } from 'node:child_process';
import { AppError } from '../../common/app-error';
import { ffFileArg } from './ff-file-arg';

export interface Damage {
  /** Where the picture stops (end of the last complete video packet), seconds from the start. */
  readableSeconds: number;
  /** Where every stream is still complete (audio may stop before the picture): what a trim can keep. */
  completeSeconds: number;
  /** What the index promises (the video stream's duration). */
  indexSeconds: number;
}

interface Packet {
  stream: number;
  pts: number;
  end: number;
  pos: number | null;
  size: number | null;
}

/** Seconds before the promised end whose packets the fast check reads. */
const TAIL_SECONDS = 3;

/** Parses `-of compact=p=0` packet lines (stream_index=…|pts_time=…|duration_time=…|size=…|pos=…). */
export function parsePackets(text: string): Packet[] {
  const out: Packet[] = [];
  for (const line of text.split('\n')) {
    const f: Record<string, string> = {};
    for (const kv of line.trim().split('|')) {
      const eq = kv.indexOf('=');
      if (eq > 0) f[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    const pts = Number(f.pts_time);
    if (f.pts_time === undefined || !Number.isFinite(pts)) continue;
    const dur = Number(f.duration_time);
    const pos = Number(f.pos);
    const size = Number(f.size);
    out.push({
      stream: Number(f.stream_index ?? 0),
      pts,
      end: pts + (Number.isFinite(dur) ? dur : 0),
      pos: f.pos !== undefined && Number.isFinite(pos) ? pos : null,
      size: f.size !== undefined && Number.isFinite(size) ? size : null,
    });
  }
  return out;
}

/**
 * The verdict from packets: damaged when the picture ends clearly before the index says (more than half a second
 * or three frames), or a packet the index lists lies past the end of the file. Pure (unit-tested).
 */
export function judgeDamage(packets: Packet[], o: { videoStream: number; indexSeconds: number; fileSize: number; fps: number }): Damage | null {
  const inFile = (p: Packet) => p.pos === null || p.size === null || p.pos + p.size <= o.fileSize;
  const video = packets.filter((p) => p.stream === o.videoStream && inFile(p));
  if (video.length === 0) return null;
  const readable = Math.max(...video.map((p) => p.end));
  const tolerance = Math.max(0.5, 3 / (o.fps > 0 ? o.fps : 30));
  if (o.indexSeconds - readable <= tolerance) return null;
  const ends = new Map<number, number>();
  for (const p of packets) if (inFile(p)) ends.set(p.stream, Math.max(ends.get(p.stream) ?? 0, p.end));
  return { readableSeconds: readable, completeSeconds: Math.min(readable, ...ends.values()), indexSeconds: o.indexSeconds };
}

/** Checks one video; null when it holds what its index promises (or when its packets carry no times to judge by). */
export async function scanForDamage(
  ffprobe: string,
  file: string,
  o: { videoStream: number; indexSeconds: number | null; fileSize: number; fps: number; signal?: AbortSignal },
): Promise<Damage | null> {
  if (o.indexSeconds === null || !(o.indexSeconds > 0)) return null;
  const entries = ['-show_entries', 'packet=stream_index,pts_time,duration_time,size,pos', '-of', 'compact=p=0'];
  const tailStart = Math.max(0, o.indexSeconds - TAIL_SECONDS);
  const tail = await run(ffprobe, ['-v', 'error', '-select_streams', `${o.videoStream}`, '-read_intervals', `${tailStart.toFixed(3)}%`, ...entries, ffFileArg(file)], o.signal);
  const tailPackets = parsePackets(tail);
  const judge = { videoStream: o.videoStream, indexSeconds: o.indexSeconds, fileSize: o.fileSize, fps: o.fps };
  if (tailPackets.length > 0 && judgeDamage(tailPackets, judge) === null) return null;
  // The end is missing: list every packet of every stream to find where each really stops.
  return judgeDamage(parsePackets(await run(ffprobe, ['-v', 'error', ...entries, ffFileArg(file)], o.signal)), judge);
}

function run(ffprobe: string, args: string[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(ffprobe, args, { maxBuffer: 256 * 1024 * 1024, timeout: 120_000, windowsHide: true, signal }, (err, stdout) => {
      if (err && (err as { name?: string }).name === 'AbortError') return reject(new AppError('CANCELLED', 'Cancelled'));
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') return reject(new AppError('FFMPEG_MISSING', `ffprobe not found at ${ffprobe}`));
      // A damaged file makes ffprobe complain (and sometimes exit non-zero) after listing what it could read.
      resolve(String(stdout ?? ''));
    });
  });
}
