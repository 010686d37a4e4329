/**
 * Royalties (seed 002 §2): the split previewed with the one royalty function (main/common/royalty.ts) over the
 * lineage the studio's registry knows; a tier paid with a SystemProgram transfer signed here and confirmed on the
 * chosen cluster; then process-signature-royalty, whose outcome (verified only, too small, distributed, refused) is
 * kept in royalty_payments and — when distributed — compared with the preview to the lamport.
 * A 404 ("not found on blockchain") means the backend has not seen the transaction yet: the studio waits for it to be
 * confirmed and asks again with back-off, as the seed advises; 5xx is retried by the HTTP client (≤ 3), 4xx never.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { PublicKey } from '@solana/web3.js';
import { AppError } from '../../../common/app-error';
import { say } from '../../../common/messages';
import type { LineageTrace, RoyaltyDistribution, RoyaltyPayment, RoyaltyPreview, PaymentState } from '../../../common/contract';
import { distributeRoyalty, distributeOverTrace, parseLamports, RoyaltyError, toSeedDistribution, type LineageAncestor } from '../../../common/royalty';
import type { Db } from '../../store/database';
import type { ProcessAnswer, ProcessRequest } from './backend-api';
import type { RegistryService } from './registry-service';
import type { WalletService } from './wallet-service';

/** A stand-in wallet for ancestors of a depth-only preview (the System Program id: a valid address nobody owns). */
const PLACEHOLDER = '11111111111111111111111111111111';

interface Row {
  id: number;
  api_base_url: string;
  rpc_url: string;
  model_pda: string | null;
  tier: string | null;
  payer: string;
  recipient: string;
  lamports: number;
  signature: string;
  state: PaymentState;
  preview_json: string | null;
  outcome_json: string | null;
  matches_preview: number | null;
  error: string | null;
  created_at: string;
  updated_at: string;
}

interface Outcome {
  reason: string | null;
  violations: string[];
  lineageTrace: LineageTrace | null;
  distribution: RoyaltyDistribution | null;
  distributionSignature: string | null;
  mismatches: RoyaltyPayment['mismatches'];
  notFoundRetries: number;
}

const EMPTY_OUTCOME: Outcome = { reason: null, violations: [], lineageTrace: null, distribution: null, distributionSignature: null, mismatches: [], notFoundRetries: 0 };

