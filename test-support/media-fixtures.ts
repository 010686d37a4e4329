/**
 * Real media for tests, generated with ffmpeg's lavfi sources (nothing binary is committed).
 * Files are cached under .tmp/fixtures and rebuilt when missing.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const FIXTURE_DIR = path.resolve(__dirname, '..', '.tmp', 'fixtures');

/** The ffmpeg used to make fixtures: KRAKEN_FFMPEG, else the system one, else the npm-bundled one. */
export function fixtureFfmpeg(): string {
  if (process.env.KRAKEN_FFMPEG) return process.env.KRAKEN_FFMPEG;
  for (const c of ['/usr/bin/ffmpeg', '/usr/local/bin/ffmpeg', '/opt/homebrew/bin/ffmpeg']) if (fs.existsSync(c)) return c;
  return (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
}

function make(name: string, build: (out: string) => void): string {
  const out = path.join(FIXTURE_DIR, name);
  if (fs.existsSync(out)) return out;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = path.join(path.dirname(out), `.tmp-${process.pid}-${path.basename(out)}`);
  build(tmp);
  fs.renameSync(tmp, out);
  return out;
}

function ff(args: string[]): void {
  execFileSync(fixtureFfmpeg(), ['-hide_banner', '-loglevel', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}

export const fixtures = {
  /** H.264 video of `seconds` at size/fps, with a sine audio track. */
  h264(seconds = 4, size = '640x360', fps = 30): string {
    return make(`h264-${seconds}s-${size}-${fps}.mp4`, (out) =>
      ff(['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${fps}:duration=${seconds}`, '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`,
        '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', '-f', 'mp4', out]),
    );
  },
  /** The reference clip: 20 s 1080p30 H.264. */
  h264_1080p20s(): string {
    return fixtures.h264(20, '1920x1080', 30);
  },
  /** Phone-style portrait: landscape frames stored with rotate=90 metadata (HEVC). */
  hevcRotated(): string {
    const base = make('hevc-base.mp4', (out) =>
      ff(['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30:duration=3', '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error', '-tag:v', 'hvc1', '-pix_fmt', 'yuv420p', '-f', 'mp4', out]),
    );
    return make('hevc-rotated-90.mp4', (out) => ff(['-i', base, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', '-f', 'mp4', out]));
  },
  /** Only sound. */
  audioOnly(): string {
    return make('audio-only.m4a', (out) => ff(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-c:a', 'aac', '-f', 'mp4', out]));
  },
  /** An mp4 cut to its first part (no moov atom: unreadable). */
  truncated(): string {
    const src = fixtures.h264(4);
    return make('truncated.mp4', (out) => {
      const noFaststart = path.join(path.dirname(out), '.nofast.mp4');
      ff(['-i', src, '-c', 'copy', '-f', 'mp4', noFaststart]);
      const buf = fs.readFileSync(noFaststart);
      fs.writeFileSync(out, buf.subarray(0, Math.floor(buf.length / 3)));
      fs.rmSync(noFaststart);
    });
  },
  /** A text file with a video's name. */
  textAsMp4(): string {
    return make('not-a-video.mp4', (out) => fs.writeFileSync(out, 'This is not a video, just text.\n'.repeat(20)));
  },
  empty(): string {
    return make('empty.mp4', (out) => fs.writeFileSync(out, ''));
  },
  /** A copy of a clip at a path with spaces and Korean characters. */
  unicodePath(): string {
    const src = fixtures.h264(2);
    return make(path.join('폴더 with spaces', '내 영상 clip.mp4'), (out) => fs.copyFileSync(src, out));
  },
  png(size = '640x480'): string {
    return make(`image-${size}.png`, (out) => ff(['-f', 'lavfi', '-i', `testsrc2=size=${size}:duration=1`, '-frames:v', '1', '-f', 'image2', '-c:v', 'png', out]));
  },
};
