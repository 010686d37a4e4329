/**
 * Lineage royalties (seed 002, SPEC §2.3): the one pure function that splits a payment between the platform, every
 * ancestor's developer and the model's own developer. The renderer's preview, the core, the Solana emulator and the
 * tests all call this file, so a preview and a distribution can only agree to the lamport.
 *
 * Rounding (integer lamports, bigint throughout, the parts always add up to the total):
 *   platformFee = floor(total × bps / 10 000)            (bps 0…10 000, default 500 = 5 %)
 *   remaining   = total − platformFee
 *   ancestor d  = floor(remaining × 25 / 1 000)           (2.5 %, each of depth 1 … 32, the parent is depth 1)
 *   developer   = remaining − Σ ancestors                 (never negative: 32 × 2.5 % = 80 %)
 *
 * The seed's JSON (`distribution`) carries amounts as JSON numbers; `toSeedDistribution` writes a number while it is
 * a safe integer (≤ 2^53 − 1 lamports, about 9 million SOL) and a decimal string beyond, and `parseLamports` reads
 * both back. `percentage` is the nominal share of `remainingAfterPlatformFee` in percent, as in the seed's example
 * (parent 2.5, developer 100 − 2.5 × ancestors); the developer's entry has no `depth` (the seed writes none).
 *
 * No Node API here: this file runs in the renderer too.
 */

export const LAMPORTS_PER_SOL = 1_000_000_000n;
/** The most ancestors a lineage may have (seed: "최대 32단계"). */
export const MAX_LINEAGE_DEPTH = 32;
export const DEFAULT_PLATFORM_FEE_BPS = 500;
export const MAX_BPS = 10_000;
/** Each ancestor's share of the remainder, per mille (25 ‰ = 2.5 %). */
export const ROYALTY_PER_PARENT_PER_MILLE = 25n;
/** The seed's `royaltyPercentagePerParent`. */
export const ROYALTY_PERCENTAGE_PER_PARENT = 2.5;

/** The seed's wording of the two lineage violations. */
export const CIRCULAR_REFERENCE = 'Circular reference detected in lineage';
export const maxDepthExceeded = (depth: number): string => `Max depth exceeded: ${depth} (max: ${MAX_LINEAGE_DEPTH})`;

export type RoyaltyErrorCode = 'invalid_total' | 'invalid_bps' | 'max_depth' | 'invalid_address' | 'invalid_lineage';

/** Bad input to the royalty function: a code and params for the UI, an English message for logs and the CLI. */
export class RoyaltyError extends Error {
  constructor(
    readonly code: RoyaltyErrorCode,
    message: string,
    readonly params: Record<string, string | number> = {},
  ) {
    super(message);
    this.name = 'RoyaltyError';
  }
}

/** One ancestor of the model, parent first (depth 1), up to depth 32. */
export interface LineageAncestor {
  /** The ancestor model developer's wallet (base58 public key). */
  developer: string;
  modelPDA?: string;
}

export interface RoyaltyInput {
  /** The payment, in lamports (≥ 0). */
  totalLamports: bigint;
  /** Platform fee in basis points, a whole number 0…10 000. Default 500 (5 %). */
  platformFeeBps?: number;
  /** Ancestors, parent first (index 0 is depth 1); 0…32 of them. */
  lineage: readonly LineageAncestor[];
  /** The paid model's own developer wallet (base58). */
  developer: string;
}

export type RoyaltyRole = 'current_model_developer' | 'parent_model_developer';

export interface RoyaltyShare {
  recipient: string;
  amount: bigint;
  role: RoyaltyRole;
  /** 1…32 for an ancestor; absent for the model's own developer (as in the seed). */
  depth?: number;
  /** Nominal percent of `remainingAfterPlatformFee` (seed: 97.5 / 2.5). */
  percentage: number;
}

/** The seed's `distribution`, with bigint amounts. */
export interface RoyaltyDistribution {
  totalAmount: bigint;
  platformFee: bigint;
  remainingAfterPlatformFee: bigint;
  /** The model's developer first, then the ancestors by depth (the seed's order). */
  distributions: RoyaltyShare[];
  /** bps / 100 (seed: 5). */
  platformFeePercentage: number;
  royaltyPercentagePerParent: number;
}

/** A lamport amount as the seed's JSON carries it: a number while safe, else a decimal string. */
export type JsonLamports = number | string;

export interface SeedRoyaltyShare {
  recipient: string;
  amount: JsonLamports;
  role: RoyaltyRole;
  depth?: number;
  percentage: number;
}

