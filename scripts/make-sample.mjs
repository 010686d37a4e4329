#!/usr/bin/env node
// Generates the bundled sample video (10 s, 1280x720, 30 fps, H.264 + AAC) with ffmpeg's lavfi sources,
// so the repository carries no binary media. Run automatically by `npm start` and the test command.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'resources', 'sample', 'sample.mp4');
if (fs.existsSync(out) && !process.argv.includes('--force')) process.exit(0);

async function findFfmpeg() {
  if (process.env.KRAKEN_FFMPEG) return process.env.KRAKEN_FFMPEG;
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    return 'ffmpeg';
  } catch {}
  try {
    return (await import('@ffmpeg-installer/ffmpeg')).default.path;
  } catch {}
  return null;
}

const ffmpeg = await findFfmpeg();
if (!ffmpeg) {
  console.error('make-sample: ffmpeg not found; the sample video was not generated (install ffmpeg: sudo apt-get install ffmpeg).');
  process.exit(1);
}
fs.mkdirSync(path.dirname(out), { recursive: true });
const tmp = out + '.partial.mp4';
execFileSync(
  ffmpeg,
  [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30:duration=10',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=10',
    '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-g', '60',
    '-c:a', 'aac', '-b:a', '96k', '-shortest', '-movflags', '+faststart',
    tmp,
  ],
  { stdio: 'inherit' },
);
fs.renameSync(tmp, out);
console.log(`make-sample: wrote ${path.relative(root, out)}`);
