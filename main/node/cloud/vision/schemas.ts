/**
 * Seed 001 (the vision training platform, `/api/v1`) as zod schemas: every request the studio sends and every reply
 * it reads, with the seed's own field names (`session_id`, `training_config`, `dataset_id`, `has_next`, …).
 * Replies are read liberally: unknown fields pass (`looseObject`), optional parts may be missing or null, numbers may
 * arrive as numeric strings, ids as numbers. What the studio cannot do without (an id) is required.
 * See CONTRACT-NOTES.md for every reading of the seed.
 */
import { z } from 'zod';

/** A number, or a numeric string (some servers stringify). */
export const Num = z.union([z.number(), z.string().trim().regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/).transform(Number)]);
/** An id: a string, or a number made a string. */
export const IdText = z.union([z.string().min(1), z.number().transform(String)]);
/** Absent, null and '' all read as null. */
export const OptText = z
  .union([z.string(), z.number().transform(String), z.null()])
  .optional()
  .transform((v) => (v === undefined || v === null || v === '' ? null : v));
export const OptNum = z
  .union([Num, z.null(), z.literal('')])
  .optional()
  .transform((v) => (v === undefined || v === null || v === '' ? null : v));
const OptBool = z
  .union([z.boolean(), z.null()])
  .optional()
  .transform((v) => v ?? null);
/** A list that may be missing or null: read as empty. */
function list<T extends z.ZodType>(item: T) {
  return z
    .union([z.array(item), z.null()])
    .optional()
    .transform((v) => (v ?? []) as z.output<T>[]);
}
/** A list of strings where odd entries (numbers, nulls) are tolerated. */
const TextList = z
  .union([z.array(z.unknown()), z.null()])
  .optional()
  .transform((v) => (v ?? []).filter((x) => x !== null && x !== undefined).map(String));
/** A record of numbers (metrics): entries that are not numbers are left out. */
export const NumRecord = z
  .union([z.record(z.string(), z.unknown()), z.null()])
  .optional()
  .transform((v) => {
    const out: Record<string, number> = {};
    for (const [k, x] of Object.entries(v ?? {})) {
      const n = typeof x === 'number' ? x : typeof x === 'string' && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(x.trim()) ? Number(x) : NaN;
      if (Number.isFinite(n)) out[k] = n;
    }
    return out;
  });
const AnyRecord = z
  .union([z.record(z.string(), z.unknown()), z.null()])
  .optional()
  .transform((v) => v ?? null);

// ---- auth ----

export const TokenRequest = z.object({ email: z.string(), password: z.string() });
export const TokenReply = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  token_type: OptText,
  expires_in: OptNum,
});
export type TokenReply = z.infer<typeof TokenReply>;
export const RefreshRequest = z.object({ refresh_token: z.string() });
/** The seed's refresh reply has no refresh_token; a server that rotates it may send one. */
export const RefreshReply = TokenReply;

// ---- chat ----

export const ChatMessageRequest = z.object({ session_id: z.string(), message: z.string(), context: z.record(z.string(), z.unknown()) });

export const Question = z.looseObject({
  id: IdText.optional(),
  field: OptText,
  question: OptText,
  required: OptBool,
  suggestions: TextList,
});

export const Hyperparameters = z.looseObject({
  epochs: OptNum,
  batch_size: OptNum,
  learning_rate: OptNum,
  optimizer: OptText,
});

export const TrainingConfig = z.looseObject({
  task_type: OptText,
  model_name: OptText,
  /** Some servers may say `model` as POST /workflows does. */
  model: OptText,
  model_source: OptText,
  num_classes: OptNum,
  class_names: TextList,
  dataset: z
    .union([z.looseObject({ source: OptText, dataset_id: OptText }), z.string(), z.null()])
    .optional()
    .transform((d) => (typeof d === 'string' ? { source: null, dataset_id: d } : (d ?? null))),
  dataset_id: OptText,
  hyperparameters: z
    .union([Hyperparameters, z.null()])
    .optional()
    .transform((h) => h ?? null),
});
export type TrainingConfig = z.infer<typeof TrainingConfig>;

export const ChatReply = z.looseObject({
  type: z.string().optional(),
  session_id: OptText,
  parsed_intent: AnyRecord,
  questions: list(Question),
  training_config: z
    .union([TrainingConfig, z.null()])
    .optional()
    .transform((c) => c ?? null),
  message: OptText,
  actions: list(z.looseObject({ type: OptText, label: OptText })),
});
export type ChatReply = z.infer<typeof ChatReply>;

export const ChatSessionReply = z.looseObject({
  session_id: OptText,
  created_at: OptText,
  updated_at: OptText,
  messages: list(z.looseObject({ role: OptText, content: OptText, timestamp: OptText })),
  status: OptText,
});
export type ChatSessionReply = z.infer<typeof ChatSessionReply>;

// ---- workflows ----