export interface SeedDistribution {
  totalAmount: JsonLamports;
  platformFee: JsonLamports;
  remainingAfterPlatformFee: JsonLamports;
  distributions: SeedRoyaltyShare[];
  platformFeePercentage: number;
  royaltyPercentagePerParent: number;
}

const BASE58_KEY = /^[1-9A-HJ-NP-Za-km-z]{32,44}$/;

/** Looks like a base58 Solana public key (32…44 base58 characters). Exact 32-byte checks belong to web3.js. */
export function isBase58Address(s: unknown): s is string {
  return typeof s === 'string' && BASE58_KEY.test(s);
}

function checkBps(bps: number): bigint {
  if (typeof bps !== 'number' || !Number.isInteger(bps) || bps < 0 || bps > MAX_BPS) {
    throw new RoyaltyError('invalid_bps', `platformFeeBps must be a whole number from 0 to ${MAX_BPS} (got ${String(bps)}).`, { bps: String(bps), max: MAX_BPS });
  }
  return BigInt(bps);
}

/** One ancestor's part of `remaining`: floor(remaining × 25 / 1 000). */
export function ancestorShare(remaining: bigint): bigint {
  return (remaining * ROYALTY_PER_PARENT_PER_MILLE) / 1000n;
}

/** The platform's part of `total`: floor(total × bps / 10 000). */
export function platformFeeOf(total: bigint, bps: number = DEFAULT_PLATFORM_FEE_BPS): bigint {
  return (total * checkBps(bps)) / BigInt(MAX_BPS);
}

/** Splits a payment by the seed's rule (see the file comment). Throws RoyaltyError on bad input. */
export function distributeRoyalty(input: RoyaltyInput): RoyaltyDistribution {
  const { totalLamports: total, lineage, developer } = input;
  const bps = input.platformFeeBps ?? DEFAULT_PLATFORM_FEE_BPS;
  if (typeof total !== 'bigint' || total < 0n) {
    throw new RoyaltyError('invalid_total', `totalLamports must be a whole number of lamports ≥ 0 (got ${String(total)}).`, { total: String(total) });
  }
  const fee = platformFeeOf(total, bps);
  if (!Array.isArray(lineage)) throw new RoyaltyError('invalid_lineage', 'lineage must be a list of ancestors, parent first.');
  if (lineage.length > MAX_LINEAGE_DEPTH) throw new RoyaltyError('max_depth', maxDepthExceeded(lineage.length), { depth: lineage.length, max: MAX_LINEAGE_DEPTH });
  if (!isBase58Address(developer)) throw new RoyaltyError('invalid_address', `developer is not a base58 public key: ${String(developer)}`, { field: 'developer', value: String(developer) });
  lineage.forEach((a, i) => {
    if (!a || !isBase58Address(a.developer)) {
      throw new RoyaltyError('invalid_address', `the ancestor at depth ${i + 1} has no base58 developer wallet (got ${String(a?.developer)}).`, { field: 'developer', depth: i + 1, value: String(a?.developer) });
    }
  });
  const remaining = total - fee;
  const each = ancestorShare(remaining);
  const ancestors: RoyaltyShare[] = lineage.map((a, i) => ({
    recipient: a.developer,
    amount: each,
    role: 'parent_model_developer',
    depth: i + 1,
    percentage: ROYALTY_PERCENTAGE_PER_PARENT,
  }));
  const own = remaining - each * BigInt(lineage.length);
  return {
    totalAmount: total,
    platformFee: fee,
    remainingAfterPlatformFee: remaining,
    distributions: [{ recipient: developer, amount: own, role: 'current_model_developer', percentage: 100 - ROYALTY_PERCENTAGE_PER_PARENT * lineage.length }, ...ancestors],
    platformFeePercentage: bps / 100,
    royaltyPercentagePerParent: ROYALTY_PERCENTAGE_PER_PARENT,
  };
}

