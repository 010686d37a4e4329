/**
 * The Wallet page end to end in Chromium through the browser host, against the local Solana emulator (seed 002 on a
 * real Solana VM, litesvm; one per run of this spec) that the host finds as `npm start` hands it over
 * (KRAKEN_EMULATOR_SOLANA_URL / KRAKEN_EMULATOR_SOLANA_RPC): create a wallet (address, QR), airdrop, register a root
 * model and a fine-tuned child from library models (a rule broken is said next to its field), the lineage tree,
 * preview the royalty of the child's tier, pay, and see the distribution match the preview to the lamport — on the
 * page and in the VM's balances. litesvm has no Windows binary: there the spec is skipped and says why.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Keypair } from '@solana/web3.js';
import { solanaUnavailable, startSolanaEmulator, type SolanaEmulator } from '../emulators/solana';
import { expect, test as base } from './fixtures';
import { AppPage } from './pages/app-page';
import { WalletPage } from './pages/wallet-page';

const SHOTS = process.env.KRAKEN_SCREENSHOTS ?? path.join(os.tmpdir(), 'kraken-wallet-shots');

const test = base.extend<{ wallet: WalletPage }, { emulator: SolanaEmulator | null }>({
  emulator: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern: none
    async ({}, use) => {
      const why = process.platform === 'win32' ? 'litesvm has no Windows binary' : await solanaUnavailable();
      if (why) {
        console.log(`wallet.spec.ts skipped: ${why}`);
        await use(null);
        return;
      }
      const emulator = await startSolanaEmulator({ quiet: true });
      await use(emulator);
      await emulator.close();
    },
    { scope: 'worker' },
  ],
  // Outer addresses would win over the emulator, so they are blanked.
  hostEnv: async ({ emulator }, use) =>
    use(emulator ? { KRAKEN_EMULATOR_SOLANA_URL: emulator.url, KRAKEN_EMULATOR_SOLANA_RPC: emulator.rpcUrl, KRAKEN_SOLANA_API: '', KRAKEN_SOLANA_URL: '', KRAKEN_SOLANA_RPC: '' } : {}),
  wallet: async ({ page }, use) => use(new WalletPage(page)),
});

test.beforeAll(() => fs.mkdirSync(SHOTS, { recursive: true }));

test('register a root model and a fine-tuned child, preview the royalty, pay, see the distribution match', async ({ studio, emulator, wallet, page }) => {
  test.skip(!emulator, 'litesvm cannot run here (see the log line above)');
  const emu = emulator!;
  const app = new AppPage(page);
  await app.open(studio.url);
  await app.goTo('wallet');

  // No wallet yet: the empty state says what to do; the registry is empty too.
  await expect(page.getByTestId('wallet-empty')).toBeVisible();
  await expect(page.getByTestId('registry-empty')).toBeVisible();
  await expect(page.getByTestId('wallet-cluster-emulator')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('wallet-rpc')).toContainText(emu.rpcUrl);

  const me = await wallet.createWallet();
  await expect(page.getByTestId('wallet-qr')).toBeVisible();
  await wallet.airdrop(150);
  await expect(page.getByTestId('wallet-txs')).toBeVisible();
  await page.getByTestId('wallet-panel').screenshot({ path: path.join(SHOTS, 'wallet.png') });

  // Root: from a library model, its developer another wallet. A rule broken is said next to its field.
  const rootDev = Keypair.generate().publicKey.toBase58();
  await wallet.startFrom('human-centernet');
  await expect(wallet.field('walletAddress')).toHaveValue(me);
  await wallet.field('name').fill('x'.repeat(65));
  await expect(wallet.error('name')).toHaveText('At most 64 characters (65 now).');
  await wallet.field('name').fill('');
  await wallet.submit();
  await expect(wallet.error('name')).toHaveText('Required.');
  expect(emu.requests().filter((r) => r.path.includes('register-model'))).toHaveLength(0);
  await wallet.field('name').fill('Detector Base');
  await wallet.field('walletAddress').fill(rootDev);
  await wallet.submit();
  await expect(wallet.model('Detector Base')).toBeVisible();
  const rootPda = await wallet.pdaOf('Detector Base');
  expect(emu.model(rootPda)).toBeTruthy();

  // Child: fine-tuned from the root, with a paid tier of 100 SOL.
  await wallet.startFrom('human-movenet-lightning');
  await wallet.field('name').fill('Detector Fine-tuned');
  await wallet.field('relationship').selectOption('fine-tuned');
  await wallet.submit();
  await expect(wallet.error('parentModelPDA')).toHaveText('A fine-tuned model needs its parent model.');
  await wallet.register().getByTestId('register-parent-select').selectOption(rootPda);
  await wallet.register().getByTestId('register-add-tier').click();
  await wallet.register().getByTestId('register-tier-1-name').fill('standard');
  await wallet.register().getByTestId('register-tier-1-price').fill('100000000000');
  await wallet.register().getByTestId('register-tier-1-description').fill('100 SOL per month');
  await wallet.submit();
  await expect(wallet.model('Detector Fine-tuned')).toBeVisible();
  const childPda = await wallet.pdaOf('Detector Fine-tuned');
  expect(emu.model(childPda)?.parentModelPDA).toBe(rootPda);

  // The lineage tree: the child under the root.
  await expect(page.getByTestId(`tree-${rootPda}`).getByTestId(`tree-${childPda}`)).toBeVisible();

  // Preview before paying: the seed's split of 100 SOL with one parent.
  await page.getByTestId('pay-Detector Fine-tuned-standard').click();
  const preview = wallet.payDialog().getByTestId('royalty-preview-table');
  await expect(preview).toBeVisible();
  const expected = { platform: '5000000000', developer: '92625000000', 'depth-1': '2375000000' };
  expect(await wallet.amounts(preview)).toEqual(expected);
  await expect(preview.getByTestId('royalty-preview-table-developer')).toContainText('92.625 SOL');
  await wallet.payDialog().screenshot({ path: path.join(SHOTS, 'wallet-preview.png') });

  const before = emu.balance(rootDev);
  const treasury = emu.balance(emu.treasury);
  await wallet.payDialog().getByTestId('royalty-pay-confirm').click();
  await expect(wallet.outcome()).toHaveAttribute('data-state', 'distributed', { timeout: 60_000 });
  await expect(wallet.outcome().getByTestId('royalty-matches')).toBeVisible();
  expect(await wallet.amounts(wallet.outcome().getByTestId('royalty-outcome-table'))).toEqual(expected);
  await expect(wallet.outcome().getByTestId('royalty-outcome-lineage')).toHaveText('Detector Fine-tuned ← Detector Base');
  expect(emu.balance(rootDev) - before).toBe(2_375_000_000n);
  expect(emu.balance(emu.treasury) - treasury).toBe(5_000_000_000n);
  await expect(page.getByTestId('royalty-payments')).toContainText('Distributed');
  await page.getByTestId('registry-panel').screenshot({ path: path.join(SHOTS, 'wallet-outcome.png') });
});
