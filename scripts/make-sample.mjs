#!/usr/bin/env node
// Generates the bundled sample video with ffmpeg, so the repository carries no binary media. Run automatically by
// `npm start` and the test command; again whenever this script is newer than the video (or with --force).
//
// What it shows is what the studio is for: a 10 s, 1280x720, 30 fps orbit around an object — a box with the word
// "KRAKEN" printed on its front — drawn in perspective as a camera circling it would see it, the floor grid
// sliding behind. So "Try the sample" leads somewhere: frames from many sides (what a 3D capture looks like), a
// Gaussian-splat pre-flight that passes, and legible text for the bundled OCR model. H.264 + AAC, a key frame
// every second, faststart.
//
// Made only from ffmpeg's lavfi sources and one system font (DejaVu Sans Bold, else Liberation Sans Bold or any
// TrueType font fontconfig lists); without a font or with an ffmpeg that lacks drawtext/perspective, a plain test
// pattern is written instead and the reason printed. Licence: resources/README.md.
//
//   node scripts/make-sample.mjs [--force] [--out <file.mp4>]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const self = fileURLToPath(import.meta.url);
const outArg = process.argv.indexOf('--out');
const out = outArg > 0 && process.argv[outArg + 1] ? path.resolve(process.argv[outArg + 1]) : path.join(root, 'resources', 'sample', 'sample.mp4');
const fresh = (file) => fs.existsSync(file) && fs.statSync(file).mtimeMs >= fs.statSync(self).mtimeMs;
if (fresh(out) && !process.argv.includes('--force')) process.exit(0);

const SAMPLE = { width: 1280, height: 720, fps: 30, seconds: 10, word: 'KRAKEN' };

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

/** A bold TrueType font for drawtext: the usual Debian/Ubuntu files first, then whatever fontconfig knows. */
function findFont() {
  const known = [
    '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
    '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf',
    '/usr/share/fonts/TTF/DejaVuSans-Bold.ttf',
    '/Library/Fonts/Arial Bold.ttf',
    '/System/Library/Fonts/Supplemental/Arial Bold.ttf',
    'C:\\Windows\\Fonts\\arialbd.ttf',
  ];
  const hit = known.find((f) => fs.existsSync(f));
  if (hit) return hit;
  for (const args of [['-f', '%{file}', 'sans:bold'], ['-f', '%{file}', 'sans']]) {
    try {
      const f = execFileSync('fc-match', args, { encoding: 'utf8' }).trim();
      if (/\.(ttf|otf)$/i.test(f) && fs.existsSync(f)) return f;
    } catch {}
  }
  return null;
}

