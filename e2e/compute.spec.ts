/**
 * The Cloud page's GPU sessions tab end to end in Chromium through the browser host, against a local compute
 * emulator (seed 003; one per run of this spec, with short creation delays) that the host finds as `npm start`
 * hands it over (KRAKEN_EMULATOR_COMPUTE_URL, labelled "local emulator"):
 * - the user id rule said live, then register → the quota per cluster → a GPU session: pending → creating →
 *   running with a countdown, Jupyter link and the shell copied → extend (the time left grows) → the GPU quota
 *   reached disables "New session" with the reason → stop (confirmed) frees it;
 * - a creation the emulator fails is shown failed with the emulator's message;
 * - the studio (host) restarted while a session runs finds it again, still counting down;
 * - the warning before a session ends.
 */
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { startComputeEmulator, type ComputeEmulator } from '../emulators/compute';
import { expect, test as base } from './fixtures';
import { AppPage, watchFor } from './pages/app-page';
import { ComputePage } from './pages/compute-page';
import { ProjectsPage } from './pages/projects-page';

const SHOTS = process.env.KRAKEN_SCREENSHOTS ?? path.join(os.tmpdir(), 'kraken-compute-shots');

const test = base.extend<{ compute: ComputePage }, { emulator: ComputeEmulator }>({
  emulator: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern: none
    async ({}, use) => {
      const emulator = await startComputeEmulator({ creationDelayMs: { pending: 1200, createContainer: 1200 }, defaultQuota: { cpu: 2, gpu: 1 }, quiet: true });
      await use(emulator);
      await emulator.close();
    },
    { scope: 'worker' },
  ],
  // An outer KRAKEN_COMPUTE_URL would win over the emulator, so it is blanked.
  hostEnv: async ({ emulator }, use) => use({ KRAKEN_EMULATOR_COMPUTE_URL: emulator.url, KRAKEN_COMPUTE_URL: '' }),
  compute: async ({ page }, use) => use(new ComputePage(page)),
});

test.beforeAll(() => fs.mkdirSync(SHOTS, { recursive: true }));

let users = 0;
const newUserId = (name: string) => `${name}-${++users}-${Date.now()}`;

async function openTab(page: import('@playwright/test').Page, url: string, compute: ComputePage): Promise<void> {
  const app = new AppPage(page);
  await app.open(url);
  await app.goTo('cloud');
  await compute.open();
}

