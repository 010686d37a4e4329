/**
 * The Training page end to end in Chromium through the browser host, against the local vision-platform emulator
 * (seed 001; one per run of this spec, epochs a little faster than by default) that the host finds as `npm start`
 * hands it over (KRAKEN_EMULATOR_VISION_URL):
 * - frames of three visibly different subjects (ffmpeg lavfi: testsrc2, mandelbrot, a noisy solid colour) extracted
 *   in the studio → one class per frame set → build with the health report → upload (statistics, validate) → the
 *   chat (the seed's Korean sentence; its questions answered) → start → the live chart moves → complete → pull home
 *   → new frames of the same subjects classified offline by the pulled model, ≥ 90 % correct in the stored results;
 * - faults: a corrupt frame and a class of one image are named by the health check before any upload.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { fixtureFfmpeg } from '../test-support/media-fixtures';
import { DEMO_EMAIL, DEMO_PASSWORD, startVisionEmulator, type VisionEmulator } from '../emulators/vision';
import { expect, test as base } from './fixtures';
import { AppPage } from './pages/app-page';
import { MediaPage, type ExtractChoice } from './pages/media-page';
import { ProjectsPage } from './pages/projects-page';
import { TrainingPage } from './pages/training-page';

const ffmpeg = fixtureFfmpeg();
let clips = '';

const test = base.extend<{ training: TrainingPage }, { emulator: VisionEmulator }>({
  emulator: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern: none
    async ({}, use) => {
      const emulator = await startVisionEmulator({ demo: true, epochDelayMs: 150, quiet: true });
      await use(emulator);
      await emulator.close();
    },
    { scope: 'worker' },
  ],
  // An outer KRAKEN_VISION_URL would win over the emulator, so it is blanked.
  hostEnv: async ({ emulator }, use) => use({ KRAKEN_EMULATOR_VISION_URL: emulator.url, KRAKEN_VISION_URL: '' }),
  training: async ({ page }, use) => use(new TrainingPage(page)),
});

/** Three subjects; `from` picks another stretch of the same source for the "new frames". */
const SUBJECTS: Record<string, (from: number) => string[]> = {
  pattern: (from) => ['-f', 'lavfi', '-i', `testsrc2=size=320x240:rate=10:duration=${from + 3}`, '-ss', String(from)],
  fractal: (from) => ['-f', 'lavfi', '-i', `mandelbrot=size=320x240:rate=10`, '-ss', String(from)],
  noise: (from) => ['-f', 'lavfi', '-i', `color=c=0x2080e0:size=320x240:rate=10:duration=${from + 3}`, '-ss', String(from), '-vf', `noise=alls=60:allf=t,hue=h=${from * 7}`],
};

function clip(name: string, from: number): string {
  const out = path.join(clips, `${name}.mp4`);
  const subject = name.replace(/-new$/, '');
  execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', ...SUBJECTS[subject]!(from), '-t', '3', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', out], { stdio: ['ignore', 'ignore', 'inherit'] });
  return out;
}

test.beforeAll(() => {
  clips = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-e2e-training-'));
  for (const n of Object.keys(SUBJECTS)) {
    clip(n, 0);
    clip(`${n}-new`, 6);
  }
});
test.afterAll(() => fs.rmSync(clips, { recursive: true, force: true }));

async function framesOf(page: import('@playwright/test').Page, names: string[], choices: Record<string, ExtractChoice> = {}): Promise<Record<string, number>> {
  const media = new MediaPage(page);
  await media.importFiles(names.map((n) => path.join(clips, `${n}.mp4`)));
  const sets: Record<string, number> = {};
  for (const n of names) {
    await expect(media.item(`${n}.mp4`)).toBeVisible({ timeout: 30_000 });
    await media.select(`${n}.mp4`);
    sets[n] = (await media.extractSet(choices[n] ?? { mode: 'fps', value: 5 })).id;
  }
  return sets;
}

