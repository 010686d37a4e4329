/**
 * The Solana backend of seed 002 over the chain: model registration (a deterministic PDA, a real transaction, the
 * model record as an account owned by the registry program id) and the signature-based royalty distribution (the
 * payment looked up on the chain, the lineage traced, the split computed by main/common/royalty.ts and paid out in
 * real transfers from the treasury). Replies are the seed's JSON, field for field; see CONTRACT.md.
 */
import crypto from 'node:crypto';
import { PublicKey, SystemProgram, type TransactionInstruction } from '@solana/web3.js';
import {
  distributeOverTrace,
  lamportsToJson,
  lamportsToSol,
  LAMPORTS_PER_SOL,
  type LineageModel,
  toSeedDistribution,
  traceLineage,
} from '../../main/common/royalty';
import type { Clock } from '../base/clock';
import { Chain, fixedKeypair, SendError, transfersOf } from './chain';
import type { ModelRow, SolanaStore } from './store';
import { type ProcessInput, type RegisterModelInput, validateProcess, validateRegisterModel } from './validate';

/** The registry program the model PDAs belong to (fixed; documented in CONTRACT.md). */
export const MODEL_PROGRAM_ID = fixedKeypair('model-registry').publicKey;
/** The minimum subscription of the seed's appendix: 0.001 SOL. */
export const MIN_SUBSCRIPTION_LAMPORTS = 1_000_000n;
/** Transfers per distribution transaction (a legacy transaction holds about 19 within 1232 bytes). */
export const TRANSFERS_PER_TRANSACTION = 16;

export const REGISTER_MESSAGE = 'Model registration transaction created successfully (development only)';
export const NOT_FOUND = 'Transaction not found on blockchain';
export const FAILED = 'Transaction failed on blockchain';
export const NO_TRANSFER = 'No SOL transfer found in transaction. Transaction may not be a subscription payment.';

/** A reply: HTTP status and the seed's JSON body. */
export interface Reply {
  status: number;
  body: Record<string, unknown>;
}

const fail = (status: number, error: string, extra: Record<string, unknown> = {}): Reply => ({ status, body: { success: false, error, ...extra } });

/** The model PDA: seeds ["model", wallet, sha256(name + "\n" + versionName)] under MODEL_PROGRAM_ID. */
export function modelPda(walletAddress: string, name: string, versionName: string): string {
  const h = crypto.createHash('sha256').update(`${name}\n${versionName}`, 'utf8').digest();
  return PublicKey.findProgramAddressSync([Buffer.from('model', 'utf8'), new PublicKey(walletAddress).toBuffer(), h], MODEL_PROGRAM_ID)[0].toBase58();
}

/** The on-chain record of a model: its registered fields as UTF-8 JSON, the encryption key left out. */
function accountData(m: ModelRow): Buffer {
  const body = JSON.parse(m.body) as Record<string, unknown>;
  delete body.encryptionKeySha256;
  return Buffer.from(JSON.stringify({ kind: 'kraken-model/1', modelPDA: m.pda, ...body, parentModelPDA: m.parent_pda }), 'utf8');
}

export interface ModelView {
  modelPDA: string;
  name: string;
  uploader: string;
  versionName: string;
  modality: string;
  walletAddress: string;
  relationship: string;
  parentModelPDA: string | null;
  transactionHash: string;
  createdAt: number;
  /** The registered body (pricing with prices as numbers, `encryptionKeySha256` instead of the key). */
  registered: Record<string, unknown>;
}

export function modelView(m: ModelRow): ModelView {
  return {
    modelPDA: m.pda,
    name: m.name,
    uploader: m.uploader,
    versionName: m.version_name,
    modality: m.modality,
    walletAddress: m.wallet,
    relationship: m.relationship,
    parentModelPDA: m.parent_pda,
    transactionHash: m.transaction_hash,
    createdAt: m.created_at,
    registered: JSON.parse(m.body) as Record<string, unknown>,
  };
}

export class SolanaService {
  constructor(
    readonly store: SolanaStore,
    readonly chain: Chain,
    private readonly clock: Clock,
  ) {}