/** A bigint as the seed's JSON writes lamports: a number while it is a safe integer, a decimal string beyond. */
export function lamportsToJson(v: bigint): JsonLamports {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

/** Reads lamports from JSON: a safe whole number, a bigint, or a decimal string of digits. Throws RangeError otherwise. */
export function parseLamports(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  throw new RangeError(`not a whole number of lamports: ${String(v)}`);
}

/** The distribution in the seed's JSON shape (amounts as numbers, or strings past 2^53 − 1). */
export function toSeedDistribution(d: RoyaltyDistribution): SeedDistribution {
  return {
    totalAmount: lamportsToJson(d.totalAmount),
    platformFee: lamportsToJson(d.platformFee),
    remainingAfterPlatformFee: lamportsToJson(d.remainingAfterPlatformFee),
    distributions: d.distributions.map((s) => ({
      recipient: s.recipient,
      amount: lamportsToJson(s.amount),
      role: s.role,
      ...(s.depth !== undefined ? { depth: s.depth } : {}),
      percentage: s.percentage,
    })),
    platformFeePercentage: d.platformFeePercentage,
    royaltyPercentagePerParent: d.royaltyPercentagePerParent,
  };
}

/** Lamports as SOL for display and the seed's `totalSOL` fields (a JS number; exact below 2^53 lamports). */
export function lamportsToSol(v: bigint): number {
  const whole = v / LAMPORTS_PER_SOL;
  const frac = v % LAMPORTS_PER_SOL;
  return Number(whole) + Number(frac) / 1e9;
}

// ---------------------------------------------------------------------------------------------------------------
// Lineage tracing

/** What `traceLineage` needs to know of one registered model. */
export interface LineageModel {
  modelPDA: string;
  modelName: string;
  developerWallet: string;
  /** null for a root model. */
  parentPDA: string | null;
}

/** One entry of the seed's `lineageTrace.lineage`: the model itself at depth 0, its parent at 1, … */
export interface LineageEntry extends LineageModel {
  depth: number;
}

/** The seed's `lineageTrace`, plus the violations found (empty when valid). */
export interface LineageTrace {
  /** Entries in `lineage` (the model and its ancestors): 2 for a model with one parent, as in the seed. */
  totalDepth: number;
  isValid: boolean;
  lineage: LineageEntry[];
  /** The seed's sentences: "Circular reference detected in lineage", "Max depth exceeded: 33 (max: 32)", or
   * "Parent model not found: <pda>" (not in the seed: a parent that was never registered). */
  violations: string[];
}

export const parentNotFound = (pda: string): string => `Parent model not found: ${pda}`;

/**
 * Walks from `modelPDA` up through its parents. Stops at a root, at a parent seen before (a cycle), at depth 33
 * (more than 32 ancestors) or at a parent that `getModel` does not know. Returns null when `modelPDA` itself is
 * unknown. `getModel` may be synchronous or return a promise.
 */
export async function traceLineage(modelPDA: string, getModel: (pda: string) => LineageModel | null | undefined | Promise<LineageModel | null | undefined>): Promise<LineageTrace | null> {
  const first = await getModel(modelPDA);
  if (!first) return null;
  const lineage: LineageEntry[] = [{ ...pick(first), depth: 0 }];
  const seen = new Set<string>([first.modelPDA]);
  const violations: string[] = [];
  let parent = first.parentPDA;
  while (parent) {
    const depth = lineage.length;
    if (seen.has(parent)) {
      violations.push(CIRCULAR_REFERENCE);
      break;
    }
    if (depth > MAX_LINEAGE_DEPTH) {
      violations.push(maxDepthExceeded(depth));
      break;
    }
    const m = await getModel(parent);
    if (!m) {
      violations.push(parentNotFound(parent));
      break;
    }
    seen.add(m.modelPDA);
    lineage.push({ ...pick(m), depth });
    parent = m.parentPDA;
  }
  return { totalDepth: lineage.length, isValid: violations.length === 0, lineage, violations };
}

function pick(m: LineageModel): LineageModel {
  return { modelPDA: m.modelPDA, modelName: m.modelName, developerWallet: m.developerWallet, parentPDA: m.parentPDA ?? null };
}

/** The ancestors of a valid trace in the form `distributeRoyalty` takes (parent first). */
export function ancestorsOf(trace: LineageTrace): LineageAncestor[] {
  return trace.lineage.slice(1).map((e) => ({ developer: e.developerWallet, modelPDA: e.modelPDA }));
}

/** The distribution of a payment to the model at the head of a valid trace. Throws RoyaltyError on an invalid trace. */
export function distributeOverTrace(trace: LineageTrace, totalLamports: bigint, platformFeeBps: number = DEFAULT_PLATFORM_FEE_BPS): RoyaltyDistribution {
  if (!trace.isValid || !trace.lineage.length) throw new RoyaltyError('invalid_lineage', `Invalid lineage detected: ${trace.violations.join('; ')}`, { violations: trace.violations.join('; ') });
  return distributeRoyalty({ totalLamports, platformFeeBps, lineage: ancestorsOf(trace), developer: trace.lineage[0]!.developerWallet });
}
