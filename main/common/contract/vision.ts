/**
 * The vision domain of the IPC contract (the vision training platform, seed 001, SPEC §2.2): sign-in, chat to a
 * training config, datasets (upload, statistics, validate), the model catalogue, workflows (create, list, detail,
 * per-epoch metrics, logs, cancel, live progress), cloud inference (single and batch), the user's plan limits, and
 * "bring the model home" (the studio's export proposal, docs/vision-export-proposal.md).
 *
 * Errors keep what the platform said for support: `details.requestId` (the seed's `request_id`),
 * `details.serviceCode` (`VALIDATION_ERROR`, …), `details.fieldErrors` (422 `details.errors[]`, to be shown next to
 * the fields they name) and `details.visionProblem` (a code below, for the UI's own sentence).
 * Long work (upload, pull, batch inference) returns a job id and reports through `job.progress` / `job.updated`.
 */
import { z } from 'zod';
import { channel, Empty, Id, IsoTime, MessageCodeField, MessageParamsField } from './define';

/** Why a vision call was refused, when the studio knows more than the HTTP status (in `details.visionProblem`). */
export const VisionProblem = z.enum([
  'NOT_SIGNED_IN', // no tokens for this address: sign in first
  'SESSION_EXPIRED', // the refresh token was refused: sign in again
  'WRONG_CREDENTIALS', // POST /auth/token said 401
  'EXPORT_NOT_OFFERED', // GET /workflows/{id}/export answered 404: the platform offers no download; use cloud inference
  'EXPORT_INVALID', // the exported file does not load as an ONNX model
  'NOT_FINISHED', // pull/predict on a workflow that has not completed
  'CONCURRENT_LIMIT', // the plan's concurrent workflows are all in use (checked before sending)
  'GPU_HOURS_USED', // the plan's GPU hours are used up (checked before sending)
  'RATE_LIMITED', // waited for the reset and was refused again
]);
export type VisionProblem = z.infer<typeof VisionProblem>;

/** One 422 `details.errors[]` entry: shown next to the field it names. */
export const VisionFieldError = z.object({ field: z.string(), message: z.string(), value: z.unknown().optional() });
export type VisionFieldError = z.infer<typeof VisionFieldError>;

export const VisionTask = z.enum(['classification', 'detection', 'segmentation']);
export type VisionTask = z.infer<typeof VisionTask>;

/** Seed 001 workflow statuses, plus `unknown` (the platform could not be asked, or sent a status the seed has not). */
export const VisionWorkflowState = z.enum(['pending', 'training', 'completed', 'failed', 'cancelled', 'unknown']);
export type VisionWorkflowState = z.infer<typeof VisionWorkflowState>;

export const VISION_FINAL_STATES: readonly VisionWorkflowState[] = ['completed', 'failed', 'cancelled'];

/** Plan limits of seed 001's rate-limit table (requests per minute / hour, concurrent workflows). */
export const VISION_PLAN_LIMITS: Record<string, { requestsPerMinute: number; requestsPerHour: number; concurrentWorkflows: number }> = {
  free: { requestsPerMinute: 60, requestsPerHour: 1000, concurrentWorkflows: 1 },
  pro: { requestsPerMinute: 300, requestsPerHour: 10000, concurrentWorkflows: 5 },
  enterprise: { requestsPerMinute: 1000, requestsPerHour: 50000, concurrentWorkflows: 20 },
};

export const VisionConnection = z.object({
  /** The base including `/api/v1` (seed 001), no trailing slash; null when none is set. */
  baseUrl: z.string().nullable(),
  emulator: z.boolean(),
  source: z.enum(['override', 'setting', 'env', 'emulator', 'none']),
});
export type VisionConnection = z.infer<typeof VisionConnection>;

export const VisionReachability = z.object({
  baseUrl: z.string().nullable(),
  reachable: z.boolean(),
  latencyMs: z.number().nullable(),
  message: z.string().nullable(),
  /** `message` as a code of main/common/messages.ts with its parameters (the connection panel translates it). */
  messageCode: MessageCodeField.optional(),
  messageParams: MessageParamsField.optional(),
});
export type VisionReachability = z.infer<typeof VisionReachability>;

