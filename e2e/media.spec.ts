/**
 * The media page end to end in Chromium through the browser host, on small clips made with ffmpeg here:
 * importing many files at once (an image and a duplicate among them), every extraction mode from the form,
 * pre-flight against a cloud model with a one-click fix, and the frame-set tools (scrubber, mark then
 * delete/keep, contact sheet, export as a folder and as a zip), each checked on disk in the data folder.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readZip } from '../test-support/read-zip';
import { expect, test } from './fixtures';
import { AppPage } from './pages/app-page';
import { MediaPage } from './pages/media-page';
import { ModelsPage } from './pages/models-page';
import { ProjectsPage } from './pages/projects-page';

const ffmpeg = process.env.KRAKEN_FFMPEG ?? 'ffmpeg';
const ffprobe = process.env.KRAKEN_FFPROBE ?? 'ffprobe';
let clips = '';
/** 4 s, 320x240, 30 fps: testsrc2 for 2 s then a hard cut to mandelbrot; a key frame every second exactly. */
let clip = '';
/** The same bytes under another name. */
let duplicate = '';
/** 2 s of another picture. */
let second = '';
/** A 400x300 PNG still. */
let still = '';
/** 22 s, portrait 240x320: too long for MusePose (less than 20 s), right otherwise. */
let tall = '';
/** A portrait 300x400 PNG: the still image MusePose takes with the video. */
let portrait = '';

function ff(args: string[]): void {
  execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}

const x264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];

test.beforeAll(() => {
  clips = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-e2e-clips-'));
  clip = path.join(clips, 'clip.mp4');
  ff(['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30:duration=2', '-f', 'lavfi', '-i', 'mandelbrot=size=320x240:rate=30,trim=duration=2',
    '-filter_complex', '[0:v][1:v]concat=n=2:v=1:a=0[v]', '-map', '[v]', ...x264, '-g', '30', '-keyint_min', '30', '-sc_threshold', '0', clip]);
  duplicate = path.join(clips, 'clip copy.mp4');
  fs.copyFileSync(clip, duplicate);
  second = path.join(clips, 'second.mp4');
  ff(['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25:duration=2', ...x264, second]);
  still = path.join(clips, 'still.png');
  ff(['-f', 'lavfi', '-i', 'testsrc2=size=400x300', '-frames:v', '1', still]);
  tall = path.join(clips, 'tall.mp4');
  ff(['-f', 'lavfi', '-i', 'testsrc2=size=240x320:rate=10:duration=22', ...x264, tall]);
  portrait = path.join(clips, 'portrait.png');
  ff(['-f', 'lavfi', '-i', 'testsrc2=size=300x400', '-frames:v', '1', portrait]);
});

test.afterAll(() => {
  if (clips) fs.rmSync(clips, { recursive: true, force: true });
});

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function durationOf(file: string): number {
  return Number(execFileSync(ffprobe, ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], { encoding: 'utf8' }).trim());
}

/** The folder of a complete frame set in the data folder (projects/<p>/frames/<set>). */
function setDir(dataDir: string, setId: number): string {
  const projects = path.join(dataDir, 'projects');
  for (const p of fs.readdirSync(projects)) {
    const dir = path.join(projects, p, 'frames', String(setId));
    if (fs.existsSync(dir)) return dir;
  }
  throw new Error(`frame set ${setId} has no folder in ${dataDir}`);
}

/** Frame files of a set on disk, sorted. */
function framesOnDisk(dataDir: string, setId: number): string[] {
  return fs
    .readdirSync(setDir(dataDir, setId))
    .filter((f) => /\.(jpg|png|webp)$/.test(f))
    .sort();
}