export const CreateWorkflowRequest = z.object({
  name: z.string(),
  description: z.string().optional(),
  config: z.looseObject({
    task_type: z.string(),
    model: z.string(),
    dataset_id: z.string(),
    hyperparameters: z.looseObject({ epochs: z.number().optional(), batch_size: z.number().optional(), learning_rate: z.number().optional(), optimizer: z.string().optional() }),
  }),
});
export type CreateWorkflowRequest = z.infer<typeof CreateWorkflowRequest>;

export const CreateWorkflowReply = z.looseObject({
  workflow_id: IdText,
  name: OptText,
  status: OptText,
  created_at: OptText,
  estimated_duration_minutes: OptNum,
  queue_position: OptNum,
});
export type CreateWorkflowReply = z.infer<typeof CreateWorkflowReply>;

/** `progress`: an object in the detail, a bare percentage in the list. */
const Progress = z
  .union([z.looseObject({ current_epoch: OptNum, total_epochs: OptNum, percentage: OptNum }), Num, z.null()])
  .optional()
  .transform((p) => {
    if (p === undefined || p === null) return null;
    if (typeof p === 'number') return { current_epoch: null, total_epochs: null, percentage: p };
    return p;
  });

export const WorkflowSummary = z.looseObject({
  workflow_id: IdText,
  name: OptText,
  description: OptText,
  status: OptText,
  progress: Progress,
  created_at: OptText,
  started_at: OptText,
  completed_at: OptText,
});
export type WorkflowSummary = z.infer<typeof WorkflowSummary>;

export const WorkflowList = z.looseObject({
  workflows: list(WorkflowSummary),
  total: OptNum,
  page: OptNum,
  limit: OptNum,
  has_next: OptBool,
});
export type WorkflowList = z.infer<typeof WorkflowList>;

export const WorkflowDetail = z.looseObject({
  workflow_id: IdText,
  name: OptText,
  description: OptText,
  status: OptText,
  progress: Progress,
  metrics: NumRecord,
  resources: z
    .union([z.looseObject({ gpu_type: OptText, gpu_count: OptNum, memory_gb: OptNum }), z.null()])
    .optional()
    .transform((r) => r ?? null),
  /** Not in the seed's detail; read when a server echoes the config it was given. */
  config: z
    .union([TrainingConfig, z.null()])
    .optional()
    .transform((c) => c ?? null),
  class_names: TextList,
  error: z.unknown().optional(),
  created_at: OptText,
  started_at: OptText,
  completed_at: OptText,
  estimated_completion_at: OptText,
});
export type WorkflowDetail = z.infer<typeof WorkflowDetail>;

/** Keys of a metrics history row that are not metrics. */
export const METRIC_ROW_KEYS = new Set(['timestamp', 'epoch', 'step', 'metrics']);

/** One history row: `{timestamp, epoch, step, loss, accuracy, …}` flat as the seed writes it (a nested `metrics` is read too). */
export const MetricRow = z
  .record(z.string(), z.unknown())
  .transform((row, ctx) => {
    const epoch = Num.safeParse(row.epoch);
    if (!epoch.success) {
      ctx.addIssue({ code: 'custom', message: 'epoch', path: ['epoch'] });
      return z.NEVER;
    }
    const flat: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) if (!METRIC_ROW_KEYS.has(k)) flat[k] = v;
    const nested = row.metrics && typeof row.metrics === 'object' ? (row.metrics as Record<string, unknown>) : {};
    const step = Num.safeParse(row.step);
    return {
      epoch: Math.trunc(epoch.data),
      step: step.success ? step.data : null,
      timestamp: typeof row.timestamp === 'string' ? row.timestamp : null,
      metrics: NumRecord.parse({ ...flat, ...nested }),
    };
  });
export type MetricRow = z.infer<typeof MetricRow>;

export const MetricsReply = z.looseObject({
  workflow_id: OptText,
  /** Rows without an epoch are skipped rather than failing the whole history. */
  metrics: z
    .union([z.array(z.unknown()), z.null()])
    .optional()
    .transform((rows) => (rows ?? []).flatMap((r) => {
      const p = MetricRow.safeParse(r);
      return p.success ? [p.data] : [];
    })),
});
export type MetricsReply = z.infer<typeof MetricsReply>;

export const CancelReply = z.looseObject({ workflow_id: OptText, status: OptText, cancelled_at: OptText });

export const LogsReply = z.looseObject({
  workflow_id: OptText,
  logs: list(
    z.union([z.looseObject({ timestamp: OptText, level: OptText, message: OptText }), z.string().transform((message) => ({ timestamp: null, level: null, message }))]),
  ),
  total_lines: OptNum,
});
export type LogsReply = z.infer<typeof LogsReply>;

// ---- datasets ----

export const DatasetSummary = z.looseObject({
  dataset_id: IdText,
  name: OptText,
  description: OptText,
  format: OptText,
  size_mb: OptNum,
  file_count: OptNum,
  status: OptText,
  created_at: OptText,
  updated_at: OptText,
});
export type DatasetSummary = z.infer<typeof DatasetSummary>;

