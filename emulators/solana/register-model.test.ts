/**
 * POST /api/transactions/register-model: the seed's two request examples accepted, every validation rule of the
 * seed refused with its own message (one test each), the PDA deterministic and really on the VM, models kept across
 * a restart. litesvm has no Windows binary: there the suite is skipped (the reason is printed by the test kit).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Keypair, PublicKey } from '@solana/web3.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SolanaEmulator } from './emulator';
import { MODEL_PROGRAM_ID, modelPda } from './service';
import { childBody, register, registerOk, rootBody, start, tempDir, unavailable } from './test-kit';

const WALLET = 'Ctsc4RLun5Rrv8pLSidD8cpYKWWdsT1sNUqpA7rv4YLN';
const MED_WALLET = '9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PwtSwkZ';

describe.skipIf(!!unavailable)('register-model', () => {
  let em: SolanaEmulator;
  let rootPda: string;
  beforeAll(async () => {
    em = await start();
    rootPda = await registerOk(em, rootBody(WALLET));
  });
  afterAll(async () => {
    await em?.close();
  });

  it("accepts the seed's root example and answers the seed's reply with a PDA derived as CONTRACT.md says", async () => {
    const b = rootBody(WALLET, { versionName: '1.0.1' });
    const r = await register(em, b);
    expect(r.status).toBe(200);
    const pda = PublicKey.findProgramAddressSync([Buffer.from('model'), new PublicKey(WALLET).toBuffer(), crypto.createHash('sha256').update('GPT-4-Base-Model\n1.0.1').digest()], MODEL_PROGRAM_ID)[0].toBase58();
    expect(r.body).toEqual({
      success: true,
      message: 'Model registration transaction created successfully (development only)',
      data: { modelAccountPDA: pda, parentModelPDA: null },
      transactionHash: expect.stringMatching(/^[1-9A-HJ-NP-Za-km-z]{64,88}$/),
    });
    expect(modelPda(WALLET, 'GPT-4-Base-Model', '1.0.1')).toBe(pda);
    // the registration is a real transaction, and the model record a real account owned by the registry program
    expect(em.transaction(r.body.transactionHash)?.err).toBeNull();
    const rec = em.model(pda)!;
    expect(rec.registered).not.toHaveProperty('encryptionKey');
    expect(rec.registered.encryptionKeySha256).toMatch(/^[0-9a-f]{64}$/);
    expect(em.balance(pda) > 0n).toBe(true);
  });

  it("accepts the seed's derived example naming a registered parent, and a fine-tuned child", async () => {
    const r = await register(em, childBody(MED_WALLET, rootPda, 'GPT-4-Medical-Specialized'));
    expect(r.status).toBe(200);
    expect(r.body.data.parentModelPDA).toBe(rootPda);
    const f = await register(em, childBody(MED_WALLET, r.body.data.modelAccountPDA, 'Medical-FT', 'fine-tuned'));
    expect(f.status).toBe(200);
    expect(em.model(f.body.data.modelAccountPDA)!.relationship).toBe('fine-tuned');
  });

  it('refuses the same wallet, name and versionName twice', async () => {
    const r = await register(em, rootBody(WALLET));
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ success: false, error: `Failed to register model: model account ${rootPda} already exists (same walletAddress, name and versionName)` });
  });

  it('answers 404 for a parent that was never registered', async () => {
    const ghost = Keypair.generate().publicKey.toBase58();
    const r = await register(em, childBody(MED_WALLET, ghost, 'orphan'));
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ success: false, error: `Parent model not found: ${ghost}` });
  });

  const long = (n: number) => 'x'.repeat(n);
  // one case per rule of the seed's field table: [what, body change, the error]
  const cases: [string, Record<string, unknown>, string][] = [
    ['name required', { name: undefined }, '"name" is required'],
    ['name a string', { name: 5 }, '"name" must be a string'],
    ['name not empty', { name: '' }, '"name" is not allowed to be empty'],
    ['name ≤ 64', { name: long(65) }, '"name" length must be less than or equal to 64 characters long'],
    ['uploader ≤ 64', { uploader: long(65) }, '"uploader" length must be less than or equal to 64 characters long'],
    ['uploader required', { uploader: undefined }, '"uploader" is required'],
    ['versionName ≤ 64', { versionName: long(65) }, '"versionName" length must be less than or equal to 64 characters long'],
    ['versionName required', { versionName: undefined }, '"versionName" is required'],
    ['modality ≤ 32', { modality: long(33) }, '"modality" length must be less than or equal to 32 characters long'],
    ['modality required', { modality: undefined }, '"modality" is required'],
    ['license required', { license: undefined }, '"license" is required'],
    ['license an array', { license: 'MIT' }, '"license" must be an array'],
    ['license not empty', { license: [] }, '"license" must contain at least 1 items'],
    ['license of strings', { license: ['MIT', 3] }, '"license[1]" must be a string'],
    ['license item ≤ 256', { license: [long(257)] }, '"license[0]" length must be less than or equal to 256 characters long'],
    ['walletAddress required', { walletAddress: undefined }, '"walletAddress" is required'],
    ['walletAddress a public key', { walletAddress: 'not-a-wallet-0OIl' }, '"walletAddress" must be a valid Solana public key'],
    ['walletAddress 32 bytes', { walletAddress: '1111111111111111111111111111111' }, '"walletAddress" must be a valid Solana public key'],
    ['releaseDate ≤ 32', { releaseDate: long(33) }, '"releaseDate" length must be less than or equal to 32 characters long'],
    ['releaseDate required', { releaseDate: undefined }, '"releaseDate" is required'],
    ['overview ≤ 1024', { overview: long(1025) }, '"overview" length must be less than or equal to 1024 characters long'],
    ['overview required', { overview: undefined }, '"overview" is required'],
    ['releaseNotes ≤ 1024', { releaseNotes: long(1025) }, '"releaseNotes" length must be less than or equal to 1024 characters long'],
    ['releaseNotes required', { releaseNotes: undefined }, '"releaseNotes" is required'],
    ['thumbnail ≤ 256', { thumbnail: long(257) }, '"thumbnail" length must be less than or equal to 256 characters long'],
    ['thumbnail required', { thumbnail: undefined }, '"thumbnail" is required'],
    ['cidRoot ≤ 128', { cidRoot: long(129) }, '"cidRoot" length must be less than or equal to 128 characters long'],
    ['cidRoot required', { cidRoot: undefined }, '"cidRoot" is required'],
    ['encryptionKey ≤ 128', { encryptionKey: long(129) }, '"encryptionKey" length must be less than or equal to 128 characters long'],
    ['encryptionKey required', { encryptionKey: undefined }, '"encryptionKey" is required'],
    ['pricing required', { pricing: undefined }, '"pricing" is required'],
    ['pricing an object', { pricing: [] }, '"pricing" must be of type object'],
    ['pricing has a tier', { pricing: {} }, '"pricing" must have at least 1 key'],
    ['a tier an object', { pricing: { basic: 5 } }, '"pricing.basic" must be of type object'],
    ['tier price required', { pricing: { basic: { description: 'd', billingType: 'free' } } }, '"pricing.basic.price" is required'],
    ['tier price whole lamports', { pricing: { basic: { price: 1.5, description: 'd', billingType: 'free' } } }, '"pricing.basic.price" must be a non-negative whole number of lamports'],
    ['tier price not negative', { pricing: { basic: { price: -1, description: 'd', billingType: 'free' } } }, '"pricing.basic.price" must be a non-negative whole number of lamports'],
    ['tier description required', { pricing: { basic: { price: 0, billingType: 'free' } } }, '"pricing.basic.description" is required'],
    ['tier billingType required', { pricing: { basic: { price: 0, description: 'd' } } }, '"pricing.basic.billingType" is required'],
    ['tier billingType one of three', { pricing: { basic: { price: 0, description: 'd', billingType: 'yearly' } } }, '"pricing.basic.billingType" must be one of [free, monthly_subscription, one_time_purchase]'],
    ['tier monthlyTokenLimit whole', { pricing: { basic: { price: 0, description: 'd', billingType: 'free', monthlyTokenLimit: -3 } } }, '"pricing.basic.monthlyTokenLimit" must be a non-negative whole number'],
    ['metrics required', { metrics: undefined }, '"metrics" is required'],
    ['metrics an object', { metrics: [1, 2] }, '"metrics" must be of type object'],
    ['metrics JSON ≤ 1024', { metrics: { notes: long(1020) } }, '"metrics" JSON must be at most 1024 characters long (got 1032)'],
    ['technicalSpecs required', { technicalSpecs: undefined }, '"technicalSpecs" is required'],
    ['technicalSpecs JSON ≤ 1024', { technicalSpecs: { notes: long(1020) } }, '"technicalSpecs" JSON must be at most 1024 characters long (got 1032)'],
    ['sample required', { sample: undefined }, '"sample" is required'],
    ['sample an object', { sample: 'in/out' }, '"sample" must be of type object'],
    ['sample JSON ≤ 1024', { sample: { input: long(1020) } }, '"sample" JSON must be at most 1024 characters long (got 1032)'],
    ['relationship required', { relationship: undefined }, '"relationship" is required'],
    ['relationship ≤ 64', { relationship: long(65) }, '"relationship" length must be less than or equal to 64 characters long'],
    ['relationship one of three', { relationship: 'forked' }, '"relationship" must be one of [root, derived, fine-tuned]'],
    ['parentModelPDA required for derived', { relationship: 'derived' }, '"parentModelPDA" is required'],
    ['parentModelPDA required for fine-tuned', { relationship: 'fine-tuned' }, '"parentModelPDA" is required'],
    ['parentModelPDA a public key', { relationship: 'derived', parentModelPDA: 'nope' }, '"parentModelPDA" must be a valid Solana public key'],
    ['parentModelPDA not with root', { parentModelPDA: WALLET }, '"parentModelPDA" is not allowed when "relationship" is "root"'],
  ];

  it.each(cases)('refuses: %s', async (_what, change, error) => {
    const body = rootBody(WALLET, { name: 'validation-case' });
    for (const [k, v] of Object.entries(change)) {
      if (v === undefined) delete body[k];
      else body[k] = v;
    }
    const before = em.models().length;
    const r = await register(em, body);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ success: false, error: `Validation error: ${error}` });
    expect(em.models().length).toBe(before);
  });

  it('counts characters, not UTF-16 units or bytes: 64 Hangul syllables or emoji pass', async () => {
    const r = await register(em, rootBody(WALLET, { name: '가'.repeat(32) + '😀'.repeat(32) }));
    expect(r.status).toBe(200);
  });

  it('accepts a price as a digit string past 2^53 and the limits exactly at their bounds', async () => {
    const r = await register(em, rootBody(WALLET, { name: 'x'.repeat(64), versionName: 'v'.repeat(64), uploader: 'u'.repeat(64), modality: 'm'.repeat(32), releaseDate: 'd'.repeat(32), thumbnail: 't'.repeat(256), cidRoot: 'c'.repeat(128), encryptionKey: 'k'.repeat(128), pricing: { big: { price: '18000000000000000000', description: 'd', billingType: 'one_time_purchase' } } }));
    expect(r.status).toBe(200);
    expect(em.model(r.body.data.modelAccountPDA)!.registered.pricing).toEqual({ big: { price: '18000000000000000000', description: 'd', billingType: 'one_time_purchase' } });
  });

  it('refuses a body that is not JSON in the seed\'s error shape', async () => {
    const res = await fetch(`${em.url}/transactions/register-model`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ success: false, error: 'The request body is not valid JSON.' });
  });
});

describe.skipIf(!!unavailable)('models survive a restart', () => {
  it('keeps models, their accounts and balances in the data folder', async () => {
    const dataDir = tempDir();
    try {
      let em = await start({ dataDir });
      const dev = Keypair.generate().publicKey.toBase58();
      const root = await registerOk(em, rootBody(dev));
      const child = await registerOk(em, childBody(dev, root, 'kid', 'fine-tuned'));
      em.airdrop(dev, 5_000_000_000n);
      const balance = em.balance(dev);
      const rent = em.balance(child);
      await em.close();
      em = await start({ dataDir });
      expect(em.models().map((m) => m.modelPDA)).toEqual([root, child]);
      expect(em.model(child)!.parentModelPDA).toBe(root);
      expect(em.balance(dev)).toBe(balance);
      expect(em.balance(child)).toBe(rent);
      // registering the same model again is refused: the PDA is taken
      expect((await register(em, rootBody(dev))).status).toBe(400);
      await em.close();
      // without the VM snapshot the accounts are re-created from SQLite
      fs.rmSync(path.join(dataDir, 'svm.bin'));
      em = await start({ dataDir });
      expect(em.balance(child)).toBe(rent);
      expect(em.models()).toHaveLength(2);
      await em.close();
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