/** Width and height from a PNG's IHDR. */
function pngSize(file: string): [number, number] {
  const b = fs.readFileSync(file);
  expect(b.subarray(1, 4).toString('latin1')).toBe('PNG');
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

test('import: several files at once, an image among them; a duplicate is reported and not imported twice', async ({ studio }) => {
  const { page } = studio;
  const app = new AppPage(page);
  const media = new MediaPage(page);
  await app.open(studio.url);
  await new ProjectsPage(page).create('Many files');

  await media.importFiles([clip, second, still, duplicate]);
  await expect(media.mediaItems()).toHaveCount(3);
  await expect(page.getByTestId('toast-success')).toContainText('Imported 3 files');
  const dup = app.errorToasts();
  await expect(dup).toHaveCount(1);
  await expect(dup).toHaveAttribute('data-code', 'CONFLICT');
  await expect(dup).toContainText('clip copy.mp4');
  await expect(dup).toContainText('Already in this project as “clip.mp4”');
  expect((await media.mediaItems().getByTestId('media-name').allTextContents()).sort()).toEqual(['clip.mp4', 'second.mp4', 'still.png']);
  // The refused duplicate's uploaded copy does not stay in the data folder.
  const uploads = () => fs.readdirSync(path.join(studio.dataDir, 'uploads')).flatMap((d) => fs.readdirSync(path.join(studio.dataDir, 'uploads', d))).sort();
  expect(uploads()).toEqual(['clip.mp4', 'second.mp4', 'still.png']);

  // Each has its own metadata; the image is an image (no extraction form, image models in pre-flight).
  await media.select('second.mp4');
  await expect(media.meta('duration')).toHaveText('0:02.0');
  await expect(media.meta('fps')).toHaveText(/^25/);
  await media.select('still.png');
  await expect(page.getByTestId('media-details-name')).toHaveAttribute('data-kind', 'image');
  await expect(media.meta('size')).toHaveText('400 × 300');
  await expect(page.getByTestId('extract-form')).toHaveCount(0);
  await expect(page.getByTestId('preflight-model-instant-mesh')).toBeVisible();
  const report = await media.preflight('instant-mesh');
  await expect(report).toHaveAttribute('data-ok', 'true');
  await media.select('clip.mp4');
  await expect(media.meta('size')).toHaveText('320 × 240');
  await expect(media.meta('duration')).toHaveText('0:04.0');

  // The same file again, alone: refused again, still three.
  await app.dismissToasts();
  await media.importFiles([clip]);
  await expect(app.errorToasts()).toHaveAttribute('data-code', 'CONFLICT');
  await expect(media.mediaItems()).toHaveCount(3);
  expect(uploads()).toEqual(['clip.mp4', 'second.mp4', 'still.png']);
  await page.reload();
  await expect(media.mediaItems()).toHaveCount(3);
  await app.goTo('projects');
  await expect(new ProjectsPage(page).card('Many files')).toContainText('3 media files');
});

test('extraction: every mode from the form, with range, max side, PNG/WebP and drop-blurry, gives the expected frames', async ({ studio }) => {
  test.setTimeout(150_000);
  const { page, dataDir } = studio;
  const app = new AppPage(page);
  const media = new MediaPage(page);
  await app.open(studio.url);
  await new ProjectsPage(page).create('Every mode');
  await media.importFiles([clip]);
  await expect(media.meta('duration')).toHaveText('0:04.0');

  const grid = page.getByTestId('grid-count');
  const check = async (choice: Parameters<MediaPage['extractSet']>[0], frames: number, ext = 'jpg') => {
    const { set, id } = await media.extractSet(choice);
    await expect(set).toHaveAttribute('data-frame-count', String(frames));
    await expect(grid).toHaveText(`${frames} frames`);
    const files = framesOnDisk(dataDir, id);
    expect(files).toHaveLength(frames);
    expect(files.every((f) => f.endsWith(`.${ext}`))).toBe(true);
    return { set, id, files };
  };

  // 4 s at 2 fps; every 10th of 120 frames; one key frame per second; the first frame and the cut at 2 s; exactly 5.
  await check({ mode: 'fps', value: 2 }, 8);
  await check({ mode: 'every', value: 10 }, 12);
  await check({ mode: 'keyframes' }, 4);
  await check({ mode: 'scene', value: 0.3 }, 2);
  await media.scrubTo(1);
  await expect(page.getByTestId('scrubber-time')).toHaveText(/^2\.0\d\d s$/);
  await check({ mode: 'count', value: 5 }, 5);

  // 1 s to 3 s at 2 fps, longer side 160, PNG: 4 frames of 160x120 whose times stay in the range.
  const ranged = await check({ mode: 'fps', value: 2, start: 1, end: 3, maxSide: 160, format: 'png' }, 4, 'png');
  expect(pngSize(path.join(setDir(dataDir, ranged.id), ranged.files[0]!))).toEqual([160, 120]);
  await expect(page.getByTestId('frame-grid')).toHaveAttribute('data-format', 'png');
  await expect(page.getByTestId('scrubber-time')).toHaveText('1.000 s');
  await media.scrubTo(3);
  await expect(page.getByTestId('scrubber-time')).toHaveText('2.500 s');
  await media.thumbnails().first().click();
  await expect.poll(() => page.getByTestId('lightbox-image').evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])).toEqual([160, 120]);
  await page.keyboard.press('Escape');

  const webp = await check({ mode: 'count', value: 3, format: 'webp' }, 3, 'webp');
  const head = fs.readFileSync(path.join(setDir(dataDir, webp.id), webp.files[0]!)).subarray(0, 12).toString('latin1');
  expect(head.slice(0, 4) + head.slice(8)).toBe('RIFFWEBP');

  // Drop-blurry: still exactly 4, the sharpest of several candidates each, with the report and the scores.
  const sharp = await check({ mode: 'count', value: 4, dropBlurry: true }, 4);
  await expect(page.getByTestId('set-blur-report')).toHaveText(/^Kept the sharpest 4 of (\d+) candidate frames; \d+ blurrier ones were dropped/);
  const [, candidates] = /of (\d+) candidate/.exec((await page.getByTestId('set-blur-report').textContent())!)!;
  expect(Number(candidates)).toBeGreaterThan(4);
  await expect(page.getByTestId('scrubber').getByText(/^sharpness \d+$/)).toBeVisible();
  await expect(sharp.set).toContainText('4 frames');

  await expect(media.frameSets()).toHaveCount(8);
  await expect(app.errorToasts()).toHaveCount(0);
});

