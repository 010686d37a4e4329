/**
 * The 3D viewer in Chromium (WebGL2 through SwiftShader) via the browser host: every format opened from the
 * file input with its statistics and a picture that is not blank, typed errors for broken files, opening a
 * data-folder file by link with its camera remembered, the viewing tools, memory released on close, no
 * request leaving 127.0.0.1, and the 1M-point / 500k-splat files loading while the page stays responsive
 * (the longest main-thread task is reported, not asserted).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { encoderMissing, writeDracoGlb, writeMeshoptGlb } from '../renderer/src/pages/viewer/fixtures/compressed-glb';
import { makeBox, makePointCloud, makeSplats, writeGaussianPly, writeGlb, writeObj, writePly, writeSplatFile, writeTinyPng } from '../renderer/src/pages/viewer/fixtures/fixture-writer';
import { expect, repoRoot, test } from './fixtures';
import { AppPage } from './pages/app-page';
import { ProjectsPage } from './pages/projects-page';

let dir = '';
const file = (name: string) => path.join(dir, name);

test.beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-viewer-e2e-'));
  const box = makeBox(2, 1, 0.5);
  fs.writeFileSync(file('cloud.ply'), writePly(makePointCloud(20_000)));
  fs.writeFileSync(file('box-ascii.ply'), writePly(box, 'ascii'));
  fs.writeFileSync(file('box-be.ply'), writePly({ positions: box.positions, faces: box.faces }, 'binary_big_endian'));
  fs.writeFileSync(file('gauss.ply'), writeGaussianPly(makeSplats(3000), { shDegree: 1 }));
  fs.writeFileSync(file('gauss.splat'), writeSplatFile(makeSplats(3000, 11)));
  const { obj, mtl } = writeObj(box, { name: 'painted', color: [0.9, 0.4, 0.1], texture: 'paint.png' });
  fs.writeFileSync(file('model.obj'), obj);
  fs.writeFileSync(file('model.mtl'), mtl!);
  fs.writeFileSync(file('paint.png'), writeTinyPng());
  fs.writeFileSync(file('boxes.glb'), writeGlb(box, { copies: 2 }));
  fs.writeFileSync(file('textured.glb'), writeGlb(box, { texturePng: writeTinyPng() }));
  // a GLB saved with the wrong extension: the light PLY parser hands it on to the scene parser
  fs.writeFileSync(file('actually-glb.ply'), writeGlb(box));
  // the same mesh as .gltf + external .bin
  const glb = writeGlb(box);
  const jsonLen = new DataView(glb.buffer).getUint32(12, true);
  const json = JSON.parse(new TextDecoder().decode(glb.subarray(20, 20 + jsonLen)));
  json.buffers[0].uri = 'box.bin';
  fs.writeFileSync(file('box.gltf'), JSON.stringify(json));
  fs.writeFileSync(file('box.bin'), glb.subarray(28 + jsonLen));
  if (!(await encoderMissing('draco3d'))) fs.writeFileSync(file('draco.glb'), await writeDracoGlb(box));
  if (!(await encoderMissing('meshoptimizer'))) fs.writeFileSync(file('meshopt.glb'), await writeMeshoptGlb(box));
  // broken ones
  const cut = writePly(makePointCloud(500));
  fs.writeFileSync(file('cut.ply'), cut.subarray(0, cut.length - 100));
  fs.writeFileSync(file('lying.ply'), 'ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nelement face 1\nproperty list uchar int vertex_indices\nend_header\n0 0 0\n1 0 0\n0 1 0\n3 0 1 7\n');
  fs.writeFileSync(file('notes.txt'), 'not a model');
});

test.afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

class Viewer {
  constructor(readonly page: Page) {}
  async open(url: string) {
    await new AppPage(this.page).open(url);
    await new AppPage(this.page).goTo('viewer');
    await expect(this.page.getByTestId('viewer-page')).toBeVisible();
    // a plain background makes "not blank" mean "the model drew something"
    const grid = this.page.getByTestId('viewer-grid');
    if ((await grid.getAttribute('aria-pressed')) === 'true') await grid.click();
  }
  canvas(slot = 0) {
    return this.page.getByTestId(`viewer-canvas-${slot}`);
  }
  /** Opens files through the file input and waits for the first frame that contains the model. */
  async openFiles(names: string[], timeout = 30_000) {
    const before = Number((await this.canvas(0).getAttribute('data-load-id')) ?? 0);
    await this.page.getByTestId('viewer-file-input').setInputFiles(names.map(file));
    await expect(this.canvas(0)).toHaveAttribute('data-status', /ready|error/, { timeout });
    const id = Number(await this.canvas(0).getAttribute('data-load-id'));
    if (id > 0 && id !== before) await expect(this.canvas(0)).toHaveAttribute('data-rendered-load', String(id), { timeout });
  }
  stat(id: string, slot = 0) {
    return this.page.getByTestId(`viewer-stats-${slot}`).getByTestId(`stat-${id}`);
  }
  async stats(slot = 0): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const el of await this.page.getByTestId(`viewer-stats-${slot}`).locator('[data-testid^="stat-"]').all()) {
      out[(await el.getAttribute('data-testid'))!.slice(5)] = (await el.getAttribute('data-value'))!;
    }
    return out;
  }
  /** Luminance variance and distinct colours of the canvas as drawn (from a real screenshot). */
  async picture(slot = 0): Promise<{ variance: number; colours: number }> {
    const png = await this.canvas(slot).screenshot();
    return this.page.evaluate(async (b64) => {
      const bmp = await createImageBitmap(new Blob([Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0))]));
      const c = new OffscreenCanvas(bmp.width, bmp.height);
      const ctx = c.getContext('2d')!;
      ctx.drawImage(bmp, 0, 0);
      const d = ctx.getImageData(0, 0, bmp.width, bmp.height).data;
      let sum = 0;
      let sq = 0;
      const colours = new Set<number>();
      for (let i = 0; i < d.length; i += 4) {
        const l = 0.2126 * d[i]! + 0.7152 * d[i + 1]! + 0.0722 * d[i + 2]!;
        sum += l;
        sq += l * l;
        if (colours.size < 5000) colours.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
      }
      const n = d.length / 4;
      return { variance: sq / n - (sum / n) ** 2, colours: colours.size };
    }, png.toString('base64'));
  }
}

