/**
 * Replies of the Solana backend (seed 002), written from the seed: register-model's `{success, message, data
 * {modelAccountPDA, parentModelPDA}, transactionHash}` and process-signature-royalty's three 200 outcomes and its
 * errors `{success:false, error, data?, details?}`. Lax where the seed is loose (extra fields pass, numbers may come
 * as numeric strings, `parentModelPDA` may be null or absent for a root).
 */
import { z } from 'zod';

const Num = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);

export const RegisterModelReply = z.looseObject({
  success: z.literal(true),
  message: z.string().optional(),
  data: z.looseObject({
    modelAccountPDA: z.string().min(32).max(44),
    parentModelPDA: z.string().nullable().optional(),
  }),
  transactionHash: z.string().min(1),
});
export type RegisterModelReply = z.infer<typeof RegisterModelReply>;

export const LineageStepReply = z.looseObject({
  modelPDA: z.string(),
  modelName: z.string().default(''),
  developerWallet: z.string(),
  depth: Num,
  parentPDA: z.string().nullable().optional(),
});

export const LineageTraceReply = z.looseObject({
  totalDepth: Num,
  isValid: z.boolean(),
  lineage: z.array(LineageStepReply),
  violations: z.array(z.string()).optional(),
});

export const DistributionReply = z.looseObject({
  totalAmount: Num,
  platformFee: Num,
  remainingAfterPlatformFee: Num,
  distributions: z.array(
    z.looseObject({
      recipient: z.string(),
      amount: Num,
      role: z.enum(['current_model_developer', 'parent_model_developer']),
      depth: Num.optional(),
      percentage: Num,
    }),
  ),
  platformFeePercentage: Num.optional(),
  royaltyPercentagePerParent: Num.optional(),
});

/** Case 3: distributed. */
export const DistributedReply = z.looseObject({
  success: z.literal(true),
  message: z.string().optional(),
  data: z.looseObject({
    originalTransaction: z.looseObject({ signature: z.string(), modelPDA: z.string().optional(), totalLamports: Num, totalSOL: Num.optional() }),
    lineageTrace: LineageTraceReply,
    distribution: DistributionReply,
    distributionTransaction: z.looseObject({ signature: z.string() }).optional(),
  }),
});

/** Cases 1 and 2: verified, not distributed (no modelPDA, or too small). */
export const VerifiedReply = z.looseObject({
  success: z.literal(false),
  message: z.string().optional(),
  data: z.looseObject({
    transactionVerified: z.boolean(),
    lamportsTransferred: Num,
    totalSOL: Num.optional(),
    minRequiredLamports: Num.optional(),
    minRequiredSOL: Num.optional(),
    royaltyDistributed: z.literal(false),
    reason: z.string().optional(),
  }),
});

/** Errors: 400 / 404 / 500 `{success:false, error, data?: {violations?}, details?}`. */
export const ErrorReply = z.looseObject({
  success: z.literal(false).optional(),
  error: z.string(),
  data: z.looseObject({ violations: z.array(z.string()).optional() }).nullable().optional(),
  details: z.unknown().optional(),
});