  /** Re-creates the model accounts from SQLite (after a fresh VM) and opens the wallets they name. */
  restoreAccounts(): number {
    let n = 0;
    for (const m of this.store.models()) {
      if (this.chain.account(m.pda)) continue;
      const data = accountData(m);
      this.chain.setAccount(m.pda, { lamports: this.chain.rentExempt(data.length), data, owner: MODEL_PROGRAM_ID.toBase58() });
      this.openWallet(m.wallet);
      n++;
    }
    return n;
  }

  /** A wallet with no account gets the rent-exempt minimum from the faucet, so small royalties can reach it. */
  private openWallet(address: string): void {
    if (this.chain.balance(address) > 0n) return;
    this.chain.airdrop(address, this.chain.rentExempt(0));
  }

  lineageModel = (pda: string): LineageModel | null => {
    const m = this.store.model(pda);
    return m ? { modelPDA: m.pda, modelName: m.name, developerWallet: m.wallet, parentPDA: m.parent_pda } : null;
  };

  /** POST /transactions/register-model */
  registerModel(body: Record<string, unknown>): Reply {
    let input: RegisterModelInput;
    try {
      input = validateRegisterModel(body);
    } catch (e) {
      return fail(400, (e as Error).message);
    }
    if (input.parentModelPDA && !this.store.model(input.parentModelPDA)) return fail(404, `Parent model not found: ${input.parentModelPDA}`);
    const pda = modelPda(input.walletAddress, input.name, input.versionName);
    if (this.store.model(pda)) return fail(400, `Failed to register model: model account ${pda} already exists (same walletAddress, name and versionName)`);
    const { encryptionKey, ...rest } = input;
    const registered = {
      ...rest,
      pricing: Object.fromEntries(Object.entries(input.pricing).map(([k, t]) => [k, { ...t, price: lamportsToJson(t.price) }])),
      encryptionKeySha256: crypto.createHash('sha256').update(encryptionKey, 'utf8').digest('hex'),
    };
    const row: ModelRow = {
      pda,
      name: input.name,
      uploader: input.uploader,
      version_name: input.versionName,
      modality: input.modality,
      wallet: input.walletAddress,
      relationship: input.relationship,
      parent_pda: input.parentModelPDA,
      body: JSON.stringify(registered),
      transaction_hash: '',
      created_at: this.clock.now(),
    };
    const data = accountData(row);
    const rent = this.chain.rentExempt(data.length);
    let signature: string;
    try {
      // the registration transaction: the operator funds the model account at the PDA
      signature = this.chain.sendInstructions([SystemProgram.transfer({ fromPubkey: this.chain.operator.publicKey, toPubkey: new PublicKey(pda), lamports: rent })], [this.chain.operator]).signature;
      this.chain.setAccount(pda, { lamports: this.chain.balance(pda), data, owner: MODEL_PROGRAM_ID.toBase58() });
      this.openWallet(input.walletAddress);
    } catch (e) {
      return fail(500, `Failed to register model: ${(e as Error).message}`);
    }
    row.transaction_hash = signature;
    this.store.insertModel(row);
    return { status: 200, body: { success: true, message: REGISTER_MESSAGE, data: { modelAccountPDA: pda, parentModelPDA: input.parentModelPDA }, transactionHash: signature } };
  }