export const VisionAccount = z.object({
  state: z.enum(['signedOut', 'signedIn', 'expired']),
  email: z.string().nullable(),
  /** Plain sentence shown with `expired`. */
  reason: z.string().nullable(),
  /** Where tokens rest (keychain, electron, file). */
  vault: z.string().nullable(),
});
export type VisionAccount = z.infer<typeof VisionAccount>;

/** The last X-RateLimit-* headers seen (every reply carries them), and a wait in force after a 429. */
export const VisionRateLimit = z.object({
  limit: z.number().nullable(),
  remaining: z.number().nullable(),
  /** When the window resets (X-RateLimit-Reset). */
  resetAt: IsoTime.nullable(),
  /** Set while the studio holds its requests back until then (a 429, or the window nearly used up). */
  waitingUntil: IsoTime.nullable(),
});
export type VisionRateLimit = z.infer<typeof VisionRateLimit>;

/** GET /user/profile, with the plan's limits (seed 001's table) and how many workflows are running now. */
export const VisionProfile = z.object({
  userId: z.string().nullable(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  plan: z.string().nullable(),
  createdAt: IsoTime.nullable(),
  usage: z.object({
    gpuHoursUsed: z.number().nullable(),
    gpuHoursLimit: z.number().nullable(),
    storageGbUsed: z.number().nullable(),
    storageGbLimit: z.number().nullable(),
  }),
  /** From the plan (seed 001 table); null for a plan the seed does not list. */
  limits: z.object({ concurrentWorkflows: z.number().nullable(), requestsPerMinute: z.number().nullable(), requestsPerHour: z.number().nullable() }),
  /** Workflows pending or training (the platform's list, else the studio's records). */
  activeWorkflows: z.number().int(),
  /** Why a new workflow cannot start now (limit reached, GPU hours used), else null. */
  blocked: z.string().nullable(),
  blockedProblem: VisionProblem.nullable(),
  rateLimit: VisionRateLimit,
});
export type VisionProfile = z.infer<typeof VisionProfile>;

export const VisionProject = z.object({
  projectId: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  workflowCount: z.number().nullable(),
  datasetCount: z.number().nullable(),
  createdAt: IsoTime.nullable(),
});
export type VisionProject = z.infer<typeof VisionProject>;

// ---- chat ----

export const VisionQuestion = z.object({
  id: z.string(),
  /** The config field it fills (`class_names`, `dataset`, …). */
  field: z.string(),
  question: z.string(),
  required: z.boolean(),
  suggestions: z.array(z.string()),
});
export type VisionQuestion = z.infer<typeof VisionQuestion>;

export const VisionHyperparameters = z.object({
  epochs: z.number().int().min(1).max(100_000).optional(),
  batchSize: z.number().int().min(1).max(100_000).optional(),
  learningRate: z.number().positive().max(100).optional(),
  optimizer: z.string().max(64).optional(),
});
export type VisionHyperparameters = z.infer<typeof VisionHyperparameters>;

/** `training_config` of `intent_complete`, in the studio's names (edit it, then start it). */
export const VisionTrainingConfig = z.object({
  taskType: z.string().nullable(),
  modelName: z.string().nullable(),
  modelSource: z.string().nullable(),
  numClasses: z.number().nullable(),
  classNames: z.array(z.string()),
  datasetId: z.string().nullable(),
  datasetSource: z.string().nullable(),
  hyperparameters: VisionHyperparameters,
});
export type VisionTrainingConfig = z.infer<typeof VisionTrainingConfig>;

export const VisionChatReply = z.object({
  sessionId: z.string(),
  /** `clarification_needed`, `intent_complete`, or what else the platform said. */
  type: z.string(),
  message: z.string().nullable(),
  parsedIntent: z.record(z.string(), z.unknown()).nullable(),
  questions: z.array(VisionQuestion),
  trainingConfig: VisionTrainingConfig.nullable(),
  actions: z.array(z.object({ type: z.string(), label: z.string() })),
});
export type VisionChatReply = z.infer<typeof VisionChatReply>;

export const VisionChatMessage = z.object({ role: z.string(), content: z.string(), timestamp: IsoTime.nullable() });

export const VisionChatSession = z.object({
  sessionId: z.string(),
  createdAt: IsoTime.nullable(),
  updatedAt: IsoTime.nullable(),
  messages: z.array(VisionChatMessage),
  status: z.string().nullable(),
});
export type VisionChatSession = z.infer<typeof VisionChatSession>;

/** A chat session the studio remembers (its first message as the title, the last reply). */
export const VisionChatSummary = z.object({
  sessionId: z.string(),
  title: z.string(),
  lastType: z.string().nullable(),
  lastReply: VisionChatReply.nullable(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});
export type VisionChatSummary = z.infer<typeof VisionChatSummary>;

// ---- datasets ----

export const VisionDatasetFormat = z.string().trim().min(1).max(64);

export const VisionClassCount = z.object({ name: z.string(), count: z.number() });

export const VisionDatasetStatistics = z.object({
  totalImages: z.number().nullable(),
  trainImages: z.number().nullable(),
  valImages: z.number().nullable(),
  testImages: z.number().nullable(),
  classes: z.array(VisionClassCount),
});
export type VisionDatasetStatistics = z.infer<typeof VisionDatasetStatistics>;

export const VisionValidationIssue = z.object({
  /** `error`, `warning`, `info` as the platform says it. */
  severity: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).nullable(),
});

export const VisionValidation = z.object({
  datasetId: z.string(),
  valid: z.boolean(),
  issues: z.array(VisionValidationIssue),
  recommendations: z.array(z.string()),
  checkedAt: IsoTime,
});
export type VisionValidation = z.infer<typeof VisionValidation>;

export const VisionDataset = z.object({
  datasetId: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  format: z.string().nullable(),
  sizeMb: z.number().nullable(),
  fileCount: z.number().nullable(),
  /** `processing`, `ready`, … as the platform says it. */
  status: z.string().nullable(),
  statistics: VisionDatasetStatistics.nullable(),
  /** The last validation the studio ran, when any. */
  validation: VisionValidation.nullable(),
  projectId: Id.nullable(),
  /** True when this studio uploaded it. */
  uploadedHere: z.boolean(),
  createdAt: IsoTime.nullable(),
  updatedAt: IsoTime.nullable(),
});
export type VisionDataset = z.infer<typeof VisionDataset>;

// ---- models catalogue ----

export const VisionCatalogueModel = z.object({
  modelId: z.string(),
  name: z.string(),
  framework: z.string().nullable(),
  taskTypes: z.array(z.string()),
  parameters: z.string().nullable(),
  pretrainedWeights: z.array(z.string()),
  description: z.string().nullable(),
  metrics: z.record(z.string(), z.number()),
  /** Detail only: `[H, W, C]` as the seed writes it (`[224, 224, 3]`). */
  inputSize: z.array(z.number()).nullable(),
  supportedBackends: z.array(z.string()),
  documentationUrl: z.string().nullable(),
});
export type VisionCatalogueModel = z.infer<typeof VisionCatalogueModel>;

// ---- workflows ----

/** One epoch's numbers, exactly once per epoch (live from the WebSocket, or filled from the metrics history). */
export const VisionMetricPoint = z.object({
  epoch: z.number().int(),
  step: z.number().nullable(),
  timestamp: IsoTime.nullable(),
  /** loss, accuracy, val_loss, val_accuracy, … as the platform names them. */
  metrics: z.record(z.string(), z.number()),
  etaMinutes: z.number().nullable(),
  gpuUtilization: z.number().nullable(),
  memoryUsageGb: z.number().nullable(),
  source: z.enum(['ws', 'history', 'detail']),
});
export type VisionMetricPoint = z.infer<typeof VisionMetricPoint>;

export const VisionLineage = z.object({
  datasetId: z.string().nullable(),
  workflowId: z.string(),
  baseModel: z.string().nullable(),
  finalMetrics: z.record(z.string(), z.number()),
});

export const VisionWorkflow = z.object({
  workflowId: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  state: VisionWorkflowState,
  /** The status string as the platform sent it. */
  serviceStatus: z.string().nullable(),
  projectId: Id.nullable(),
  startedHere: z.boolean(),
  taskType: z.string().nullable(),
  model: z.string().nullable(),
  datasetId: z.string().nullable(),
  classNames: z.array(z.string()),
  hyperparameters: VisionHyperparameters,
  currentEpoch: z.number().nullable(),
  totalEpochs: z.number().nullable(),
  percentage: z.number().nullable(),
  /** The latest numbers (detail's metrics, or the last epoch). */
  metrics: z.record(z.string(), z.number()),
  etaMinutes: z.number().nullable(),
  gpuUtilization: z.number().nullable(),
  memoryUsageGb: z.number().nullable(),
  resources: z.object({ gpuType: z.string().nullable(), gpuCount: z.number().nullable(), memoryGb: z.number().nullable() }),
  queuePosition: z.number().nullable(),
  estimatedDurationMinutes: z.number().nullable(),
  estimatedCompletionAt: IsoTime.nullable(),
  /** The platform's training_error message, or why the studio could not ask. */
  error: z.string().nullable(),
  /** The model pulled home into the local library, when any. */
  localModelId: z.string().nullable(),
  /** Live following: `live` (WebSocket open), `reconnecting`, `polling` (no WebSocket), `off`. */
  live: z.enum(['live', 'connecting', 'reconnecting', 'polling', 'off']),
  createdAt: IsoTime.nullable(),
  startedAt: IsoTime.nullable(),
  completedAt: IsoTime.nullable(),
  updatedAt: IsoTime,
});
export type VisionWorkflow = z.infer<typeof VisionWorkflow>;

export const VisionLogLine = z.object({ timestamp: IsoTime.nullable(), level: z.string().nullable(), message: z.string() });
export type VisionLogLine = z.infer<typeof VisionLogLine>;

export const VisionPrediction = z.object({
  classIndex: z.number().int(),
  label: z.string(),
  score: z.number(),
});

export const VisionPredictResult = z.object({
  workflowId: z.string(),
  /** The image as given (path or image id). */
  image: z.string(),
  predictions: z.array(VisionPrediction),
  inferenceTimeMs: z.number().nullable(),
  modelVersion: z.string().nullable(),
});
export type VisionPredictResult = z.infer<typeof VisionPredictResult>;

const WorkflowRef = z.object({ workflowId: z.string().trim().min(1).max(200) }).strict();
const DatasetRef = z.object({ datasetId: z.string().trim().min(1).max(200) }).strict();
const SessionRef = z.object({ sessionId: z.string().trim().min(1).max(200) }).strict();
const Page = { page: z.number().int().min(1).max(100_000).optional(), limit: z.number().int().min(1).max(100).optional() };

export const VisionCreateWorkflowRequest = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).optional(),
    taskType: VisionTask,
    /** The catalogue's model_id (`resnet50`). */
    model: z.string().trim().min(1).max(200),
    datasetId: z.string().trim().min(1).max(200),
    classNames: z.array(z.string().trim().min(1).max(200)).min(1).max(10_000),
    hyperparameters: VisionHyperparameters.default({}),
    projectId: Id.optional(),
  })
  .strict();