/** Pixels that differ by more than a rounding step between two PNG screenshots (computed in the page). */
async function changedPixels(page: Page, a: Buffer, b: Buffer): Promise<number> {
  return page.evaluate(
    async ([x, y]) => {
      const read = async (b64: string) => {
        const bmp = await createImageBitmap(new Blob([Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0))]));
        const c = new OffscreenCanvas(bmp.width, bmp.height);
        const ctx = c.getContext('2d')!;
        ctx.drawImage(bmp, 0, 0);
        return ctx.getImageData(0, 0, bmp.width, bmp.height).data;
      };
      const [p, q] = [await read(x), await read(y)];
      if (p.length !== q.length) return Infinity;
      let n = 0;
      for (let i = 0; i < p.length; i += 4) if (Math.abs(p[i]! - q[i]!) + Math.abs(p[i + 1]! - q[i + 1]!) + Math.abs(p[i + 2]! - q[i + 2]!) > 6) n++;
      return n;
    },
    [a.toString('base64'), b.toString('base64')] as const,
  );
}

/** Mean absolute difference (0..255) between two PNG screenshots, computed in the page. */
async function pixelDiff(page: Page, a: Buffer, b: Buffer): Promise<number> {
  return page.evaluate(
    async ([x, y]) => {
      const read = async (b64: string) => {
        const bmp = await createImageBitmap(new Blob([Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0))]));
        const c = new OffscreenCanvas(bmp.width, bmp.height);
        const ctx = c.getContext('2d')!;
        ctx.drawImage(bmp, 0, 0);
        return ctx.getImageData(0, 0, bmp.width, bmp.height).data;
      };
      const [p, q] = [await read(x), await read(y)];
      if (p.length !== q.length) return 255;
      let s = 0;
      for (let i = 0; i < p.length; i++) s += Math.abs(p[i]! - q[i]!);
      return s / p.length;
    },
    [a.toString('base64'), b.toString('base64')] as const,
  );
}

