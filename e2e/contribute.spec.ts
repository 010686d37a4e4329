/**
 * The Contribute page end to end in Chromium through the browser host, against a local network emulator (one per
 * run of this spec) that the host finds as `npm start` hands it over (KRAKEN_EMULATOR_NETWORK_URL):
 * - off by default; the consent screen says what runs, when, what it may use and what it earns; after "I agree"
 *   the studio's node registers and waits with a reason;
 * - a job submitted to the network (a real ONNX model over PNG frames, signed by another identity) is leased by
 *   this studio, run in its job process and uploaded; the ledger shows the job and the credit, the network panel
 *   the balance (earn → spend); "Pause now" shows its reason, "Resume" clears it; the page in Korean;
 * - earn → receive: on the Wallet page the earned credit is paid out to a new wallet, a real transfer on the local
 *   Solana VM (litesvm) that the network emulator sends (skipped, saying why, where litesvm cannot run).
 * The browser host feeds the agent from the OS (a headless machine counts as idle); a simulated-activity pause
 * through injected sources is covered by main/node/cloud/network/full-cycle.test.ts and the contributor's tests.
 */
import { startNetworkEmulator, type NetworkEmulator } from '../emulators/network';
import { solanaUnavailable, startSolanaEmulator, type SolanaEmulator } from '../emulators/solana';
import { client, identity, upload } from '../emulators/network/test-kit';
import { linearClassifier } from '../main/node/inference/testing/onnx-builder';
import { writeRgbPng } from '../main/node/inference/testing/fixtures';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test as base } from './fixtures';
import { AppPage } from './pages/app-page';
import { ContributePage } from './pages/contribute-page';
import { WalletPage } from './pages/wallet-page';

const test = base.extend<{ contribute: ContributePage }, { chain: SolanaEmulator | null; emulator: NetworkEmulator }>({
  chain: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern: none
    async ({}, use) => {
      const why = process.platform === 'win32' ? 'litesvm has no Windows binary' : await solanaUnavailable();
      if (why) console.log(`contribute.spec.ts: the payout part is skipped: ${why}`);
      const chain = why ? null : await startSolanaEmulator({ quiet: true });
      await use(chain);
      await chain?.close();
    },
    { scope: 'worker' },
  ],
  emulator: [
    async ({ chain }, use) => {
      // as npm start runs it: payouts sent on the local Solana emulator's VM
      const emulator = await startNetworkEmulator({ quiet: true, ...(chain ? { solanaRpc: chain.rpcUrl } : {}) });
      await use(emulator);
      await emulator.close();
    },
    { scope: 'worker' },
  ],
  // Outer addresses would win over the emulators, so they are blanked.
  hostEnv: async ({ emulator, chain }, use) =>
    use({
      KRAKEN_EMULATOR_NETWORK_URL: emulator.url,
      KRAKEN_NETWORK_URL: '',
      ...(chain ? { KRAKEN_EMULATOR_SOLANA_URL: chain.url, KRAKEN_EMULATOR_SOLANA_RPC: chain.rpcUrl, KRAKEN_SOLANA_API: '', KRAKEN_SOLANA_URL: '', KRAKEN_SOLANA_RPC: '' } : {}),
    }),
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

test('off by default, consent, then a network job runs here: ledger, credit, pause now and resume, paid out to the wallet, Korean', async ({ studio, emulator, chain, contribute, page }) => {
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

  // earn → receive: the 3 credits earned (not the welcome grant) paid out to a new wallet, 0.001 SOL each
  if (chain) {
    await app.goTo('wallet');
    const wallet = new WalletPage(page);
    const address = await wallet.createWallet();
    await expect(page.getByTestId('payout-payable')).toHaveText('3', { timeout: 30_000 });
    await page.getByTestId('payout-submit').click();
    await expect(page.getByTestId('wallet-balance')).toHaveAttribute('data-lamports', '3000000', { timeout: 30_000 });
    await expect(page.getByTestId('payout-payable')).toHaveText('0');
    await expect(page.getByTestId('payout-submit')).toBeDisabled();
    expect(chain.balance(address)).toBe(3_000_000n); // on the VM itself, not only as the page reads it
    await app.goTo('contribute');
  }

  // the same page in Korean
  await app.goTo('settings');
  await page.getByTestId('language-ko').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
  await app.goTo('contribute');
  await expect(page.getByTestId('contribute-ledger')).toContainText('장부');
  await expect(page.getByTestId('contribute-pause-now')).toHaveText(/지금 일시 정지/);
});
