/**
 * The Contribute page end to end in Chromium through the browser host, against a local network emulator (one per
 * run of this spec) that the host finds as `npm start` hands it over (KRAKEN_EMULATOR_NETWORK_URL):
 * - off by default; the consent screen says what runs, when, what it may use and what it earns; after "I agree"
 *   the studio's node registers and waits with a reason;
 * - a job submitted to the network (a real ONNX model over PNG frames, signed by another identity) is leased by
 *   this studio, run in its job process and uploaded; the ledger shows the job and the credit, the network panel
 *   the balance (earn → spend); "Pause now" shows its reason, "Resume" clears it; the page in Korean.
 * The browser host feeds the agent from the OS (a headless machine counts as idle); a simulated-activity pause
 * through injected sources is covered by main/node/cloud/network/full-cycle.test.ts and the contributor's tests.
 */
import { startNetworkEmulator, type NetworkEmulator } from '../emulators/network';
import { client, identity, upload } from '../emulators/network/test-kit';
import { linearClassifier } from '../main/node/inference/testing/onnx-builder';
import { writeRgbPng } from '../main/node/inference/testing/fixtures';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test as base } from './fixtures';
import { AppPage } from './pages/app-page';
import { ContributePage } from './pages/contribute-page';

const test = base.extend<{ contribute: ContributePage }, { emulator: NetworkEmulator }>({
  emulator: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern: none
    async ({}, use) => {
      const emulator = await startNetworkEmulator({ quiet: true });
      await use(emulator);
      await emulator.close();
    },
    { scope: 'worker' },
  ],
  // An outer KRAKEN_NETWORK_URL would win over the emulator, so it is blanked.
  hostEnv: async ({ emulator }, use) => use({ KRAKEN_EMULATOR_NETWORK_URL: emulator.url, KRAKEN_NETWORK_URL: '' }),
  contribute: async ({ page }, use) => use(new ContributePage(page)),
});

/** Another creator submits a classification job: a real ONNX model over `n` PNG frames. */
async function submitJob(em: NetworkEmulator, n: number): Promise<string> {
  const call = client(em, identity());
  const model = await upload(call, Buffer.from(linearClassifier(2, 2, [[1, 1, 0, 0, -1, -1, 0, 0, -1, -1, 0, 0], new Array(12).fill(0.1)], [0, 0])));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-e2e-frames-'));
  const inputs = [];
  for (let i = 0; i < n; i++) {
    const file = await writeRgbPng(path.join(dir, `${i}.png`), 2, 2, [i * 70, 20, 20, 10, 10, 10, 10, 10, 10, 10, 10, 10]);
    inputs.push({ ...(await upload(call, fs.readFileSync(file))), mediaType: 'image/png' });
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const r = await call('POST', '/v1/jobs', { kind: 'inference', model: { ...model, format: 'onnx', task: 'classification', inputSize: [2, 2], labels: ['red', 'plain'] }, inputs, batchSize: 2, redundancy: 1, maxDurationMinutes: 10 });
  expect(r.status).toBe(201);
  return r.body.jobId as string;
}

test('off by default, consent, then a network job runs here: ledger, credit, pause now and resume, Korean', async ({ studio, emulator, contribute, page }) => {
  const app = new AppPage(page);
  await app.open(studio.url);
  await app.goTo('contribute');
  await expect(contribute.state()).toHaveText('Off');
  await expect(page.getByTestId('contribute-jobs-empty')).toBeVisible();
  await expect(page.getByTestId('contribute-ledger-empty')).toBeVisible();
  await page.getByTestId('contribute-open-consent').click();
  for (const p of ['what', 'when', 'uses', 'never', 'earns', 'stop']) await expect(page.getByTestId(`contribute-consent-${p}`)).toBeVisible();
  await expect(page.getByTestId('contribute-consent-what')).toContainText('never code sent by the network');
  await page.getByTestId('contribute-agree').click();
  await expect(page.getByTestId('contribute-status')).toBeVisible();
  // no work yet: the node registered and waits, saying why
  await expect(contribute.reason()).toHaveText('Waiting: the network has no work right now.', { timeout: 30_000 });
  expect(emulator.nodes()).toHaveLength(1);

  const jobId = await submitJob(emulator, 3);
  await expect.poll(() => emulator.job(jobId)?.status, { timeout: 60_000 }).toBe('done');
  await expect(page.getByTestId('contribute-total-jobs')).toContainText('1', { timeout: 30_000 });
  await expect(page.getByTestId('contribute-total-credit')).toContainText('3');
  await expect(page.getByTestId('contribute-chart')).toHaveAttribute('data-earned', '3');
  await expect(page.getByTestId('contribute-credit')).toHaveAttribute('data-balance', '1003', { timeout: 30_000 });

  await page.getByTestId('contribute-pause-now').click();
  await expect(contribute.reason()).toHaveText('Paused: you pressed “Pause now”.');
  await page.getByTestId('contribute-resume').click();
  await expect(contribute.reason()).not.toHaveText('Paused: you pressed “Pause now”.');

  // the same page in Korean
  await app.goTo('settings');
  await page.getByTestId('language-ko').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
  await app.goTo('contribute');
  await expect(page.getByTestId('contribute-ledger')).toContainText('장부');
  await expect(page.getByTestId('contribute-pause-now')).toHaveText(/지금 일시 정지/);
});
