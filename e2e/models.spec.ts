/**
 * The Models page end to end in Chromium through the browser host: devices and the reasons behind them,
 * force CPU, every bundled model over a frame set extracted from a generated clip (overlays, stored results,
 * exports on disk), "process remaining", cancel, and a malformed model import.
 *
 * The clip is made here with ffmpeg: a full-body figure and a group photo from the sample sheet shipped by
 * @vladmandic/human, under a line of text drawn with drawtext, so pose, detection and OCR all have something
 * real to find.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { expect, repoRoot, test } from './fixtures';
import { AppPage } from './pages/app-page';
import { MediaPage } from './pages/media-page';
import { ModelsPage } from './pages/models-page';
import { ProjectsPage } from './pages/projects-page';

const shots = path.join(repoRoot, '.tmp', 'screenshots');
const SAMPLES = path.join(repoRoot, 'node_modules', '@vladmandic', 'human', 'assets', 'samples.jpg');
const MOVENET = 'human-movenet-lightning';
const CENTERNET = 'human-centernet';
const OCR_DET = 'paddleocr-v4-det';
const OCR_REC = 'paddleocr-v4-rec';
const TEXT = 'KRAKEN 2026';
/** Frames of the cancel journey's set. */
const FRAMES = 100;

async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

function findFont(): string {
  const candidates = ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf'];
  const found = candidates.find((f) => fs.existsSync(f));
  if (found) return found;
  const listed = execFileSync('fc-list', [':lang=en', 'file'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.replace(/:\s*$/, '').trim())
    .find((l) => /\.(ttf|otf)$/i.test(l));
  if (!listed) throw new Error('The models journey draws text with ffmpeg and needs a TrueType font (apt-get install fonts-dejavu-core).');
  return listed;
}

/** A 640×480 H.264 clip at 10 fps: a standing figure, a group of people and a line of text; a frame counter changes each frame. */
function makeClip(dir: string, name: string, seconds: number): string {
  const file = path.join(dir, name);
  const font = findFont().replace(/\\/g, '/').replace(/:/g, '\\:');
  const graph = [
    '[0:v]crop=156:158:0:0,scale=300:304[person]',
    '[0:v]crop=1280:958:0:200,scale=320:240[group]',
    '[1:v][person]overlay=10:150[a]',
    '[a][group]overlay=316:200[b]',
    `[b]drawtext=text='${TEXT}':fontfile='${font}':fontsize=56:fontcolor=black:x=20:y=30,drawtext=text='%{n}':fontfile='${font}':fontsize=28:fontcolor=black:x=560:y=110`,
  ].join(';');
  execFileSync('ffmpeg', [
    '-v', 'error', '-y', '-loop', '1', '-i', SAMPLES, '-f', 'lavfi', '-i', 'color=white:s=640x480',
    '-filter_complex', graph, '-t', String(seconds), '-r', '10', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', file,
  ]);
  return file;
}

/** Creates a project, imports the clip and extracts frames at `fps`; returns the new frame set's id. */
async function projectWithFrames(page: Page, clip: string, fps: number, expected: number): Promise<number> {
  const media = new MediaPage(page);
  await new ProjectsPage(page).create('Model runs');
  await media.importFiles([clip]);
  await expect(media.mediaItems()).toHaveCount(1, { timeout: 30_000 });
  return extract(media, fps, expected);
}

async function extract(media: MediaPage, fps: number, expected: number): Promise<number> {
  const before = await media.frameSets().count();
  await media.extract({ fps });
  await expect(media.frameSets()).toHaveCount(before + 1);
  const set = media.latestSet();
  await expect(set).toHaveAttribute('data-status', 'complete', { timeout: 60_000 });
  await expect(set).toHaveAttribute('data-frame-count', String(expected));
  return Number(await set.getAttribute('data-set-id'));
}

/** Runs the chosen model to the end, checking the plan beforehand and that a progress bar showed. */
async function runToEnd(models: ModelsPage, modelId: string, expectTotal: number): Promise<Locator> {
  expect((await models.planCounts()).toProcess).toBe(expectTotal);
  await expect(models.startButton()).toHaveText(`Run on ${expectTotal} image${expectTotal === 1 ? '' : 's'}`);
  const sawProgress = await models.watchFor('run-progress-bar');
  const run = await models.start(modelId);
  await expect(run).toHaveAttribute('data-status', 'completed', { timeout: 90_000 });
  expect(await sawProgress()).toBe(true);
  await expect(run).toHaveAttribute('data-total', String(expectTotal));
  await expect(run).toHaveAttribute('data-done', String(expectTotal));
  await expect(run).toHaveAttribute('data-failed', '0');
  await expect(run).toHaveAttribute('aria-current', 'true'); // the page shows the run it started
  await expect(models.resultCount()).toHaveText(`${expectTotal} result${expectTotal === 1 ? '' : 's'}`);
  await expect(models.tiles()).toHaveCount(Math.min(expectTotal, 48));
  return run;
}

test('devices, force CPU, every bundled model over a frame set: overlays, stored results, exports, process remaining', async ({ studio }) => {
  test.setTimeout(240_000);
  const { page } = studio;
  const app = new AppPage(page);
  const media = new MediaPage(page);
  const models = new ModelsPage(page);
  const clip = makeClip(studio.dataDir, 'people-and-text.mp4', 3);

  await app.open(studio.url);
  const setId = await projectWithFrames(page, clip, 2, 6);
  await app.goTo('models');

  // ---- devices: which provider runs and why the others do not ----
  await expect(models.onnxProvider('cpu')).toHaveAttribute('data-status', 'used');
  await expect(page.getByTestId('onnx-selected')).toHaveText('cpu');
  const cuda = models.onnxProvider('cuda');
  await expect(cuda).toHaveAttribute('data-status', 'skipped');
  // This machine has no NVIDIA GPU; elsewhere the reason may be the missing provider files instead.
  await expect(cuda.getByTestId('provider-reason')).toHaveText(/No NVIDIA GPU was found|CUDA provider files are not installed|no CUDA build/);
  for (const name of ['dml', 'coreml']) await expect(models.onnxProvider(name).getByTestId('provider-reason')).not.toBeEmpty();
  await expect(models.tfjsBackend('tfjs-node-gpu')).toHaveAttribute('data-status', 'skipped');
  await expect(models.tfjsBackend('tfjs-node-gpu').getByTestId('provider-reason')).toContainText('binding');
  await expect(models.tfjsBackend('wasm')).toHaveAttribute('data-status', /^(available|used)$/);
  await expect(models.modelRows()).toHaveCount(3);
  await shot(page, 'models-01-devices');

  // ---- force CPU: the reasons change at once, survive a reload, and the next runs follow it ----
  await expect(models.forceCpu()).not.toBeChecked();
  await models.forceCpu().click();
  await expect(models.forceCpu()).toBeChecked();
  await expect(cuda.getByTestId('provider-reason')).toHaveText('Force CPU is on (Models → Devices).');
  await expect(models.tfjsBackend('tfjs-node-gpu').getByTestId('provider-reason')).toHaveText('Force CPU is on (Models → Devices).');
  await page.reload();
  await expect(models.forceCpu()).toBeChecked();
  await expect(cuda.getByTestId('provider-reason')).toHaveText('Force CPU is on (Models → Devices).');

  // Pose (TF.js) with force CPU on.
  await expect(page.getByTestId('run-set')).toHaveValue(String(setId));
  // The picker names the set by its video and how it was made, not "Frame set #N"; the model list shows whole names.
  await expect(page.getByTestId('run-set').locator(`option[value="${setId}"]`)).toHaveText('people-and-text.mp4 · 2 fps (6 frames)');
  expect(await page.getByTestId('run-model').locator('option').allTextContents()).toContain('CenterNet MobileNetV3 (objects, COCO)');
  // Nothing of this machine's insides in what the page says about devices (paths, probing tools).
  for (const text of await models.devices().allInnerTexts()) expect(text).not.toMatch(/node_modules|nvidia-smi|lspci|\/usr\/|\/work\//);
  await models.choose({ model: MOVENET, images: setId, mode: 'remaining' });
  await expect(models.plan()).toHaveText('6 of 6 images remain to process; 0 already have a result from this model.');
  const pose = await runToEnd(models, MOVENET, 6);
  await expect(pose.getByTestId('run-provider')).toHaveText('wasm');
  await expect(page.getByTestId('summary-device')).toHaveText('wasm');
  await models.showFallbacks();
  await expect(models.fallback('tfjs-node-gpu')).toContainText('Force CPU is on');
  // A standing figure in every frame: keypoints drawn on every tile.
  for (const tile of await models.tiles().all()) expect(await tile.getByTestId('overlay-keypoint').count()).toBeGreaterThanOrEqual(10);
  await expect(page.getByTestId('summary-objects')).toHaveText('6');
  // Nothing remains for this model on this set.
  await expect(models.plan()).toHaveAttribute('data-to-process', '0');
  await expect(models.plan()).toContainText('Nothing remains');
  await expect(models.startButton()).toBeDisabled();

  // OCR (ONNX: detection, then recognition of each line) with force CPU on.
  await models.choose({ model: OCR_DET, images: setId });
  const ocr = await runToEnd(models, OCR_DET, 6);
  await expect(ocr.getByTestId('run-provider')).toHaveText('cpu');
  await models.showFallbacks();
  await expect(models.fallback('cuda')).toContainText('Force CPU is on');
  for (const tile of await models.tiles().all()) {
    await expect(tile.getByTestId('overlay-text').first()).toBeVisible();
    await expect(tile.getByTestId('result-caption')).toContainText(TEXT);
  }
  await models.tiles().first().locator('button').click();
  await expect(page.getByTestId('result-detail').getByTestId('ocr-text')).toContainText(TEXT);
  // The large view is titled by the frame's file name as written, not by a storage path in capitals.
  await expect(page.getByTestId('result-detail-name')).toHaveText(/^\d{6}\.jpg$/);
  await expect(page.getByTestId('result-detail-name')).toHaveCSS('text-transform', 'none');
  await shot(page, 'models-02-ocr');

  // Force CPU off: the next runs report the machine's own reasons again.
  await models.forceCpu().click();
  await expect(models.forceCpu()).not.toBeChecked();
  await expect(cuda.getByTestId('provider-reason')).not.toContainText('Force CPU');

  // Objects (TF.js).
  await models.choose({ model: CENTERNET, images: setId });
  const det = await runToEnd(models, CENTERNET, 6);
  await expect(det.getByTestId('run-provider')).toHaveText('wasm');
  await models.showFallbacks();
  await expect(models.fallback('tfjs-node-gpu')).toContainText('binding');
  await expect(models.fallback('tfjs-node-gpu')).not.toContainText('Force CPU');
  for (const tile of await models.tiles().all()) {
    expect(await tile.getByTestId('overlay-box').count()).toBeGreaterThanOrEqual(1);
    await expect(tile.getByTestId('result-caption')).toContainText('person');
  }
  await expect(page.getByTestId('class-counts')).toContainText('person');
  // The overlay switch of the large view hides and shows the boxes.
  await models.tiles().first().locator('button').click();
  const detail = page.getByTestId('result-detail');
  const boxes = await detail.getByTestId('overlay-box').count();
  expect(boxes).toBeGreaterThanOrEqual(1);
  // Tiles draw the boxes over a cached thumbnail; the large view over the full image.
  const tileImg = models.tiles().first().getByTestId('result-view').locator('img').first();
  await expect.poll(() => tileImg.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  const tile = await tileImg.evaluate((img: HTMLImageElement) => ({ natural: img.naturalWidth, asked: Number(new URL(img.src).searchParams.get('thumb')) }));
  expect([160, 320, 640]).toContain(tile.asked);
  expect(tile.natural).toBeLessThanOrEqual(tile.asked);
  expect(await detail.getByTestId('result-view').locator('img').first().getAttribute('src')).not.toContain('thumb=');
  await detail.getByTestId('overlay-toggle').uncheck();
  await expect(detail.getByTestId('overlay-box')).toHaveCount(0);
  await detail.getByTestId('overlay-toggle').check();
  await expect(detail.getByTestId('overlay-box')).toHaveCount(boxes);
  await shot(page, 'models-03-detection');

  // The confidence threshold: 40 % by default; what is drawn follows it; it is remembered for this model.
  await expect(models.minScoreValue()).toHaveText('40%');
  const at40 = await models.tileBoxScores();
  expect(at40.length).toBeGreaterThanOrEqual(6);
  expect(Math.min(...at40)).toBeGreaterThanOrEqual(0.4);
  await models.setMinScore(0.05);
  const at5 = await models.tileBoxScores();
  expect(at5.length).toBeGreaterThanOrEqual(at40.length);
  await models.setMinScore(0.95);
  const at95 = await models.tileBoxScores();
  expect(at95.every((sc) => sc >= 0.95)).toBe(true);
  expect(at95.length).toBeLessThanOrEqual(at40.length);
  // The run's counts follow the threshold too (all 6 results are on the page here).
  await expect(page.getByTestId('summary-objects')).toHaveText(String(at95.length));
  await models.setMinScore(0.3);
  expect(Math.min(...(await models.tileBoxScores()))).toBeGreaterThanOrEqual(0.3);

  // OCR is one model to the creator: its recogniser (an internal step) is neither in the library nor in the picker.
  expect(await models.modelRows().evaluateAll((els) => els.map((e) => e.getAttribute('data-model-id')))).not.toContain(OCR_REC);
  expect(await page.getByTestId('run-model').locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).not.toContain(OCR_REC);

  // ---- stored: a reload shows the same runs and results ----
  await page.reload();
  await expect(models.runs()).toHaveCount(3);
  for (const r of await models.runs().all()) await expect(r).toHaveAttribute('data-status', 'completed');
  await models.select(models.runsOf(MOVENET));
  await expect(models.tiles()).toHaveCount(6);
  expect(await models.tiles().first().getByTestId('overlay-keypoint').count()).toBeGreaterThanOrEqual(10);
  const detRun = models.runsOf(CENTERNET);
  await models.select(detRun);
  await expect(models.tiles()).toHaveCount(6);
  await expect(models.minScoreValue()).toHaveText('30%');
  const firstSetImages = await models.tileImageIds();
  expect(new Set(firstSetImages).size).toBe(6);

  // ---- exports land on disk ----
  const json = await models.export('json');
  expect(json).toMatch(/^exports\/run-\d+-human-centernet\.json$/);
  const exported = JSON.parse(fs.readFileSync(path.join(studio.dataDir, json), 'utf8')) as { results: { imageId: number }[] };
  expect(exported.results.map((r) => r.imageId).sort()).toEqual([...firstSetImages].sort());
  const csv = await models.export('csv');
  const rows = fs.readFileSync(path.join(studio.dataDir, csv), 'utf8').trim().split(/\r?\n/);
  expect(rows[0]).toBe('image_id,file,label,class_index,score,x,y,width,height,error');
  expect(rows.slice(1).filter((r) => r.includes(',person,')).length).toBeGreaterThanOrEqual(6);
  const coco = await models.export('coco');
  const c = JSON.parse(fs.readFileSync(path.join(studio.dataDir, coco), 'utf8')) as { images: unknown[]; annotations: unknown[]; categories: { name: string }[] };
  expect(c.images).toHaveLength(6);
  expect(c.annotations.length).toBeGreaterThanOrEqual(6);
  expect(c.categories.map((k) => k.name)).toContain('person');

  // ---- process remaining: more images appear, only they are processed ----
  await app.goTo('media');
  const second = await extract(media, 1, 3);
  await app.goTo('models');
  await models.choose({ model: CENTERNET, images: 'all', mode: 'all' });
  expect(await models.planCounts()).toEqual({ inScope: 9, withResult: 6, inProgress: 0, toProcess: 9 });
  await models.choose({ model: CENTERNET, images: 'all', mode: 'remaining' });
  expect(await models.planCounts()).toEqual({ inScope: 9, withResult: 6, inProgress: 0, toProcess: 3 });
  await expect(models.plan()).toHaveText('3 of 9 images remain to process; 6 already have a result from this model.');
  const rest = await runToEnd(models, CENTERNET, 3);
  await expect(rest).toHaveAttribute('data-skipped', '6');
  const restImages = await models.tileImageIds();
  expect(restImages.filter((id) => firstSetImages.includes(id))).toEqual([]);
  expect((await models.planCounts()).toProcess).toBe(0);
  // The new set alone is done too; the pose model has not seen it.
  await models.choose({ model: CENTERNET, images: second, mode: 'remaining' });
  expect(await models.planCounts()).toEqual({ inScope: 3, withResult: 3, inProgress: 0, toProcess: 0 });
  await models.choose({ model: MOVENET, images: 'all', mode: 'remaining' });
  expect(await models.planCounts()).toEqual({ inScope: 9, withResult: 6, inProgress: 0, toProcess: 3 });

  // ---- deleting a run's results makes its images remaining again ----
  await models.runsOf(CENTERNET).last().getByTestId('run-delete').click();
  await expect(models.runsOf(CENTERNET)).toHaveCount(1);
  await models.choose({ model: CENTERNET, images: 'all', mode: 'remaining' });
  expect(await models.planCounts()).toEqual({ inScope: 9, withResult: 3, inProgress: 0, toProcess: 6 });
  await shot(page, 'models-04-remaining');
  await expect(app.errorToasts()).toHaveCount(0);
});

test('cancel mid-run keeps the finished results; the rest stays remaining and is processed by "process remaining"', async ({ studio }) => {
  test.setTimeout(180_000);
  const { page } = studio;
  const app = new AppPage(page);
  const models = new ModelsPage(page);
  // 100 frames: MoveNet needs several seconds for them here, so the cancel lands mid-run.
  const clip = makeClip(studio.dataDir, 'long.mp4', 10);
  await app.open(studio.url);
  const setId = await projectWithFrames(page, clip, 10, FRAMES);
  await app.goTo('models');

  await models.choose({ model: MOVENET, images: setId, mode: 'remaining' });
  expect((await models.planCounts()).toProcess).toBe(FRAMES);
  const run = await models.start(MOVENET);
  await expect(run.getByTestId('run-progress-bar')).toBeVisible();
  // Cancel once the first batch is stored.
  await expect(run.getByTestId('run-progress-text')).toHaveText(new RegExp(`^[1-9]\\d* of ${FRAMES} images`), { timeout: 60_000 });
  // While it runs, "remaining" leaves its images to it.
  expect(await models.planCounts()).toMatchObject({ inScope: FRAMES, toProcess: 0 });
  await run.getByTestId('run-cancel').click();
  await expect(run).toHaveAttribute('data-status', 'cancelled');
  await expect(run.getByTestId('run-resume')).toBeVisible();
  const done = Number(await run.getAttribute('data-done'));
  expect(done).toBeGreaterThan(0);
  expect(done).toBeLessThan(FRAMES);
  await expect(models.resultCount()).toHaveText(`${done} result${done === 1 ? '' : 's'}`);
  expect(await models.planCounts()).toEqual({ inScope: FRAMES, withResult: done, inProgress: 0, toProcess: FRAMES - done });
  await shot(page, 'models-05-cancelled');

  // Still so after a reload: the state is the host's.
  await page.reload();
  await expect(models.runs().first()).toHaveAttribute('data-status', 'cancelled');
  await expect(models.runs().first()).toHaveAttribute('data-done', String(done));
  expect(await models.planCounts()).toEqual({ inScope: FRAMES, withResult: done, inProgress: 0, toProcess: FRAMES - done });

  const rest = await runToEnd(models, MOVENET, FRAMES - done);
  await expect(rest).toHaveAttribute('data-skipped', String(done));
  // Every result of the run is there: the rest of the pages (48 tiles each) on request.
  for (let shown = 48; shown < FRAMES - done; shown += 48) {
    await page.getByTestId('results-more').click();
    await expect(models.tiles()).toHaveCount(Math.min(FRAMES - done, shown + 48));
  }
  await expect(page.getByTestId('results-more')).toHaveCount(0);
  expect(new Set(await models.tileImageIds()).size).toBe(FRAMES - done);
  expect((await models.planCounts()).toProcess).toBe(0);
  // The cancelled run keeps its own results.
  await models.select(models.runs().nth(1));
  await expect(models.resultCount()).toHaveText(`${done} result${done === 1 ? '' : 's'}`);
  await expect(app.errorToasts()).toHaveCount(0);
});

test('a malformed .onnx file is refused with a clear message and changes nothing', async ({ studio }) => {
  const { page } = studio;
  const app = new AppPage(page);
  const models = new ModelsPage(page);
  await app.open(studio.url);
  await app.goTo('models');
  await expect(models.modelRows()).toHaveCount(3);
  const ids = await models.modelRows().evaluateAll((els) => els.map((e) => e.getAttribute('data-model-id')));

  await models.importModelFile({ name: 'broken.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from('this is not an ONNX model\n'.repeat(40)) });
  const toast = app.errorToasts();
  await expect(toast).toBeVisible();
  await expect(toast).toHaveAttribute('data-code', 'MODEL_INVALID');
  await expect(toast).toContainText('broken.onnx is not a valid ONNX model');
  await shot(page, 'models-06-bad-model');

  await expect(models.modelRows()).toHaveCount(3);
  await page.reload();
  await expect(models.modelRows()).toHaveCount(3);
  expect(await models.modelRows().evaluateAll((els) => els.map((e) => e.getAttribute('data-model-id')))).toEqual(ids);
  // Nothing was added to the library folder (bundled models are read where npm put them).
  const library = path.join(studio.dataDir, 'models');
  expect(fs.existsSync(library) ? fs.readdirSync(library) : []).toEqual([]);
});

test('a model download says "Connecting to <host>…" from the click on, with a download icon (nothing leaves this machine)', async ({ studio }) => {
  const { page } = studio;
  const app = new AppPage(page);
  // The studio's answer to models.download is held back (and the download never started): what the row shows before
  // the first byte is what a creator sees while an offline machine waits for the name to resolve.
  let release: (() => void) | null = null;
  let asked = 0;
  await page.routeWebSocket(/.*/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((m) => {
      const msg = JSON.parse(String(m)) as { t: string; id: number; channel?: string };
      if (msg.channel === 'models.download') {
        asked++;
        release = () => ws.send(JSON.stringify({ t: 'result', id: msg.id, envelope: { ok: true, value: { jobId: 'held-download' } } }));
        return;
      }
      server.send(m);
    });
    server.onMessage((m) => ws.send(m));
  });
  await app.open(studio.url);
  await new ProjectsPage(page).create('Download');
  await app.goTo('models');
  const row = page.getByTestId('library-panel').locator('[data-testid="catalogue-row"][data-model-id="midas-v21-small"]');
  const button = row.getByTestId('download-model');
  // The download arrow (points down into the tray), not the upload one.
  await expect(button.locator('path')).toHaveAttribute('d', /^M12 4v12M7 11l5 5 5-5/);
  await button.click();
  await expect(row.getByTestId('download-connecting')).toHaveText('Connecting to github.com…');
  await expect(row.getByTestId('download-progress')).toHaveClass(/indeterminate/);
  await expect.poll(() => asked).toBe(1);
  // The studio answered (a job id) but no byte came yet: still connecting, still no empty 0 % bar.
  release!();
  await expect(row.getByTestId('download-connecting')).toHaveText('Connecting to github.com…');
  await expect(row.getByTestId('download-progress')).not.toHaveAttribute('aria-valuenow', /.*/);
});
