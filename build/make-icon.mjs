#!/usr/bin/env node
// Draws the app icon (build/icon.png, 1024×1024 RGBA) with no image tools: signed-distance shapes, antialiased,
// encoded as PNG with zlib. electron-builder turns it into .icns (macOS) and .ico (Windows) while packaging.
// Deterministic: running it again gives the same bytes. `node build/make-icon.mjs [out.png] [size]`
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] ?? path.join(here, 'icon.png');
const size = Number(process.argv[3] ?? 1024);

// The theme's colours (renderer/src/styles/theme.css): --bg, --bg-active, --accent, --teal.
const BG_TOP = [0x26, 0x30, 0x4a];
const BG_BOTTOM = [0x0d, 0x0f, 0x14];
const ACCENT = [0x7c, 0x9c, 0xff];
const TEAL = [0x38, 0xd9, 0xc0];

const clamp01 = (v) => Math.min(1, Math.max(0, v));
/** Coverage of a shape from its signed distance (negative inside), one pixel of antialiasing. */
const cover = (d, px) => clamp01(0.5 - d / px);
const mix = (a, b, t) => a.map((v, i) => v + (b[i] - v) * t);

function roundedSquare(x, y, half, r) {
  const qx = Math.abs(x) - half + r;
  const qy = Math.abs(y) - half + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}

const pixels = Buffer.alloc(size * size * 4);
const px = 2 / size; // one pixel in the [-1, 1] coordinate space
for (let j = 0; j < size; j++) {
  for (let i = 0; i < size; i++) {
    const x = ((i + 0.5) / size) * 2 - 1;
    const y = ((j + 0.5) / size) * 2 - 1;
    // macOS-style tile with a margin, vertical gradient.
    const tile = cover(roundedSquare(x, y, 0.86, 0.2), px);
    let rgb = mix(BG_TOP, BG_BOTTOM, clamp01((y + 1) / 2));
    // An eye: a ring in the accent colour and a teal pupil, slightly above centre.
    const r = Math.hypot(x, y + 0.06);
    const ring = cover(Math.abs(r - 0.42) - 0.07, px);
    rgb = mix(rgb, ACCENT, ring);
    const pupil = cover(r - 0.17, px);
    rgb = mix(rgb, TEAL, pupil);
    // Three tentacle strokes under the eye (arcs of circles), the kraken.
    for (const cx of [-0.36, 0, 0.36]) {
      const ax = x - cx;
      const ay = y - 0.52;
      const d = Math.abs(Math.hypot(ax - 0.1, ay) - 0.1) - 0.035;
      const lowerHalf = ay > 0 ? 1 : 0;
      rgb = mix(rgb, ACCENT, cover(d, px) * lowerHalf);
    }
    const o = (j * size + i) * 4;
    pixels[o] = Math.round(rgb[0]);
    pixels[o + 1] = Math.round(rgb[1]);
    pixels[o + 2] = Math.round(rgb[2]);
    pixels[o + 3] = Math.round(tile * 255);
  }
}

// PNG: signature, IHDR, IDAT (filter byte 0 per row), IEND.
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(size, 0);
ihdr.writeUInt32BE(size, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const raw = Buffer.alloc(size * (size * 4 + 1));
for (let j = 0; j < size; j++) pixels.copy(raw, j * (size * 4 + 1) + 1, j * size * 4, (j + 1) * size * 4);
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, png);
console.log(`make-icon: ${path.relative(process.cwd(), out)} (${size}×${size}, ${Math.round(png.length / 1024)} KiB)`);