function toPayment(r: Row): RoyaltyPayment {
  const o: Outcome = r.outcome_json ? { ...EMPTY_OUTCOME, ...(JSON.parse(r.outcome_json) as Partial<Outcome>) } : EMPTY_OUTCOME;
  return {
    id: r.id,
    signature: r.signature,
    modelPda: r.model_pda,
    tier: r.tier,
    payer: r.payer,
    recipient: r.recipient,
    lamports: r.lamports,
    state: r.state,
    reason: r.error ?? o.reason,
    violations: o.violations,
    lineageTrace: o.lineageTrace,
    distribution: o.distribution,
    distributionSignature: o.distributionSignature,
    preview: r.preview_json ? (JSON.parse(r.preview_json) as RoyaltyPreview) : null,
    matchesPreview: r.matches_preview === null ? null : r.matches_preview === 1,
    mismatches: o.mismatches,
    notFoundRetries: o.notFoundRetries,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** The seed's distribution with number amounts (the contract's shape). */
function seedNumbers(d: ReturnType<typeof distributeRoyalty>): RoyaltyDistribution {
  const s = toSeedDistribution(d);
  return {
    ...s,
    totalAmount: Number(s.totalAmount),
    platformFee: Number(s.platformFee),
    remainingAfterPlatformFee: Number(s.remainingAfterPlatformFee),
    distributions: s.distributions.map((x) => ({ ...x, amount: Number(x.amount) })),
  };
}

/** Every difference between what the backend distributed and the preview (empty: equal to the lamport). */
export function compareWithPreview(preview: RoyaltyPreview | null, actual: RoyaltyDistribution, trace: LineageTrace | null): RoyaltyPayment['mismatches'] {
  const out: RoyaltyPayment['mismatches'] = [];
  const exp = preview?.distribution;
  if (!exp) return [{ what: 'preview', expected: null, actual: 'distributed' }];
  for (const k of ['totalAmount', 'platformFee', 'remainingAfterPlatformFee'] as const) if (exp[k] !== actual[k]) out.push({ what: k, expected: exp[k], actual: actual[k] });
  const key = (p: { role: string; depth?: number }) => (p.role === 'current_model_developer' ? 'developer' : `depth ${p.depth ?? '?'}`);
  const got = new Map(actual.distributions.map((p) => [key(p), p]));
  for (const p of exp.distributions) {
    const a = got.get(key(p));
    got.delete(key(p));
    if (!a) out.push({ what: `${key(p)} amount`, expected: p.amount, actual: null });
    else {
      if (a.amount !== p.amount) out.push({ what: `${key(p)} amount`, expected: p.amount, actual: a.amount });
      if (a.recipient !== p.recipient) out.push({ what: `${key(p)} recipient`, expected: p.recipient, actual: a.recipient });
    }
  }
  for (const [k, a] of got) out.push({ what: `${k} amount`, expected: null, actual: a.amount });
  const local = preview?.lineageTrace?.lineage.map((e) => e.modelPDA).join(' → ');
  const remote = trace?.lineage.map((e) => e.modelPDA).join(' → ');
  if (local && remote && local !== remote) out.push({ what: 'lineage', expected: local, actual: remote });
  return out;
}

export interface RoyaltyServiceOptions {
  db: Db;
  wallet: WalletService;
  registry: RegistryService;
  /** Where a subscription payment goes (the platform's wallet, which the backend distributes from). */
  platformWallet: () => Promise<string>;
  /** 404 "not found yet": how many more tries after waiting for confirmation, and the first pause (ms). Defaults 5, 500. */
  notFound?: { retries?: number; firstDelayMs?: number };
}

export class RoyaltyService {
  private readonly retries: number;
  private readonly firstDelayMs: number;

  constructor(private readonly o: RoyaltyServiceOptions) {
    this.retries = o.notFound?.retries ?? 5;
    this.firstDelayMs = o.notFound?.firstDelayMs ?? 500;
  }

  /** The split of `totalLamports` over a registered model's lineage (or `depth` placeholder ancestors). */
  async preview(req: { totalLamports: number; platformFeeBps: number; modelPda?: string; depth?: number }): Promise<RoyaltyPreview> {
    const total = BigInt(req.totalLamports);
    try {
      if (req.modelPda) {
        const { trace, unknownParent } = await this.o.registry.lineage(req.modelPda);
        if (!trace) throw new AppError('NOT_FOUND', say('solana.lineage_unknown', { pda: req.modelPda }), { modelPda: req.modelPda });
        // A parent the studio does not know: preview over what is known, and say where it stops.
        const usable = unknownParent ? { ...trace, isValid: trace.violations.length === 1, violations: [] } : trace;
        if (!usable.isValid) return { lineageTrace: trace, distribution: null, unknownParent };
        return { lineageTrace: trace, distribution: seedNumbers(distributeOverTrace(usable, total, req.platformFeeBps)), unknownParent };
      }
      const depth = req.depth ?? 0;
      const lineage: LineageAncestor[] = Array.from({ length: depth }, () => ({ developer: PLACEHOLDER }));
      let developer = PLACEHOLDER;
      try {
        developer = this.o.wallet.address().toBase58();
      } catch {
        // no wallet: the placeholder stands for the developer too
      }
      return { lineageTrace: null, distribution: seedNumbers(distributeRoyalty({ totalLamports: total, platformFeeBps: req.platformFeeBps, lineage, developer })), unknownParent: null };
    } catch (err) {
      if (err instanceof RoyaltyError) throw new AppError('INVALID_INPUT', err.message, { royalty: err.code, ...err.params });
      throw err;
    }
  }

  /** Pays a tier of a registered model, then asks the backend to distribute; the outcome is stored and returned. */
  async pay(req: { modelPda: string; tier: string; platformFeeBps: number; minRoyaltyLamports?: number }, signal?: AbortSignal): Promise<RoyaltyPayment> {
    const model = this.o.registry.get(req.modelPda);
    if (!model) throw new AppError('NOT_FOUND', say('solana.tiers_unknown', { pda: req.modelPda }), { modelPda: req.modelPda });
    const tier = model.pricing[req.tier];
    if (!tier) throw new AppError('INVALID_INPUT', say('solana.no_tier', { tier: req.tier, tiers: Object.keys(model.pricing).join(', ') }), { tier: req.tier });
    if (!Number.isSafeInteger(tier.price) || tier.price <= 0) throw new AppError('INVALID_INPUT', say('solana.tier_free', { tier: req.tier }), { tier: req.tier });
    const preview = await this.preview({ totalLamports: tier.price, platformFeeBps: req.platformFeeBps, modelPda: req.modelPda });
    const recipient = new PublicKey(await this.o.platformWallet());
    const kp = await this.o.wallet.keypair();
    const rpc = this.o.wallet.rpc();
    const balance = await rpc.balance(kp.publicKey);
    const fee = await rpc.transferFee(kp.publicKey, recipient);
    if (balance < tier.price + fee) {
      throw new AppError('INVALID_INPUT', say('solana.balance_short', { balance: balance / 1e9, tier: req.tier, price: tier.price / 1e9, fee }), { balance, price: tier.price, fee });
    }
    const signature = await rpc.transfer(kp, recipient, tier.price);
    const now = new Date().toISOString();
    this.o.db
      .prepare(
        `INSERT INTO royalty_payments (api_base_url, rpc_url, model_pda, tier, payer, recipient, lamports, signature, state, preview_json, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'sent', ?, ?, ?)`,
      )
      .run(this.o.registry.baseUrl(), rpc.rpcUrl, req.modelPda, req.tier, kp.publicKey.toBase58(), recipient.toBase58(), tier.price, signature, JSON.stringify(preview), now, now);
    try {
      await rpc.confirm(signature, signal);
    } catch (err) {
      const e = AppError.from(err);
      this.update(signature, e.code === 'REMOTE' ? 'failed' : 'sent', { ...EMPTY_OUTCOME }, null, e.message);
      throw e;
    }
    this.update(signature, 'confirmed', { ...EMPTY_OUTCOME }, null, null);
    return this.process({ signature, modelPda: req.modelPda, platformFeeBps: req.platformFeeBps, minRoyaltyLamports: req.minRoyaltyLamports }, signal);
  }

  /** process-signature-royalty for a signature; without a model PDA the backend only verifies the transfer. */
  async process(req: { signature: string; modelPda?: string; platformFeeBps: number; minRoyaltyLamports?: number }, signal?: AbortSignal): Promise<RoyaltyPayment> {
    const api = this.o.registry.api();
    let row = this.row(req.signature);
    if (!row) {
      const now = new Date().toISOString();
      this.o.db
        .prepare(
          `INSERT INTO royalty_payments (api_base_url, rpc_url, model_pda, tier, payer, recipient, lamports, signature, state, preview_json, created_at, updated_at)
           VALUES (?, ?, ?, NULL, '', '', 0, ?, 'sent', NULL, ?, ?)`,
        )
        .run(api.baseUrl, this.rpcUrlOrNone(), req.modelPda ?? null, req.signature, now, now);
      row = this.row(req.signature)!;
    } else if (req.modelPda && row.model_pda !== req.modelPda) {
      this.o.db.prepare(`UPDATE royalty_payments SET model_pda = ? WHERE signature = ?`).run(req.modelPda, req.signature);
    }
    const body: ProcessRequest = { transactionSignature: req.signature, platformFeeBps: req.platformFeeBps };
    if (req.modelPda) body.modelPDA = req.modelPda;
    if (req.minRoyaltyLamports !== undefined) body.minRoyaltyLamports = req.minRoyaltyLamports;

    let notFound = 0;
    let answer: ProcessAnswer;
    for (;;) {
      answer = await api.processSignatureRoyalty(body, signal);
      if (answer.kind !== 'not_found' || notFound >= this.retries) break;
      // Not seen yet: wait until the cluster confirms it, then ask again (back-off between tries).
      if (notFound === 0) await this.waitConfirmed(req.signature, signal);
      try {
        await delay(this.firstDelayMs * 2 ** notFound, undefined, { signal });
      } catch {
        throw new AppError('CANCELLED', say('cloud.cancelled', {}));
      }
      notFound++;
    }
    return this.record(req.signature, answer, notFound);
  }

  private rpcUrlOrNone(): string {
    try {
      return this.o.wallet.cluster().rpcUrl ?? '';
    } catch {
      return '';
    }
  }

  private async waitConfirmed(signature: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.o.wallet.rpc().confirm(signature, signal);
    } catch (err) {
      if (err instanceof AppError && err.code === 'CANCELLED') throw err;
      // No cluster here, or not confirmed in time: the retries below still ask the backend.
    }
  }

  private record(signature: string, a: ProcessAnswer, notFoundRetries: number): RoyaltyPayment {
    const row = this.row(signature)!;
    const preview = row.preview_json ? (JSON.parse(row.preview_json) as RoyaltyPreview) : null;
    const outcome: Outcome = { ...EMPTY_OUTCOME, notFoundRetries };
    let state: PaymentState;
    let lamports = row.lamports;
    let matches: boolean | null = null;
    let error: string | null = null;
    switch (a.kind) {
      case 'distributed': {
        const d = a.reply.data;
        const distribution: RoyaltyDistribution = {
          totalAmount: Number(parseLamports(d.distribution.totalAmount)),
          platformFee: Number(parseLamports(d.distribution.platformFee)),
          remainingAfterPlatformFee: Number(parseLamports(d.distribution.remainingAfterPlatformFee)),
          distributions: d.distribution.distributions.map((p) => ({
            recipient: p.recipient,
            amount: Number(parseLamports(p.amount)),
            role: p.role,
            ...(p.depth !== undefined ? { depth: Number(p.depth) } : {}),
            percentage: Number(p.percentage),
          })),
          platformFeePercentage: Number(d.distribution.platformFeePercentage ?? 0),
          royaltyPercentagePerParent: Number(d.distribution.royaltyPercentagePerParent ?? 0),
        };
        const trace: LineageTrace = {
          totalDepth: Number(d.lineageTrace.totalDepth),
          isValid: d.lineageTrace.isValid,
          violations: d.lineageTrace.violations ?? [],
          lineage: d.lineageTrace.lineage.map((e) => ({ modelPDA: e.modelPDA, modelName: e.modelName, developerWallet: e.developerWallet, depth: Number(e.depth), parentPDA: e.parentPDA ?? null })),
        };
        outcome.distribution = distribution;
        outcome.lineageTrace = trace;
        outcome.distributionSignature = d.distributionTransaction?.signature ?? null;
        outcome.reason = a.reply.message ?? null;
        outcome.mismatches = preview?.distribution ? compareWithPreview(preview, distribution, trace) : [];
        matches = preview?.distribution ? outcome.mismatches.length === 0 : null;
        lamports = Number(parseLamports(d.originalTransaction.totalLamports));
        state = 'distributed';
        break;
      }
      case 'verified':
      case 'too_small':
        outcome.reason = a.reply.data.reason ?? a.reply.message ?? null;
        lamports = Number(a.reply.data.lamportsTransferred);
        state = a.kind;
        break;
      case 'not_found':
        state = 'failed';
        error = `The Solana backend did not find the transaction after ${notFoundRetries} more tries: ${a.error}`;
        break;
      default:
        state = 'failed';
        error = a.error;
        outcome.violations = a.violations.length ? a.violations : a.details !== undefined ? [JSON.stringify(a.details)] : [];
    }
    this.update(signature, state, outcome, matches, error, lamports);
    return toPayment(this.row(signature)!);
  }

  private update(signature: string, state: PaymentState, outcome: Outcome, matches: boolean | null, error: string | null, lamports?: number): void {
    this.o.db
      .prepare(`UPDATE royalty_payments SET state = ?, outcome_json = ?, matches_preview = ?, error = ?, lamports = COALESCE(?, lamports), updated_at = ? WHERE signature = ?`)
      .run(state, JSON.stringify(outcome), matches === null ? null : matches ? 1 : 0, error, lamports ?? null, new Date().toISOString(), signature);
  }

  private row(signature: string): Row | undefined {
    return this.o.db.prepare(`SELECT * FROM royalty_payments WHERE signature = ?`).get(signature) as Row | undefined;
  }

  /** Payments made or processed here, newest first. */
  payments(req: { modelPda?: string } = {}): RoyaltyPayment[] {
    const rows = (req.modelPda
      ? this.o.db.prepare(`SELECT * FROM royalty_payments WHERE model_pda = ? ORDER BY id DESC`).all(req.modelPda)
      : this.o.db.prepare(`SELECT * FROM royalty_payments ORDER BY id DESC LIMIT 200`).all()) as Row[];
    return rows.map(toPayment);
  }
}
