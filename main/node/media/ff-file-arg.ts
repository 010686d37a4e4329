/**
 * How a file name reaches ffmpeg or ffprobe: always as an absolute path. A relative name is parsed by them
 * before it is opened — one that starts with "-" is read as an option (`kraken probe -- -report` made ffprobe
 * write a report file), one with a colon as a protocol ("concat:a|b", "http:…"). An absolute path is neither,
 * on every OS (ffmpeg reads "C:\…" as a file too).
 */
import path from 'node:path';

/** `file` as an argument for ffmpeg/ffprobe (input, output, output pattern or filter script). */
export function ffFileArg(file: string): string {
  return path.resolve(file);
}