  /** POST /signature-royalty/process-signature-royalty */
  async processSignatureRoyalty(body: Record<string, unknown>): Promise<Reply> {
    let input: ProcessInput;
    try {
      input = validateProcess(body);
    } catch (e) {
      return fail(400, (e as Error).message);
    }
    const sig = input.transactionSignature;
    const tx = this.store.tx(sig);
    if (!tx) return fail(404, NOT_FOUND);
    if (tx.err !== null) return fail(400, FAILED, { details: JSON.parse(tx.err) as unknown });
    const treasury = this.chain.treasury.publicKey.toBase58();
    const toTreasury = transfersOf(tx.raw).filter((t) => t.to === treasury);
    if (!toTreasury.length) return fail(400, NO_TRANSFER);
    const total = toTreasury.reduce((s, t) => s + t.lamports, 0n);
    const verified = { transactionVerified: true, lamportsTransferred: lamportsToJson(total), totalSOL: lamportsToSol(total) };
    if (!input.modelPDA) {
      return {
        status: 200,
        body: { success: false, message: 'Lamports transfer verified, but royalty distribution failed due to missing modelPDA', data: { ...verified, royaltyDistributed: false, reason: 'modelPDA not provided in request' } },
      };
    }
    const trace = await traceLineage(input.modelPDA, this.lineageModel);
    if (!trace) return fail(404, `Model not found: ${input.modelPDA}`);
    if (!trace.isValid) return fail(400, 'Invalid lineage detected', { data: { violations: trace.violations } });
    // from here to insertPayment nothing awaits: two requests for one payment cannot both pay it out
    const done = this.store.payment(sig);
    if (done) {
      if (done.model_pda === input.modelPDA) return { status: 200, body: JSON.parse(done.reply) as Record<string, unknown> };
      return fail(400, `Transaction already used for a royalty distribution of model ${done.model_pda}`);
    }
    const min = input.minRoyaltyLamports > MIN_SUBSCRIPTION_LAMPORTS ? input.minRoyaltyLamports : MIN_SUBSCRIPTION_LAMPORTS;
    if (total < min) {
      return {
        status: 200,
        body: {
          success: false,
          message: 'Lamports transfer verified, but amount too small for royalty distribution',
          data: {
            ...verified,
            minRequiredLamports: lamportsToJson(min),
            minRequiredSOL: lamportsToSol(min),
            royaltyDistributed: false,
            reason: `Amount too small: ${total} lamports (minimum: ${min} lamports = ${lamportsToSol(min)} SOL)`,
          },
        },
      };
    }
    const distribution = distributeOverTrace(trace, total, input.platformFeeBps);
    // one transfer per distinct recipient (a wallet at several depths gets the sum), zero parts not sent
    const perRecipient = new Map<string, bigint>();
    for (const d of distribution.distributions) perRecipient.set(d.recipient, (perRecipient.get(d.recipient) ?? 0n) + d.amount);
    const instructions: TransactionInstruction[] = [];
    for (const [to, amount] of perRecipient) {
      if (amount > 0n && to !== treasury) instructions.push(SystemProgram.transfer({ fromPubkey: this.chain.treasury.publicKey, toPubkey: new PublicKey(to), lamports: amount }));
    }
    const signatures: string[] = [];
    try {
      for (let i = 0; i < instructions.length; i += TRANSFERS_PER_TRANSACTION) {
        signatures.push(this.chain.sendInstructions(instructions.slice(i, i + TRANSFERS_PER_TRANSACTION), [this.chain.operator, this.chain.treasury]).signature);
      }
    } catch (e) {
      const why = e instanceof SendError ? e.message : (e as Error).message;
      return fail(500, `Failed to distribute royalty: ${why}${signatures.length ? ` (after ${signatures.length} of ${Math.ceil(instructions.length / TRANSFERS_PER_TRANSACTION)} distribution transactions: ${signatures.join(', ')})` : ''}`);
    }
    const reply = {
      success: true,
      message: 'Signature-based royalty distribution completed successfully',
      data: {
        originalTransaction: { signature: sig, modelPDA: input.modelPDA, totalLamports: lamportsToJson(total), totalSOL: lamportsToSol(total) },
        lineageTrace: { totalDepth: trace.totalDepth, isValid: trace.isValid, lineage: trace.lineage.map((e) => ({ modelPDA: e.modelPDA, modelName: e.modelName, developerWallet: e.developerWallet, depth: e.depth, parentPDA: e.parentPDA })) },
        distribution: toSeedDistribution(distribution),
        distributionTransaction: { signature: signatures[0] ?? null, signatures },
      },
    };
    this.store.insertPayment({ signature: sig, model_pda: input.modelPDA, reply: JSON.stringify(reply), created_at: this.clock.now() });
    return { status: 200, body: reply };
  }
}

export { LAMPORTS_PER_SOL };
