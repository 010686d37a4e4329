/**
 * The studio's Solana side against a scripted seed-002 server on 127.0.0.1 (replies written from the seed, one per
 * request, so each policy can be watched): 404 "not found yet" → wait and ask again; 5xx → back-off, at most 3
 * retries; 4xx → never retried; each of the seed's outcomes read; register-model refused before sending when a rule
 * breaks; the wallet secret only in the vault (never in SQLite, nor in an error).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Keypair } from '@solana/web3.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../common/app-error';
import { base58Encode, type ModelManifest, type RegisterModelBody } from '../../../common/contract';
import { openDatabase, type Db } from '../../store/database';
import { FileVault, openVault } from '../secrets';
import { createSolana, type Solana } from '.';
import { creditFromNetwork, PayoutService } from './payouts';
import { WALLET_SECRET } from './wallet-service';

interface Scripted {
  status: number;
  body: unknown;
}
let server: http.Server;
let url: string;
let script: Scripted[] = [];
let seen: { path: string; body: unknown }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      let body: unknown = null;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      seen.push({ path: req.url ?? '', body });
      const next = script.shift() ?? { status: 500, body: { success: false, error: 'script ran out' } };
      res.writeHead(next.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(next.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

let dir: string;
let db: Db;
let vault: FileVault;
let solana: Solana;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-solana-scripted-'));
  db = openDatabase(path.join(dir, 'studio.db'));
  vault = new FileVault(dir);
  script = [];
  seen = [];
  solana = createSolana({
    db,
    vault,
    env: { KRAKEN_SOLANA_API: url },
    getModel: async (id) => {
      throw new AppError('NOT_FOUND', `No model "${id}"`);
    },
    client: { baseDelayMs: 1, maxDelayMs: 2 },
    notFound: { retries: 3, firstDelayMs: 1 },
  });
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const SIG = '3CPvEGfEo42FrnT5cTWytvkAv4qqggNmKNjZaLGCgjiBNqLVaikbYzs1W957NAUpUxQZkySaUCAzRcr3gWRAikhu';
const CHILD = '8dj63ZRmz2GRTr838g15bGmboD6TNPaxQGeDX8CHfVm3';
const ROOT = '4Ud8ywRLaiE92XFfYeK7ukHBmS9bY3tGSH7BpPuPzUrd';
const DEV = '9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PwtSwkZ';
const PARENT_DEV = 'Ctsc4RLun5Rrv8pLSidD8cpYKWWdsT1sNUqpA7rv4YLN';

/** The seed's Case 3 reply. */
const DISTRIBUTED = {
  success: true,
  message: 'Signature-based royalty distribution completed successfully',
  data: {
    originalTransaction: { signature: SIG, modelPDA: CHILD, totalLamports: 100000000000, totalSOL: 100 },
    lineageTrace: {
      totalDepth: 2,
      isValid: true,
      lineage: [
        { modelPDA: CHILD, modelName: 'GPT-4-Medical-Specialized', developerWallet: DEV, depth: 0, parentPDA: ROOT },
        { modelPDA: ROOT, modelName: 'GPT-4-Base-Model', developerWallet: PARENT_DEV, depth: 1, parentPDA: null },
      ],
    },
    distribution: {
      totalAmount: 100000000000,
      platformFee: 5000000000,
      remainingAfterPlatformFee: 95000000000,
      distributions: [
        { recipient: DEV, amount: 92625000000, role: 'current_model_developer', percentage: 97.5 },
        { recipient: PARENT_DEV, amount: 2375000000, role: 'parent_model_developer', depth: 1, percentage: 2.5 },
      ],
      platformFeePercentage: 5,
      royaltyPercentagePerParent: 2.5,
    },
    distributionTransaction: { signature: '2xYzB9fJzv5CZsnA9uVZRnQPPMiZA9uiVrgG2gE2LzoD2xGn1vtuSjG7UZZkPg4GGXRLL6t9KYzdCVWk' },
  },
};