const NOT_BLANK = 20; // luminance variance of a flat background is 0

test('opens every format from the file input with the right statistics and a picture that is not blank', async ({ studio }) => {
  const v = new Viewer(studio.page);
  await v.open(studio.url);

  const cases: { files: string[]; expect: Record<string, string | number>; skip?: string | null }[] = [
    { files: ['cloud.ply'], expect: { format: 'ply', points: 20000, vertices: 20000 } },
    { files: ['box-ascii.ply'], expect: { format: 'ply', vertices: 8, faces: 6, triangles: 12, bbox: '2x1x0.5' } },
    { files: ['box-be.ply'], expect: { format: 'ply', vertices: 8, faces: 6, bbox: '2x1x0.5' } },
    { files: ['gauss.ply'], expect: { format: 'ply', splats: 3000 } },
    { files: ['gauss.splat'], expect: { format: 'splat', splats: 3000 } },
    { files: ['model.obj', 'model.mtl', 'paint.png'], expect: { format: 'obj', vertices: 8, faces: 6, triangles: 12, bbox: '2x1x0.5' } },
    { files: ['boxes.glb'], expect: { format: 'glb', vertices: 16, faces: 24, parts: 2, bbox: '5x1x0.5' } },
    { files: ['actually-glb.ply'], expect: { format: 'glb', vertices: 8, faces: 12, bbox: '2x1x0.5' } },
    { files: ['textured.glb'], expect: { format: 'glb', vertices: 8, faces: 12, bbox: '2x1x0.5' } },
    { files: ['box.gltf', 'box.bin'], expect: { format: 'gltf', vertices: 8, faces: 12, bbox: '2x1x0.5' } },
    { files: ['draco.glb'], expect: { format: 'glb', vertices: 8, faces: 12, bbox: '2x1x0.5' }, skip: await encoderMissing('draco3d') },
    { files: ['meshopt.glb'], expect: { format: 'glb', vertices: 8, faces: 12, bbox: '2x1x0.5' }, skip: await encoderMissing('meshoptimizer') },
  ];
  for (const c of cases) {
    if (c.skip) {
      console.log(`skipping ${c.files[0]}: ${c.skip}`);
      continue;
    }
    await v.openFiles(c.files);
    await expect(studio.page.getByTestId('viewer-error-0'), c.files[0]).toHaveCount(0);
    const stats = await v.stats();
    for (const [k, want] of Object.entries(c.expect)) expect(stats[k], `${c.files[0]}: ${k}`).toBe(String(want));
    await expect(studio.page.getByTestId('viewer-warnings-0'), `${c.files[0]} has no warnings`).toHaveCount(0);
    const pic = await v.picture();
    expect(pic.variance, `${c.files[0]} drew something`).toBeGreaterThan(NOT_BLANK);
  }
});

test('files dropped on the viewer open there (with their MTL and texture), not as a project import', async ({ studio }) => {
  const { page } = studio;
  await new AppPage(page).open(studio.url);
  await new ProjectsPage(page).create('Has a project'); // with a project open, drops elsewhere import media
  const v = new Viewer(page);
  await v.open(studio.url);
  const files = ['model.obj', 'model.mtl', 'paint.png'].map((n) => ({ name: n, bytes: [...fs.readFileSync(file(n))] }));
  const dataTransfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([new Uint8Array(f.bytes)], f.name));
    return dt;
  }, files);
  await page.dispatchEvent('[data-testid="viewer-panel-0"]', 'dragenter', { dataTransfer });
  await expect(page.locator('.viewer-drop')).toBeVisible();
  await expect(page.getByTestId('drop-overlay')).toHaveCount(0);
  await page.dispatchEvent('[data-testid="viewer-panel-0"]', 'drop', { dataTransfer });
  await expect(v.canvas()).toHaveAttribute('data-status', 'ready');
  await expect(v.stat('format')).toHaveAttribute('data-value', 'obj');
  await expect(v.stat('faces')).toHaveAttribute('data-value', '6');
  await expect(page.getByTestId('viewer-warnings-0')).toHaveCount(0); // the MTL and its texture were found
  await expect(page.getByTestId('page-viewer')).toBeVisible();
  await expect(page.locator('.viewer-drop')).toHaveCount(0);
});