export type VisionCreateWorkflowRequest = z.infer<typeof VisionCreateWorkflowRequest>;
/** What a caller may pass (hyperparameters optional). */
export type VisionCreateWorkflowInput = z.input<typeof VisionCreateWorkflowRequest>;

export const visionChannels = {
  'vision.connection': channel('Where the vision training platform is reached (base URL including /api/v1), and where the URL came from.', Empty, VisionConnection),
  'vision.setConnection': channel(
    "Save the vision platform's base URL (including /api/v1); null goes back to the environment (KRAKEN_VISION_URL) or the emulator.",
    z.object({ baseUrl: z.string().trim().url().max(2000).nullable() }).strict(),
    VisionConnection,
  ),
  'vision.checkConnection': channel('Is the vision platform reachable now?', Empty, VisionReachability),
  'vision.account': channel('Signed in to the vision platform or not (tokens rest in the vault only).', Empty, VisionAccount),
  'vision.signIn': channel('POST /auth/token with e-mail and password; the tokens go to the vault.', z.object({ email: z.string().trim().min(1).max(320), password: z.string().min(1).max(1000) }).strict(), VisionAccount),
  'vision.signOut': channel('Forget the vision tokens.', Empty, VisionAccount),
  'vision.profile': channel('GET /user/profile: plan, GPU hours and storage used/limit, the plan’s concurrent-workflow limit and whether a new workflow can start.', Empty, VisionProfile),
  'vision.projects': channel('GET /projects.', Empty, z.array(VisionProject)),

  'vision.chatSend': channel(
    'POST /chat/message: the creator’s words (a new session id is made when none is given); the reply asks questions or completes the training config.',
    z
      .object({
        sessionId: z.string().trim().min(1).max(200).optional(),
        message: z.string().trim().min(1).max(10_000),
        context: z.record(z.string(), z.unknown()).optional(),
      })
      .strict(),
    VisionChatReply,
  ),
  'vision.chatSessions': channel('The chat sessions this studio remembers, newest first.', Empty, z.array(VisionChatSummary)),
  'vision.chatSession': channel('GET /chat/sessions/{id}: reopen a session (its messages).', SessionRef, VisionChatSession),
  'vision.chatDelete': channel('DELETE /chat/sessions/{id} (and forget it here).', SessionRef, z.object({ deleted: z.boolean() })),

  'vision.uploadDataset': channel(
    'POST /datasets/upload (multipart file, name, format, description), streamed with progress; returns the job at once (job result: {datasetId}).',
    z
      .object({
        path: z.string().min(1).max(4096),
        name: z.string().trim().min(1).max(200),
        format: VisionDatasetFormat,
        description: z.string().max(2000).optional(),
        projectId: Id.optional(),
      })
      .strict(),
    z.object({ jobId: z.string() }),
  ),
  'vision.datasets': channel('GET /datasets (paged), merged with what this studio uploaded.', z.object(Page).strict(), z.object({ datasets: z.array(VisionDataset), total: z.number().nullable() })),
  'vision.dataset': channel('GET /datasets/{id}: statistics and class counts.', DatasetRef, VisionDataset),
  'vision.validateDataset': channel(
    'POST /datasets/{id}/validate: issues by severity and recommendations (kept with the dataset).',
    z.object({ datasetId: z.string().trim().min(1).max(200), expectedFormat: z.string().max(64).optional(), expectedClasses: z.number().int().min(1).max(100_000).optional() }).strict(),
    VisionValidation,
  ),

  'vision.models': channel(
    'GET /models: the catalogue, filtered by task type, framework and a search.',
    z.object({ taskType: z.string().max(64).optional(), framework: z.string().max(64).optional(), search: z.string().max(200).optional(), ...Page }).strict(),
    z.object({ models: z.array(VisionCatalogueModel), total: z.number().nullable(), page: z.number().nullable(), limit: z.number().nullable() }),
  ),
  'vision.model': channel('GET /models/{id}: input size and supported backends.', z.object({ modelId: z.string().trim().min(1).max(200) }).strict(), VisionCatalogueModel),

  'vision.createWorkflow': channel(
    'POST /workflows (checked against the plan’s concurrent-workflow limit first); followed live at once. 201: queue position and estimate.',
    VisionCreateWorkflowRequest,
    VisionWorkflow,
  ),
  'vision.workflows': channel(
    'GET /workflows with status filter, paging (limit ≤ 100) and sort; merged with the studio’s records.',
    z.object({ status: VisionWorkflowState.exclude(['unknown']).optional(), sort: z.enum(['created_at', '-created_at']).optional(), ...Page }).strict(),
    z.object({ workflows: z.array(VisionWorkflow), total: z.number().nullable(), page: z.number().nullable(), limit: z.number().nullable(), hasNext: z.boolean() }),
  ),
  'vision.workflow': channel('GET /workflows/{id}: progress, metrics, resources (the studio’s record when the platform cannot be asked).', WorkflowRef, VisionWorkflow),
  'vision.metrics': channel('Every epoch’s metrics, once each (the gap filled from GET /workflows/{id}/metrics first).', WorkflowRef, z.object({ workflowId: z.string(), points: z.array(VisionMetricPoint) })),
  'vision.logs': channel(
    'GET /workflows/{id}/logs?tail=N.',
    z.object({ workflowId: z.string().trim().min(1).max(200), tail: z.number().int().min(1).max(10_000).default(100) }).strict(),
    z.object({ workflowId: z.string(), logs: z.array(VisionLogLine), totalLines: z.number().nullable() }),
  ),
  'vision.cancelWorkflow': channel('DELETE /workflows/{id}: stop (and delete) a workflow.', WorkflowRef, VisionWorkflow),
  'vision.follow': channel('Follow a workflow live (WebSocket, reconnecting, gaps filled from the history) until it ends.', WorkflowRef, VisionWorkflow),

  'vision.pull': channel(
    'Bring the model home: GET /workflows/{id}/export?format=onnx, verify it loads, register it in the model library with class names as labels and its lineage. Returns the job at once (job result: {modelId}). 404: details.visionProblem EXPORT_NOT_OFFERED (offer cloud inference).',
    WorkflowRef,
    z.object({ jobId: z.string() }),
  ),
  'vision.predict': channel(
    'POST /inference/{id}/predict on one image (a file or a project image), sent as image_base64.',
    z.object({ workflowId: z.string().trim().min(1).max(200), path: z.string().min(1).max(4096).optional(), imageId: Id.optional() }).strict().refine((r) => (r.path === undefined) !== (r.imageId === undefined), 'path or imageId (one of them)'),
    VisionPredictResult,
  ),
  'vision.batchPredict': channel(
    'POST /inference/{id}/batch on a frame set or chosen images (202, then polled with progress); results are stored as a model run so they compare with local runs. Returns the job and run at once.',
    z.object({ workflowId: z.string().trim().min(1).max(200), projectId: Id, frameSetId: Id.optional(), imageIds: z.array(Id).min(1).max(10_000).optional() }).strict(),
    z.object({ jobId: z.string(), runId: Id }),
  ),
};