function registerBody(over: Partial<RegisterModelBody> = {}): RegisterModelBody {
  return {
    name: 'GPT-4-Base-Model',
    uploader: 'OpenAI',
    versionName: '1.0.0',
    modality: 'LLM',
    license: ['MIT'],
    walletAddress: PARENT_DEV,
    releaseDate: '2025-01-15',
    overview: 'GPT-4 base model',
    releaseNotes: 'Initial release',
    thumbnail: 'https://example.com/img.png',
    cidRoot: 'QmYwAPJzv5CZsnA',
    encryptionKey: 'enc_key_2025',
    pricing: { standard: { price: 100000000000, description: '100 SOL per month', billingType: 'monthly_subscription' } },
    metrics: { accuracy: 0.95 },
    technicalSpecs: { parameters: '1.8T' },
    sample: { input: 'test', output: 'result' },
    relationship: 'root',
    ...over,
  };
}

async function caught(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

/** Registers root and child through the scripted server, as the seed's examples. */
async function registerPair(): Promise<void> {
  script.push({ status: 200, body: { success: true, message: 'ok', data: { modelAccountPDA: ROOT, parentModelPDA: null }, transactionHash: 'tx1' } });
  await solana.registry.register({ body: registerBody() });
  script.push({ status: 200, body: { success: true, message: 'ok', data: { modelAccountPDA: CHILD, parentModelPDA: ROOT }, transactionHash: 'tx2' } });
  await solana.registry.register({ body: registerBody({ name: 'GPT-4-Medical-Specialized', walletAddress: DEV, relationship: 'fine-tuned', parentModelPDA: ROOT }) });
  seen = [];
}

describe('process-signature-royalty: the seed retry policy', () => {
  it('404 "Transaction not found on blockchain" → waits and asks again, then the distribution matches the preview to the lamport', async () => {
    await registerPair();
    const preview = await solana.royalty.preview({ totalLamports: 100000000000, platformFeeBps: 500, modelPda: CHILD });
    expect(preview.distribution).toEqual(DISTRIBUTED.data.distribution);
    db.prepare(
      `INSERT INTO royalty_payments (api_base_url, rpc_url, model_pda, tier, payer, recipient, lamports, signature, state, preview_json, created_at, updated_at) VALUES (?, '', ?, 'standard', 'p', 'r', 100000000000, ?, 'confirmed', ?, 'now', 'now')`,
    ).run(url, CHILD, SIG, JSON.stringify(preview));
    script.push({ status: 404, body: { success: false, error: 'Transaction not found on blockchain' } }, { status: 404, body: { success: false, error: 'Transaction not found on blockchain' } }, { status: 200, body: DISTRIBUTED });
    const p = await solana.royalty.process({ signature: SIG, modelPda: CHILD, platformFeeBps: 500 });
    expect(seen).toHaveLength(3);
    expect(seen.every((s) => s.path === '/api/signature-royalty/process-signature-royalty')).toBe(true);
    expect(seen[0]!.body).toEqual({ transactionSignature: SIG, modelPDA: CHILD, platformFeeBps: 500 });
    expect(p).toMatchObject({ state: 'distributed', matchesPreview: true, mismatches: [], notFoundRetries: 2, lamports: 100000000000 });
    expect(p.distributionSignature).toBe(DISTRIBUTED.data.distributionTransaction.signature);
    expect(p.lineageTrace?.lineage.map((e) => e.modelPDA)).toEqual([CHILD, ROOT]);
  });

  it('404 for ever: asks 1 + 3 times, then says so (failed, kept)', async () => {
    for (let i = 0; i < 4; i++) script.push({ status: 404, body: { success: false, error: 'Transaction not found on blockchain' } });
    const p = await solana.royalty.process({ signature: SIG, platformFeeBps: 500 });
    expect(seen).toHaveLength(4);
    expect(p.state).toBe('failed');
    expect(p.reason).toMatch(/did not find the transaction after 3 more tries/);
    expect(solana.royalty.payments()[0]!.state).toBe('failed');
  });

  it('404 "Model not found" is a refusal, not retried', async () => {
    script.push({ status: 404, body: { success: false, error: `Model not found: ${CHILD}` } });
    const p = await solana.royalty.process({ signature: SIG, modelPda: CHILD, platformFeeBps: 500 });
    expect(seen).toHaveLength(1);
    expect(p).toMatchObject({ state: 'failed', reason: `Model not found: ${CHILD}` });
  });

  it('5xx → retried with back-off, at most 3 retries (4 requests), then REMOTE', async () => {
    for (let i = 0; i < 6; i++) script.push({ status: 500, body: { success: false, error: 'Failed to distribute royalty: boom' } });
    const e = await caught(solana.royalty.process({ signature: SIG, modelPda: CHILD, platformFeeBps: 500 }));
    expect(seen).toHaveLength(4);
    expect(e.code).toBe('REMOTE');
    expect(e.message).toMatch(/Failed to distribute royalty: boom/);
  });

  it('5xx twice then the answer: three requests, the outcome read', async () => {
    script.push({ status: 502, body: {} }, { status: 503, body: {} }, {
      status: 200,
      body: { success: false, message: 'Lamports transfer verified, but royalty distribution failed due to missing modelPDA', data: { transactionVerified: true, lamportsTransferred: 100000000000, totalSOL: 100, royaltyDistributed: false, reason: 'modelPDA not provided in request' } },
    });
    const p = await solana.royalty.process({ signature: SIG, platformFeeBps: 500 });
    expect(seen).toHaveLength(3);
    expect(p).toMatchObject({ state: 'verified', reason: 'modelPDA not provided in request', lamports: 100000000000 });
  });

  it('4xx → never retried: each 400 of the seed is one request and its words are kept', async () => {
    const cases: [unknown, string, string[]][] = [
      [{ success: false, error: 'Transaction failed on blockchain', details: { InstructionError: [0, 'Custom error'] } }, 'Transaction failed on blockchain', ['{"InstructionError":[0,"Custom error"]}']],
      [{ success: false, error: 'No SOL transfer found in transaction. Transaction may not be a subscription payment.' }, 'No SOL transfer found in transaction. Transaction may not be a subscription payment.', []],
      [{ success: false, error: 'Invalid lineage detected', data: { violations: ['Circular reference detected in lineage', 'Max depth exceeded: 33 (max: 32)'] } }, 'Invalid lineage detected', ['Circular reference detected in lineage', 'Max depth exceeded: 33 (max: 32)']],
      [{ success: false, error: 'Validation error: "transactionSignature" is required' }, 'Validation error: "transactionSignature" is required', []],
    ];
    for (const [body, error, violations] of cases) {
      seen = [];
      script.push({ status: 400, body });
      const p = await solana.royalty.process({ signature: SIG, modelPda: CHILD, platformFeeBps: 500 });
      expect(seen).toHaveLength(1);
      expect(p).toMatchObject({ state: 'failed', reason: error, violations });
    }
  });

  it('Case 2 (too small) is read with its reason', async () => {
    script.push({
      status: 200,
      body: {
        success: false,
        message: 'Lamports transfer verified, but amount too small for royalty distribution',
        data: { transactionVerified: true, lamportsTransferred: 23, totalSOL: 0.000000023, minRequiredLamports: 1000000, minRequiredSOL: 0.001, royaltyDistributed: false, reason: 'Amount too small: 23 lamports (minimum: 1000000 lamports = 0.001 SOL)' },
      },
    });
    const p = await solana.royalty.process({ signature: SIG, modelPda: CHILD, platformFeeBps: 500 });
    expect(p).toMatchObject({ state: 'too_small', lamports: 23, reason: 'Amount too small: 23 lamports (minimum: 1000000 lamports = 0.001 SOL)' });
  });

  it('a distribution that differs from the preview is reported lamport by lamport', async () => {
    await registerPair();
    const preview = await solana.royalty.preview({ totalLamports: 100000000000, platformFeeBps: 500, modelPda: CHILD });
    db.prepare(
      `INSERT INTO royalty_payments (api_base_url, rpc_url, model_pda, tier, payer, recipient, lamports, signature, state, preview_json, created_at, updated_at) VALUES (?, '', ?, 'standard', 'p', 'r', 1, ?, 'confirmed', ?, 'now', 'now')`,
    ).run(url, CHILD, SIG, JSON.stringify(preview));
    const off = structuredClone(DISTRIBUTED);
    off.data.distribution.distributions[0]!.amount = 92624999999;
    off.data.distribution.distributions[1]!.amount = 2375000001;
    script.push({ status: 200, body: off });
    const p = await solana.royalty.process({ signature: SIG, modelPda: CHILD, platformFeeBps: 500 });
    expect(p.matchesPreview).toBe(false);
    expect(p.mismatches).toEqual([
      { what: 'developer amount', expected: 92625000000, actual: 92624999999 },
      { what: 'depth 1 amount', expected: 2375000000, actual: 2375000001 },
    ]);
  });
});

describe('register-model', () => {
  it('a body that breaks a rule is refused before anything is sent, every problem in details', async () => {
    const e = await caught(solana.registry.register({ body: registerBody({ name: 'x'.repeat(65), relationship: 'derived' }) }));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toMatch(/name is longer than 64 characters/);
    expect((e.details?.problems as { field: string }[]).map((p) => p.field)).toEqual(['name', 'parentModelPDA']);
    expect(seen).toEqual([]);
  });

  it('sends the seed body, stores the PDA and transaction (the encryption key is not kept), and a 400 keeps the backend words, sent once', async () => {
    script.push({ status: 200, body: { success: true, message: 'ok', data: { modelAccountPDA: ROOT, parentModelPDA: null }, transactionHash: 'hLnQ' } });
    const m = await solana.registry.register({ body: registerBody() });
    expect(seen[0]).toEqual({ path: '/api/transactions/register-model', body: registerBody() });
    expect(m).toMatchObject({ modelPda: ROOT, parentPda: null, relationship: 'root', transactionHash: 'hLnQ', apiBaseUrl: url });
    const row = db.prepare(`SELECT request_json FROM registered_models`).get() as { request_json: string };
    expect(row.request_json).not.toContain('enc_key_2025');

    seen = [];
    script.push({ status: 400, body: { success: false, error: 'Validation error: "name" is required' } });
    const e = await caught(solana.registry.register({ body: registerBody({ name: 'Other' }) }));
    expect(seen).toHaveLength(1);
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toContain('Validation error: "name" is required');
  });

  it('5xx on register-model: retried at most 3 times, then REMOTE with the backend words', async () => {
    for (let i = 0; i < 5; i++) script.push({ status: 500, body: { success: false, error: 'Failed to register model: Transaction simulation failed' } });
    const e = await caught(solana.registry.register({ body: registerBody() }));
    expect(seen).toHaveLength(4);
    expect(e.code).toBe('REMOTE');
    expect(e.message).toMatch(/Transaction simulation failed/);
  });

  it('the lineage tree and a preview over it; a cycle and depth 33 are the seed sentences', async () => {
    await registerPair();
    expect(solana.registry.tree()).toEqual([
      { modelPda: ROOT, name: 'GPT-4-Base-Model', relationship: 'root', known: true, children: [{ modelPda: CHILD, name: 'GPT-4-Medical-Specialized', relationship: 'fine-tuned', known: true, children: [] }] },
    ]);
    // Make a cycle in the local records: root's parent is the child.
    db.prepare(`UPDATE registered_models SET parent_pda = ? WHERE model_pda = ?`).run(CHILD, ROOT);
    const cyc = await solana.royalty.preview({ totalLamports: 1000, platformFeeBps: 500, modelPda: CHILD });
    expect(cyc.distribution).toBeNull();
    expect(cyc.lineageTrace?.violations).toEqual(['Circular reference detected in lineage']);
    expect(solana.registry.tree().map((n) => n.modelPda).sort()).toEqual([CHILD, ROOT].sort());

    // A chain of 34 models: 33 ancestors.
    const pdas = Array.from({ length: 34 }, () => Keypair.generate().publicKey.toBase58());
    const ins = db.prepare(
      `INSERT INTO registered_models (api_base_url, model_pda, parent_pda, relationship, name, version_name, wallet_address, pricing_json, request_json, transaction_hash, registered_at) VALUES (?, ?, ?, ?, 'm', '1', ?, '{}', '{}', 't', 'now')`,
    );
    pdas.forEach((p, i) => ins.run(url, p, pdas[i + 1] ?? null, i === 33 ? 'root' : 'fine-tuned', DEV));
    const deep = await solana.royalty.preview({ totalLamports: 1000, platformFeeBps: 500, modelPda: pdas[0]! });
    expect(deep.lineageTrace?.violations).toEqual(['Max depth exceeded: 33 (max: 32)']);
    expect(deep.distribution).toBeNull();
    const ok = await solana.royalty.preview({ totalLamports: 100000000000, platformFeeBps: 500, modelPda: pdas[1]! });
    expect(ok.distribution?.distributions).toHaveLength(33);
  });

  it('preview by depth: the seed example with one parent', async () => {
    const p = await solana.royalty.preview({ totalLamports: 100_000_000_000, platformFeeBps: 500, depth: 1 });
    expect(p.distribution).toMatchObject({ platformFee: 5_000_000_000, remainingAfterPlatformFee: 95_000_000_000 });
    expect(p.distribution!.distributions.map((d) => [d.role, d.amount])).toEqual([
      ['current_model_developer', 92_625_000_000],
      ['parent_model_developer', 2_375_000_000],
    ]);
  });
});

describe('the wallet secret', () => {
  it('rests only in the vault: not in SQLite (file bytes), not in info, not in a refused import', async () => {
    const info = await solana.wallet.create();
    const secret = await vault.get(WALLET_SECRET);
    expect(secret).toBeTruthy();
    const kp = Keypair.fromSecretKey(Buffer.from(new Uint8Array(JSON.parse((await solana.wallet.export({ confirm: true })).secretKeyJson) as number[])));
    expect(kp.publicKey.toBase58()).toBe(info.address);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const bytes = fs.readFileSync(path.join(dir, 'studio.db'));
    expect(bytes.includes(Buffer.from(secret!))).toBe(false);
    expect(bytes.includes(Buffer.from(kp.secretKey))).toBe(false);
    expect(JSON.stringify(await solana.wallet.info())).not.toContain(secret!);
    // a second wallet is refused, not overwritten
    const again = await caught(solana.wallet.create());
    expect(again.code).toBe('CONFLICT');
    // a bad key: the message never repeats it
    const bad = base58Encode(new Uint8Array(63).fill(9));
    const e = await caught(solana.wallet.import({ secretKey: bad, replace: true }));
    expect(e.message).not.toContain(bad);
    expect(e.message).toMatch(/64 bytes; this one has 63/);
  });

  it('export and forget need confirm: true; import takes base58 and the solana-keygen JSON array', async () => {
    const kp = Keypair.generate();
    await solana.wallet.import({ secretKey: JSON.stringify(Array.from(kp.secretKey)) });
    expect((await solana.wallet.info()).address).toBe(kp.publicKey.toBase58());
    expect((await caught(solana.wallet.export({ confirm: false as unknown as true }))).code).toBe('INVALID_INPUT');
    const out = await solana.wallet.export({ confirm: true });
    expect(out.secretKey).toBe(base58Encode(kp.secretKey));
    expect((await solana.wallet.forget({ confirm: true })).removed).toBe(true);
    expect(await vault.get(WALLET_SECRET)).toBeNull();
    await solana.wallet.import({ secretKey: base58Encode(kp.secretKey) });
    expect((await solana.wallet.info()).origin).toBe('imported');
  });

  it('airdrops only on the emulator and devnet; a custom cluster needs its URL', async () => {
    await solana.wallet.create();
    solana.wallet.setCluster({ cluster: 'mainnet-beta' });
    expect((await caught(solana.wallet.airdrop({ sol: 1 }))).code).toBe('UNSUPPORTED');
    expect((await solana.wallet.info()).cluster).toMatchObject({ cluster: 'mainnet-beta', rpcUrl: 'https://api.mainnet-beta.solana.com', airdrop: false });
    expect(() => solana.wallet.setCluster({ cluster: 'custom' })).toThrow(/needs its RPC URL/);
    expect(solana.wallet.setCluster({ cluster: 'custom', rpcUrl: 'https://rpc.example.com/' })).toMatchObject({ cluster: 'custom', rpcUrl: 'https://rpc.example.com', airdrop: false });
    expect(solana.wallet.setCluster({ cluster: 'devnet' })).toMatchObject({ airdrop: true, rpcUrl: 'https://api.devnet.solana.com' });
  });
});

// The manifest type is used by createSolana's getModel; keep the import honest.
export type { ModelManifest };

describe('contributor payouts beside the wallet', () => {
  it('the credit comes from the network node; without a network it is said unavailable; a payout goes to the wallet address', async () => {
    const none = new PayoutService(() => null, () => DEV);
    expect(await none.credit()).toMatchObject({ available: false, payoutOffered: false });
    const asked: { address: string; credit?: number }[] = [];
    const network = {
      nodeCredit: async () => ({ nodeId: DEV, credit: { earned: 40, spent: 3, balance: 1037, payable: 37 } }),
      payout: async (req: { address: string; credit?: number }) => (asked.push(req), { payoutId: 'po_1', address: req.address, credit: 37, lamports: 37_000_000, signature: null, balance: 1000 }),
    };
    const live = new PayoutService(() => creditFromNetwork(network), () => PARENT_DEV);
    expect(await live.credit()).toEqual({ available: true, nodeId: DEV, earned: 40, spent: 3, balance: 1037, payable: 37, payoutOffered: true, message: null });
    expect(await live.payout({})).toEqual({ payoutId: 'po_1', address: PARENT_DEV, credit: 37, lamports: 37_000_000, signature: null, balance: 1000 });
    expect(asked).toEqual([{ address: PARENT_DEV }]);
    const away = new PayoutService(() => creditFromNetwork({ ...network, nodeCredit: async () => Promise.reject(new AppError('NETWORK', 'The contributor network cannot be reached.')) }), () => DEV);
    expect(await away.credit()).toMatchObject({ available: false, message: 'The contributor network cannot be reached.' });
    const noPayout = new PayoutService(() => ({ me: network.nodeCredit }), () => DEV);
    expect((await noPayout.credit()).payoutOffered).toBe(false);
    expect((await caught(noPayout.payout({}))).code).toBe('UNSUPPORTED');
  });
});

describe('the wallet secret in the real keychain', () => {
  // npm test runs vitest inside an isolated gnome-keyring session (KRAKEN_TEST_KEYRING=1); elsewhere this is skipped.
  const inSession = process.env.KRAKEN_TEST_KEYRING === '1';
  if (!inSession) console.log('[skip] wallet keychain test: runs only inside the isolated keyring npm test starts (KRAKEN_TEST_KEYRING=1)');

  it.skipIf(!inSession)('create puts the secret in the Secret Service; no file of the data folder holds it; forget removes it', async () => {
    const kdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-solana-keychain-'));
    const kdb = openDatabase(path.join(kdir, 'studio.db'));
    try {
      const v = await openVault(kdir);
      expect(v.backend).toBe('keychain');
      const s = createSolana({ db: kdb, vault: v, env: {}, getModel: async () => { throw new AppError('NOT_FOUND', 'none'); } });
      const info = await s.wallet.create();
      expect(info.vault).toBe('keychain');
      const secret = (await s.wallet.export({ confirm: true })).secretKey;
      expect(await v.get(WALLET_SECRET)).toBe(secret);
      kdb.pragma('wal_checkpoint(TRUNCATE)');
      const holding = fs.readdirSync(kdir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && fs.readFileSync(path.join(e.parentPath, e.name)).includes(Buffer.from(secret)));
      expect(holding).toEqual([]);
      await s.wallet.forget({ confirm: true });
      expect(await v.get(WALLET_SECRET)).toBeNull();
    } finally {
      kdb.close();
      fs.rmSync(kdir, { recursive: true, force: true });
    }
  });
});