test('broken and unknown files give a clear, typed message', async ({ studio }) => {
  const v = new Viewer(studio.page);
  await v.open(studio.url);
  for (const [name, code, words] of [
    ['cut.ply', 'truncated', /incomplete/i],
    ['lying.ply', 'header-mismatch', /contradicts/i],
    ['notes.txt', 'unknown-format', /not a 3D file/i],
  ] as const) {
    await v.openFiles([name]);
    const err = studio.page.getByTestId('viewer-error-0');
    await expect(err).toHaveAttribute('data-code', code);
    await expect(err).toContainText(words);
  }
  // and the viewer recovers with a good file
  await v.openFiles(['box-ascii.ply']);
  await expect(v.stat('faces')).toHaveAttribute('data-value', '6');
});

test('a data-folder file opens by link, and its last camera is remembered', async ({ studio }) => {
  const { page } = studio;
  fs.mkdirSync(path.join(studio.dataDir, 'results'), { recursive: true });
  fs.copyFileSync(file('box-ascii.ply'), path.join(studio.dataDir, 'results', 'depth points.ply'));
  const v = new Viewer(page);
  await v.open(studio.url);
  const link = `${studio.url}#/viewer?open=${encodeURIComponent('results/depth points.ply')}`;
  await page.goto(link);
  await expect(v.canvas()).toHaveAttribute('data-status', 'ready');
  await expect(v.canvas()).toHaveAttribute('data-rendered-load', /\d+/);
  await expect(v.stat('vertices')).toHaveAttribute('data-value', '8');
  await expect(page).toHaveURL(/#\/viewer$/);

  // orbit with the mouse, then look at something else
  const b = (await v.canvas().boundingBox())!;
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2 + 180, b.y + b.height / 2 + 60, { steps: 8 });
  await page.mouse.up();
  await page.waitForTimeout(300);
  const orbited = await v.canvas().screenshot();
  await page.keyboard.press('f');
  await page.waitForTimeout(300);
  const fitted = await v.canvas().screenshot();
  expect(await pixelDiff(page, orbited, fitted)).toBeGreaterThan(1);

  // open it again: the orbited view comes back, not the fitted one
  await page.goto('about:blank');
  await page.goto(link);
  await expect(v.canvas()).toHaveAttribute('data-rendered-load', /\d+/);
  await page.waitForTimeout(300);
  const again = await v.canvas().screenshot();
  expect(await pixelDiff(page, orbited, again)).toBeLessThan(0.5);
});

test('the open data-folder file comes back after a reload; once deleted, the viewer stays empty without an error', async ({ studio }) => {
  const { page } = studio;
  fs.mkdirSync(path.join(studio.dataDir, 'results'), { recursive: true });
  const kept = path.join(studio.dataDir, 'results', 'kept.ply');
  fs.copyFileSync(file('box-ascii.ply'), kept);
  const v = new Viewer(page);
  await v.open(studio.url);
  await page.goto(`${studio.url}#/viewer?open=${encodeURIComponent('results/kept.ply')}`);
  await expect(v.canvas()).toHaveAttribute('data-status', 'ready');
  await page.reload();
  await expect(page.getByTestId('viewer-page')).toBeVisible();
  await expect(v.canvas()).toHaveAttribute('data-status', 'ready');
  await expect(v.stat('vertices')).toHaveAttribute('data-value', '8');
  await expect(page.getByTestId('viewer-stats-0').locator('h3')).toHaveText('kept.ply');

  fs.rmSync(kept);
  await page.reload();
  await expect(page.getByTestId('viewer-empty-0')).toBeVisible();
  await expect(page.getByTestId('viewer-error-0')).toHaveCount(0);
  await expect(page.getByTestId('toasts')).toHaveAttribute('data-errors-shown', '0');
  await page.reload(); // and it is not tried again
  await expect(page.getByTestId('viewer-empty-0')).toBeVisible();
  await expect(v.canvas()).toHaveAttribute('data-status', 'empty');
});