/** Events of the vision domain. */
export const visionEvents = {
  /** A workflow changed (status, progress, live state, local model). */
  'vision.workflowUpdated': VisionWorkflow,
  /** New epochs of a workflow, each epoch exactly once (live or filled after a reconnect/restart), in epoch order. */
  'vision.metrics': z.object({ workflowId: z.string(), points: z.array(VisionMetricPoint) }),
  /** checkpoint_saved from the WebSocket. */
  'vision.checkpointSaved': z.object({ workflowId: z.string(), epoch: z.number().nullable(), data: z.record(z.string(), z.unknown()) }),
  /** A workflow reached completed/failed/cancelled (once per workflow and final state): shells notify. */
  'vision.workflowFinished': z.object({ workflow: VisionWorkflow, outcome: z.enum(['completed', 'failed', 'cancelled']) }),
  /** The platform asked the studio to wait (429, or the window nearly used): no request goes out until `until`. */
  'vision.rateLimited': z.object({ until: IsoTime, waitMs: z.number(), limit: z.number().nullable(), remaining: z.number().nullable() }),
  /** Signed out without being asked (refresh refused). */
  'vision.accountChanged': VisionAccount,
  /** A dataset's record changed (uploaded, detail read, validated). */
  'vision.datasetUpdated': VisionDataset,
} as const;
