/**
 * The JobSpec and the network's replies, strict: a job is data only ("run model M over inputs X in batches of B"),
 * and anything else — an unknown kind, task or format, a field naming a path or URL, a malformed hash, too many
 * inputs, a batch size out of range — is refused before a byte is fetched or a process started.
 */
import { z } from 'zod';

export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 is 64 lowercase hex digits');

export const MAX_INPUTS = 10_000;

export const JobModel = z
  .object({
    sha256: Sha256,
    bytes: z.number().int().positive().max(4 * 1024 ** 3),
    format: z.literal('onnx'),
    task: z.enum(['classification', 'detection', 'embedding']),
    inputSize: z.tuple([z.number().int().positive().max(8192), z.number().int().positive().max(8192)]),
    labels: z.array(z.string().max(200)).max(100_000).optional(),
  })
  .strict();

export const JobInput = z
  .object({
    sha256: Sha256,
    bytes: z.number().int().positive().max(512 * 1024 ** 2),
    mediaType: z.enum(['image/png', 'image/jpeg']),
  })
  .strict();

export const JobSpec = z
  .object({
    jobId: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'a job id of letters, digits, _ and -'),
    replica: z.number().int().min(0).max(16),
    kind: z.enum(['inference', 'embeddings']),
    cluster: z.enum(['gpu', 'cpu']),
    model: JobModel,
    inputs: z.array(JobInput).min(1).max(MAX_INPUTS),
    batchSize: z.number().int().min(1).max(256),
    maxDurationMinutes: z.number().positive().max(7 * 24 * 60),
    creditPerInput: z.number().nonnegative().max(1_000_000),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (spec.kind === 'embeddings' && spec.model.task !== 'embedding') ctx.addIssue({ code: 'custom', path: ['model', 'task'], message: 'an embeddings job needs an embedding model' });
    if (spec.kind === 'inference' && spec.model.task === 'embedding') ctx.addIssue({ code: 'custom', path: ['model', 'task'], message: 'an inference job runs a classification or detection model' });
  });
export type JobSpec = z.infer<typeof JobSpec>;

/** What a string value is, when it names a place instead of being data: a URL or a file path. */
export function placeKind(v: unknown): 'URL' | 'path' | null {
  if (typeof v !== 'string') return null;
  if (/^[a-z][a-z0-9+.-]*:/i.test(v) && !/^[a-z]:[\\/]/i.test(v)) return 'URL';
  if (/^([a-z]:)?[\\/]/i.test(v) || /(^|[\\/])\.\.([\\/]|$)/.test(v) || v.startsWith('~')) return 'path';
  return null;
}

export type SpecCheck = { ok: true; spec: JobSpec } | { ok: false; message: string };

/**
 * Parses a JobSpec from the network; a refusal says why in one sentence. Every field is an enum, a hash, a number
 * or a checked id, so a path or URL can only come as a field the schema does not know — refused, and named.
 */
export function checkJobSpec(raw: unknown): SpecCheck {
  const r = JobSpec.safeParse(raw);
  if (r.success) return { ok: true, spec: r.data };
  const issue = r.error.issues[0]!;
  const where = issue.path.join('.') || 'job';
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys?: string[] }).keys ?? [];
    let holder: unknown = raw;
    for (const p of issue.path) holder = (holder as Record<string | number, unknown> | undefined)?.[p as string];
    for (const k of keys) {
      const kind = placeKind((holder as Record<string, unknown> | undefined)?.[k]);
      if (kind) return { ok: false, message: `refused: the field ${[...issue.path, k].join('.')} names a ${kind}; a job is data only` };
    }
    return { ok: false, message: `refused: unknown field ${keys.map((k) => [...issue.path, k].join('.')).join(', ')}` };
  }
  if (issue.code !== 'custom' && (issue.path[0] === 'kind' || issue.path.join('.') === 'model.task' || issue.path.join('.') === 'model.format')) {
    const value = issue.path.reduce<unknown>((o, p) => (o as Record<string | number, unknown> | undefined)?.[p as string], raw);
    return { ok: false, message: `refused: unknown ${where} ${JSON.stringify(value)}` };
  }
  return { ok: false, message: `refused: ${where}: ${issue.message}` };
}

const Iso = z.string();

export const RegisterReply = z.looseObject({
  nodeId: z.string(),
  registeredAt: Iso.optional(),
  reliability: z.number().optional(),
  heartbeatSeconds: z.number().positive().optional(),
  leaseSeconds: z.number().positive().optional(),
});
export const HeartbeatReply = z.looseObject({ serverTime: Iso.optional(), leaseExpiresAt: Iso.optional().nullable() });
/** The lease as it comes: the job stays `unknown` here and is checked with checkJobSpec (so a bad one is released, not a parse error). */
export const LeaseReply = z.looseObject({
  lease: z.looseObject({ leaseId: z.string().min(1).max(200), leaseExpiresAt: Iso, deadline: Iso, job: z.unknown(), attempt: z.number().optional() }),
});
export type Lease = z.infer<typeof LeaseReply>['lease'];
export const ProgressReply = z.looseObject({ leaseExpiresAt: Iso.optional().nullable() });
export const ResultReply = z.looseObject({ accepted: z.boolean(), status: z.enum(['pending_validation', 'valid', 'invalid']), grantedCredit: z.number().optional().nullable() });
export const ReleaseReply = z.unknown();
export const LedgerReply = z.looseObject({
  entries: z.array(
    z.looseObject({
      jobId: z.string(),
      replica: z.number(),
      grantedCredit: z.number().nullable().optional(),
      status: z.string(),
    }),
  ),
});