test('tools: compare side by side, measure, transparent screenshot, shortcut sheet, memory released on close', async ({ studio }) => {
  const { page } = studio;
  const v = new Viewer(page);
  await v.open(studio.url);

  // two models at once open side by side
  await page.getByTestId('viewer-file-input').setInputFiles([file('cloud.ply'), file('boxes.glb')]);
  await expect(page.getByTestId('viewer-panel-1')).toBeVisible();
  await expect(v.canvas(0)).toHaveAttribute('data-status', 'ready');
  await expect(v.canvas(1)).toHaveAttribute('data-status', 'ready');
  await expect(v.stat('points', 0)).toHaveAttribute('data-value', '20000');
  await expect(v.stat('parts', 1)).toHaveAttribute('data-value', '2');
  expect((await v.picture(1)).variance).toBeGreaterThan(NOT_BLANK);
  await page.getByTestId('viewer-compare').click();
  await expect(page.getByTestId('viewer-panel-1')).toHaveCount(0);

  // measure two points on the box
  await v.openFiles(['box-ascii.ply']);
  await page.getByTestId('viewer-measure').click();
  const b = (await v.canvas().boundingBox())!;
  await page.mouse.click(b.x + b.width / 2 - 60, b.y + b.height / 2);
  await page.mouse.click(b.x + b.width / 2 + 60, b.y + b.height / 2 + 10);
  const dist = page.getByTestId('viewer-measure-distance');
  await expect(dist).toBeVisible();
  const d = Number(await dist.getAttribute('data-value'));
  expect(d).toBeGreaterThan(0.05);
  expect(d).toBeLessThanOrEqual(Math.hypot(2, 1, 0.5) + 1e-6);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('viewer-measure-panel')).toHaveCount(0);

  // each view tool changes the picture, and toggling it back restores it
  const settle = () => page.waitForTimeout(250);
  await settle();
  const base = await v.canvas().screenshot();
  for (const [label, on, off] of [
    ['wireframe', () => page.keyboard.press('w'), () => page.keyboard.press('w')],
    ['normals', () => page.keyboard.press('n'), () => page.keyboard.press('n')],
    ['axes', () => page.keyboard.press('x'), () => page.keyboard.press('x')],
    ['grid', () => page.keyboard.press('g'), () => page.keyboard.press('g')],
    ['up axis Z', () => page.getByTestId('viewer-up-axis').getByRole('button', { name: 'Z' }).click(), () => page.getByTestId('viewer-up-axis').getByRole('button', { name: 'Y' }).click()],
    ['lighting', () => page.getByTestId('viewer-lighting').selectOption('sunset'), () => page.getByTestId('viewer-lighting').selectOption('studio')],
    ['background', () => page.getByTestId('viewer-background').fill('#305080'), () => page.getByTestId('viewer-background').fill('#14171f')],
  ] as const) {
    await on();
    await page.waitForTimeout(400);
    expect(await changedPixels(page, base, await v.canvas().screenshot()), `${label} changes the picture`).toBeGreaterThan(40);
    await off();
    await page.waitForTimeout(400);
    expect(await changedPixels(page, base, await v.canvas().screenshot()), `${label} off restores it`).toBeLessThan(20);
  }
  await page.getByTestId('viewer-turntable').click(); // turntable: the view keeps moving
  await page.waitForTimeout(600);
  const spinning = await v.canvas().screenshot();
  await page.waitForTimeout(600);
  expect(await changedPixels(page, spinning, await v.canvas().screenshot())).toBeGreaterThan(40);
  await page.getByTestId('viewer-turntable').click();

  // screenshot with a transparent background: a PNG with both see-through and solid pixels
  await page.getByTestId('viewer-transparent').check();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('viewer-screenshot').click()]);
  expect(download.suggestedFilename()).toMatch(/^box-ascii-.*\.png$/);
  const png = fs.readFileSync((await download.path())!);
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  const alpha = await page.evaluate(async (b64) => {
    const bmp = await createImageBitmap(new Blob([Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0))]), { premultiplyAlpha: 'none' });
    const c = new OffscreenCanvas(bmp.width, bmp.height);
    const ctx = c.getContext('2d')!;
    ctx.drawImage(bmp, 0, 0);
    const d = ctx.getImageData(0, 0, bmp.width, bmp.height).data;
    let clear = 0;
    let solid = 0;
    for (let i = 3; i < d.length; i += 4) {
      if (d[i] === 0) clear++;
      else if (d[i] === 255) solid++;
    }
    return { clear, solid };
  }, png.toString('base64'));
  expect(alpha.clear).toBeGreaterThan(1000);
  expect(alpha.solid).toBeGreaterThan(100);

  // '?' on this page opens the viewer's own sheet
  await page.keyboard.press('?');
  await expect(page.getByTestId('viewer-shortcut-sheet')).toBeVisible();
  await expect(page.getByTestId('viewer-shortcut-sheet')).toContainText('Fit to view');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('viewer-shortcut-sheet')).toBeHidden();

  // closing frees the model: GPU objects drop and the parsed arrays are collected
  await v.openFiles(['cloud.ply']);
  const gpuOpen = await page.evaluate(() => (window as unknown as { __krakenViewer: { gpu: Record<number, { geometries: number }> } }).__krakenViewer.gpu[0]!.geometries);
  await page.getByTestId('viewer-close-0').click();
  await expect(v.canvas()).toHaveAttribute('data-status', 'empty');
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { __krakenViewer: { gpu: Record<number, { geometries: number }> } }).__krakenViewer.gpu[0]!.geometries))
    .toBeLessThan(gpuOpen);
  const cdp = await page.context().newCDPSession(page);
  await expect
    .poll(async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      return page.evaluate(() => {
        const loads = (window as unknown as { __krakenViewer: { loads: { name: string; probe?: WeakRef<object> }[] } }).__krakenViewer.loads;
        return loads.filter((l) => l.probe?.deref()).map((l) => l.name);
      });
    })
    .toEqual([]);
});