/** The filter graph of the orbit: a box turning ±34° in front of the camera, its visible faces warped in perspective. */
function orbitGraph(font) {
  const { width: W, height: H, fps: FPS, seconds: S, word } = SAMPLE;
  const A = `(0.6*sin(2*PI*in/${FPS * S}))`; // the box's turn (radians) at input frame `in`
  const side = `sin(2*PI*t/${S})`;
  const D = 1500; // camera distance (px): enough perspective to read as 3D, little enough to keep the text legible
  const [cx, cy, w, h, d] = [640, 390, 600, 300, 300];
  const n = (v) => (v < 0 ? `(${v})` : String(v));
  const project = ([x, y, z]) => {
    const xr = `(${n(x)}*cos(${A})+${n(z)}*sin(${A}))`;
    const zr = `(-${n(x)}*sin(${A})+${n(z)}*cos(${A}))`;
    return [`${cx}+${D}*${xr}/(${D}-${zr})`, `${cy}+${D}*${n(y)}/(${D}-${zr})`];
  };
  const warp = (tl, tr, bl, br) => {
    const [p0, p1, p2, p3] = [tl, tr, bl, br].map(project);
    return `perspective=x0='${p0[0]}':y0='${p0[1]}':x1='${p1[0]}':y1='${p1[1]}':x2='${p2[0]}':y2='${p2[1]}':x3='${p3[0]}':y3='${p3[1]}':sense=destination:eval=frame`;
  };
  // perspective repeats the texture's edge pixels outside the face: a transparent 4 px margin keeps that invisible
  const face = (colour, draw) => `color=c=${colour}:s=${W - 8}x${H - 8}:r=${FPS}:d=${S},${draw},format=yuva444p,pad=${W}:${H}:4:4:color=black@0`;
  const [hw, hh, hd] = [w / 2, h / 2, d / 2];
  const font_ = font.replace(/\\/g, '/').replace(/:/g, '\\:');
  return [
    `color=c=0x2a3242:s=1920x${H}:r=${FPS}:d=${S},drawbox=x=0:y=400:w=1920:h=320:color=0x59636f:t=fill,drawgrid=x=0:y=400:w=120:h=40:t=2:c=0x808a96,crop=${W}:${H}:x='320-280*${side}':y=0,format=yuva444p[bg]`,
    `${face('0xf4f1ea', `drawbox=x=0:y=0:w=iw:h=ih:color=0x1d4e89:t=36,drawtext=fontfile='${font_}':text='${word}':fontsize=250:fontcolor=0x101418:x=(w-text_w)/2:y=(h-text_h)/2`)},${warp([-hw, -hh, hd], [hw, -hh, hd], [-hw, hh, hd], [hw, hh, hd])}[front]`,
    `${face('0xc8553d', 'drawgrid=w=160:h=180:t=8:c=0xe9c46a')},split[s1][s2]`,
    `[s1]${warp([hw, -hh, hd], [hw, -hh, -hd], [hw, hh, hd], [hw, hh, -hd])}[right]`,
    `[s2]${warp([-hw, -hh, -hd], [-hw, -hh, hd], [-hw, hh, -hd], [-hw, hh, hd])}[left]`,
    `[bg][front]overlay=0:0[a]`,
    `[a][right]overlay=0:0:enable='lt(${side},0)'[b]`,
    `[b][left]overlay=0:0:enable='gt(${side},0)',format=yuv420p[v]`,
  ].join(';');
}

function encode(ffmpeg, videoArgs, file) {
  const { fps, seconds } = SAMPLE;
  execFileSync(
    ffmpeg,
    [
      '-hide_banner', '-loglevel', 'error', '-y',
      ...videoArgs,
      '-f', 'lavfi', '-i', `sine=frequency=220:sample_rate=48000:duration=${seconds}`,
      '-map', '[v]', '-map', `${videoArgs.filter((a) => a === '-i').length}:a`,
      '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', '-r', String(fps), '-g', String(fps), '-keyint_min', String(fps),
      '-c:a', 'aac', '-b:a', '96k', '-af', 'volume=0.25', '-t', String(seconds), '-movflags', '+faststart',
      file,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
}

const ffmpeg = await findFfmpeg();
if (!ffmpeg) {
  console.error('make-sample: ffmpeg not found; the sample video was not generated (install ffmpeg: sudo apt-get install ffmpeg).');
  process.exit(1);
}
fs.mkdirSync(path.dirname(out), { recursive: true });
const tmp = out + '.partial.mp4';
const font = findFont();
let plain = font ? null : 'no TrueType font found (install fonts-dejavu-core)';
if (font) {
  try {
    encode(ffmpeg, ['-filter_complex', orbitGraph(font)], tmp);
  } catch (err) {
    plain = `this ffmpeg could not draw the orbit (${String(err.stderr ?? err.message).trim().split('\n').pop()})`;
  }
}
if (plain) {
  const { width, height, fps, seconds } = SAMPLE;
  encode(ffmpeg, ['-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${fps}:duration=${seconds}`, '-filter_complex', '[0:v]null[v]'], tmp);
  console.warn(`make-sample: ${plain}; wrote a plain test pattern instead`);
}
fs.renameSync(tmp, out);
console.log(`make-sample: wrote ${path.relative(root, out) || out}`);
