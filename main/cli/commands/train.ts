/**
 * `kraken train <command>` — model training on the vision training platform (seed 001) from the command line,
 * through the studio's VisionService and library: workflows started here are followed by the studio too, and a
 * model pulled here is in the studio's model library (`kraken infer --model <id>` runs it offline). The password
 * comes from stdin only (`--password-stdin`); tokens go to the OS keychain (or the 0600 file) and never to output.
 * A refusal is one line on stderr and exit 1.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../common/app-error';
import type { VisionChatReply, VisionCreateWorkflowRequest, VisionMetricPoint, VisionTask, VisionWorkflow } from '../../common/contract';
import { VisionTask as VisionTaskSchema, VisionWorkflowState } from '../../common/contract/vision';
import { openVisionKit, type VisionKit } from '../../node/cloud/vision/kit';
import { UsageError, type CliIo } from '../cli-io';
import { CLOUD_COMMON as COMMON, cliDataDir, parseCloudArgs as parse, wholeNumber } from '../cloud-args';

const HELP: Record<string, string> = {
  login: `usage: kraken train login --email <e-mail> --password-stdin ${COMMON}\n  POST /auth/token; the password is read from stdin, the tokens go to the OS keychain (or a 0600 file where there is none).`,
  logout: `usage: kraken train logout ${COMMON}\n  Forgets the vision platform's tokens of this data folder and address.`,
  profile: `usage: kraken train profile ${COMMON}\n  GET /user/profile: plan, GPU hours and storage used/limit, the plan's concurrent workflows and how many run now.`,
  chat: `usage: kraken train chat "<message>" [--session <id>] ${COMMON}\n  POST /chat/message: prints the platform's questions (answer them in the next message with --session), or the\n  final training config (save it with --json > config.json, then kraken train start --config config.json).`,
  models: `usage: kraken train models [--task <t>] [--framework <f>] [--search <s>] ${COMMON}\n  GET /models: the platform's model catalogue (model_id, task types, input size on detail).`,
  start: `usage: kraken train start --dataset <id> --model <m> --task classification|detection|segmentation --classes a,b,c [--epochs N] [--batch N] [--lr X] [--name N] [--description D] ${COMMON}\n       kraken train start --config <file.json> [any of the options above to override it]\n  POST /workflows (the plan's limits are checked first); prints the workflow id. --config takes a chat's final\n  config (the --json of kraken train chat, or its training_config).`,
  list: `usage: kraken train list [--status pending|training|completed|failed|cancelled] [--page N] [--limit N] ${COMMON}\n  GET /workflows (limit at most 100, newest first).`,
  status: `usage: kraken train status <workflowId> ${COMMON}\n  GET /workflows/{id}: status, progress, latest metrics, resources.`,
  watch: `usage: kraken train watch <workflowId> ${COMMON}\n  Follows the training live (WebSocket, reconnecting, gaps filled from the history): one line per epoch.\n  Exit 0 on training_complete, 1 on training_error (or cancelled).`,
  logs: `usage: kraken train logs <workflowId> [--tail N] ${COMMON}\n  GET /workflows/{id}/logs?tail=N (default 100).`,
  cancel: `usage: kraken train cancel <workflowId> ${COMMON}\n  DELETE /workflows/{id}: stops (and deletes) the workflow.`,
  pull: `usage: kraken train pull <workflowId> ${COMMON}\n  Brings the trained model home (GET /workflows/{id}/export?format=onnx), checks that it loads and adds it to the\n  local model library with the class names as labels and its lineage; prints the new model id. Then:\n  kraken infer --model <id> <images>. A platform without the export says so (use kraken train predict).`,
  predict: `usage: kraken train predict <workflowId> <image…> ${COMMON}\n  POST /inference/{id}/predict for each image (cloud inference; sent as image_base64).`,
};

function groupHelp(): string {
  return [
    'usage: kraken train <command> [options]   (model training on the vision training platform)',
    '',
    ...Object.values(HELP).map((h) => '  ' + h.split('\n')[0]!.replace('usage: ', '')),
    '',
    'Address: --api <url> (the base including /api/v1), else the saved setting, else KRAKEN_VISION_URL.',
  ].join('\n');
}

export const TRAIN_SUBCOMMANDS = Object.keys(HELP);

/** Runs `kraken train …`; returns the exit code. */
export async function runTrain(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(groupHelp());
    return sub ? 0 : 2;
  }
  const usage = HELP[sub];
  if (!usage) throw new UsageError(`unknown command "${sub}". Run \`kraken train --help\`.`);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(usage);
    return 0;
  }
  const line = usage.split('\n')[0]!;
  switch (sub) {
    case 'login':
      return login(rest, io, line);
    case 'logout':
      return simple(rest, io, line, async (k) => {
        const a = await k.service.signOut();
        return { json: a, text: 'Signed out of the vision training platform.' };
      });
    case 'profile':
      return simple(rest, io, line, async (k) => {
        const p = await k.service.profile();
        const u = p.usage;
        const lines = [
          `${p.email ?? p.userId ?? '?'}  plan ${p.plan ?? '?'}`,
          `  GPU hours  ${u.gpuHoursUsed ?? '?'} of ${u.gpuHoursLimit ?? '?'}`,
          `  storage    ${u.storageGbUsed ?? '?'} of ${u.storageGbLimit ?? '?'} GB`,
          `  workflows  ${p.activeWorkflows} pending or training of ${p.limits.concurrentWorkflows ?? '?'} at a time`,
        ];
        if (p.blocked) lines.push(`  ${p.blocked}`);
        return { json: p, text: lines.join('\n') };
      });
    case 'chat':
      return chat(rest, io, line);
    case 'models':
      return models(rest, io, line);
    case 'start':
      return start(rest, io, line);
    case 'list':
      return list(rest, io, line);
    case 'status':
      return oneWorkflow(rest, io, line, async (k, id) => {
        const w = await k.service.getWorkflow(id);
        return { json: w, text: workflowText(w) };
      });
    case 'watch':
      return watch(rest, io, line);
    case 'logs':
      return logs(rest, io, line);
    case 'cancel':
      return oneWorkflow(rest, io, line, async (k, id) => {
        const w = await k.service.cancelWorkflow(id);
        return { json: w, text: `${w.workflowId}  ${w.state}` };
      });
    case 'pull':
      return oneWorkflow(rest, io, line, async (k, id) => {
        const r = await k.service.pull(id, {
          onProgress: io.interactive ? (p) => io.err(`\rdownloading ${Math.round(p.receivedBytes / 1024)} KB${p.totalBytes ? ` of ${Math.round(p.totalBytes / 1024)} KB` : ''}`) : undefined,
        });
        return { json: { modelId: r.modelId, model: r.manifest }, text: r.modelId };
      });
    default:
      return predict(rest, io, line);
  }
}