test('register, the quota, a GPU session from pending to running with a countdown, extend, quota reached, stop', async ({ studio, emulator, compute, page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openTab(page, studio.url, compute);
  await expect(compute.connection().getByTestId('compute-url')).toHaveText(emulator.url);
  await expect(compute.connection().getByTestId('compute-emulator-badge')).toHaveText('Local emulator');
  await compute.expectReachable();
  // the quota is known before registering
  await expect(compute.quota('gpu')).toHaveAttribute('data-limit', '1');
  await expect(compute.quota('cpu')).toHaveAttribute('data-limit', '2');

  // the user id rule is said while typing: any characters but . # $ [ ]
  const userId = newUserId('mina kim');
  const field = compute.register().getByTestId('compute-user-id');
  await field.fill('mina.kim#1');
  await expect(compute.userIdErrors()).toHaveText('Not allowed in a user id: . #');
  await expect(compute.register().getByTestId('compute-register-submit')).toBeDisabled();
  await compute.register().screenshot({ path: path.join(SHOTS, 'compute-register-invalid.png') });
  await field.fill(userId);
  await expect(compute.userIdErrors()).toHaveCount(0);
  await compute.registerUser(userId, 30, 1);
  expect(emulator.storageExists(userId)).toBe(true);
  await expect(compute.quota('gpu')).toHaveAttribute('data-used', '0');

  // a GPU session: pending → creating → running, with its countdown
  const sawPending = await watchFor(page, 'compute-creating');
  await compute.start({ cluster: 'gpu', image: 'registry.example/pytorch:2.3-cuda12', minutes: 120, storagePath: '/datasets/dance' });
  const row = compute.session('gpu');
  await expect(row).toHaveAttribute('data-phase', /pending|creating|running/);
  await expect(row).toHaveAttribute('data-phase', 'running', { timeout: 20_000 });
  expect(await sawPending()).toBe(true);
  const containerId = (await row.getAttribute('data-container-id'))!;
  expect(emulator.container(containerId)?.state).toBe('success');
  await expect(row).toContainText('registry.example/pytorch:2.3-cuda12');
  await expect(row.getByTestId('compute-remaining')).toHaveText(/Time left\s*(1:59:\d\d|2:00:00)/);
  // it counts down by itself, second by second
  const first = await compute.remainingMs(row);
  await expect.poll(() => compute.remainingMs(row), { timeout: 5_000 }).toBeLessThan(first);

  // Jupyter opens in a new browser tab (a plain link in the browser host) and the page answers; the shell is copied
  const jupyter = row.getByTestId('compute-jupyter');
  const href = (await jupyter.getAttribute('href'))!;
  expect(href).toContain('127.0.0.1');
  await expect(jupyter).toHaveAttribute('target', '_blank');
  await expect(jupyter).toHaveAttribute('rel', 'noopener noreferrer');
  expect((await page.request.get(href)).ok()).toBe(true);
  const shell = (await row.getByTestId('compute-shell').textContent())!;
  await row.getByTestId('compute-shell-copy').click();
  await expect(row.getByTestId('compute-shell-copy')).toHaveAttribute('data-copied', 'true');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(shell);

  // the GPU quota (1) is reached: New session on GPU is off and says why; CPU is still open
  await expect(compute.quota('gpu')).toHaveAttribute('data-used', '1');
  await expect(page.getByTestId('compute-counts')).toHaveText('1 running of 1 requested');
  await compute.chooseCluster('gpu');
  await expect(compute.runButton()).toBeDisabled();
  await expect(compute.blocked()).toContainText('GPU quota reached: 1 of 1 containers in use.');
  await page.screenshot({ path: path.join(SHOTS, 'compute-running.png'), fullPage: true });
  await compute.chooseCluster('cpu');
  await expect(compute.runButton()).toBeEnabled();
  await expect(compute.blocked()).toHaveCount(0);

  // extend: +30 min, then a custom 45 min — the time left grows each time
  const before = await compute.remainingMs(row);
  await row.getByTestId('compute-extend-30').click();
  await expect.poll(() => compute.remainingMs(row)).toBeGreaterThan(before + 25 * 60_000);
  const afterThirty = await compute.remainingMs(row);
  await row.getByTestId('compute-extend-custom').click();
  const dialog = page.getByTestId('compute-extend-dialog');
  await dialog.getByTestId('compute-extend-minutes').fill('0');
  await expect(dialog.getByTestId('compute-extend-confirm')).toBeDisabled();
  await dialog.getByTestId('compute-extend-minutes').fill('45');
  await dialog.getByTestId('compute-extend-confirm').click();
  await expect(dialog).toBeHidden();
  await expect.poll(() => compute.remainingMs(row)).toBeGreaterThan(afterThirty + 40 * 60_000);

  // change the image: the emulator creates the container again with it, and it runs again
  await row.getByTestId('compute-edit').click();
  const edit = page.getByTestId('compute-edit-dialog');
  await edit.getByTestId('compute-edit-image').fill('registry.example/jax:0.4-cuda12');
  await edit.getByTestId('compute-edit-confirm').click();
  await expect(edit).toBeHidden();
  await expect(row).toContainText('registry.example/jax:0.4-cuda12');
  await expect(row).toHaveAttribute('data-phase', 'running', { timeout: 20_000 });
  expect(emulator.container(containerId)?.imagePath).toBe('registry.example/jax:0.4-cuda12');

  // stop, confirmed: the row leaves the live list and the GPU quota is free again
  await row.getByTestId('compute-stop').click();
  const confirm = page.getByTestId('compute-stop-dialog');
  await expect(confirm).toContainText(containerId);
  await confirm.getByTestId('confirm-button').click();
  await expect(compute.byId(containerId)).toHaveAttribute('data-state', 'stopped');
  await expect(compute.quota('gpu')).toHaveAttribute('data-used', '0');
  await compute.chooseCluster('gpu');
  await expect(compute.runButton()).toBeEnabled();
  expect(emulator.container(containerId)?.state).toBe('ended');
  await expect(compute.quota('gpu').getByTestId('compute-usage-gpu')).toBeVisible();
});

test('a creation that fails is shown failed with the emulator message; unregister', async ({ studio, emulator, compute, page }) => {
  await openTab(page, studio.url, compute);
  const userId = newUserId('failing');
  await compute.registerUser(userId, 10, 1);
  emulator.failNextCreation('No GPU node is free on campus 1 right now.');
  await compute.start({ cluster: 'gpu' });
  const row = compute.session('gpu');
  await expect(row).toHaveAttribute('data-phase', 'failed', { timeout: 20_000 });
  await expect(row.getByTestId('compute-session-error')).toContainText('No GPU node is free on campus 1 right now.');
  // a failed creation holds no place: the GPU quota is free and New session is open again
  await expect(compute.quota('gpu')).toHaveAttribute('data-used', '0');
  await compute.chooseCluster('gpu');
  await expect(compute.runButton()).toBeEnabled();
  await page.screenshot({ path: path.join(SHOTS, 'compute-failed.png'), fullPage: true });

  // unregister, confirmed: the dialog says containers and storage go and the record stays
  await page.getByTestId('compute-unregister').click();
  const confirm = page.getByTestId('compute-unregister-dialog');
  await expect(confirm).toContainText('Every container of');
  await expect(confirm).toContainText('personal storage is deleted');
  await expect(confirm).toContainText('keeps the record');
  await confirm.getByTestId('confirm-button').click();
  await expect(compute.register()).toBeVisible();
  expect(emulator.storageExists(userId)).toBe(false);
});

test('the studio restarted while a session runs finds it again, still counting down', async ({ studio, compute, page }) => {
  // started for a project: the row says which
  const app = new AppPage(page);
  await app.open(studio.url);
  await app.goTo('projects');
  await new ProjectsPage(page).create('GPU notebook');
  await app.goTo('cloud');
  await compute.open();
  await compute.registerUser(newUserId('restart'), 10, 1);
  await expect(compute.newSession()).toContainText('for GPU notebook');
  await compute.start({ cluster: 'cpu', minutes: 90 });
  const row = compute.session('cpu');
  await expect(row).toHaveAttribute('data-phase', 'running', { timeout: 20_000 });
  await expect(row.getByTestId('compute-session-project')).toHaveText('For GPU notebook');
  const containerId = (await row.getAttribute('data-container-id'))!;

  // a second one without a maximum duration: the service says -1, shown as "no limit"
  await compute.start({ cluster: 'cpu', minutes: null });
  const unlimited = compute.session('cpu');
  await expect(unlimited).not.toHaveAttribute('data-container-id', containerId);
  await expect(unlimited).toHaveAttribute('data-phase', 'running', { timeout: 20_000 });
  const unlimitedId = (await unlimited.getAttribute('data-container-id'))!;
  await expect(unlimited.getByTestId('compute-remaining')).toContainText('No limit');

  const url = await studio.restartHost();
  await openTab(page, url, compute);
  const again = compute.byId(containerId);
  await expect(again).toHaveAttribute('data-phase', 'running', { timeout: 20_000 });
  const first = await compute.remainingMs(again);
  expect(first).toBeGreaterThan(80 * 60_000);
  await expect.poll(() => compute.remainingMs(again), { timeout: 5_000 }).toBeLessThan(first);
  await expect(compute.byId(unlimitedId).getByTestId('compute-remaining')).toContainText('No limit');
  await expect(again.getByTestId('compute-session-project')).toHaveText('For GPU notebook');
  await expect(compute.quota('cpu')).toHaveAttribute('data-used', '2');
});

test('a warning before a session ends, in Korean', async ({ studio, emulator, compute, page }) => {
  await openTab(page, studio.url, compute);
  await compute.registerUser(newUserId('warn'), 10, 1);
  await compute.start({ cluster: 'cpu', minutes: 15 });
  const row = compute.session('cpu');
  await expect(row).toHaveAttribute('data-phase', 'running', { timeout: 20_000 });
  // the emulator's clock moves 7 minutes on: 8 are left, under the 10-minute warning
  emulator.advanceClock(7 * 60_000);
  await page.getByTestId('compute-refresh').click();
  const warning = page.getByTestId('toast-info').filter({ hasText: /^CPU session \S+ ends in [1-8] min/ });
  await expect(warning).toBeVisible({ timeout: 45_000 });
  await expect(warning).toContainText((await row.getAttribute('data-container-id'))!);
  await expect(row.getByTestId('compute-remaining')).toHaveAttribute('data-soon', 'true');
  await page.screenshot({ path: path.join(SHOTS, 'compute-ending.png'), fullPage: true });
  // the warning stays until read, and its button gives the session 30 minutes more
  await warning.getByTestId('toast-action').click();
  await expect(warning).toBeHidden();
  await expect.poll(() => compute.remainingMs(row)).toBeGreaterThan(30 * 60_000);
  await expect(row.getByTestId('compute-remaining')).toHaveAttribute('data-soon', 'false');

  // its time runs out on the service: the next refresh shows it ended, and it holds no place any more
  emulator.advanceClock(45 * 60_000);
  await page.getByTestId('compute-refresh').click();
  await expect(row).toHaveAttribute('data-phase', 'ended', { timeout: 20_000 });
  await expect(compute.quota('cpu')).toHaveAttribute('data-used', '0');

  const app = new AppPage(page);
  await app.goTo('settings');
  await page.getByTestId('language-ko').click();
  await app.goTo('cloud');
  await compute.open();
  await expect(page.getByTestId('cloud-tab-gpu')).toHaveText('GPU 세션');
  await expect(compute.session('cpu').getByTestId('compute-session-phase')).toHaveText('종료됨');
  await expect(page.getByTestId('compute-past')).toContainText('종료·중지·실패 (1)');
  await page.screenshot({ path: path.join(SHOTS, 'compute-ko.png'), fullPage: true });
});
