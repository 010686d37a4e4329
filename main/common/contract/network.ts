/**
 * The network domain of the IPC contract: the creator's side of the Kraken network (docs/contributor-protocol.md,
 * "Creator calls"). "Run this model over this frame set on the network": the model and frames go up by sha256,
 * the job is paid with credit (what the studio earned contributing, earn → spend), and the outputs come back as a
 * model run of the project, beside local runs, so they can be compared. The contributor side is `contributor.*`.
 */
import { z } from 'zod';
import { AppErrorShape, channel, Empty, Id, IsoTime } from './define';

export const NetworkCluster = z.enum(['cpu', 'gpu']);
export type NetworkCluster = z.infer<typeof NetworkCluster>;

/**
 * A submitted job as the studio follows it:
 * - `uploading`: the model and frames go up (those the network already has are skipped);
 * - `queued` | `running` | `validating`: as the network says (validating: every replica has a result, compared);
 * - `done`: the outputs are in the project as a model run (`runId`);
 * - `failed`: the network gave up (replicas disagreed, too many failed attempts) or the submission was refused
 *   (`error`: e.g. INSUFFICIENT_CREDIT with balance and cost);
 * - `cancelled`: cancelled from the studio; the unspent credit came back.
 */
export const NetworkJobState = z.enum(['uploading', 'queued', 'running', 'validating', 'done', 'failed', 'cancelled']);
export type NetworkJobState = z.infer<typeof NetworkJobState>;

export const NetworkJob = z.object({
  id: Id,
  networkUrl: z.string(),
  /** The network's job id (`j_…`); null until the job is accepted. */
  remoteJobId: z.string().nullable(),
  projectId: Id,
  frameSetId: Id.nullable(),
  modelId: z.string(),
  modelName: z.string(),
  task: z.string(),
  redundancy: z.number().int().min(1).max(3),
  cluster: NetworkCluster,
  state: NetworkJobState,
  /** Files sent or found already stored, of `toUpload` (model + distinct frames). */
  uploaded: z.number().int(),
  toUpload: z.number().int(),
  /** Inputs done as the network reports them, of `total`. */
  done: z.number().int(),
  total: z.number().int(),
  /** Credit reserved at submission; null before. */
  cost: z.number().nullable(),
  /** Credit actually paid (done jobs). */
  spent: z.number().nullable(),
  /** The model run the outputs came back as. */
  runId: Id.nullable(),
  error: AppErrorShape.nullable(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  finishedAt: IsoTime.nullable(),
});
export type NetworkJob = z.infer<typeof NetworkJob>;

export const NetworkAccount = z.object({
  networkUrl: z.string().nullable(),
  /** True when the address is the studio's local emulator. */
  emulator: z.boolean(),
  /** The studio's identity on the network (base58); null when no address is configured. */
  accountId: z.string().nullable(),
  credit: z.object({ earned: z.number(), spent: z.number(), reserved: z.number(), balance: z.number() }).nullable(),
  /** Credit paid for this studio's own network jobs, per local day (earn → spend on the Contribute page). */
  spentByDay: z.array(z.object({ day: z.string(), credit: z.number() })),
  /** Why the account could not be read, when it could not. */
  error: AppErrorShape.nullable(),
});
export type NetworkAccount = z.infer<typeof NetworkAccount>;

export const NetworkSubmitRequest = z
  .object({
    frameSetId: Id,
    modelId: z.string().min(1).max(64),
    /** Replicas run on distinct nodes and compared (1–3, default 2). */
    redundancy: z.number().int().min(1).max(3).default(2),
    cluster: NetworkCluster.default('cpu'),
    batchSize: z.number().int().min(1).max(256).default(8),
    maxDurationMinutes: z.number().int().min(1).max(24 * 60).default(30),
  })
  .strict();

export const networkChannels = {
  'network.submit': channel(
    'Run a model over a frame set on the network: returns the job at once; uploads, submission and following go on in the background.',
    NetworkSubmitRequest,
    NetworkJob,
  ),
  'network.jobs': channel('The network jobs this studio submitted (of one project, or all), newest first.', z.object({ projectId: Id.optional() }).strict(), z.object({ jobs: z.array(NetworkJob) })),
  'network.job': channel('One submitted network job, read again from the network when it is still open.', z.object({ id: Id }).strict(), NetworkJob),
  'network.cancel': channel('Cancel a network job: the network refunds the unspent credit.', z.object({ id: Id }).strict(), NetworkJob),
  'network.account': channel('The studio’s credit on the network (earned by contributing, spent on its own jobs).', Empty, NetworkAccount),
} as const;