async function withKit<T>(values: { api?: string; 'data-dir'?: string }, io: CliIo, fn: (k: VisionKit) => Promise<T>, opts: { onEvent?: Parameters<typeof openVisionKit>[0]['onEvent']; tellFallback?: boolean } = {}): Promise<T> {
  const k = openVisionKit({ dataDir: cliDataDir(values, io), api: values.api, env: io.env, onEvent: opts.onEvent, onVaultFallback: opts.tellFallback ? (m) => io.err(m) : undefined });
  try {
    return await fn(k);
  } finally {
    k.close();
  }
}

function print(io: CliIo, json: boolean, r: { json: unknown; text: string }): void {
  io.out(json ? JSON.stringify(r.json, null, 2) : r.text);
}

async function simple(argv: string[], io: CliIo, usage: string, fn: (k: VisionKit) => Promise<{ json: unknown; text: string }>): Promise<number> {
  const { values, positionals } = parse(argv, {}, usage);
  if (positionals.length) throw new UsageError(usage);
  print(io, values.json, await withKit(values, io, fn));
  return 0;
}

async function oneWorkflow(argv: string[], io: CliIo, usage: string, fn: (k: VisionKit, id: string) => Promise<{ json: unknown; text: string }>): Promise<number> {
  const { values, positionals } = parse(argv, {}, usage);
  if (positionals.length !== 1 || !positionals[0]!.trim()) throw new UsageError(usage);
  print(io, values.json, await withKit(values, io, (k) => fn(k, positionals[0]!.trim())));
  return 0;
}

