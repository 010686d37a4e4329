/**
 * The request rules of seed 002, written from the seed's field tables (not from the studio's schemas). Messages
 * follow the Joi style of the seed's one example — `Validation error: "name" is required` — first error only.
 * Lengths count characters (code points). See CONTRACT.md "Readings" 6 and 7.
 */
import { PublicKey } from '@solana/web3.js';

export class ValidationError extends Error {
  constructor(detail: string) {
    super(`Validation error: ${detail}`);
  }
}

const chars = (s: string) => [...s].length;

export function isPublicKey(s: unknown): s is string {
  if (typeof s !== 'string' || !/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(s)) return false;
  try {
    return new PublicKey(s).toBase58() === s;
  } catch {
    return false;
  }
}

function str(body: Record<string, unknown>, key: string, max: number, label = key): string {
  const v = body[key];
  if (v === undefined || v === null) throw new ValidationError(`"${label}" is required`);
  if (typeof v !== 'string') throw new ValidationError(`"${label}" must be a string`);
  if (v === '') throw new ValidationError(`"${label}" is not allowed to be empty`);
  if (chars(v) > max) throw new ValidationError(`"${label}" length must be less than or equal to ${max} characters long`);
  return v;
}

function jsonObject(body: Record<string, unknown>, key: string, max: number): Record<string, unknown> {
  const v = body[key];
  if (v === undefined || v === null) throw new ValidationError(`"${key}" is required`);
  if (typeof v !== 'object' || Array.isArray(v)) throw new ValidationError(`"${key}" must be of type object`);
  const n = chars(JSON.stringify(v));
  if (n > max) throw new ValidationError(`"${key}" JSON must be at most ${max} characters long (got ${n})`);
  return v as Record<string, unknown>;
}

/** A whole number of lamports ≥ 0: a safe JSON integer or a string of digits. */
function lamports(v: unknown, label: string): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === 'string' && /^\d{1,20}$/.test(v) && BigInt(v) < 2n ** 64n) return BigInt(v);
  throw new ValidationError(`"${label}" must be a non-negative whole number of lamports`);
}

export const RELATIONSHIPS = ['root', 'derived', 'fine-tuned'] as const;
export const BILLING_TYPES = ['free', 'monthly_subscription', 'one_time_purchase'] as const;
export type Relationship = (typeof RELATIONSHIPS)[number];

export interface PricingTier {
  price: bigint;
  description: string;
  billingType: (typeof BILLING_TYPES)[number];
  monthlyTokenLimit?: number;
}

export interface RegisterModelInput {
  name: string;
  uploader: string;
  versionName: string;
  modality: string;
  license: string[];
  walletAddress: string;
  releaseDate: string;
  overview: string;
  releaseNotes: string;
  thumbnail: string;
  cidRoot: string;
  encryptionKey: string;
  pricing: Record<string, PricingTier>;
  metrics: Record<string, unknown>;
  technicalSpecs: Record<string, unknown>;
  sample: Record<string, unknown>;
  relationship: Relationship;
  parentModelPDA: string | null;
}