test('pre-flight: a clip too long for MusePose is trimmed by one click into a new file that passes; the original is untouched', async ({ studio }) => {
  const { page, dataDir } = studio;
  const app = new AppPage(page);
  const media = new MediaPage(page);
  await app.open(studio.url);
  await new ProjectsPage(page).create('Pre-flight');
  await media.importFiles([tall, clip, portrait]);
  await expect(media.mediaItems()).toHaveCount(3);

  // Landscape: refused, and no click can fix that.
  await media.select('clip.mp4');
  let report = await media.preflight('musepose', 'portrait.png');
  await expect(report).toHaveAttribute('data-ok', 'false');
  await expect(page.getByTestId('preflight-verdict')).toHaveText('MusePose would refuse this file.');
  await expect(media.problem('NOT_VERTICAL')).toContainText('needs a vertical (portrait) video');
  // The only click it offers is the crop to portrait (issue 15 point 4).
  await expect(media.problem('NOT_VERTICAL').getByRole('button')).toHaveCount(1);
  await expect(media.problem('NOT_VERTICAL').getByTestId('preflight-fix-crop-portrait')).toBeVisible();

  // Portrait but 22 s, and no image chosen yet: two problems, only the length has a fix.
  await media.select('tall.mp4');
  report = await media.preflight('musepose');
  await expect(report).toHaveAttribute('data-ok', 'false');
  await expect(page.getByTestId('preflight-problem')).toHaveCount(2);
  await expect(media.problem('IMAGE_REQUIRED').getByRole('button')).toHaveCount(0);
  report = await media.preflight('musepose', 'portrait.png');
  await expect(report).toHaveAttribute('data-ok', 'false');
  await expect(page.getByTestId('preflight-problem')).toHaveCount(1);
  await expect(media.problem('TOO_LONG')).toContainText('Too long: 22.0 s (limit < 20 s).');
  const original = path.join(dataDir, 'uploads', fs.readdirSync(path.join(dataDir, 'uploads')).find((d) => fs.existsSync(path.join(dataDir, 'uploads', d, 'tall.mp4')))!, 'tall.mp4');
  const before = { sha: sha256(original), mtime: fs.statSync(original).mtimeMs };

  await media.problem('TOO_LONG').getByTestId('preflight-fix-trim').click();
  const fixed = page.getByTestId('preflight-fixed');
  await expect(fixed).toBeVisible({ timeout: 60_000 });
  await expect(fixed).toHaveAttribute('data-ok', 'true');
  await expect(fixed).toContainText('it passes');
  await expect(media.mediaItems()).toHaveCount(4);

  // A new file in the project's fixed/ folder, under 20 s; the original keeps its bytes and its 22 s.
  const fixedDir = fs.readdirSync(path.join(dataDir, 'projects')).map((p) => path.join(dataDir, 'projects', p, 'media', 'fixed')).find((d) => fs.existsSync(d))!;
  const made = fs.readdirSync(fixedDir).filter((f) => f.endsWith('.mp4'));
  expect(made).toHaveLength(1);
  expect(made[0]).toMatch(/^tall\.musepose\.[0-9a-f-]+\.mp4$/);
  const fixedSeconds = durationOf(path.join(fixedDir, made[0]!));
  expect(fixedSeconds).toBeLessThan(20);
  expect(sha256(original)).toBe(before.sha);
  expect(fs.statSync(original).mtimeMs).toBe(before.mtime);
  expect(durationOf(original)).toBeGreaterThan(21.9);

  // The new file, checked again with the image: it passes.
  await page.getByTestId('preflight-open-fixed').click();
  await expect(page.getByTestId('media-details-name')).toHaveText(made[0]!);
  // The trim keeps the picture, and its length reads under the limit, in tenths cut (never rounded up to 0:20).
  await expect(media.meta('size')).toHaveText('240 × 320');
  await expect(media.meta('duration')).toHaveText(`0:${(Math.floor(fixedSeconds * 10) / 10).toFixed(1)}`);
  await expect(media.meta('duration')).toHaveText(/^0:19\.\d$/);
  await expect(media.item(made[0]!).locator('.media-duration')).toHaveText(/^0:19\.\d$/);
  report = await media.preflight('musepose', 'portrait.png');
  await expect(report).toHaveAttribute('data-ok', 'true');
  await expect(page.getByTestId('preflight-verdict')).toHaveText('Ready for MusePose.');
  await expect(page.getByTestId('preflight-problem')).toHaveCount(0);
  // And the original still fails as before.
  await media.select('tall.mp4');
  report = await media.preflight('musepose', 'portrait.png');
  await expect(report).toHaveAttribute('data-ok', 'false');
  await expect(media.problem('TOO_LONG')).toBeVisible();
  await expect(app.errorToasts()).toHaveCount(0);
});