/** Reads a secret from stdin: the first line, without its line break. */
async function readSecret(what: string): Promise<string> {
  const stdin = process.stdin;
  if ((stdin as NodeJS.ReadStream).isTTY) throw new UsageError(`${what} is read from stdin: pipe it in (e.g. \`printf %s "$PW" | kraken train login …\`).`);
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(Buffer.from(c as Buffer));
  const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (!line) throw new UsageError(`${what} on stdin is empty.`);
  return line;
}

async function login(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, { email: { type: 'string' }, 'password-stdin': { type: 'boolean', default: false } }, usage);
  if (!values['password-stdin']) throw new UsageError(`the password is read from stdin only: add --password-stdin. ${usage}`);
  if (positionals.length || !values.email?.trim()) throw new UsageError(usage);
  const password = await readSecret('The password');
  const a = await withKit(values, io, (k) => k.service.signIn(values.email!.trim(), password), { tellFallback: true });
  print(io, values.json, { json: a, text: `Signed in to the vision training platform as ${a.email}.` });
  return 0;
}

function chatText(r: VisionChatReply): string {
  const lines: string[] = [];
  if (r.message) lines.push(r.message);
  for (const q of r.questions) {
    lines.push(`- ${q.required ? '[required] ' : ''}${q.field}: ${q.question}${q.suggestions.length ? `  (suggestions: ${q.suggestions.join(', ')})` : ''}`);
  }
  const c = r.trainingConfig;
  if (c) {
    lines.push('training config:');
    lines.push(`  task     ${c.taskType ?? '?'}`);
    lines.push(`  model    ${c.modelName ?? '?'}${c.modelSource ? ` (${c.modelSource})` : ''}`);
    lines.push(`  classes  ${c.classNames.join(', ') || '?'}`);
    lines.push(`  dataset  ${c.datasetId ?? '?'}`);
    const h = c.hyperparameters;
    lines.push(`  epochs ${h.epochs ?? '?'}  batch ${h.batchSize ?? '?'}  lr ${h.learningRate ?? '?'}${h.optimizer ? `  optimizer ${h.optimizer}` : ''}`);
    if (r.actions.length) lines.push(`actions: ${r.actions.map((a) => `${a.type} (${a.label})`).join(', ')}`);
  }
  lines.push(`session: ${r.sessionId}`);
  return lines.join('\n');
}

async function chat(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, { session: { type: 'string' } }, usage);
  const message = positionals.join(' ').trim();
  if (!message) throw new UsageError(usage);
  const r = await withKit(values, io, (k) => k.service.chatSend({ sessionId: values.session?.trim() || undefined, message }));
  print(io, values.json, { json: r, text: chatText(r) });
  return 0;
}

async function models(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, { task: { type: 'string' }, framework: { type: 'string' }, search: { type: 'string' } }, usage);
  if (positionals.length) throw new UsageError(usage);
  const r = await withKit(values, io, (k) => k.service.models({ taskType: values.task, framework: values.framework, search: values.search }));
  print(io, values.json, { json: r, text: r.models.map((m) => `${m.modelId}  ${m.taskTypes.join(',')}  ${m.framework ?? ''}  ${m.parameters ?? ''}`.trimEnd()).join('\n') || 'No models.' });
  return 0;
}

