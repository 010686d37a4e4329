/**
 * The creator calls' replies (docs/contributor-protocol.md, "Creator calls"), written from the document. Unknown
 * fields are ignored (protocol v1 is additive), missing ones the studio needs make the reply an error.
 */
import { z } from 'zod';
import { PayoutResult } from '../../../common/contract/wallet';

export const BlobPutReply = z.unknown();

export const SubmitReply = z.object({ jobId: z.string().min(1), status: z.string(), cost: z.number() });
export type SubmitReply = z.infer<typeof SubmitReply>;

/** One output as a node returns it: the input's sha256 and the kind-specific JSON. */
export const RemoteOutput = z.object({ input: z.string(), output: z.record(z.string(), z.unknown()) });
export type RemoteOutput = z.infer<typeof RemoteOutput>;

export const JobStatusReply = z.object({
  jobId: z.string(),
  status: z.enum(['queued', 'running', 'validating', 'done', 'failed']),
  progress: z.object({ done: z.number(), total: z.number() }),
  replicas: z.array(z.object({ replica: z.number(), state: z.string(), nodeId: z.string().optional() })).default([]),
  cost: z.number(),
  createdAt: z.string().optional(),
  finishedAt: z.string().optional(),
  outputs: z.array(RemoteOutput).optional(),
  /** Not in the document's list; the emulator adds them (clients ignore what they do not know). */
  spent: z.number().optional(),
  failReason: z.string().optional(),
});
export type JobStatusReply = z.infer<typeof JobStatusReply>;

export const JobsReply = z.object({ jobs: z.array(JobStatusReply) });

export const AccountReply = z.object({
  accountId: z.string(),
  credit: z.object({ earned: z.number(), spent: z.number(), reserved: z.number().default(0), balance: z.number() }),
});
export type AccountReply = z.infer<typeof AccountReply>;

/** `GET /v1/nodes/me`: the node and its credit; `payable` and `paidOut` are read where a server says them. */
export const NodeMeReply = z.object({
  nodeId: z.string(),
  reliability: z.number().optional(),
  credit: z.object({ earned: z.number(), spent: z.number(), balance: z.number(), payable: z.number().optional(), paidOut: z.number().optional() }),
});
export type NodeMeReply = z.infer<typeof NodeMeReply>;

/** `POST /v1/nodes/me/payout` (docs/contributor-protocol.md). */
export const PayoutReply = PayoutResult.extend({ signature: z.string().nullable().default(null), payable: z.number().optional() });
export type PayoutReply = z.infer<typeof PayoutReply>;

/** A classification output: `{ top: [{label, index, score}] }`. */
export const ClassificationOut = z.object({ top: z.array(z.object({ label: z.string(), index: z.number().int(), score: z.number() })) });
/** A detection output: `{ boxes: [{label, score, x, y, w, h}] }` in pixels. */
export const DetectionOut = z.object({ boxes: z.array(z.object({ label: z.string(), score: z.number(), x: z.number(), y: z.number(), w: z.number(), h: z.number() })) });