test('frame-set tools: scrubber, mark then delete and keep, contact sheet, export as a folder and as a zip', async ({ studio }) => {
  const { page, dataDir } = studio;
  const app = new AppPage(page);
  const media = new MediaPage(page);
  await app.open(studio.url);
  await new ProjectsPage(page).create('Set tools');
  await media.importFiles([clip]);
  const { set, id } = await media.extractSet({ mode: 'fps', value: 2 });
  await expect(set).toHaveAttribute('data-frame-count', '8');

  // Scrubber: position, source time and picture follow the slider.
  const position = page.getByTestId('scrubber-position');
  const time = page.getByTestId('scrubber-time');
  const image = page.getByTestId('scrubber-image');
  await expect(position).toHaveText('1 / 8');
  await expect(time).toHaveText('0.000 s');
  const firstSrc = await image.getAttribute('src');
  await media.scrubTo(3);
  await expect(time).toHaveText('1.500 s');
  expect(await image.getAttribute('src')).not.toBe(firstSrc);
  await media.scrubTo(7);
  await expect(time).toHaveText('3.500 s');

  // Mark 0.5 s and 2.0 s (with an unmark on the way), then delete them.
  const marked = page.getByTestId('marked-count');
  await expect(page.getByTestId('delete-marked')).toBeDisabled();
  await media.scrubTo(1);
  await page.getByTestId('scrubber-mark').click();
  await expect(page.getByTestId('scrubber').getByText('Marked', { exact: true })).toBeVisible();
  await media.scrubTo(4);
  await page.getByTestId('scrubber-mark').click();
  await expect(marked).toHaveText('2 frames marked');
  await page.getByTestId('scrubber-mark').click();
  await expect(marked).toHaveText('1 frame marked');
  await page.getByTestId('scrubber-mark').click();
  await expect(marked).toHaveText('2 frames marked');
  await page.getByTestId('delete-marked').click();
  await expect(set).toHaveAttribute('data-frame-count', '6');
  await expect(page.getByTestId('grid-count')).toHaveText('6 frames');
  await expect(marked).toHaveText('0 frames marked');
  await expect(media.thumbnails()).toHaveCount(6);
  const captions = async () => (await media.thumbnails().locator('.frame-caption .faint').allTextContents()).map((s) => s.trim());
  await expect.poll(captions).toEqual(['0.00 s', '1.00 s', '1.50 s', '2.50 s', '3.00 s', '3.50 s']);
  expect(framesOnDisk(dataDir, id)).toHaveLength(6);

  // Keep only the first and the last.
  await media.scrubTo(0);
  await page.getByTestId('scrubber-mark').click();
  await media.scrubTo(5);
  await expect(time).toHaveText('3.500 s');
  await page.getByTestId('scrubber-mark').click();
  await page.getByTestId('keep-marked').click();
  await expect(set).toHaveAttribute('data-frame-count', '2');
  await expect.poll(captions).toEqual(['0.00 s', '3.50 s']);
  const kept = framesOnDisk(dataDir, id);
  expect(kept).toHaveLength(2);

  // Contact sheet of what is left, written beside the set.
  await page.getByTestId('make-contact-sheet').click();
  const sheet = page.getByTestId('contact-sheet');
  await expect(sheet).toContainText('2 frames in 2 × 1');
  await expect.poll(() => sheet.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(2 * (240 + 4) + 4);
  const sheetFile = `${setDir(dataDir, id)}-contact.jpg`;
  expect(fs.readFileSync(sheetFile).subarray(0, 2).toString('hex')).toBe('ffd8');

  // Export as a folder (the default choice): a job whose result line gives the path; the frames byte for byte and frames.csv.
  const result = page.getByTestId('export-result');
  await expect(page.getByTestId('export-format-folder')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('export-set')).toHaveText('Export as folder');
  await page.getByTestId('export-set').click();
  await expect(result).toHaveAttribute('data-format', 'folder');
  await expect(page.getByTestId('export-progress')).toHaveCount(0);
  await expect(page.getByTestId('export-set')).toBeEnabled();
  await expect(page.getByTestId('toast-success').filter({ hasText: 'Exported 2 frames to a folder' })).toBeVisible();
  await expect(result).toHaveAttribute('data-files', '2');
  const folder = path.join(dataDir, ...(await result.getAttribute('data-relative'))!.split('/'));
  expect(folder.startsWith(path.join(dataDir, 'exports'))).toBe(true);
  expect(fs.readdirSync(folder).sort()).toEqual([...kept, 'frames.csv']);
  for (const f of kept) expect(fs.readFileSync(path.join(folder, f)).equals(fs.readFileSync(path.join(setDir(dataDir, id), f)))).toBe(true);
  const csv = fs.readFileSync(path.join(folder, 'frames.csv'), 'utf8').trim().split('\n');
  expect(csv).toHaveLength(3);
  expect(csv.slice(1).map((r) => r.split(',')[2])).toEqual(['0', '3.5']);

  // Export as a zip: one file holding the same frames and the same frames.csv; nothing half-written left.
  await page.getByTestId('export-format-zip').click();
  await expect(page.getByTestId('export-set')).toHaveText('Export as zip');
  await page.getByTestId('export-set').click();
  await expect(result).toHaveAttribute('data-format', 'zip');
  await expect(result).toContainText('Exported 2 frames as a zip');
  const zipRel = (await result.getAttribute('data-relative'))!;
  expect(zipRel).toMatch(/^exports\/project-\d+-set-\d+-.+\.zip$/);
  await expect(result.locator('.export-path')).toHaveText(path.join(dataDir, ...zipRel.split('/')));
  const entries = await readZip(path.join(dataDir, ...zipRel.split('/')));
  expect([...entries.keys()]).toEqual([...kept, 'frames.csv']);
  for (const f of kept) {
    expect(entries.get(f)!.method).toBe(0);
    expect(entries.get(f)!.data.equals(fs.readFileSync(path.join(setDir(dataDir, id), f)))).toBe(true);
  }
  expect(entries.get('frames.csv')!.data.equals(fs.readFileSync(path.join(folder, 'frames.csv')))).toBe(true);
  expect(fs.readdirSync(path.join(dataDir, 'exports')).filter((n) => n.includes('partial'))).toEqual([]);
  await expect(app.errorToasts()).toHaveCount(0);

  // The export is a saved job: after a reload the set still says where its last export went.
  await page.reload();
  await expect(page.getByTestId('export-result')).toHaveAttribute('data-relative', zipRel);
  await expect(page.getByTestId('export-stopped')).toHaveCount(0);
});

test('the creator’s place: range errors under the range, the set panel follows the media, a reload keeps media, set, scrubber, form, model and run; the delete-set dialog counts runs and gives focus back', async ({ studio }) => {
  test.setTimeout(180_000);
  const { page } = studio;
  const app = new AppPage(page);
  const media = new MediaPage(page);
  await app.open(studio.url);
  await new ProjectsPage(page).create('Where I was');
  await media.importFiles([clip, second]);
  await expect(media.mediaItems()).toHaveCount(2);
  await media.select('clip.mp4');

  // an end before the start: the message sits under the range and outlines both ends, not the fps field
  const form = page.getByTestId('extract-form');
  await form.getByTestId('extract-mode-fps').click();
  await form.getByTestId('extract-start').fill('3');
  await form.getByTestId('extract-end').fill('1');
  await expect(form.getByTestId('extract-range-error')).toHaveText('The end must come after the start.');
  await expect(form.getByTestId('extract-start')).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByTestId('extract-end')).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByTestId('extract-fps')).toHaveAttribute('aria-invalid', 'false');
  await expect(form.getByTestId('extract-mode-error')).toHaveCount(0);
  await expect(form.getByTestId('extract-submit')).toBeDisabled();
  await form.getByTestId('extract-max-side').fill('8');
  await form.getByTestId('extract-end').fill('');
  await expect(form.getByTestId('extract-max-side-error')).toBeVisible();
  await expect(form.getByTestId('extract-range-error')).toHaveCount(0);
  await expect(form.getByTestId('extract-fps')).toHaveAttribute('aria-invalid', 'false');

  // one set per file; the panel lists the selected file's sets only and never keeps another file's highlighted
  const { id: clipSet } = await media.extractSet({ mode: 'count', value: 3 });
  await media.select('second.mp4');
  await expect(media.frameSets()).toHaveCount(0);
  await expect(page.getByTestId('frame-sets-empty')).toBeVisible();
  await expect(page.getByTestId('frame-sets-elsewhere')).toHaveAttribute('data-count', '1');
  await expect(page.getByTestId('frame-grid')).toHaveCount(0);
  const { id: secondSet } = await media.extractSet({ mode: 'count', value: 2 });
  await media.select('clip.mp4');
  await expect(media.frameSets()).toHaveCount(1);
  const clipRow = page.locator(`[data-testid="frame-set"][data-set-id="${clipSet}"]`);
  await expect(clipRow.locator('.frame-set-main')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator(`[data-set-id="${secondSet}"]`)).toHaveCount(0);
  await media.scrubTo(2);
  // the form as the creator leaves it (not submitted)
  await form.getByTestId('extract-mode-keyframes').click();
  await form.getByTestId('extract-format-webp').click();

  // a model run on the clip's set
  await app.goTo('models');
  const models = new ModelsPage(page);
  await models.choose({ model: 'paddleocr-v4-det', images: clipSet });
  const run = await models.start('paddleocr-v4-det');
  await expect(run).toHaveAttribute('data-status', 'completed', { timeout: 90_000 });
  const runId = await run.getAttribute('data-run-id');
  await models.choose({ model: 'human-movenet-lightning', images: clipSet });

  // reload: the same place
  await page.reload();
  await app.goTo('models');
  await expect(page.getByTestId('run-model')).toHaveValue('human-movenet-lightning');
  await expect(page.getByTestId('run-set')).toHaveValue(String(clipSet));
  await expect(models.runs().first()).toHaveAttribute('aria-current', 'true');
  if (runId) await expect(models.runs().first()).toHaveAttribute('data-run-id', runId);
  await app.goTo('media');
  await expect(page.getByTestId('media-details-name')).toHaveText('clip.mp4');
  await expect(clipRow.locator('.frame-set-main')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('scrubber-position')).toHaveText(/^3 \/ 3/);
  await expect(form.getByTestId('extract-mode-keyframes')).toHaveAttribute('aria-pressed', 'true');
  await expect(form.getByTestId('extract-format-webp')).toHaveAttribute('aria-pressed', 'true');
  await media.select('second.mp4');
  await expect(page.locator(`[data-set-id="${secondSet}"] .frame-set-main`)).toHaveAttribute('aria-pressed', 'true');
  await media.select('clip.mp4');

  // deleting the set: the dialog says one run's results go with it, starts on Cancel, Esc gives the focus back
  const del = clipRow.getByTestId('delete-frame-set');
  await del.click();
  const dialog = page.getByTestId('delete-set-dialog');
  await expect(dialog.getByTestId('delete-set-runs')).toHaveAttribute('data-count', '1');
  await expect(dialog.getByTestId('delete-set-runs')).toContainText('1 model run');
  await expect(dialog.getByTestId('cancel-button')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).not.toBeVisible();
  await expect(del).toBeFocused();
  await del.click();
  await dialog.getByTestId('confirm-button').click();
  await expect(clipRow).toHaveCount(0);

  // the remembered set is gone: a reload falls back quietly, and a removed file too
  await page.reload();
  await expect(page.getByTestId('media-details-name')).toHaveText('clip.mp4');
  await expect(page.getByTestId('frame-sets-empty')).toBeVisible();
  await expect(page.getByTestId('toasts')).toHaveAttribute('data-errors-shown', '0');
});