/** A chat's final config (the reply's --json, its training_config, or the studio's camelCase config) as start options. */
export function configFromFile(file: string): Partial<VisionCreateWorkflowRequest> {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(path.resolve(file), 'utf8'));
  } catch (err) {
    const e = AppError.from(err);
    throw new AppError(e.code === 'NOT_FOUND' ? 'NOT_FOUND' : 'INVALID_INPUT', e.code === 'NOT_FOUND' ? `No config file at ${path.resolve(file)}.` : `${file} is not a JSON file: ${e.message}`, { path: file });
  }
  let c = raw as Record<string, unknown>;
  if (!c || typeof c !== 'object' || Array.isArray(c)) throw new AppError('INVALID_INPUT', `${file} does not hold a training config (a JSON object).`);
  for (const key of ['trainingConfig', 'training_config', 'config']) {
    const inner = c[key];
    if (inner && typeof inner === 'object') c = inner as Record<string, unknown>;
  }
  const str = (...keys: string[]) => {
    for (const k of keys) if (typeof c[k] === 'string' && (c[k] as string).trim()) return (c[k] as string).trim();
    return undefined;
  };
  const dataset = c.dataset && typeof c.dataset === 'object' ? (c.dataset as Record<string, unknown>) : {};
  const h = (c.hyperparameters && typeof c.hyperparameters === 'object' ? c.hyperparameters : {}) as Record<string, unknown>;
  const num = (...keys: string[]) => {
    for (const k of keys) if (typeof h[k] === 'number') return h[k] as number;
    return undefined;
  };
  const classes = c.classNames ?? c.class_names;
  const out: Partial<VisionCreateWorkflowRequest> = {
    taskType: str('taskType', 'task_type') as VisionTask | undefined,
    model: str('modelName', 'model_name', 'model'),
    datasetId: str('datasetId', 'dataset_id') ?? (typeof dataset.dataset_id === 'string' ? dataset.dataset_id : undefined),
    classNames: Array.isArray(classes) ? classes.map(String) : undefined,
    name: str('name'),
    hyperparameters: {
      ...(num('epochs') !== undefined ? { epochs: num('epochs') } : {}),
      ...(num('batchSize', 'batch_size') !== undefined ? { batchSize: num('batchSize', 'batch_size') } : {}),
      ...(num('learningRate', 'learning_rate') !== undefined ? { learningRate: num('learningRate', 'learning_rate') } : {}),
      ...(typeof h.optimizer === 'string' ? { optimizer: h.optimizer } : {}),
    },
  };
  return out;
}

async function start(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      config: { type: 'string' },
      dataset: { type: 'string' },
      model: { type: 'string' },
      task: { type: 'string' },
      classes: { type: 'string' },
      epochs: { type: 'string' },
      batch: { type: 'string' },
      lr: { type: 'string' },
      name: { type: 'string' },
      description: { type: 'string' },
    },
    usage,
  );
  if (positionals.length) throw new UsageError(usage);
  const base = values.config ? configFromFile(values.config) : {};
  const taskText = values.task ?? base.taskType;
  const task = VisionTaskSchema.safeParse(taskText);
  const classNames = values.classes !== undefined ? values.classes.split(',').map((s) => s.trim()).filter(Boolean) : base.classNames;
  const model = values.model ?? base.model;
  const datasetId = values.dataset ?? base.datasetId;
  const missing = [!datasetId && '--dataset', !model && '--model', !taskText && '--task', !classNames?.length && '--classes'].filter(Boolean);
  if (missing.length) throw new UsageError(`${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} needed (or a --config with them). ${usage}`);
  if (!task.success) throw new UsageError(`--task takes classification, detection or segmentation, not "${taskText}".`);
  let lr: number | undefined;
  if (values.lr !== undefined) {
    lr = Number(values.lr);
    if (!Number.isFinite(lr) || lr <= 0 || lr > 100) throw new UsageError(`--lr takes a positive number (e.g. 0.001), not "${values.lr}".`);
  }
  const hyper = { ...base.hyperparameters };
  const epochs = wholeNumber(values.epochs, '--epochs', 1, 100_000);
  const batch = wholeNumber(values.batch, '--batch', 1, 100_000);
  if (epochs !== undefined) hyper.epochs = epochs;
  if (batch !== undefined) hyper.batchSize = batch;
  if (lr !== undefined) hyper.learningRate = lr;
  const req: VisionCreateWorkflowRequest = {
    name: values.name?.trim() || base.name || `${model} ${classNames!.join(', ')}`.slice(0, 200),
    ...(values.description !== undefined ? { description: values.description } : {}),
    taskType: task.data,
    model: model!,
    datasetId: datasetId!,
    classNames: classNames!,
    hyperparameters: hyper,
  };
  const w = await withKit(values, io, (k) => k.service.createWorkflow(req, { follow: false }));
  print(io, values.json, { json: w, text: w.workflowId });
  if (!values.json) io.err(`Started: ${w.state}${w.queuePosition !== null ? `, queue position ${w.queuePosition}` : ''}${w.estimatedDurationMinutes !== null ? `, about ${w.estimatedDurationMinutes} min` : ''}. Follow it with: kraken train watch ${w.workflowId}`);
  return 0;
}

