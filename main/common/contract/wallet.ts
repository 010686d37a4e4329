/**
 * The wallet, on-chain registry and royalty domains of the IPC contract (seed 002, SPEC §2.3): a Solana key kept in
 * the vault, the cluster it talks to, models registered with their lineage (root → derived → fine-tuned), the royalty
 * split previewed before paying, the payment and what the backend made of it, and the contributor node's credit.
 * Runtime-agnostic: the register-model checks below run in the form (errors next to fields), the core and the CLI.
 */
import { z } from 'zod';
import { channel, Empty, IsoTime, MessageCodeField, MessageParamsField } from './define';

// ---- Solana addresses ----

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** Base58 (Bitcoin alphabet) to bytes; null when a character is not base58. */
export function base58Decode(s: string): Uint8Array | null {
  const bytes: number[] = [0];
  for (const ch of s) {
    let carry = B58.indexOf(ch);
    if (carry < 0) return null;
    for (let i = 0; i < bytes.length; i++) {
      carry += bytes[i]! * 58;
      bytes[i] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  let zeros = 0;
  while (zeros < s.length && s[zeros] === '1') zeros++;
  const out = bytes.reverse();
  // The loop leaves one leading 0 for an all-"1" or empty input; the leading "1"s are the zero bytes.
  while (out.length > 0 && out[0] === 0) out.shift();
  return Uint8Array.from([...new Array<number>(zeros).fill(0), ...out]);
}

/** Bytes to base58 (Bitcoin alphabet): leading zero bytes become "1"s. */
export function base58Encode(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  const digits: number[] = [];
  for (let i = zeros; i < bytes.length; i++) {
    let carry = bytes[i]!;
    for (let j = 0; j < digits.length; j++) {
      carry += digits[j]! * 256;
      digits[j] = carry % 58;
      carry = Math.floor(carry / 58);
    }
    while (carry > 0) {
      digits.push(carry % 58);
      carry = Math.floor(carry / 58);
    }
  }
  return '1'.repeat(zeros) + digits.reverse().map((d) => B58[d]).join('');
}

/** A Solana public key (or PDA) as text: base58 of exactly 32 bytes — what `new PublicKey(text)` accepts. */
export function isSolanaAddress(s: unknown): s is string {
  if (typeof s !== 'string' || s.length < 32 || s.length > 44) return false;
  const b = base58Decode(s);
  return b !== null && b.length === 32;
}

export const SolanaAddress = z.string().refine(isSolanaAddress, { message: 'not a Solana address (base58 of 32 bytes)' });

export const LAMPORTS_PER_SOL = 1_000_000_000;

// ---- clusters and the wallet ----

/** Where the wallet's transactions go: the studio's local emulator, devnet, mainnet-beta or a custom RPC URL. */
export const SolanaCluster = z.enum(['emulator', 'devnet', 'mainnet-beta', 'custom']);
export type SolanaCluster = z.infer<typeof SolanaCluster>;

export const CLUSTER_RPC: Record<'devnet' | 'mainnet-beta', string> = {
  devnet: 'https://api.devnet.solana.com',
  'mainnet-beta': 'https://api.mainnet-beta.solana.com',
};

/** Airdrops exist on the emulator and devnet only (never mainnet; a custom RPC is not assumed to be a test cluster). */
export function airdropAllowed(cluster: SolanaCluster): boolean {
  return cluster === 'emulator' || cluster === 'devnet';
}

export const ClusterSetting = z.object({
  cluster: SolanaCluster,
  /** The JSON-RPC URL used now; null when the emulator's is not known (no emulator running). */
  rpcUrl: z.string().nullable(),
  /** Where `rpcUrl` came from: the CLI's --rpc, the saved setting, KRAKEN_SOLANA_RPC, the emulator, the cluster's public URL. */
  source: z.enum(['override', 'setting', 'env', 'emulator', 'cluster', 'none']),
  airdrop: z.boolean(),
});
export type ClusterSetting = z.infer<typeof ClusterSetting>;

export const WalletInfo = z.object({
  /** The public key (base58), or null when no wallet exists yet. */
  address: z.string().nullable(),
  origin: z.enum(['created', 'imported']).nullable(),
  createdAt: IsoTime.nullable(),
  /** Where the secret key rests: the OS keychain, Electron safeStorage, or the owner-only file (no keychain). */
  vault: z.string(),
  cluster: ClusterSetting,
});
export type WalletInfo = z.infer<typeof WalletInfo>;

export const WalletBalance = z.object({ address: z.string(), lamports: z.number().int().nonnegative(), sol: z.number(), rpcUrl: z.string() });
export type WalletBalance = z.infer<typeof WalletBalance>;

export const WalletTransaction = z.object({
  signature: z.string(),
  slot: z.number().nullable(),
  blockTime: IsoTime.nullable(),
  /** Failed on chain (the error as JSON), else null. */
  err: z.string().nullable(),
  /** The wallet's balance change in this transaction (lamports; negative: sent), when the transaction was read. */
  change: z.number().nullable(),
  fee: z.number().nullable(),
  /** The other side of a plain SOL transfer, when there is one. */
  counterparty: z.string().nullable(),
});
export type WalletTransaction = z.infer<typeof WalletTransaction>;

// ---- register-model (seed 002 §1) ----

export const BillingType = z.enum(['free', 'monthly_subscription', 'one_time_purchase']);
export type BillingType = z.infer<typeof BillingType>;
export const Relationship = z.enum(['root', 'derived', 'fine-tuned']);
export type Relationship = z.infer<typeof Relationship>;

export const PricingTier = z.object({
  price: z.number(),
  description: z.string(),
  billingType: z.string(),
  monthlyTokenLimit: z.number().optional(),
});
export type PricingTier = z.infer<typeof PricingTier>;

/** The register-model body with the seed's field names; loose types here, the rules are `registerModelProblems`. */
export const RegisterModelBody = z.object({
  name: z.string(),
  uploader: z.string(),
  versionName: z.string(),
  modality: z.string(),
  license: z.array(z.string()),
  walletAddress: z.string(),
  releaseDate: z.string(),
  overview: z.string(),
  releaseNotes: z.string(),
  thumbnail: z.string(),
  cidRoot: z.string(),
  encryptionKey: z.string(),
  pricing: z.record(z.string(), PricingTier),
  metrics: z.record(z.string(), z.unknown()),
  technicalSpecs: z.record(z.string(), z.unknown()),
  sample: z.record(z.string(), z.unknown()),
  relationship: z.string(),
  parentModelPDA: z.string().optional(),
});
export type RegisterModelBody = z.infer<typeof RegisterModelBody>;

/** The seed's length limits (characters). */
export const REGISTER_LIMITS = {
  name: 64,
  uploader: 64,
  versionName: 64,
  modality: 32,
  releaseDate: 32,
  overview: 1024,
  releaseNotes: 1024,
  thumbnail: 256,
  cidRoot: 128,
  encryptionKey: 128,
  /** Each licence name (the seed: "최대 256"). */
  license: 256,
  /** JSON text of metrics, technicalSpecs, sample. */
  json: 1024,
  /** The project's choices where the seed says nothing: a tier's name and description. */
  tierName: 64,
  tierDescription: 256,
} as const;

export const RegisterProblemCode = z.enum([
  'required',
  'too_long',
  'not_text',
  'not_list',
  'bad_address',
  'no_tiers',
  'bad_tier_name',
  'not_lamports',
  'bad_billing_type',
  'free_with_price',
  'not_whole_number',
  'not_object',
  'json_too_long',
  'bad_relationship',
  'parent_required',
  'parent_not_allowed',
]);
export type RegisterProblemCode = z.infer<typeof RegisterProblemCode>;

/** One field's problem: the field path (`name`, `pricing.standard.price`), a code and its numbers, for i18n. */
export const RegisterProblem = z.object({
  field: z.string(),
  code: RegisterProblemCode,
  params: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
});
export type RegisterProblem = z.infer<typeof RegisterProblem>;

const TEXT_FIELDS = ['name', 'uploader', 'versionName', 'modality', 'releaseDate', 'overview', 'releaseNotes', 'thumbnail', 'cidRoot', 'encryptionKey'] as const;
const JSON_FIELDS = ['metrics', 'technicalSpecs', 'sample'] as const;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Characters as the seed counts them (code points, so a Korean name is not counted twice). */
function chars(s: string): number {
  return [...s].length;
}

/**
 * Every rule of seed 002's register-model, checked before anything is sent (one problem per broken rule and field).
 * Takes anything (a form's state, a --manifest file) and never throws.
 */
export function registerModelProblems(input: unknown): RegisterProblem[] {
  const out: RegisterProblem[] = [];
  const add = (field: string, code: RegisterProblemCode, params: Record<string, string | number> = {}) => out.push({ field, code, params });
  const b: Record<string, unknown> = isPlainObject(input) ? input : {};
  for (const f of TEXT_FIELDS) {
    const v = b[f];
    if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) add(f, 'required');
    else if (typeof v !== 'string') add(f, 'not_text');
    else if (chars(v) > REGISTER_LIMITS[f]) add(f, 'too_long', { max: REGISTER_LIMITS[f], length: chars(v) });
  }
  const lic = b.license;
  if (lic === undefined || lic === null) add('license', 'required');
  else if (!Array.isArray(lic) || lic.some((x) => typeof x !== 'string')) add('license', 'not_list');
  else if (lic.length === 0 || lic.every((x: string) => x.trim() === '')) add('license', 'required');
  else {
    const long = (lic as string[]).find((x) => chars(x) > REGISTER_LIMITS.license);
    if (long !== undefined) add('license', 'too_long', { max: REGISTER_LIMITS.license, length: chars(long) });
  }
  const wallet = b.walletAddress;
  if (wallet === undefined || wallet === null || wallet === '') add('walletAddress', 'required');
  else if (!isSolanaAddress(wallet)) add('walletAddress', 'bad_address');

  const pricing = b.pricing;
  if (pricing === undefined || pricing === null) add('pricing', 'required');
  else if (!isPlainObject(pricing)) add('pricing', 'not_object');
  else if (Object.keys(pricing).length === 0) add('pricing', 'no_tiers');
  else {
    for (const [tier, raw] of Object.entries(pricing)) {
      const at = `pricing.${tier}`;
      if (tier.trim() === '' || chars(tier) > REGISTER_LIMITS.tierName) add(at, 'bad_tier_name', { max: REGISTER_LIMITS.tierName });
      if (!isPlainObject(raw)) {
        add(at, 'not_object');
        continue;
      }
      const price = raw.price;
      if (price === undefined || price === null) add(`${at}.price`, 'required');
      else if (typeof price !== 'number' || !Number.isSafeInteger(price) || price < 0) add(`${at}.price`, 'not_lamports');
      const desc = raw.description;
      if (desc === undefined || desc === null || (typeof desc === 'string' && desc.trim() === '')) add(`${at}.description`, 'required');
      else if (typeof desc !== 'string') add(`${at}.description`, 'not_text');
      else if (chars(desc) > REGISTER_LIMITS.tierDescription) add(`${at}.description`, 'too_long', { max: REGISTER_LIMITS.tierDescription, length: chars(desc) });
      const billing = raw.billingType;
      if (billing === undefined || billing === null || billing === '') add(`${at}.billingType`, 'required');
      else if (!BillingType.safeParse(billing).success) add(`${at}.billingType`, 'bad_billing_type');
      else if (billing === 'free' && typeof price === 'number' && price > 0) add(`${at}.price`, 'free_with_price');
      const limit = raw.monthlyTokenLimit;
      if (limit !== undefined && limit !== null && (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 0)) add(`${at}.monthlyTokenLimit`, 'not_whole_number');
    }
  }

  for (const f of JSON_FIELDS) {
    const v = b[f];
    if (v === undefined || v === null) add(f, 'required');
    else if (!isPlainObject(v)) add(f, 'not_object');
    else {
      const length = chars(JSON.stringify(v));
      if (length > REGISTER_LIMITS.json) add(f, 'json_too_long', { max: REGISTER_LIMITS.json, length });
    }
  }

  const rel = b.relationship;
  const parent = b.parentModelPDA;
  const hasParent = parent !== undefined && parent !== null && parent !== '';
  if (rel === undefined || rel === null || rel === '') add('relationship', 'required');
  else if (!Relationship.safeParse(rel).success) add('relationship', 'bad_relationship');
  else if (rel === 'root' && hasParent) add('parentModelPDA', 'parent_not_allowed');
  else if (rel !== 'root' && !hasParent) add('parentModelPDA', 'parent_required', { relationship: String(rel) });
  if (hasParent && !isSolanaAddress(parent)) add('parentModelPDA', 'bad_address');
  return out;
}

/** A problem in English (CLI, errors); the UI translates by code. */
export function registerProblemText(p: RegisterProblem): string {
  const max = p.params.max;
  const what: Record<RegisterProblemCode, string> = {
    required: 'is required',
    too_long: `is longer than ${max} characters (${p.params.length})`,
    not_text: 'must be text',
    not_list: 'must be a list of strings',
    bad_address: 'is not a Solana address (base58 of 32 bytes)',
    no_tiers: 'needs at least one tier',
    bad_tier_name: `needs a tier name of 1 to ${max} characters`,
    not_lamports: 'must be a whole number of lamports, 0 or more',
    bad_billing_type: 'must be free, monthly_subscription or one_time_purchase',
    free_with_price: 'must be 0 for a free tier',
    not_whole_number: 'must be a whole number, 0 or more',
    not_object: 'must be a JSON object',
    json_too_long: `is longer than ${max} characters as JSON (${p.params.length})`,
    bad_relationship: 'must be root, derived or fine-tuned',
    parent_required: `is required for a ${p.params.relationship ?? 'derived'} model`,
    parent_not_allowed: 'must be empty for a root model',
  };
  return `${p.field} ${what[p.code]}`;
}

// ---- registry and lineage ----

export const RegisteredModel = z.object({
  modelPda: z.string(),
  parentPda: z.string().nullable(),
  /** The library model it was registered from, when any (a --manifest registration has none). */
  localModelId: z.string().nullable(),
  relationship: Relationship,
  name: z.string(),
  versionName: z.string(),
  walletAddress: z.string(),
  pricing: z.record(z.string(), PricingTier),
  transactionHash: z.string(),
  apiBaseUrl: z.string(),
  registeredAt: IsoTime,
});
export type RegisteredModel = z.infer<typeof RegisteredModel>;

/** One model of the lineage tree; `children` are the registered models that name it as parent. */
export type LineageTreeNode = {
  modelPda: string;
  name: string;
  relationship: Relationship | null;
  /** False for a parent known only by its PDA (registered elsewhere). */
  known: boolean;
  children: LineageTreeNode[];
};
export const LineageTreeNode: z.ZodType<LineageTreeNode> = z.lazy(() =>
  z.object({ modelPda: z.string(), name: z.string(), relationship: Relationship.nullable(), known: z.boolean(), children: z.array(LineageTreeNode) }),
);

/** One step of a lineage trace, with the seed's field names (`lineageTrace.lineage[]`). */
export const LineageStep = z.object({
  modelPDA: z.string(),
  modelName: z.string(),
  developerWallet: z.string(),
  depth: z.number().int(),
  parentPDA: z.string().nullable(),
});
export type LineageStep = z.infer<typeof LineageStep>;

export const LineageTrace = z.object({
  totalDepth: z.number().int(),
  isValid: z.boolean(),
  lineage: z.array(LineageStep),
  /** The seed's words: "Circular reference detected in lineage", "Max depth exceeded: 33 (max: 32)". */
  violations: z.array(z.string()).default([]),
});
export type LineageTrace = z.infer<typeof LineageTrace>;

// ---- royalties (the seed's `distribution`) ----

export const DistributionPart = z.object({
  recipient: z.string(),
  amount: z.number(),
  role: z.enum(['current_model_developer', 'parent_model_developer']),
  depth: z.number().int().optional(),
  percentage: z.number(),
});
export type DistributionPart = z.infer<typeof DistributionPart>;

export const RoyaltyDistribution = z.object({
  totalAmount: z.number(),
  platformFee: z.number(),
  remainingAfterPlatformFee: z.number(),
  distributions: z.array(DistributionPart),
  platformFeePercentage: z.number(),
  royaltyPercentagePerParent: z.number(),
});
export type RoyaltyDistribution = z.infer<typeof RoyaltyDistribution>;

export const RoyaltyPreview = z.object({
  /** The lineage it was computed over (from the studio's registry), when a model was named. */
  lineageTrace: LineageTrace.nullable(),
  distribution: RoyaltyDistribution.nullable(),
  /** A parent the studio's registry does not know: the preview stops there (the backend may know more). */
  unknownParent: z.string().nullable(),
});
export type RoyaltyPreview = z.infer<typeof RoyaltyPreview>;

/**
 * What became of a payment: the seed's outcomes of process-signature-royalty —
 * `verified` (no modelPDA: transfer checked only), `too_small` (below the minimum), `distributed`, or `failed`
 * (400: failed transaction, no SOL transfer, invalid lineage, validation; 404 after the retries).
 */
export const PaymentState = z.enum(['sent', 'confirmed', 'verified', 'too_small', 'distributed', 'failed']);
export type PaymentState = z.infer<typeof PaymentState>;

/** One difference between the backend's distribution and the studio's preview (empty: equal to the lamport). */
export const PreviewMismatch = z.object({ what: z.string(), expected: z.union([z.number(), z.string(), z.null()]), actual: z.union([z.number(), z.string(), z.null()]) });

export const RoyaltyPayment = z.object({
  id: z.number().int(),
  signature: z.string(),
  modelPda: z.string().nullable(),
  tier: z.string().nullable(),
  payer: z.string(),
  recipient: z.string(),
  lamports: z.number(),
  state: PaymentState,
  /** The backend's `data.reason` (verified / too small) or error sentence (failed). */
  reason: z.string().nullable(),
  /** 400 errors: the seed's `data.violations` (invalid lineage) or `details` (failed transaction) as text. */
  violations: z.array(z.string()),
  lineageTrace: LineageTrace.nullable(),
  distribution: RoyaltyDistribution.nullable(),
  distributionSignature: z.string().nullable(),
  preview: RoyaltyPreview.nullable(),
  /** Distributed: true when equal to the preview to the lamport; null when there is nothing to compare. */
  matchesPreview: z.boolean().nullable(),
  mismatches: z.array(PreviewMismatch),
  /** How many times process-signature-royalty answered 404 before it found the transaction. */
  notFoundRetries: z.number().int(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});
export type RoyaltyPayment = z.infer<typeof RoyaltyPayment>;

// ---- contributor payouts ----

export const PayoutCredit = z.object({
  /** The network service answered; false with `message` when it is not configured or not reachable. */
  available: z.boolean(),
  nodeId: z.string().nullable(),
  earned: z.number().nullable(),
  spent: z.number().nullable(),
  balance: z.number().nullable(),
  /** Earned credit that may be paid out now (null where the network does not say). */
  payable: z.number().nullable().default(null),
  /** The network offers `POST /v1/nodes/me/payout` (docs/contributor-protocol.md). */
  payoutOffered: z.boolean(),
  message: z.string().nullable(),
  /** `message` as a code of main/common/messages.ts with its parameters (the UI translates it). */
  messageCode: MessageCodeField.optional(),
  messageParams: MessageParamsField.optional(),
});
export type PayoutCredit = z.infer<typeof PayoutCredit>;

export const PayoutResult = z.object({
  payoutId: z.string(),
  address: z.string(),
  credit: z.number(),
  lamports: z.number(),
  signature: z.string().nullable(),
  balance: z.number(),
});
export type PayoutResult = z.infer<typeof PayoutResult>;

// ---- channels ----

const Confirm = z.literal(true, { message: 'the request must carry confirm: true' });
const Lamports = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const Bps = z.number().int().min(0).max(10_000);
const Signature = z.string().trim().min(32).max(128).regex(/^[1-9A-HJ-NP-Za-km-z]+$/, 'not a base58 signature');
const Pda = SolanaAddress;

export const BackendConnection = z.object({
  baseUrl: z.string().nullable(),
  emulator: z.boolean(),
  source: z.enum(['override', 'setting', 'env', 'emulator', 'none']),
});

export const walletChannels = {
  'wallet.info': channel('The wallet (address, never the secret), where its key rests and the cluster.', Empty, WalletInfo),
  'wallet.create': channel('Create a new Solana key; the secret goes to the vault only. Refused when a wallet exists (forget it first).', Empty, WalletInfo),
  'wallet.import': channel(
    'Import a Solana secret key (base58, or the JSON byte array solana-keygen writes); it goes to the vault only.',
    z.object({ secretKey: z.string().min(1).max(2000), replace: z.boolean().default(false) }).strict(),
    WalletInfo,
  ),
  'wallet.export': channel('The secret key (base58 and the JSON byte array), only with confirm: true.', z.object({ confirm: Confirm }).strict(), z.object({ address: z.string(), secretKey: z.string(), secretKeyJson: z.string() })),
  'wallet.forget': channel('Remove the wallet from this studio (the key leaves the vault), only with confirm: true.', z.object({ confirm: Confirm }).strict(), z.object({ removed: z.boolean() })),
  'wallet.setCluster': channel(
    'Choose the cluster: the local emulator, devnet, mainnet-beta, or a custom RPC URL.',
    z.object({ cluster: SolanaCluster, rpcUrl: z.string().trim().max(500).optional() }).strict(),
    ClusterSetting,
  ),
  'wallet.balance': channel('The wallet balance in lamports and SOL on the chosen cluster.', Empty, WalletBalance),
  'wallet.transactions': channel('Recent transactions of the wallet (getSignaturesForAddress + getTransaction).', z.object({ limit: z.number().int().min(1).max(50).default(10) }).strict(), z.array(WalletTransaction)),
  'wallet.airdrop': channel('Airdrop SOL (emulator and devnet only); confirmed before it answers.', z.object({ sol: z.number().positive().max(1000) }).strict(), z.object({ signature: z.string(), balance: WalletBalance })),
  'wallet.credit': channel('The contributor node\'s earned credit on the network service, beside the wallet.', Empty, PayoutCredit),
  'wallet.payout': channel('Pay the node\'s credit out to the wallet address (POST /v1/nodes/me/payout).', z.object({ credit: z.number().int().positive().optional() }).strict(), PayoutResult),
  'registry.connection': channel('Where the Solana backend (seed 002) is reached.', Empty, BackendConnection),
  'registry.setConnection': channel('Save the Solana backend address (null: back to the environment or the emulator).', z.object({ baseUrl: z.string().trim().max(500).nullable() }).strict(), BackendConnection),
  'registry.draft': channel(
    'A register-model body filled from a library model (manifest, lineage) and the wallet; the form starts from it.',
    z.object({ localModelId: z.string().min(1).max(64) }).strict(),
    z.object({ body: RegisterModelBody, problems: z.array(RegisterProblem) }),
  ),
  'registry.check': channel('The register-model problems of a body, per field (nothing is sent).', z.object({ body: z.unknown() }).strict(), z.array(RegisterProblem)),
  'registry.register': channel(
    'POST /transactions/register-model after every field is checked (INVALID_INPUT with details.problems otherwise); the PDA and transaction are stored.',
    z.object({ body: z.unknown(), localModelId: z.string().min(1).max(64).optional() }).strict(),
    RegisteredModel,
  ),
  'registry.list': channel('Models registered from this studio, newest first.', Empty, z.array(RegisteredModel)),
  'registry.show': channel('One registered model with its lineage (from the studio\'s registry).', z.object({ modelPda: Pda }).strict(), z.object({ model: RegisteredModel.nullable(), lineageTrace: LineageTrace, unknownParent: z.string().nullable() })),
  'registry.tree': channel('The lineage tree of the registered models (roots first).', Empty, z.array(LineageTreeNode)),
  'royalty.preview': channel(
    'The royalty split of a total, with the seed\'s `distribution` field names: over a registered model\'s lineage, or a given depth.',
    z.object({ totalLamports: Lamports, platformFeeBps: Bps.default(500), modelPda: Pda.optional(), depth: z.number().int().min(0).max(64).optional() }).strict(),
    RoyaltyPreview,
  ),
  'royalty.pay': channel(
    'Pay a tier of a registered model: a SystemProgram transfer signed here, confirmed, then process-signature-royalty; the outcome is compared with the preview.',
    z.object({ modelPda: Pda, tier: z.string().min(1).max(64), platformFeeBps: Bps.default(500), minRoyaltyLamports: z.number().int().min(0).optional() }).strict(),
    RoyaltyPayment,
  ),
  'royalty.processSignature': channel(
    'POST /signature-royalty/process-signature-royalty for a signature (without a model PDA: verification only).',
    z.object({ signature: Signature, modelPda: Pda.optional(), platformFeeBps: Bps.default(500), minRoyaltyLamports: z.number().int().min(0).optional() }).strict(),
    RoyaltyPayment,
  ),
  'royalty.payments': channel('Payments made from this studio, newest first, with their outcome.', z.object({ modelPda: Pda.optional() }).strict(), z.array(RoyaltyPayment)),
} as const;