/**
 * Pixels of the model (not the plain background) in a 4 px ring just inside the canvas's edge (the outermost
 * 2 px are left out: the panels' 1 px divider can fall into a screenshot): a model framed whole leaves the ring
 * clear, a cropped one runs through it.
 */
async function edgeInk(v: Viewer, slot: 0 | 1): Promise<number> {
  const png = await v.canvas(slot).screenshot();
  return v.page.evaluate(async (b64) => {
    const bmp = await createImageBitmap(new Blob([Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0))]));
    const c = new OffscreenCanvas(bmp.width, bmp.height);
    const ctx = c.getContext('2d')!;
    ctx.drawImage(bmp, 0, 0);
    const d = ctx.getImageData(0, 0, bmp.width, bmp.height).data;
    const at = (x: number, y: number) => (y * bmp.width + x) * 4;
    const bg = [d[at(4, 4)]!, d[at(4, 4) + 1]!, d[at(4, 4) + 2]!]; // a corner is background when the model is framed with a margin
    let ink = 0;
    const [w, h] = [bmp.width, bmp.height];
    for (let y = 2; y < h - 2; y++) {
      for (let x = 2; x < w - 2; x++) {
        if (x >= 6 && y >= 6 && x < w - 6 && y < h - 6) continue;
        const i = at(x, y);
        if (Math.abs(d[i]! - bg[0]!) + Math.abs(d[i + 1]! - bg[1]!) + Math.abs(d[i + 2]! - bg[2]!) > 30) ink++;
      }
    }
    return ink;
  }, png.toString('base64'));
}

