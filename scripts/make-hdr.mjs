#!/usr/bin/env node
// Writes the viewer's lighting presets as small equirectangular Radiance .hdr files (RGBE, run-length
// encoded scanlines) into renderer/public/hdr/. They are generated, not downloaded: the app fetches
// nothing from a CDN. Run `node scripts/make-hdr.mjs` after changing a preset; the outputs are committed.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'renderer', 'public', 'hdr');
const W = 256;
const H = 128;

const mix = (a, b, t) => a.map((v, i) => v + (b[i] - v) * t);
const smooth = (e0, e1, x) => {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
};
/** Direction of pixel (x, y): y up, row 0 at the zenith (three's equirectangular mapping). */
function dir(x, y) {
  const phi = ((x + 0.5) / W) * 2 * Math.PI; // around
  const theta = ((y + 0.5) / H) * Math.PI; // from the zenith
  return [Math.sin(theta) * Math.cos(phi), Math.cos(theta), Math.sin(theta) * Math.sin(phi)];
}
/** A soft round light centred on direction `c` with angular radius `r` (radians). */
function spot(d, c, r, rgb) {
  const l = Math.hypot(...c);
  const cos = (d[0] * c[0] + d[1] * c[1] + d[2] * c[2]) / l;
  const a = Math.acos(Math.min(1, Math.max(-1, cos)));
  const k = 1 - smooth(r * 0.6, r, a);
  return rgb.map((v) => v * k);
}
const add = (a, b) => a.map((v, i) => v + b[i]);

const presets = {
  // a dark room with a big key softbox, a fill and a rim light
  studio(d) {
    const up = d[1];
    let c = mix([0.05, 0.05, 0.055], [0.22, 0.22, 0.24], smooth(-0.3, 0.6, up));
    c = add(c, spot(d, [0.6, 0.6, 0.5], 0.45, [9, 8.6, 8]));
    c = add(c, spot(d, [-0.7, 0.3, 0.3], 0.5, [2.2, 2.3, 2.6]));
    c = add(c, spot(d, [0, 0.5, -1], 0.3, [5, 5, 5.4]));
    return c;
  },
  // low warm sun, blue-to-orange sky, dark ground
  sunset(d) {
    const up = d[1];
    const sky = mix([1.6, 0.75, 0.35], [0.25, 0.4, 0.85], smooth(0, 0.6, up));
    const ground = [0.12, 0.08, 0.06];
    let c = mix(ground, sky, smooth(-0.05, 0.02, up));
    c = add(c, spot(d, [1, 0.12, 0.25], 0.09, [60, 32, 12]));
    return c;
  },
  // bright even sky: shows shape without hard shadows
  overcast(d) {
    const up = d[1];
    const sky = mix([0.9, 0.92, 0.95], [1.25, 1.28, 1.35], smooth(0, 1, up));
    const ground = [0.28, 0.27, 0.26];
    return mix(ground, sky, smooth(-0.1, 0.05, up));
  },
};

function rgbe([r, g, b]) {
  const m = Math.max(r, g, b);
  if (m < 1e-32) return [0, 0, 0, 0];
  const e = Math.ceil(Math.log2(m) + 1e-9);
  const f = 256 / 2 ** e;
  return [Math.min(255, Math.floor(r * f)), Math.min(255, Math.floor(g * f)), Math.min(255, Math.floor(b * f)), e + 128];
}

/** New-style RLE of one channel of a scanline. */
function rleChannel(values) {
  const out = [];
  let i = 0;
  while (i < values.length) {
    let run = 1;
    while (i + run < values.length && run < 127 && values[i + run] === values[i]) run++;
    if (run >= 4) {
      out.push(128 + run, values[i]);
      i += run;
      continue;
    }
    let lit = 0;
    const start = i;
    while (i < values.length && lit < 128) {
      let r = 1;
      while (i + r < values.length && r < 4 && values[i + r] === values[i]) r++;
      if (r >= 4) break;
      i++;
      lit++;
    }
    out.push(lit, ...values.slice(start, start + lit));
  }
  return out;
}

fs.mkdirSync(outDir, { recursive: true });
for (const [name, fn] of Object.entries(presets)) {
  const chunks = [Buffer.from(`#?RADIANCE\n# Kraken Studio lighting preset "${name}" (scripts/make-hdr.mjs)\nFORMAT=32-bit_rle_rgbe\n\n-Y ${H} +X ${W}\n`, 'latin1')];
  for (let y = 0; y < H; y++) {
    const px = [];
    for (let x = 0; x < W; x++) px.push(rgbe(fn(dir(x, y))));
    const line = [2, 2, W >> 8, W & 0xff];
    for (let ch = 0; ch < 4; ch++) line.push(...rleChannel(px.map((p) => p[ch])));
    chunks.push(Buffer.from(line));
  }
  const file = path.join(outDir, `${name}.hdr`);
  fs.writeFileSync(file, Buffer.concat(chunks));
  console.log(`${path.relative(root, file)}: ${fs.statSync(file).size} bytes`);
}