function workflowLine(w: VisionWorkflow): string {
  const prog = w.percentage !== null ? `${Math.round(w.percentage)}%` : w.currentEpoch !== null ? `epoch ${w.currentEpoch}` : '';
  return [w.workflowId, w.state, prog, w.name].filter(Boolean).join('  ');
}

function metricsText(m: Record<string, number>): string {
  return Object.entries(m)
    .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(4)}`)
    .join('  ');
}

function workflowText(w: VisionWorkflow): string {
  const lines = [workflowLine(w)];
  if (w.currentEpoch !== null || w.totalEpochs !== null) lines.push(`  epoch     ${w.currentEpoch ?? '?'} of ${w.totalEpochs ?? '?'}`);
  if (Object.keys(w.metrics).length) lines.push(`  metrics   ${metricsText(w.metrics)}`);
  if (w.model) lines.push(`  model     ${w.model}`);
  if (w.datasetId) lines.push(`  dataset   ${w.datasetId}`);
  if (w.classNames.length) lines.push(`  classes   ${w.classNames.join(', ')}`);
  if (w.resources.gpuType) lines.push(`  resources ${w.resources.gpuCount ?? 1}× ${w.resources.gpuType}${w.resources.memoryGb ? `, ${w.resources.memoryGb} GB` : ''}`);
  if (w.queuePosition !== null) lines.push(`  queue     ${w.queuePosition}`);
  if (w.estimatedCompletionAt) lines.push(`  ends      about ${w.estimatedCompletionAt}`);
  if (w.error) lines.push(`  error     ${w.error}`);
  if (w.localModelId) lines.push(`  local model ${w.localModelId}`);
  return lines.join('\n');
}

async function list(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, { status: { type: 'string' }, page: { type: 'string' }, limit: { type: 'string' } }, usage);
  if (positionals.length) throw new UsageError(usage);
  if (values.status !== undefined && (!VisionWorkflowState.safeParse(values.status).success || values.status === 'unknown')) {
    throw new UsageError(`--status takes pending, training, completed, failed or cancelled, not "${values.status}".`);
  }
  const page = wholeNumber(values.page, '--page', 1, 100_000);
  const limit = wholeNumber(values.limit, '--limit', 1, 100);
  const r = await withKit(values, io, (k) => k.service.listWorkflows({ status: values.status, page, limit }));
  print(io, values.json, { json: r, text: r.workflows.map(workflowLine).join('\n') || 'No workflows.' });
  return 0;
}

function pointLine(p: VisionMetricPoint, total: number | null): string {
  const parts = [`epoch ${p.epoch}${total ? `/${total}` : ''}`, metricsText(p.metrics)];
  if (p.etaMinutes !== null) parts.push(`eta ${p.etaMinutes} min`);
  if (p.gpuUtilization !== null) parts.push(`gpu ${p.gpuUtilization}%`);
  if (p.memoryUsageGb !== null) parts.push(`mem ${p.memoryUsageGb} GB`);
  return parts.filter(Boolean).join('  ');
}

async function watch(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, {}, usage);
  if (positionals.length !== 1 || !positionals[0]!.trim()) throw new UsageError(usage);
  const id = positionals[0]!.trim();
  const printed = new Set<number>();
  let total: number | null = null;
  let lastLive: string | null = null;
  const show = (points: VisionMetricPoint[]) => {
    for (const p of points) {
      if (printed.has(p.epoch)) continue;
      printed.add(p.epoch);
      io.out(values.json ? JSON.stringify({ event: 'epoch', workflowId: id, ...p }) : pointLine(p, total));
    }
  };
  const final = await withKit(
    values,
    io,
    async (k) => {
      const w = await k.service.getWorkflow(id);
      total = w.totalEpochs;
      show((await k.service.metrics(id)).points);
      if (!['completed', 'failed', 'cancelled'].includes(w.state)) {
        const onAbort = () => k.service.close();
        io.signal.addEventListener('abort', onAbort, { once: true });
        try {
          k.service.follow(id);
          await k.service.waitFollowed(id);
        } finally {
          io.signal.removeEventListener('abort', onAbort);
        }
        if (io.signal.aborted) throw new AppError('CANCELLED', 'Stopped watching (the training goes on).');
      }
      return k.service.getWorkflow(id);
    },
    {
      onEvent: (name, payload) => {
        if (name === 'vision.metrics') {
          const m = payload as { workflowId: string; points: VisionMetricPoint[] };
          if (m.workflowId === id) show(m.points);
        } else if (name === 'vision.workflowUpdated') {
          const w = payload as VisionWorkflow;
          if (w.workflowId !== id) return;
          total = w.totalEpochs ?? total;
          if (w.live !== lastLive && (w.live === 'reconnecting' || (w.live === 'live' && lastLive === 'reconnecting'))) io.err(w.live === 'live' ? 'reconnected' : 'connection lost; reconnecting…');
          lastLive = w.live;
        } else if (name === 'vision.rateLimited') {
          const r = payload as { until: string };
          io.err(`the platform asked to wait until ${r.until} (rate limit); waiting`);
        }
      },
    },
  );
  if (values.json) io.out(JSON.stringify({ event: 'end', workflow: final }));
  else io.out(`${final.workflowId}  ${final.state}${Object.keys(final.metrics).length ? `  ${metricsText(final.metrics)}` : ''}${final.error ? `  ${final.error}` : ''}`);
  return final.state === 'completed' ? 0 : 1;
}

async function logs(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, { tail: { type: 'string' } }, usage);
  if (positionals.length !== 1 || !positionals[0]!.trim()) throw new UsageError(usage);
  const tail = wholeNumber(values.tail, '--tail', 1, 10_000) ?? 100;
  const r = await withKit(values, io, (k) => k.service.logs(positionals[0]!.trim(), tail));
  print(io, values.json, { json: r, text: r.logs.map((l) => [l.timestamp, l.level, l.message].filter(Boolean).join('  ')).join('\n') || 'No log lines.' });
  return 0;
}

async function predict(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, {}, usage);
  const [id, ...images] = positionals;
  if (!id?.trim() || images.length === 0) throw new UsageError(usage);
  for (const f of images) if (!fs.existsSync(f)) throw new AppError('NOT_FOUND', `No image at ${path.resolve(f)}.`, { path: f });
  const results = await withKit(values, io, async (k) => {
    const out = [];
    for (const f of images) out.push(await k.service.predict(id.trim(), path.resolve(f), io.signal));
    return out;
  });
  print(io, values.json, {
    json: results,
    text: results
      .map((r, i) => {
        const top = r.predictions[0];
        return `${images[i]}  ${top ? `${top.label} ${(top.score * 100).toFixed(1)}%` : 'no prediction'}${r.predictions.length > 1 ? `  (then ${r.predictions.slice(1, 3).map((p) => `${p.label} ${(p.score * 100).toFixed(1)}%`).join(', ')})` : ''}`;
      })
      .join('\n'),
  });
  return 0;
}