test('a cut-short video: damaged at import, pre-flight refuses it with a trim to the readable part that passes, and a failed extraction offers Remove, not Resume', async ({ studio }) => {
  test.setTimeout(120_000);
  const { page } = studio;
  const app = new AppPage(page);
  const media = new MediaPage(page);
  // A faststart MP4 (index first) of 6 s, its second half cut off with fs: the index still promises 6 s.
  const whole = path.join(clips, 'whole-faststart.mp4');
  ff(['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30:duration=6', '-f', 'lavfi', '-i', 'sine=duration=6', ...x264, '-c:a', 'aac', '-movflags', '+faststart', whole]);
  const cut = path.join(clips, 'cut-short.mp4');
  const bytes = fs.readFileSync(whole);
  fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
  await app.open(studio.url);
  await new ProjectsPage(page).create('Cut short');
  await media.importFiles([cut]);
  await expect(media.mediaItems()).toHaveCount(1);
  await media.select('cut-short.mp4');
  // Marked at import: where the picture stops, beside the duration the index promises; a poster from the readable part.
  await expect(media.meta('damaged')).toHaveText(/^cut short: the picture stops at 0:0\d\.\d of 0:06\.0$/);
  await expect(page.getByTestId('media-poster-large')).toBeVisible();

  const report = await media.preflight('gs3d');
  await expect(report).toHaveAttribute('data-ok', 'false');
  await expect(media.problem('DAMAGED')).toContainText(/Cut short: the picture stops at \d\.\d s of 6\.0 s\./);
  await expect(media.problem('DAMAGED').getByTestId('preflight-fix-what-trim-readable')).toContainText('the missing end cannot be recovered');

  // A frame set from it fails; the row offers removing the video, not a Resume that would fail the same way.
  const form = page.getByTestId('extract-form');
  await form.getByTestId('extract-mode-fps').click();
  await form.getByTestId('extract-fps').fill('2');
  await form.getByTestId('extract-submit').click();
  const set = media.frameSets().first();
  await expect(set).toHaveAttribute('data-status', 'failed', { timeout: 60_000 });
  await expect(set.getByTestId('frame-set-damaged')).toContainText('cut short');
  await expect(set.getByTestId('resume-extraction')).toHaveCount(0);
  await expect(set.getByTestId('remove-damaged-media')).toBeVisible();

  // The trim keeps the readable part as a new file that passes.
  await media.problem('DAMAGED').getByTestId('preflight-fix-trim-readable').click();
  const fixed = page.getByTestId('preflight-fixed');
  await expect(fixed).toBeVisible({ timeout: 60_000 });
  await expect(fixed).toHaveAttribute('data-ok', 'true');
  await expect(media.mediaItems()).toHaveCount(2);

  // Remove (confirmed) takes the damaged video out of the project; the trimmed one stays.
  await media.select('cut-short.mp4');
  await media.frameSets().first().getByTestId('remove-damaged-media').click();
  await page.getByTestId('remove-damaged-dialog').getByTestId('confirm-button').click();
  await expect(media.mediaItems()).toHaveCount(1);
  await expect(media.item('cut-short.mp4')).toHaveCount(0);
  await expect(app.errorToasts()).toHaveCount(0);
});

