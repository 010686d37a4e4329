/**
 * Lists the source time of every video frame in a range from packet timestamps (demuxing only,
 * no decoding), streamed line by line: count mode picks its frames from this list.
 */
import { spawn } from 'node:child_process';
import { AppError } from '../../common/app-error';
import { ffFileArg } from './ff-file-arg';

/** Sorted frame times in seconds from the start of the file, within [start, end). */
export function scanFrameTimes(ffprobe: string, file: string, range: { start: number; end: number | null }, signal?: AbortSignal): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const args = ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'format=start_time:packet=pts_time', '-of', 'compact'];
    // Reading stops after the range; the demuxer starts at the key frame before its start.
    if (range.start > 0 || range.end !== null) args.push('-read_intervals', `${range.start > 0 ? range.start.toFixed(6) : ''}%${range.end !== null ? range.end.toFixed(6) : ''}`);
    args.push(ffFileArg(file));
    const child = spawn(ffprobe, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true, signal });
    const times: number[] = [];
    let startTime = 0;
    let buf = '';
    let stderr = '';
    const line = (l: string) => {
      // "packet|pts_time=1.233333" and, last, "format|start_time=0.000000"
      const eq = l.indexOf('=');
      if (eq < 0) return;
      const v = Number(l.slice(eq + 1));
      if (!Number.isFinite(v)) return;
      if (l.startsWith('packet|')) times.push(v);
      else if (l.startsWith('format|')) startTime = v;
    };
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      buf += c;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        line(buf.slice(0, nl).trim());
        buf = buf.slice(nl + 1);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr = (stderr + c).slice(-2000);
    });
    child.on('error', (err) => {
      if ((err as { name?: string }).name === 'AbortError') reject(new AppError('CANCELLED', 'Cancelled'));
      else reject(new AppError('FFMPEG_MISSING', `Could not start ffprobe (${ffprobe}): ${err.message}`));
    });
    child.on('close', (code) => {
      if (signal?.aborted) return reject(new AppError('CANCELLED', 'Cancelled'));
      if (buf.trim()) line(buf.trim());
      if (code !== 0) return reject(new AppError('MEDIA_UNREADABLE', 'ffprobe could not list the frames of this video: it may be damaged.', { ffprobe: stderr.trim() }));
      const end = range.end ?? Infinity;
      const out = times.map((t) => t - startTime).filter((t) => t >= range.start - 1e-6 && t < end);
      out.sort((a, b) => a - b);
      // Packets with the same time (rare) are one picture.
      resolve(out.filter((t, i) => i === 0 || t - out[i - 1]! > 1e-7));
    });
  });
}