test('compare: each model is framed whole in its half-width panel, when opened, when compare turns on and after F; shortcuts work after touching the side panel', async ({ studio }, testInfo) => {
  const { page } = studio;
  const v = new Viewer(page);
  await v.open(studio.url);
  const rendered = async (slot: 0 | 1) => {
    await expect(v.canvas(slot)).toHaveAttribute('data-status', 'ready');
    await expect.poll(async () => (await v.picture(slot)).variance).toBeGreaterThan(NOT_BLANK);
    await page.waitForTimeout(300);
  };
  const shoot = async (name: string) => {
    for (const slot of [0, 1] as const) {
      if ((await v.canvas(slot).count()) > 0) await testInfo.attach(`${name}-${slot}`, { body: await v.canvas(slot).screenshot(), contentType: 'image/png' });
    }
  };

  // a wide model fitted in the whole page; compare on: it is fitted again to its half
  await v.openFiles(['boxes.glb']);
  await rendered(0);
  expect(await edgeInk(v, 0)).toBe(0);
  await page.getByTestId('viewer-compare').click();
  await expect(page.getByTestId('viewer-panel-1')).toBeVisible();
  await page.waitForTimeout(400);
  await shoot('compare-on');
  expect(await edgeInk(v, 0), 'the wide model after compare turned on').toBe(0);
  await page.getByTestId('viewer-compare').click();
  await page.getByTestId('viewer-close-0').click();

  // two models of different sizes side by side, cameras synced: both whole, and again after F
  await page.getByTestId('viewer-file-input').setInputFiles([file('boxes.glb'), file('box-ascii.ply')]);
  await expect(page.getByTestId('viewer-panel-1')).toBeVisible();
  await rendered(0);
  await rendered(1);
  await shoot('opened');
  expect(await edgeInk(v, 0), 'A when opened').toBe(0);
  expect(await edgeInk(v, 1), 'B when opened').toBe(0);
  await page.keyboard.press('f');
  await page.waitForTimeout(400);
  await shoot('after-f');
  expect(await edgeInk(v, 0), 'A after F').toBe(0);
  expect(await edgeInk(v, 1), 'B after F').toBe(0);

  // touching a slider and a preset picker in the side panel leaves the shortcuts working
  const wireframe = page.getByTestId('viewer-wireframe');
  await expect(wireframe).toHaveAttribute('aria-pressed', 'false');
  await page.getByTestId('viewer-point-size').focus();
  await page.keyboard.press('ArrowRight'); // the slider keeps its own arrows
  await expect(page.getByTestId('viewer-point-size')).toHaveValue('3');
  await page.keyboard.press('w');
  await expect(wireframe).toHaveAttribute('aria-pressed', 'true');
  await page.getByTestId('viewer-lighting').focus();
  await page.getByTestId('viewer-lighting').selectOption('sunset');
  await expect(page.getByTestId('viewer-lighting')).toBeFocused();
  await page.keyboard.press('w');
  await expect(wireframe).toHaveAttribute('aria-pressed', 'false');
  await expect(page.getByTestId('viewer-lighting')).toHaveValue('sunset'); // the letter did not pick a preset
  await page.getByTestId('viewer-transparent').click();
  await page.keyboard.press('g');
  await expect(page.getByTestId('viewer-grid')).toHaveAttribute('aria-pressed', 'true');
  // typing in a text field still types: no shortcut fires
  await page.evaluate(() => {
    const i = document.createElement('input');
    i.type = 'text';
    i.setAttribute('data-testid', 'probe-text');
    document.querySelector('[data-testid="viewer-settings"]')!.append(i);
  });
  await page.getByTestId('probe-text').fill('');
  await page.getByTestId('probe-text').press('w');
  await expect(page.getByTestId('probe-text')).toHaveValue('w');
  await expect(wireframe).toHaveAttribute('aria-pressed', 'false');
});

test('nothing leaves 127.0.0.1 while viewing (lighting presets, Draco decoder, textures included)', async ({ studio }) => {
  const { page } = studio;
  const outside: string[] = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol === 'data:' || u.protocol === 'blob:') return;
    if (u.hostname !== '127.0.0.1') outside.push(r.url());
  });
  const v = new Viewer(page);
  await v.open(studio.url);
  const files = [['cloud.ply'], ['model.obj', 'model.mtl', 'paint.png'], ['gauss.splat'], ['box.gltf', 'box.bin']];
  if (fs.existsSync(file('draco.glb'))) files.push(['draco.glb']);
  for (const f of files) await v.openFiles(f);
  for (const preset of ['studio', 'sunset', 'overcast', 'plain']) {
    await page.getByTestId('viewer-lighting').selectOption(preset);
    await page.waitForTimeout(200);
  }
  await page.getByTestId('viewer-grid').click();
  await page.getByTestId('viewer-turntable').click();
  await page.waitForTimeout(500);
  expect(outside).toEqual([]);
});