test('pre-flight wording: the missing MusePose image says how to add one, a landscape clip is cropped to portrait after a confirmation, and the size fix says it only inflates the file', async ({ studio }) => {
  test.setTimeout(120_000);
  const { page } = studio;
  const app = new AppPage(page);
  const media = new MediaPage(page);
  await app.open(studio.url);
  await new ProjectsPage(page).create('Wording');
  await media.importFiles([clip]);
  await expect(media.mediaItems()).toHaveCount(1);
  await media.select('clip.mp4');

  // No image in the project: the picker says how to add one; the problem is not "needs a new recording".
  await media.preflight('musepose');
  await expect(page.getByTestId('preflight-image-hint')).toContainText('import a portrait PNG or JPEG');
  await expect(media.problem('IMAGE_REQUIRED').getByTestId('preflight-remedy')).toHaveText('Import a PNG or JPEG into this project, then choose it in the image picker above.');
  await expect(media.problem('IMAGE_REQUIRED')).not.toContainText('Needs a new recording');

  // NeRF2Mesh's size fix says what it does and why before anything runs; cancelling starts nothing.
  await media.preflight('nerf2mesh');
  await expect(media.problem('FILE_TOO_SMALL').getByTestId('preflight-fix-what-fit-size')).toContainText('higher bit rate so the file reaches 50 MiB');
  await expect(media.problem('FILE_TOO_SMALL').getByTestId('preflight-fix-what-fit-size')).toContainText('The picture does not get better');
  await media.problem('FILE_TOO_SMALL').getByTestId('preflight-fix-fit-size').click();
  const confirm = page.getByTestId('preflight-confirm-dialog');
  await expect(confirm).toContainText('higher bit rate');
  await confirm.getByTestId('cancel-button').click();
  await expect(confirm).toBeHidden();
  await expect(page.getByTestId('job-progress')).toHaveCount(0);

  // Landscape for MusePose: crop to portrait, confirmed, gives an upright file.
  await media.preflight('musepose');
  await media.problem('NOT_VERTICAL').getByTestId('preflight-fix-crop-portrait').click();
  await expect(confirm).toContainText('the sides are cut off');
  await confirm.getByTestId('confirm-button').click();
  const fixed = page.getByTestId('preflight-fixed');
  await expect(fixed).toBeVisible({ timeout: 60_000 });
  await expect(media.mediaItems()).toHaveCount(2);
  await page.getByTestId('preflight-open-fixed').click();
  await expect(media.meta('size')).toHaveText('134 × 240');
  await expect(app.errorToasts()).toHaveCount(0);
});