test('frames → chat → dataset with health report → upload → start → live chart → complete → pull → classify new frames offline ≥ 90 %', async ({ studio, page, training }) => {
  test.setTimeout(360_000);
  const app = new AppPage(page);
  await app.open(studio.url);
  await new ProjectsPage(page).create('Three subjects');
  await framesOf(page, ['pattern', 'fractal', 'noise']);

  await app.goTo('training');
  await expect(page.getByTestId('training-signed-out')).toBeVisible();
  await training.signIn(DEMO_EMAIL, DEMO_PASSWORD);
  await expect(page.getByTestId('training-plan')).toHaveAttribute('data-plan', 'pro');

  // Dataset: one class per frame set, then the local health check before anything is sent.
  await training.openTab('dataset');
  await page.getByTestId('training-one-per-set').click();
  await expect(page.getByTestId('training-bin')).toHaveCount(3);
  const report = await training.buildAndCheck();
  await expect(report).toHaveAttribute('data-ok', 'true');
  await expect(report.getByTestId('training-report-class')).toHaveCount(3);
  for (const c of ['pattern', 'fractal', 'noise']) await expect(report.locator(`[data-testid="training-report-class"][data-class="${c}"]`)).toHaveAttribute('data-total', '15');
  const datasetId = await training.upload();
  expect(datasetId).toMatch(/^ds_/);
  await expect(page.getByTestId('training-validation')).toBeVisible({ timeout: 30_000 });

  // Chat: the seed's sentence; the platform asks for class names and the dataset.
  await training.openTab('chat');
  await training.say('ResNet50으로 3종류 분류하는 모델 만들어줘');
  await expect(page.getByTestId('training-questions')).toBeVisible();
  const classQ = training.question('class_names');
  await expect(classQ).toHaveAttribute('data-required', 'true');
  await classQ.getByTestId('training-answer-class_names').fill('pattern, fractal, noise');
  const dsQ = training.question('dataset');
  if (await dsQ.count()) await dsQ.getByTestId('training-answer-dataset').fill(datasetId);
  await page.getByTestId('training-send-answers').click();
  const config = page.getByTestId('training-config');
  await expect(config).toBeVisible();
  await expect(config.getByTestId('training-config-dataset-input')).toHaveValue(datasetId);
  await page.getByTestId('training-edit-config').click();
  await config.getByTestId('training-config-epochs-input').fill('12');
  await config.getByTestId('training-config-name-input').fill('세 가지 분류');
  await page.getByTestId('training-start').click();

  // Workflows: the live chart moves, then the workflow completes.
  const detail = training.workflowDetail();
  await expect(detail).toBeVisible({ timeout: 30_000 });
  await expect.poll(() => training.epochsDrawn(), { timeout: 60_000 }).toBeGreaterThan(0);
  const first = await training.epochsDrawn();
  await expect.poll(() => training.epochsDrawn(), { timeout: 90_000 }).toBeGreaterThan(first);
  await expect(detail).toHaveAttribute('data-state', 'completed', { timeout: 180_000 });
  await expect.poll(() => training.epochsDrawn(), { timeout: 30_000 }).toBe(12);

  // Bring the model home.
  await page.getByTestId('training-pull').click();
  const pulled = page.getByTestId('training-pulled');
  await expect(pulled).toBeVisible({ timeout: 60_000 });
  const modelId = (await pulled.getAttribute('data-model-id'))!;

  // New frames of the same subjects, classified offline by the pulled model.
  await app.goTo('media');
  const fresh = await framesOf(page, ['pattern-new', 'fractal-new', 'noise-new']);
  await app.goTo('training');
  await training.openTab('workflows');
  await page.getByTestId('training-workflow').first().click();
  for (const [name, setId] of Object.entries(fresh)) {
    await page.getByTestId('training-run-set').selectOption(String(setId));
    await page.getByTestId('training-run-local').click();
    await expect(page.getByTestId('training-run')).toBeVisible();
    await expect(page.getByTestId('training-job-run')).toHaveCount(0, { timeout: 60_000 });
    expect(name).toMatch(/-new$/);
  }

  const db = new Database(path.join(studio.dataDir, 'studio.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(`SELECT i.frame_set_id AS setId, r.output_json AS out FROM inference_results r JOIN images i ON i.id = r.image_id WHERE r.model_id = ? AND r.ok = 1`)
      .all(modelId) as { setId: number; out: string }[];
    const expected = new Map(Object.entries(fresh).map(([n, id]) => [id, n.replace(/-new$/, '')]));
    const judged = rows.filter((r) => expected.has(r.setId)).map((r) => ({ expected: expected.get(r.setId)!, top: (JSON.parse(r.out) as { top: { label: string }[] }).top[0]?.label ?? null }));
    expect(judged.length).toBe(45);
    const correct = judged.filter((j) => j.top === j.expected).length;
    expect(correct / judged.length).toBeGreaterThanOrEqual(0.9);
  } finally {
    db.close();
  }
});

test('faults: a corrupt frame and a class of one image are named by the health check before any upload', async ({ studio, page, training, emulator }) => {
  test.setTimeout(180_000);
  const app = new AppPage(page);
  await app.open(studio.url);
  await new ProjectsPage(page).create('Faults');
  const sets = await framesOf(page, ['pattern', 'fractal'], { fractal: { mode: 'count', value: 1 } });
  // Cut one frame of the pattern set short on disk.
  const setDir = path.join(studio.dataDir, 'projects', fs.readdirSync(path.join(studio.dataDir, 'projects'))[0]!, 'frames', String(sets.pattern));
  const victim = path.join(setDir, fs.readdirSync(setDir).filter((f) => /\.jpe?g$/.test(f)).sort()[2]!);
  fs.writeFileSync(victim, fs.readFileSync(victim).subarray(0, 300));

  // The emulator serves the whole worker: count the uploads made before this test.
  const uploads = () => emulator.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/datasets/upload')).length;
  const uploadsBefore = uploads();
  await app.goTo('training');
  await training.signIn(DEMO_EMAIL, DEMO_PASSWORD);
  await training.openTab('dataset');
  await page.getByTestId('training-one-per-set').click();
  await expect(page.getByTestId('training-bin')).toHaveCount(2);
  const report = await training.buildAndCheck();
  await expect(report).toHaveAttribute('data-ok', 'false');
  await expect(training.issue('CORRUPT_IMAGE')).toHaveCount(1);
  await expect(training.issue('CORRUPT_IMAGE')).toContainText(path.basename(victim));
  await expect(training.issue('CORRUPT_IMAGE')).toHaveAttribute('data-severity', 'error');
  await expect(training.issue('CLASS_TOO_FEW_IMAGES')).toContainText('fractal');
  await expect(training.issue('CLASS_TOO_FEW_IMAGES')).toHaveAttribute('data-severity', 'error');
  // Nothing was sent: the upload waits for the errors to be fixed (or an explicit "upload anyway").
  await expect(page.getByTestId('training-upload')).toBeDisabled();
  expect(uploads()).toBe(uploadsBefore);
});