export const DatasetStatistics = z.looseObject({
  total_images: OptNum,
  train_images: OptNum,
  val_images: OptNum,
  test_images: OptNum,
  classes: list(z.looseObject({ name: z.union([z.string(), z.number().transform(String)]), count: OptNum.transform((n) => n ?? 0) })),
});

export const DatasetDetail = DatasetSummary.extend({
  statistics: z
    .union([DatasetStatistics, z.null()])
    .optional()
    .transform((s) => s ?? null),
});
export type DatasetDetail = z.infer<typeof DatasetDetail>;

export const DatasetList = z.looseObject({ datasets: list(DatasetSummary), total: OptNum, page: OptNum, limit: OptNum });

export const ValidateRequest = z.object({ expected_format: z.string().optional(), expected_classes: z.number().optional() });

export const ValidateReply = z.looseObject({
  dataset_id: OptText,
  valid: z.union([z.boolean(), z.null()]).optional(),
  issues: list(
    z.looseObject({
      severity: OptText,
      message: OptText,
      details: AnyRecord,
    }),
  ),
  recommendations: TextList,
});
export type ValidateReply = z.infer<typeof ValidateReply>;

// ---- models ----

export const CatalogueModel = z.looseObject({
  model_id: IdText,
  name: OptText,
  framework: OptText,
  task_types: TextList,
  parameters: OptText,
  pretrained_weights: TextList,
  description: OptText,
  metrics: NumRecord,
  input_size: z
    .union([z.array(Num), Num.transform((n) => [n, n, 3]), z.null()])
    .optional()
    .transform((v) => v ?? null),
  supported_backends: TextList,
  example_usage: OptText,
  documentation_url: OptText,
});
export type CatalogueModel = z.infer<typeof CatalogueModel>;

export const ModelList = z.looseObject({ models: list(CatalogueModel), total: OptNum, page: OptNum, limit: OptNum });

// ---- inference ----

export const PredictRequest = z.union([z.object({ image_url: z.string() }), z.object({ image_base64: z.string() })]);

export const Prediction = z.looseObject({
  class: z.union([z.string(), z.number().transform(String)]).optional(),
  label: OptText,
  confidence: OptNum,
  score: OptNum,
  class_id: OptNum,
});
export type Prediction = z.infer<typeof Prediction>;

export const PredictReply = z.looseObject({
  predictions: list(Prediction),
  inference_time_ms: OptNum,
  model_version: OptText,
});
export type PredictReply = z.infer<typeof PredictReply>;

export const BatchRequest = z.object({ images: z.array(PredictRequest) });

export const BatchReply = z.looseObject({
  job_id: IdText,
  status: OptText,
  total_images: OptNum,
  estimated_completion_time: OptText,
});

export const BatchResult = z.looseObject({
  image_url: OptText,
  /** Not in the seed: the position in the request, when a server says it. */
  index: OptNum,
  predictions: list(Prediction),
  error: z.unknown().optional(),
});

export const BatchStatusReply = z.looseObject({
  job_id: OptText,
  status: OptText,
  total_images: OptNum,
  completed_images: OptNum,
  results: list(BatchResult),
  completed_at: OptText,
});
export type BatchStatusReply = z.infer<typeof BatchStatusReply>;

// ---- user & projects ----

export const ProfileReply = z.looseObject({
  user_id: OptText,
  email: OptText,
  name: OptText,
  plan: OptText,
  created_at: OptText,
  usage: z
    .union([z.looseObject({ gpu_hours_used: OptNum, gpu_hours_limit: OptNum, storage_gb_used: OptNum, storage_gb_limit: OptNum }), z.null()])
    .optional()
    .transform((u) => u ?? { gpu_hours_used: null, gpu_hours_limit: null, storage_gb_used: null, storage_gb_limit: null }),
  /** Not in the seed; read when a server names the limit itself. */
  concurrent_workflows: OptNum,
});
export type ProfileReply = z.infer<typeof ProfileReply>;

export const ProjectsReply = z.looseObject({
  projects: list(
    z.looseObject({
      project_id: IdText,
      name: OptText,
      description: OptText,
      workflow_count: OptNum,
      dataset_count: OptNum,
      created_at: OptText,
    }),
  ),
});

// ---- WebSocket ----

export const WsMessage = z.looseObject({
  type: z.string(),
  workflow_id: OptText,
  timestamp: OptText,
  data: z
    .union([z.record(z.string(), z.unknown()), z.null()])
    .optional()
    .transform((d) => d ?? {}),
});
export type WsMessage = z.infer<typeof WsMessage>;

export const WsProgressData = z.looseObject({
  epoch: Num,
  step: OptNum,
  metrics: NumRecord,
  eta_minutes: OptNum,
  gpu_utilization: OptNum,
  memory_usage_gb: OptNum,
  total_epochs: OptNum,
});
export type WsProgressData = z.infer<typeof WsProgressData>;

// ---- errors ----

/** `{error: {code, message, details, request_id}}`. */
export const ErrorBody = z.looseObject({
  error: z.looseObject({
    code: OptText,
    message: OptText,
    details: z.unknown().optional(),
    request_id: OptText,
  }),
});
