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

/** ffmpeg 5.1 spells frame-rate passthrough `-fps_mode`, older builds `-vsync`. */
function vfrFlag(): string[] {
  const v = execFileSync(fixtureFfmpeg(), ['-hide_banner', '-version'], { encoding: 'utf8' });
  const m = /version n?(\d+)\.(\d+)/.exec(v);
  return m && (Number(m[1]) > 5 || (Number(m[1]) === 5 && Number(m[2]) >= 1)) ? ['-fps_mode', 'vfr'] : ['-vsync', 'vfr'];
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
  /** A faststart MP4 cut in half: the header (and its duration) is intact, the second half of the pictures is missing. */
  truncatedTail(): string {
    const src = fixtures.h264(4);
    return make('truncated-tail.mp4', (out) => {
      const fast = path.join(path.dirname(out), '.faststart.mp4');
      ff(['-i', src, '-c', 'copy', '-movflags', '+faststart', '-f', 'mp4', fast]);
      const buf = fs.readFileSync(fast);
      fs.writeFileSync(out, buf.subarray(0, Math.floor(buf.length / 2)));
      fs.rmSync(fast);
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
  /** VP9 in WebM (no audio), 3 s at 30 fps. */
  vp9Webm(): string {
    return make('vp9-3s.webm', (out) =>
      ff(['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30:duration=3', '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-g', '30', '-pix_fmt', 'yuv420p', '-f', 'webm', out]),
    );
  },
  /**
   * Variable frame rate: 2 s at 30 fps, 2 s at 10 fps, 1 s at 30 fps, kept at their own times (-fps_mode vfr).
   * Frames: 60 + 20 + 30 = 110; the 10 fps part lies between 2.0 and 4.0 s.
   */
  vfr(): string {
    return make('vfr-30-10-30.mp4', (out) =>
      ff(['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30:duration=2', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=10:duration=2',
        '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30:duration=1', '-filter_complex', '[0:v][1:v][2:v]concat=n=3:v=1:a=0[v]', '-map', '[v]',
        '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', ...vfrFlag(), '-f', 'mp4', out]),
    );
  },
  /** 4K (3840x2160) H.264, 1 s at 30 fps. */
  uhd4k(): string {
    return make('h264-4k-1s.mp4', (out) =>
      ff(['-f', 'lavfi', '-i', 'testsrc2=size=3840x2160:rate=30:duration=1', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-f', 'mp4', out]),
    );
  },
  /** A hard cut at exactly 2.0 s: 2 s of testsrc2, then 2 s of a Mandelbrot zoom (30 fps, 120 frames). */
  sceneCut(): string {
    return make('scene-cut-2s.mp4', (out) =>
      ff(['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30:duration=2', '-f', 'lavfi', '-i', 'mandelbrot=size=640x360:rate=30,trim=duration=2',
        '-filter_complex', '[0:v][1:v]concat=n=2:v=1:a=0[v]', '-map', '[v]', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-f', 'mp4', out]),
    );
  },
  /**
   * 4 s at 30 fps where every frame n with n % 3 == 1 is heavily blurred (a shaky hand-held capture in miniature).
   * A frame at time t is blurred when round(t * 30) % 3 == 1.
   */
  blurEveryThird(): string {
    return make('blur-every-third.mp4', (out) =>
      ff(['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30:duration=4', '-vf', "gblur=sigma=12:enable='eq(mod(n,3),1)'",
        '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '12', '-pix_fmt', 'yuv420p', '-f', 'mp4', out]),
    );
  },
  /** A uniformly out-of-focus clip, 4 s. */
  blurry(): string {
    return make('blurry-4s.mp4', (out) =>
      ff(['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30:duration=4', '-vf', 'gblur=sigma=12', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-f', 'mp4', out]),
    );
  },
  /** A still camera: the same picture for 4 s (no motion to reconstruct from). */
  still(): string {
    return make('still-4s.mp4', (out) =>
      ff(['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=1:duration=1', '-vf', 'loop=loop=-1:size=1,fps=30,trim=duration=4', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-f', 'mp4', out]),
    );
  },
  /** A real clip followed by zeros up to 5 GB, as a sparse file (takes no disk space). */
  huge(): string {
    const src = fixtures.h264(2);
    return make('huge-5gb.mp4', (out) => {
      fs.copyFileSync(src, out);
      fs.truncateSync(out, 5 * 1024 ** 3);
    });
  },
  /** 5 GB of zeros named .mp4 (sparse): not media at all. */
  hugeZeros(): string {
    return make('zeros-5gb.mp4', (out) => {
      fs.writeFileSync(out, '');
      fs.truncateSync(out, 5 * 1024 ** 3);
    });
  },
  /** Only a HEIC file-type box: what ffmpeg builds without a HEIF demuxer see of an iPhone photo. */
  heicHeader(): string {
    return make('photo.heic', (out) => {
      const ftyp = Buffer.alloc(24);
      ftyp.writeUInt32BE(24, 0);
      ftyp.write('ftypheic', 4, 'latin1');
      ftyp.writeUInt32BE(0, 12);
      ftyp.write('mif1heic', 16, 'latin1');
      fs.writeFileSync(out, Buffer.concat([ftyp, Buffer.alloc(4096)]));
    });
  },
  /** 185 s at 320x180, 5 fps: too long for every video model (cheap to make). */
  long185s(): string {
    return make('long-185s-320x180.mp4', (out) =>
      ff(['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=5:duration=185', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-f', 'mp4', out]),
    );
  },
  /** What NeRF2Mesh accepts: 21 s of 1280x720 H.264 at a constant 22 Mbit/s (about 58 MB). */
  nerf2meshOk(): string {
    return make('nerf2mesh-ok-720p-21s.mp4', (out) =>
      ff(['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30:duration=21', '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '22M', '-minrate', '22M', '-maxrate', '22M', '-bufsize', '11M',
        '-x264-params', 'nal-hrd=cbr:filler=1', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', '-f', 'mp4', out]),
    );
  },
  /** 21 s of 1280x720 at a low bit rate: right length and size of picture, too small a file for NeRF2Mesh. */
  hd21sSmall(): string {
    return make('hd-21s-small.mp4', (out) =>
      ff(['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30:duration=21', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=21', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '30',
        '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', '-f', 'mp4', out]),
    );
  },
  /** Portrait H.264, 3 s at 360x640: what MusePose wants. */
  verticalSmall(): string {
    return make('vertical-3s-360x640.mp4', (out) =>
      ff(['-f', 'lavfi', '-i', 'testsrc2=size=360x640:rate=30:duration=3', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-f', 'mp4', out]),
    );
  },
  /** Portrait, 8 s at 720x1280, constant 25 Mbit/s (about 25 MB): too large for MusePose. */
  verticalLarge(): string {
    return make('vertical-8s-720x1280-25M.mp4', (out) =>
      ff(['-f', 'lavfi', '-i', 'testsrc2=size=720x1280:rate=30:duration=8', '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '25M', '-minrate', '25M', '-maxrate', '25M', '-bufsize', '12M',
        '-x264-params', 'nal-hrd=cbr:filler=1', '-pix_fmt', 'yuv420p', '-f', 'mp4', out]),
    );
  },
  /** H.264 in a QuickTime .mov (only the container is wrong). */
  mov(): string {
    return make('h264-2s.mov', (out) => ff(['-i', fixtures.h264(2), '-c', 'copy', '-f', 'mov', out]));
  },
  /** A PNG of random noise large enough to weigh more than 10 MB (2400x3200, portrait). */
  bigPng(): string {
    return make('noise-2400x3200.png', (out) =>
      ff(['-f', 'lavfi', '-i', 'color=c=gray:size=2400x3200:duration=1', '-vf', 'noise=alls=100:allf=u', '-frames:v', '1', '-f', 'image2', '-c:v', 'png', out]),
    );
  },
  /** A WebP photo (not a format the cloud takes). */
  webp(): string {
    return make('image-640x480.webp', (out) => ff(['-f', 'lavfi', '-i', 'testsrc2=size=640x480:duration=1', '-frames:v', '1', '-c:v', 'libwebp', '-f', 'webp', out]));
  },
  /** An AVIF still (HEIF family), written by sharp (ffmpeg 5.1 cannot write AVIF). */
  avif(): string {
    return make('image.avif', (out) => {
      const script = `require('sharp')({create:{width:320,height:240,channels:3,background:'#3a6'}}).avif().toFile(process.argv[1]).catch((e)=>{console.error(e);process.exit(1)})`;
      execFileSync(process.execPath, ['-e', script, out], { cwd: path.resolve(__dirname, '..'), stdio: ['ignore', 'ignore', 'inherit'] });
    });
  },
  png(size = '640x480'): string {
    return make(`image-${size}.png`, (out) => ff(['-f', 'lavfi', '-i', `testsrc2=size=${size}:duration=1`, '-frames:v', '1', '-f', 'image2', '-c:v', 'png', out]));
  },
};