/** The body of `POST /transactions/register-model`, checked field by field in the seed's table order. */
export function validateRegisterModel(body: Record<string, unknown>): RegisterModelInput {
  const name = str(body, 'name', 64);
  const uploader = str(body, 'uploader', 64);
  const versionName = str(body, 'versionName', 64);
  const modality = str(body, 'modality', 32);
  const lic = body.license;
  if (lic === undefined || lic === null) throw new ValidationError('"license" is required');
  if (!Array.isArray(lic)) throw new ValidationError('"license" must be an array');
  if (!lic.length) throw new ValidationError('"license" must contain at least 1 items');
  const license = lic.map((_, i) => str(lic as unknown as Record<string, unknown>, String(i), 256, `license[${i}]`));
  const walletAddress = str(body, 'walletAddress', 1024);
  if (!isPublicKey(walletAddress)) throw new ValidationError('"walletAddress" must be a valid Solana public key');
  const releaseDate = str(body, 'releaseDate', 32);
  const overview = str(body, 'overview', 1024);
  const releaseNotes = str(body, 'releaseNotes', 1024);
  const thumbnail = str(body, 'thumbnail', 256);
  const cidRoot = str(body, 'cidRoot', 128);
  const encryptionKey = str(body, 'encryptionKey', 128);
  const p = body.pricing;
  if (p === undefined || p === null) throw new ValidationError('"pricing" is required');
  if (typeof p !== 'object' || Array.isArray(p)) throw new ValidationError('"pricing" must be of type object');
  const tiers = Object.entries(p as Record<string, unknown>);
  if (!tiers.length) throw new ValidationError('"pricing" must have at least 1 key');
  const pricing: Record<string, PricingTier> = {};
  for (const [tier, raw] of tiers) {
    const at = `pricing.${tier}`;
    if (chars(tier) > 64) throw new ValidationError(`"${at}" tier name length must be less than or equal to 64 characters long`);
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ValidationError(`"${at}" must be of type object`);
    const t = raw as Record<string, unknown>;
    if (t.price === undefined || t.price === null) throw new ValidationError(`"${at}.price" is required`);
    const price = lamports(t.price, `${at}.price`);
    const description = str(t, 'description', 1024, `${at}.description`);
    if (t.billingType === undefined || t.billingType === null) throw new ValidationError(`"${at}.billingType" is required`);
    if (!(BILLING_TYPES as readonly unknown[]).includes(t.billingType)) throw new ValidationError(`"${at}.billingType" must be one of [${BILLING_TYPES.join(', ')}]`);
    const tierOut: PricingTier = { price, description, billingType: t.billingType as PricingTier['billingType'] };
    if (t.monthlyTokenLimit !== undefined && t.monthlyTokenLimit !== null) {
      if (typeof t.monthlyTokenLimit !== 'number' || !Number.isSafeInteger(t.monthlyTokenLimit) || t.monthlyTokenLimit < 0) throw new ValidationError(`"${at}.monthlyTokenLimit" must be a non-negative whole number`);
      tierOut.monthlyTokenLimit = t.monthlyTokenLimit;
    }
    pricing[tier] = tierOut;
  }
  const metrics = jsonObject(body, 'metrics', 1024);
  const technicalSpecs = jsonObject(body, 'technicalSpecs', 1024);
  const sample = jsonObject(body, 'sample', 1024);
  const relationship = str(body, 'relationship', 64);
  if (!(RELATIONSHIPS as readonly string[]).includes(relationship)) throw new ValidationError(`"relationship" must be one of [${RELATIONSHIPS.join(', ')}]`);
  let parentModelPDA: string | null = null;
  const parent = body.parentModelPDA;
  if (relationship === 'root') {
    if (parent !== undefined && parent !== null) throw new ValidationError('"parentModelPDA" is not allowed when "relationship" is "root"');
  } else {
    parentModelPDA = str(body, 'parentModelPDA', 1024);
    if (!isPublicKey(parentModelPDA)) throw new ValidationError('"parentModelPDA" must be a valid Solana public key');
  }
  return {
    name, uploader, versionName, modality, license, walletAddress, releaseDate, overview, releaseNotes, thumbnail, cidRoot, encryptionKey,
    pricing, metrics, technicalSpecs, sample, relationship: relationship as Relationship, parentModelPDA,
  };
}

export const COMMITMENTS = ['processed', 'confirmed', 'finalized'] as const;

export interface ProcessInput {
  transactionSignature: string;
  modelPDA: string | null;
  platformFeeBps: number;
  minRoyaltyLamports: bigint;
  commitment: string | null;
}

/** The body of `POST /signature-royalty/process-signature-royalty`. */
export function validateProcess(body: Record<string, unknown>): ProcessInput {
  const transactionSignature = str(body, 'transactionSignature', 1024);
  if (!/^[1-9A-HJ-NP-Za-km-z]{64,88}$/.test(transactionSignature)) throw new ValidationError('"transactionSignature" must be a base58 transaction signature');
  let modelPDA: string | null = null;
  if (body.modelPDA !== undefined && body.modelPDA !== null) {
    modelPDA = str(body, 'modelPDA', 1024);
    if (!isPublicKey(modelPDA)) throw new ValidationError('"modelPDA" must be a valid Solana public key');
  }
  let platformFeeBps = 500;
  const bps = body.platformFeeBps;
  if (bps !== undefined && bps !== null) {
    if (typeof bps !== 'number' || !Number.isInteger(bps)) throw new ValidationError('"platformFeeBps" must be an integer');
    if (bps < 0) throw new ValidationError('"platformFeeBps" must be greater than or equal to 0');
    if (bps > 10_000) throw new ValidationError('"platformFeeBps" must be less than or equal to 10000');
    platformFeeBps = bps;
  }
  let minRoyaltyLamports = 1000n;
  if (body.minRoyaltyLamports !== undefined && body.minRoyaltyLamports !== null) minRoyaltyLamports = lamports(body.minRoyaltyLamports, 'minRoyaltyLamports');
  let commitment: string | null = null;
  if (body.commitment !== undefined && body.commitment !== null) {
    commitment = str(body, 'commitment', 16);
    if (!(COMMITMENTS as readonly string[]).includes(commitment)) throw new ValidationError(`"commitment" must be one of [${COMMITMENTS.join(', ')}]`);
  }
  return { transactionSignature, modelPDA, platformFeeBps, minRoyaltyLamports, commitment };
}
