/**
 * The studio's wallet, registry and royalties against the local Solana emulator (emulators/solana) on a real
 * Solana VM (litesvm): a wallet funded by airdrop registers a root model and a fine-tuned child, previews the
 * royalty, pays the child's tier with a SystemProgram transfer signed here, and the distribution equals the preview
 * to the lamport — and so do the balances on the VM. Plus: 404 then retry, 5xx retried, a transaction that is not
 * a transfer refused, an amount under the minimum too small, a cycle and depth 33 refused by the backend.
 * litesvm has no Windows binary: there the suite is skipped and says why.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Keypair, PublicKey, SystemProgram, Transaction } from '@solana/web3.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { solanaUnavailable, startSolanaEmulator, type SolanaEmulator } from '../../../../emulators/solana';
import { AppError } from '../../../common/app-error';
import type { RegisterModelBody } from '../../../common/contract';
import { openDatabase, type Db } from '../../store/database';
import { FileVault } from '../secrets';
import { createSolana, type Solana } from '.';

// litesvm ships no Windows binary; elsewhere the emulator says why it cannot start (checked in beforeAll).
const onWindows = process.platform === 'win32';
if (onWindows) console.log('solana-litesvm.test.ts skipped: litesvm has no Windows binary');
let why: string | null = onWindows ? 'litesvm has no Windows binary' : null;

let emu: SolanaEmulator;
let dir: string;
let db: Db;
let solana: Solana;

beforeAll(async () => {
  if (why) return;
  why = await solanaUnavailable();
  if (why) {
    console.log(`solana-litesvm.test.ts skipped: ${why}`);
    return;
  }
  emu = await startSolanaEmulator({ quiet: true });
}, 60_000);
afterAll(async () => {
  await emu?.close();
});
beforeEach(() => {
  if (why) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-solana-vm-'));
  db = openDatabase(path.join(dir, 'studio.db'));
  solana = createSolana({
    db,
    vault: new FileVault(dir),
    env: { KRAKEN_SOLANA_API: emu.url, KRAKEN_SOLANA_RPC: emu.rpcUrl },
    getModel: async (id) => {
      throw new AppError('NOT_FOUND', `No model "${id}"`);
    },
    client: { baseDelayMs: 1, maxDelayMs: 2 },
    pollMs: 20,
    notFound: { retries: 3, firstDelayMs: 5 },
  });
});
afterEach(() => {
  if (why) return;
  emu.clearFaults();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function body(over: Partial<RegisterModelBody>): RegisterModelBody {
  return {
    name: 'Base',
    uploader: 'Kraken test',
    versionName: '1.0.0',
    modality: 'image-classification',
    license: ['MIT'],
    walletAddress: '',
    releaseDate: '2026-12-02',
    overview: 'A base model',
    releaseNotes: 'First',
    thumbnail: 'https://example.com/t.png',
    cidRoot: 'sha256:00',
    encryptionKey: 'none',
    pricing: { research: { price: 0, description: 'Free', billingType: 'free' } },
    metrics: { accuracy: 0.9 },
    technicalSpecs: { task: 'classification' },
    sample: { input: 'image', output: 'cat' },
    relationship: 'root',
    ...over,
  };
}

const unique = () => Math.random().toString(36).slice(2, 8);

describe.skipIf(onWindows)('on the Solana VM', () => {
  beforeEach((ctx) => {
    if (why) ctx.skip();
  });

  it('register root + fine-tuned child → preview → pay → distributed equals the preview to the lamport, and so do the balances', async () => {
    const me = await solana.wallet.create();
    const drop = await solana.wallet.airdrop({ sol: 150 });
    expect(drop.balance.lamports).toBe(150_000_000_000);
    const rootDev = Keypair.generate().publicKey.toBase58();
    const root = await solana.registry.register({ body: body({ name: `Base ${unique()}`, walletAddress: rootDev }) });
    expect(root.modelPda).toBe(PublicKey.findProgramAddressSync([Buffer.from('model'), new PublicKey(rootDev).toBuffer(), (await import('node:crypto')).createHash('sha256').update(`${root.name}\n1.0.0`).digest()], new PublicKey(emu.programId))[0].toBase58());
    const childDev = Keypair.generate().publicKey.toBase58();
    const child = await solana.registry.register({
      body: body({
        name: `Child ${unique()}`,
        walletAddress: childDev,
        relationship: 'fine-tuned',
        parentModelPDA: root.modelPda,
        pricing: { standard: { price: 100_000_000_000, description: '100 SOL per month', billingType: 'monthly_subscription' } },
      }),
    });
    expect(child).toMatchObject({ parentPda: root.modelPda, relationship: 'fine-tuned' });
    expect(solana.registry.tree()[0]).toMatchObject({ modelPda: root.modelPda, children: [{ modelPda: child.modelPda }] });

    const preview = await solana.royalty.preview({ totalLamports: 100_000_000_000, platformFeeBps: 500, modelPda: child.modelPda });
    expect(preview.distribution).toMatchObject({ platformFee: 5_000_000_000, remainingAfterPlatformFee: 95_000_000_000 });
    expect(preview.distribution!.distributions).toEqual([
      { recipient: childDev, amount: 92_625_000_000, role: 'current_model_developer', percentage: 97.5 },
      { recipient: rootDev, amount: 2_375_000_000, role: 'parent_model_developer', depth: 1, percentage: 2.5 },
    ]);

    const before = { child: emu.balance(childDev), root: emu.balance(rootDev), treasury: emu.balance(emu.treasury), me: emu.balance(me.address!) };
    const paid = await solana.royalty.pay({ modelPda: child.modelPda, tier: 'standard', platformFeeBps: 500 });
    expect(paid).toMatchObject({ state: 'distributed', matchesPreview: true, mismatches: [], recipient: emu.treasury, payer: me.address, lamports: 100_000_000_000 });
    expect(paid.distribution).toEqual(preview.distribution);
    expect(paid.lineageTrace?.lineage.map((e) => e.modelPDA)).toEqual([child.modelPda, root.modelPda]);
    expect(emu.balance(childDev) - before.child).toBe(92_625_000_000n);
    expect(emu.balance(rootDev) - before.root).toBe(2_375_000_000n);
    expect(emu.balance(emu.treasury) - before.treasury).toBe(5_000_000_000n);
    const fee = before.me - emu.balance(me.address!) - 100_000_000_000n;
    expect(fee).toBeGreaterThanOrEqual(0n);
    expect(fee).toBeLessThan(100_000n);

    // The wallet sees its payment among its recent transactions, with the treasury as the other side.
    const txs = await solana.wallet.transactions({ limit: 5 });
    expect(txs.find((t) => t.signature === paid.signature)).toMatchObject({ change: -(100_000_000_000 + Number(fee)), counterparty: emu.treasury, err: null });
    expect(solana.royalty.payments()[0]).toMatchObject({ signature: paid.signature, state: 'distributed', matchesPreview: true });
  }, 60_000);

  it('404 not found yet → waits and asks again; 5xx → retried; the outcome still matches', async () => {
    await solana.wallet.create();
    await solana.wallet.airdrop({ sol: 2 });
    const dev = Keypair.generate().publicKey.toBase58();
    const m = await solana.registry.register({ body: body({ name: `Solo ${unique()}`, walletAddress: dev, pricing: { p: { price: 10_000_000, description: '0.01 SOL', billingType: 'one_time_purchase' } } }) });
    emu.setFaults([{ route: 'POST /api/signature-royalty/*', status: 404, times: 2 }]);
    const p = await solana.royalty.pay({ modelPda: m.modelPda, tier: 'p', platformFeeBps: 500 });
    expect(p).toMatchObject({ state: 'distributed', matchesPreview: true, notFoundRetries: 2 });
    const calls = emu.requests().filter((r) => r.path.includes('process-signature-royalty'));
    expect(calls.length).toBeGreaterThanOrEqual(3);

    emu.setFaults([{ route: 'POST /api/signature-royalty/*', status: 503, times: 2 }]);
    const again = await solana.royalty.process({ signature: p.signature, modelPda: m.modelPda, platformFeeBps: 500 });
    // Processed twice: the stored distribution, nothing paid again.
    expect(again).toMatchObject({ state: 'distributed', distributionSignature: p.distributionSignature });
  }, 60_000);

  it('verified only (no model), too small, and a transaction with no SOL transfer to the platform', async () => {
    const me = await solana.wallet.create();
    await solana.wallet.airdrop({ sol: 2 });
    const kp = await solana.wallet.keypair();
    const rpc = solana.wallet.rpc();
    const small = await rpc.transfer(kp, new PublicKey(emu.treasury), 23);
    await rpc.confirm(small);
    const verified = await solana.royalty.process({ signature: small, platformFeeBps: 500 });
    expect(verified).toMatchObject({ state: 'verified', lamports: 23, reason: 'modelPDA not provided in request' });

    const dev = Keypair.generate().publicKey.toBase58();
    const m = await solana.registry.register({ body: body({ name: `Tiny ${unique()}`, walletAddress: dev }) });
    const tooSmall = await solana.royalty.process({ signature: small, modelPda: m.modelPda, platformFeeBps: 500 });
    expect(tooSmall).toMatchObject({ state: 'too_small', lamports: 23, reason: 'Amount too small: 23 lamports (minimum: 1000000 lamports = 0.001 SOL)' });

    // SOL moved, but not to the platform: not a subscription payment (emulators/solana/CONTRACT.md, "who to pay").
    const { blockhash, lastValidBlockHeight } = await rpc.connection.getLatestBlockhash();
    const tx = new Transaction({ feePayer: kp.publicKey, blockhash, lastValidBlockHeight }).add(SystemProgram.transfer({ fromPubkey: kp.publicKey, toPubkey: Keypair.generate().publicKey, lamports: 1_000_000 }));
    tx.sign(kp);
    const other = await rpc.connection.sendRawTransaction(tx.serialize());
    await rpc.confirm(other);
    const notTransfer = await solana.royalty.process({ signature: other, modelPda: m.modelPda, platformFeeBps: 500 });
    expect(notTransfer).toMatchObject({ state: 'failed', reason: 'No SOL transfer found in transaction. Transaction may not be a subscription payment.' });
    expect(emu.balance(me.address!)).toBeGreaterThan(0n);
  }, 60_000);

  it('the backend refuses a cycle and depth 33 with the seed sentences', async () => {
    await solana.wallet.create();
    await solana.wallet.airdrop({ sol: 5 });
    const kp = await solana.wallet.keypair();
    const dev = () => Keypair.generate().publicKey.toBase58();
    const a = await solana.registry.register({ body: body({ name: `A ${unique()}`, walletAddress: dev() }) });
    const b = await solana.registry.register({ body: body({ name: `B ${unique()}`, walletAddress: dev(), relationship: 'derived', parentModelPDA: a.modelPda }) });
    emu.setParent(a.modelPda, b.modelPda);
    const rpc = solana.wallet.rpc();
    const sig = await rpc.transfer(kp, new PublicKey(emu.treasury), 10_000_000);
    await rpc.confirm(sig);
    const cyc = await solana.royalty.process({ signature: sig, modelPda: b.modelPda, platformFeeBps: 500 });
    expect(cyc).toMatchObject({ state: 'failed', reason: 'Invalid lineage detected' });
    expect(cyc.violations).toContain('Circular reference detected in lineage');

    // 34 models in a chain: the last one has 33 ancestors.
    let parent: string | undefined;
    let last = '';
    for (let i = 0; i < 34; i++) {
      const r = await solana.registry.register({ body: body({ name: `D${i} ${unique()}`, walletAddress: dev(), ...(parent ? { relationship: 'fine-tuned', parentModelPDA: parent } : {}) }) });
      parent = r.modelPda;
      last = r.modelPda;
    }
    const preview = await solana.royalty.preview({ totalLamports: 10_000_000, platformFeeBps: 500, modelPda: last });
    expect(preview.lineageTrace?.violations).toEqual(['Max depth exceeded: 33 (max: 32)']);
    const sig2 = await rpc.transfer(kp, new PublicKey(emu.treasury), 10_000_000);
    await rpc.confirm(sig2);
    const deep = await solana.royalty.process({ signature: sig2, modelPda: last, platformFeeBps: 500 });
    expect(deep).toMatchObject({ state: 'failed', reason: 'Invalid lineage detected' });
    expect(deep.violations).toContain('Max depth exceeded: 33 (max: 32)');
  }, 120_000);
});
