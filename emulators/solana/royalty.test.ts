/**
 * POST /api/signature-royalty/process-signature-royalty on the VM: a real payment signed by a keypair, verified,
 * distributed over a lineage of depth 2 with the balances afterwards equal to main/common/royalty.ts's preview to
 * the lamport; the seed's three outcomes and every error (404, failed, not a SOL transfer, invalid lineage — cycle
 * and depth 33 — and validation). litesvm has no Windows binary: there the suite is skipped (reason printed).
 */
import { Keypair, PublicKey, SystemProgram } from '@solana/web3.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distributeRoyalty, toSeedDistribution } from '../../main/common/royalty';
import type { SolanaEmulator } from './emulator';
import { childBody, funded, LAMPORTS_PER_SOL, pay, processRoyalty, registerOk, rootBody, sendSigned, start, unavailable } from './test-kit';

describe.skipIf(!!unavailable)('process-signature-royalty', () => {
  let em: SolanaEmulator;
  let payer: Keypair;
  // a lineage of depth 2: grandparent (root) ← parent (derived) ← model (fine-tuned)
  const devs = { root: Keypair.generate(), parent: Keypair.generate(), model: Keypair.generate() };
  const pdas = { root: '', parent: '', model: '' };
  const addr = (k: Keypair) => k.publicKey.toBase58();

  beforeAll(async () => {
    em = await start();
    payer = funded(em, 10_000n);
    pdas.root = await registerOk(em, rootBody(addr(devs.root)));
    pdas.parent = await registerOk(em, childBody(addr(devs.parent), pdas.root, 'Parent-Model'));
    pdas.model = await registerOk(em, childBody(addr(devs.model), pdas.parent, 'Child-Model', 'fine-tuned'));
  });
  afterAll(async () => {
    await em?.close();
  });

  it('distributes a real payment over a lineage of depth 2: every balance moves by its preview amount, to the lamport', async () => {
    const total = 123_456_789_013n;
    const preview = distributeRoyalty({ totalLamports: total, platformFeeBps: 750, developer: addr(devs.model), lineage: [{ developer: addr(devs.parent) }, { developer: addr(devs.root) }] });
    const watched = [addr(devs.model), addr(devs.parent), addr(devs.root), em.treasury];
    const before = watched.map((a) => em.balance(a));
    const payerBefore = em.balance(addr(payer));
    const sig = pay(em, payer, total);
    expect(em.balance(addr(payer))).toBe(payerBefore - total - 5000n);
    const r = await processRoyalty(em, { transactionSignature: sig, modelPDA: pdas.model, platformFeeBps: 750, minRoyaltyLamports: 1000, commitment: 'confirmed' });
    expect(r.status).toBe(200);
    expect(r.body.success).toBe(true);
    expect(r.body.message).toBe('Signature-based royalty distribution completed successfully');
    expect(r.body.data.originalTransaction).toEqual({ signature: sig, modelPDA: pdas.model, totalLamports: Number(total), totalSOL: 123.456789013 });
    expect(r.body.data.lineageTrace).toEqual({
      totalDepth: 3,
      isValid: true,
      lineage: [
        { modelPDA: pdas.model, modelName: 'Child-Model', developerWallet: addr(devs.model), depth: 0, parentPDA: pdas.parent },
        { modelPDA: pdas.parent, modelName: 'Parent-Model', developerWallet: addr(devs.parent), depth: 1, parentPDA: pdas.root },
        { modelPDA: pdas.root, modelName: 'GPT-4-Base-Model', developerWallet: addr(devs.root), depth: 2, parentPDA: null },
      ],
    });
    expect(r.body.data.distribution).toEqual(toSeedDistribution(preview));
    const after = watched.map((a) => em.balance(a));
    const delta = after.map((a, i) => a - before[i]!);
    expect(delta).toEqual([preview.distributions[0]!.amount, preview.distributions[1]!.amount, preview.distributions[2]!.amount, preview.platformFee]);
    expect(delta.reduce((s, x) => s + x, 0n)).toBe(total);
    // the payout is a real transaction on the VM, from the treasury
    const payout = em.transaction(r.body.data.distributionTransaction.signature)!;
    expect(payout.err).toBeNull();
    expect(JSON.parse(payout.account_keys)).toContain(em.treasury);
    expect(r.body.data.distributionTransaction.signatures).toEqual([r.body.data.distributionTransaction.signature]);

    // asked again with the same model: the stored reply, nothing paid twice
    const again = await processRoyalty(em, { transactionSignature: sig, modelPDA: pdas.model, platformFeeBps: 750 });
    expect(again.body).toEqual(r.body);
    expect(watched.map((a) => em.balance(a))).toEqual(after);
    // with another model: refused
    const other = await processRoyalty(em, { transactionSignature: sig, modelPDA: pdas.root });
    expect(other.status).toBe(400);
    expect(other.body).toEqual({ success: false, error: `Transaction already used for a royalty distribution of model ${pdas.model}` });
  });

  it("reproduces the seed's example on the VM: 100 SOL, default 500 bps, one parent", async () => {
    const sig = pay(em, payer, 100n * LAMPORTS_PER_SOL);
    const before = [em.balance(addr(devs.parent)), em.balance(addr(devs.root))];
    const r = await processRoyalty(em, { transactionSignature: sig, modelPDA: pdas.parent });
    expect(r.body.data.distribution).toEqual({
      totalAmount: 100000000000,
      platformFee: 5000000000,
      remainingAfterPlatformFee: 95000000000,
      distributions: [
        { recipient: addr(devs.parent), amount: 92625000000, role: 'current_model_developer', percentage: 97.5 },
        { recipient: addr(devs.root), amount: 2375000000, role: 'parent_model_developer', depth: 1, percentage: 2.5 },
      ],
      platformFeePercentage: 5,
      royaltyPercentagePerParent: 2.5,
    });
    expect([em.balance(addr(devs.parent)) - before[0]!, em.balance(addr(devs.root)) - before[1]!]).toEqual([92_625_000_000n, 2_375_000_000n]);
  });

  it('case 1: without modelPDA only verifies the transfer', async () => {
    const sig = pay(em, payer, 100n * LAMPORTS_PER_SOL);
    const treasury = em.balance(em.treasury);
    const r = await processRoyalty(em, { transactionSignature: sig });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      success: false,
      message: 'Lamports transfer verified, but royalty distribution failed due to missing modelPDA',
      data: { transactionVerified: true, lamportsTransferred: 100000000000, totalSOL: 100, royaltyDistributed: false, reason: 'modelPDA not provided in request' },
    });
    expect(em.balance(em.treasury)).toBe(treasury);
  });

  it("case 2: an amount under the minimum is verified but too small (the seed's 23 lamports; minimum 0.001 SOL)", async () => {
    const sig = pay(em, payer, 23n);
    const r = await processRoyalty(em, { transactionSignature: sig, modelPDA: pdas.model, minRoyaltyLamports: 1000 });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      success: false,
      message: 'Lamports transfer verified, but amount too small for royalty distribution',
      data: {
        transactionVerified: true,
        lamportsTransferred: 23,
        totalSOL: 0.000000023,
        minRequiredLamports: 1000000,
        minRequiredSOL: 0.001,
        royaltyDistributed: false,
        reason: 'Amount too small: 23 lamports (minimum: 1000000 lamports = 0.001 SOL)',
      },
    });
    // a minRoyaltyLamports above 0.001 SOL raises the minimum; exactly 0.001 SOL is enough
    const mid = pay(em, payer, 2_000_000n);
    const raised = await processRoyalty(em, { transactionSignature: mid, modelPDA: pdas.model, minRoyaltyLamports: 5_000_000 });
    expect(raised.body.data.reason).toBe('Amount too small: 2000000 lamports (minimum: 5000000 lamports = 0.005 SOL)');
    const exact = pay(em, payer, 1_000_000n);
    expect((await processRoyalty(em, { transactionSignature: exact, modelPDA: pdas.model })).body.success).toBe(true);
  });

  it('404 for a signature the chain does not know (the seed: wait for confirmation, then retry)', async () => {
    const unknown = '3CPvEGfEo42FrnT5cTWytvkAv4qqggNmKNjZaLGCgjiBNqLVaikbYzs1W957NAUpUxQZkySaUCAzRcr3gWRAikhu';
    const r = await processRoyalty(em, { transactionSignature: unknown, modelPDA: pdas.model });
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ success: false, error: 'Transaction not found on blockchain' });
  });

  it('404 for an unknown modelPDA', async () => {
    const sig = pay(em, payer, 5_000_000n);
    const ghost = Keypair.generate().publicKey.toBase58();
    const r = await processRoyalty(em, { transactionSignature: sig, modelPDA: ghost });
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ success: false, error: `Model not found: ${ghost}` });
  });

  it('400 for a transaction that failed on chain, with the Solana error as details', async () => {
    const poor = funded(em, 1n);
    // more than it has, sent past preflight: it lands, fails, and its fee is charged
    const sig = sendSigned(em, poor, [SystemProgram.transfer({ fromPubkey: poor.publicKey, toPubkey: new PublicKey(em.treasury), lamports: 5n * LAMPORTS_PER_SOL })], { skipPreflight: true });
    const r = await processRoyalty(em, { transactionSignature: sig, modelPDA: pdas.model });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ success: false, error: 'Transaction failed on blockchain', details: { InstructionError: [0, { Custom: 1 }] } });
  });

  it('400 for a transaction that is not a SOL transfer (an account creation; a transfer to someone else)', async () => {
    const fresh = Keypair.generate();
    const create = sendSigned(em, payer, [SystemProgram.createAccount({ fromPubkey: payer.publicKey, newAccountPubkey: fresh.publicKey, lamports: 10_000_000, space: 0, programId: SystemProgram.programId })], { signers: [fresh] });
    const notToUs = sendSigned(em, payer, [SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: devs.model.publicKey, lamports: 10_000_000 })]);
    for (const sig of [create, notToUs]) {
      for (const body of [{ transactionSignature: sig, modelPDA: pdas.model }, { transactionSignature: sig }]) {
        const r = await processRoyalty(em, body);
        expect(r.status).toBe(400);
        expect(r.body).toEqual({ success: false, error: 'No SOL transfer found in transaction. Transaction may not be a subscription payment.' });
      }
    }
  });

  it('400 invalid lineage for a cycle, with the seed\'s sentence; nothing is paid', async () => {
    const a = await registerOk(em, rootBody(addr(devs.root), { name: 'Cycle-A' }));
    const b = await registerOk(em, childBody(addr(devs.parent), a, 'Cycle-B'));
    em.setParent(a, b);
    const sig = pay(em, payer, 10n * LAMPORTS_PER_SOL);
    const treasury = em.balance(em.treasury);
    const r = await processRoyalty(em, { transactionSignature: sig, modelPDA: b });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ success: false, error: 'Invalid lineage detected', data: { violations: ['Circular reference detected in lineage'] } });
    expect(em.balance(em.treasury)).toBe(treasury);
  });

  it('400 invalid lineage at depth 33, and exactly 32 ancestors are paid', async () => {
    const dev = addr(Keypair.generate());
    let parent = await registerOk(em, rootBody(dev, { name: 'Deep-0' }));
    const chain = [parent];
    for (let i = 1; i <= 33; i++) {
      parent = await registerOk(em, childBody(dev, parent, `Deep-${i}`));
      chain.push(parent);
    }
    // Deep-32 has 32 ancestors: paid (a wallet at 33 depths gets one transfer of its sum)
    const ok = pay(em, payer, 10n * LAMPORTS_PER_SOL);
    const r32 = await processRoyalty(em, { transactionSignature: ok, modelPDA: chain[32] });
    expect(r32.status).toBe(200);
    expect(r32.body.data.lineageTrace.totalDepth).toBe(33);
    expect(r32.body.data.distribution.distributions).toHaveLength(33);
    // Deep-33 has 33: refused
    const sig = pay(em, payer, 10n * LAMPORTS_PER_SOL);
    const r = await processRoyalty(em, { transactionSignature: sig, modelPDA: chain[33] });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ success: false, error: 'Invalid lineage detected', data: { violations: ['Max depth exceeded: 33 (max: 32)'] } });
  }, 120_000);

  it('pays 32 distinct ancestors in several transactions, each recipient to the lamport', async () => {
    const wallets = Array.from({ length: 33 }, () => Keypair.generate());
    let parent = await registerOk(em, rootBody(addr(wallets[32]!), { name: 'Wide-32' }));
    for (let i = 31; i >= 0; i--) parent = await registerOk(em, childBody(addr(wallets[i]!), parent, `Wide-${i}`));
    const before = wallets.map((w) => em.balance(addr(w)));
    const total = 987_654_321n;
    const sig = pay(em, payer, total);
    const r = await processRoyalty(em, { transactionSignature: sig, modelPDA: parent });
    expect(r.status).toBe(200);
    const preview = distributeRoyalty({ totalLamports: total, developer: addr(wallets[0]!), lineage: wallets.slice(1).map((w) => ({ developer: addr(w) })) });
    expect(wallets.map((w, i) => em.balance(addr(w)) - before[i]!)).toEqual(preview.distributions.map((d) => d.amount));
    expect(r.body.data.distributionTransaction.signatures.length).toBe(3);
  }, 120_000);

  const sig64 = '3CPvEGfEo42FrnT5cTWytvkAv4qqggNmKNjZaLGCgjiBNqLVaikbYzs1W957NAUpUxQZkySaUCAzRcr3gWRAikhu';
  const invalid: [string, Record<string, unknown>, string][] = [
    ['transactionSignature required', {}, '"transactionSignature" is required'],
    ['transactionSignature a string', { transactionSignature: 7 }, '"transactionSignature" must be a string'],
    ['transactionSignature base58', { transactionSignature: 'not a signature' }, '"transactionSignature" must be a base58 transaction signature'],
    ['modelPDA a public key', { transactionSignature: sig64, modelPDA: 'xyz' }, '"modelPDA" must be a valid Solana public key'],
    ['platformFeeBps an integer', { transactionSignature: sig64, platformFeeBps: 2.5 }, '"platformFeeBps" must be an integer'],
    ['platformFeeBps ≥ 0', { transactionSignature: sig64, platformFeeBps: -1 }, '"platformFeeBps" must be greater than or equal to 0'],
    ['platformFeeBps ≤ 10000', { transactionSignature: sig64, platformFeeBps: 10_001 }, '"platformFeeBps" must be less than or equal to 10000'],
    ['minRoyaltyLamports whole', { transactionSignature: sig64, minRoyaltyLamports: -5 }, '"minRoyaltyLamports" must be a non-negative whole number of lamports'],
    ['commitment one of three', { transactionSignature: sig64, commitment: 'max' }, '"commitment" must be one of [processed, confirmed, finalized]'],
  ];
  it.each(invalid)('400 validation: %s', async (_what, body, error) => {
    const r = await processRoyalty(em, body);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ success: false, error: `Validation error: ${error}` });
  });

  it('an injected 5xx answers in the seed\'s error shape', async () => {
    em.addFault({ status: 503, route: 'POST /api/signature-royalty/*', times: 1 });
    const r = await processRoyalty(em, { transactionSignature: sig64 });
    expect(r.status).toBe(503);
    expect(r.body.success).toBe(false);
    expect(r.body.error).toMatch(/^Injected fault/);
    em.clearFaults();
  });
});