test('a 1,000,000-point PLY and a 500,000-splat 3DGS PLY load and orbit while the page stays responsive', async ({ studio }, testInfo) => {
  test.setTimeout(300_000);
  const { page } = studio;
  fs.writeFileSync(file('million.ply'), writePly(makePointCloud(1_000_000, 5)));
  fs.writeFileSync(file('splats-500k.ply'), writeGaussianPly(makeSplats(500_000, 9)));
  await page.addInitScript(() => {
    const w = window as unknown as { __longtasks: { start: number; duration: number }[] };
    w.__longtasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longtasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  const v = new Viewer(page);
  await v.open(studio.url);
  const report: Record<string, unknown> = {};
  for (const [name, stat, count] of [
    ['million.ply', 'points', 1_000_000],
    ['splats-500k.ply', 'splats', 500_000],
  ] as const) {
    // software WebGL (SwiftShader, here) needs seconds per frame for these: long waits, few frames
    await v.openFiles([name], 180_000);
    await expect(v.stat(stat)).toHaveAttribute('data-value', String(count));
    if (stat === 'splats' && (await v.canvas().getAttribute('data-software-gl')) === 'true') {
      // software WebGL: a fixed subset within the splat budget is drawn, and the panel says so
      await expect(page.getByTestId('viewer-subset-0')).toHaveAttribute('data-stride', '10');
    }
    expect((await v.picture()).variance, `${name} drew something`).toBeGreaterThan(NOT_BLANK);
    // orbit: one drag across the view (the splat order is re-sorted in the worker meanwhile)
    const b = (await v.canvas().boundingBox())!;
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
    await page.mouse.down();
    await page.mouse.move(b.x + b.width / 2 + 200, b.y + b.height / 2 + 40, { steps: 2 });
    await page.mouse.up();
    expect((await v.picture()).variance, `${name} still drawn after orbiting`).toBeGreaterThan(NOT_BLANK);
    const m = await page.evaluate((n) => {
      const w = window as unknown as { __longtasks: { start: number; duration: number }[]; __krakenViewer: { loads: { name: string; startedAt: number; parsedAt: number; builtAt: number; firstFrameAt?: number; timings: { readMs: number; parseMs: number } }[] } };
      const load = w.__krakenViewer.loads.filter((l) => l.name === n).pop()!;
      const during = w.__longtasks.filter((t) => t.start + t.duration >= load.startedAt && t.start <= (load.firstFrameAt ?? Infinity));
      return {
        workerReadMs: Math.round(load.timings.readMs),
        workerParseMs: Math.round(load.timings.parseMs),
        toParsedMs: Math.round(load.parsedAt - load.startedAt),
        toFirstFrameMs: load.firstFrameAt ? Math.round(load.firstFrameAt - load.startedAt) : null,
        // tasks that began before the model was built: reading, parsing, transfer, building (not the drawing)
        longestTaskBeforeFirstFrameMs: Math.round(Math.max(0, ...during.filter((t) => t.start < load.builtAt).map((t) => t.duration))),
        // including the first frame: on software WebGL its rasterisation blocks the page thread
        longestTaskDuringLoadMs: Math.round(Math.max(0, ...during.map((t) => t.duration))),
        longTasksDuringLoad: during.length,
      };
    }, name);
    report[name] = m;
    testInfo.annotations.push({ type: 'viewer-load', description: `${name}: ${JSON.stringify(m)}` });
    console.log(`viewer load ${name}: ${JSON.stringify(m)}`);
  }
  fs.mkdirSync(path.join(repoRoot, '.tmp'), { recursive: true });
  fs.writeFileSync(path.join(repoRoot, '.tmp', 'viewer-e2e-large.json'), JSON.stringify(report, null, 2));
});
