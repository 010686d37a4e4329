/**
 * Seed 001's endpoints under /api/v1, plus the studio's export extension. Every handler runs through `handle`,
 * which answers VisionError (and the base's HttpError) in the seed's error shape; query-parameter mistakes are
 * 400 INVALID_REQUEST with details.field / details.reason, body mistakes 422 VALIDATION_ERROR with
 * details.errors[] (the seed's two examples).
 */
import path from 'node:path';
import { HttpError, readJson, type Ctx, type Router, sendEmpty, sendJson } from '../base/http';
import { parseMultipart, removeUploads } from '../base/multipart';
import { sendFile } from '../base/send-file';
import { bearerOf } from './auth';
import { CATALOGUE, detailEntry, listEntry, modelById } from './catalogue';
import { errorBody, invalidRequest, validationError, VisionError, type FieldError } from './errors';
import { FORMAT_ALIASES, guessFormat, listZip, type DatasetFormat } from './inspect';
import type { UserRow } from './store';
import type { VisionService } from './service';

export const API = '/api/v1';

export const ENDPOINTS = [
  'POST /api/v1/auth/token',
  'POST /api/v1/auth/refresh',
  'POST /api/v1/chat/message',
  'GET /api/v1/chat/sessions/{session_id}',
  'DELETE /api/v1/chat/sessions/{session_id}',
  'POST /api/v1/workflows',
  'GET /api/v1/workflows',
  'GET /api/v1/workflows/{workflow_id}',
  'GET /api/v1/workflows/{workflow_id}/metrics',
  'GET /api/v1/workflows/{workflow_id}/logs',
  'DELETE /api/v1/workflows/{workflow_id}',
  'GET /api/v1/workflows/{workflow_id}/export?format=onnx (extension)',
  'POST /api/v1/datasets/upload',
  'GET /api/v1/datasets',
  'GET /api/v1/datasets/{dataset_id}',
  'POST /api/v1/datasets/{dataset_id}/validate',
  'GET /api/v1/models',
  'GET /api/v1/models/{model_id}',
  'POST /api/v1/inference/{workflow_id}/predict',
  'POST /api/v1/inference/{workflow_id}/batch',
  'GET /api/v1/inference/{workflow_id}/batch/{job_id}',
  'GET /api/v1/user/profile',
  'GET /api/v1/projects',
  'WS /api/v1/ws/workflows/{workflow_id}?token=… (also /ws/workflows/{workflow_id})',
];

export function sendVisionError(ctx: Ctx, e: VisionError): void {
  sendJson(ctx, e.status, errorBody(e.status, e.message, e.details, e.code), e.headers);
}

/** Rate-limit verdict the host's request listener attached to this request (see emulator.ts). */
export const RATE = new WeakMap<object, { exceeded: boolean; limit: number; reset: number }>();

type Body = Record<string, unknown>;

async function json(ctx: Ctx): Promise<Body> {
  try {
    return await readJson(ctx);
  } catch (e) {
    if (e instanceof HttpError && e.status === 413) throw validationError([{ field: 'body', message: e.message }]);
    if (e instanceof HttpError) throw new VisionError(400, e.message, { reason: 'The body must be a JSON object.' });
    throw e;
  }
}

function pageParams(ctx: Ctx, defLimit = 20): { page: number; limit: number } {
  const p = ctx.query.get('page');
  const l = ctx.query.get('limit');
  const page = p === null || p === '' ? 1 : /^\d+$/.test(p) && Number(p) >= 1 ? Number(p) : NaN;
  if (!Number.isFinite(page)) throw invalidRequest('page', 'page must be a whole number ≥ 1', 'Invalid page', { value: p });
  const limit = l === null || l === '' ? defLimit : /^\d+$/.test(l) ? Number(l) : NaN;
  if (!Number.isFinite(limit) || limit < 1 || limit > 100) throw invalidRequest('limit', 'limit must be a whole number between 1 and 100', 'Invalid limit', { value: l, max: 100 });
  return { page, limit };
}

const str = (b: Body, k: string): string | null => (typeof b[k] === 'string' ? (b[k] as string) : null);

export function visionRoutes(router: Router, svc: VisionService, uploadsDir: string): void {
  const handle =
    (fn: (ctx: Ctx, user: UserRow) => Promise<void> | void, auth = true) =>
    async (ctx: Ctx) => {
      try {
        const rate = RATE.get(ctx.req);
        if (rate?.exceeded) {
          ctx.req.resume();
          throw new VisionError(429, 'Rate limit exceeded', { limit: rate.limit, reset_at: new Date(rate.reset * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') }, { 'retry-after': String(Math.max(1, rate.reset - Math.floor(svc.clock.now() / 1000))) });
        }
        const user = auth ? svc.userOf(bearerOf(ctx.req.headers.authorization)) : (null as unknown as UserRow);
        await fn(ctx, user);
      } catch (e) {
        if (ctx.res.headersSent) throw e;
        ctx.req.resume();
        if (e instanceof VisionError) return sendVisionError(ctx, e);
        if (e instanceof HttpError) return sendVisionError(ctx, new VisionError(e.status, e.message));
        throw e;
      }
    };
  const on = (method: string, p: string, fn: (ctx: Ctx, user: UserRow) => Promise<void> | void, auth = true) => router.on(method, API + p, handle(fn, auth));

  // ---- auth
  on(
    'POST',
    '/auth/token',
    async (ctx) => {
      const b = await json(ctx);
      const errors: FieldError[] = [];
      const email = str(b, 'email');
      const password = str(b, 'password');
      if (!email) errors.push({ field: 'email', message: 'Required, a string', value: b.email ?? null });
      if (!password) errors.push({ field: 'password', message: 'Required, a string' });
      if (errors.length) throw validationError(errors);
      sendJson(ctx, 200, svc.login(email!, password!));
    },
    false,
  );
  on(
    'POST',
    '/auth/refresh',
    async (ctx) => {
      const b = await json(ctx);
      if (b.refresh_token !== undefined && typeof b.refresh_token !== 'string') throw validationError([{ field: 'refresh_token', message: 'Must be a string' }]);
      if (!b.refresh_token) throw validationError([{ field: 'refresh_token', message: 'Required' }]);
      sendJson(ctx, 200, svc.refresh(b.refresh_token as string));
    },
    false,
  );

  // ---- chat
  on('POST', '/chat/message', async (ctx, u) => {
    const b = await json(ctx);
    const errors: FieldError[] = [];
    const message = str(b, 'message');
    if (!message || !message.trim()) errors.push({ field: 'message', message: 'Required, a non-empty string', value: b.message ?? null });
    else if (message.length > 4000) errors.push({ field: 'message', message: 'At most 4000 characters', value: message.length });
    if (b.session_id !== undefined && b.session_id !== null && (typeof b.session_id !== 'string' || !/^[\w.-]{1,100}$/.test(b.session_id))) errors.push({ field: 'session_id', message: 'Letters, digits, _ . - (at most 100)', value: b.session_id });
    if (b.context !== undefined && b.context !== null && (typeof b.context !== 'object' || Array.isArray(b.context))) errors.push({ field: 'context', message: 'Must be an object', value: b.context });
    if (errors.length) throw validationError(errors);
    const sessionId = (b.session_id as string | undefined) || `sess_${Math.random().toString(36).slice(2, 10)}`;
    sendJson(ctx, 200, svc.chat(u, sessionId, message!.trim(), (b.context as Body | undefined) ?? {}));
  });
  on('GET', '/chat/sessions/:id', (ctx, u) => sendJson(ctx, 200, svc.session(u, ctx.params.id!)));
  on('DELETE', '/chat/sessions/:id', (ctx, u) => {
    svc.deleteSession(u, ctx.params.id!);
    sendEmpty(ctx, 204);
  });

  // ---- workflows
  on('POST', '/workflows', async (ctx, u) => sendJson(ctx, 201, svc.createWorkflow(u, await json(ctx))));
  on('GET', '/workflows', (ctx, u) => {
    const status = ctx.query.get('status');
    const statuses = ['pending', 'training', 'completed', 'failed', 'cancelled'];
    if (status !== null && status !== '' && !statuses.includes(status)) throw invalidRequest('status', `status must be one of ${statuses.join(', ')}`, 'Invalid status', { value: status });
    const sort = ctx.query.get('sort') || '-created_at';
    if (sort !== 'created_at' && sort !== '-created_at') throw invalidRequest('sort', 'sort must be created_at or -created_at', 'Invalid sort', { value: sort });
    const { page, limit } = pageParams(ctx);
    sendJson(ctx, 200, svc.workflowList(u, (status || null) as never, page, limit, sort === '-created_at'));
  });
  on('GET', '/workflows/:id', (ctx, u) => sendJson(ctx, 200, svc.workflowDetail(u, ctx.params.id!)));
  on('GET', '/workflows/:id/metrics', (ctx, u) => {
    const known = ['loss', 'accuracy', 'val_loss', 'val_accuracy'];
    const raw = ctx.query.get('metric');
    const names = raw ? raw.split(',').map((s) => s.trim()).filter(Boolean) : null;
    const bad = names?.find((n) => !known.includes(n));
    if (bad) throw invalidRequest('metric', `Unknown metric '${bad}' (known: ${known.join(', ')})`, 'Invalid metric');
    const st = ctx.query.get('start_time');
    let since: number | null = null;
    if (st) {
      since = Date.parse(st);
      if (!Number.isFinite(since)) throw invalidRequest('start_time', 'start_time must be an ISO 8601 time such as 2025-10-17T10:00:00Z', 'Invalid start_time', { value: st });
    }
    sendJson(ctx, 200, svc.metricsHistory(u, ctx.params.id!, names, since));
  });
  on('GET', '/workflows/:id/logs', (ctx, u) => {
    const t = ctx.query.get('tail');
    const tail = t === null || t === '' ? 100 : /^\d+$/.test(t) && Number(t) >= 1 ? Math.min(Number(t), 10_000) : NaN;
    if (!Number.isFinite(tail)) throw invalidRequest('tail', 'tail must be a whole number ≥ 1', 'Invalid tail', { value: t });
    sendJson(ctx, 200, svc.logs(u, ctx.params.id!, tail));
  });
  on('DELETE', '/workflows/:id', (ctx, u) => sendJson(ctx, 200, svc.cancel(u, ctx.params.id!)));
  on('GET', '/workflows/:id/export', async (ctx, u) => {
    const format = ctx.query.get('format') ?? 'onnx';
    if (!svc.settings.exportEnabled) throw new VisionError(404, 'Not found: model export is not available on this server', { extension: 'export' });
    if (format !== 'onnx') throw invalidRequest('format', 'The only export format is onnx', 'Invalid format', { value: format, available_formats: ['onnx'] });
    const { file, name } = svc.exportFile(u, ctx.params.id!);
    await sendFile(ctx, file, { contentType: 'application/octet-stream', filename: name });
  });

  // ---- datasets
  on('POST', '/datasets/upload', async (ctx, u) => {
    let body;
    try {
      body = await parseMultipart(ctx, { dir: uploadsDir, maxFileBytes: svc.settings.maxUploadBytes, maxFiles: 1 });
    } catch (e) {
      if (e instanceof HttpError) throw validationError([{ field: 'file', message: e.message }], 'Request validation failed');
      throw e;
    }
    try {
      const errors: FieldError[] = [];
      const file = body.files.get('file');
      if (!file) errors.push({ field: 'file', message: 'Required: the dataset as a zip (multipart part "file")' });
      else if (file.truncated) errors.push({ field: 'file', message: `Larger than the upload limit of ${Math.round(svc.settings.maxUploadBytes / 1048576)} MB`, value: file.size });
      else if (file.size === 0) errors.push({ field: 'file', message: 'The file is empty' });
      const rawFormat = body.fields.get('format');
      const format: DatasetFormat | null = rawFormat ? (FORMAT_ALIASES[rawFormat.toLowerCase()] ?? null) : null;
      if (rawFormat && !format) errors.push({ field: 'format', message: 'Must be coco or imagefolder (a zip of one folder per class)', value: rawFormat });
      const name = body.fields.get('name') ?? (file ? path.basename(file.filename || 'dataset', path.extname(file.filename || '')) : '');
      if (!name.trim()) errors.push({ field: 'name', message: 'Required' });
      else if (name.length > 200) errors.push({ field: 'name', message: 'At most 200 characters', value: name.length });
      if (errors.length) throw validationError(errors);
      let listing;
      try {
        listing = await listZip(file!.path);
      } catch {
        throw validationError([{ field: 'file', message: 'Not a zip archive (upload the dataset as a .zip)', value: file!.filename }]);
      }
      const row = svc.addDataset(u, {
        name: name.trim(),
        description: body.fields.get('description') ?? '',
        format: format ?? guessFormat(listing),
        zipFile: file!.path,
        size: file!.size,
        fileCount: listing.imageCount,
        project_id: body.fields.get('project_id'),
      });
      sendJson(ctx, 201, svc.datasetSummary(row));
    } finally {
      removeUploads(body);
    }
  });
  on('GET', '/datasets', (ctx, u) => {
    const { page, limit } = pageParams(ctx);
    sendJson(ctx, 200, svc.datasetList(u, page, limit));
  });
  on('GET', '/datasets/:id', (ctx, u) => sendJson(ctx, 200, svc.datasetDetail(u, ctx.params.id!)));
  on('POST', '/datasets/:id/validate', async (ctx, u) => {
    const b = await json(ctx);
    const errors: FieldError[] = [];
    if (b.expected_format !== undefined && b.expected_format !== null && typeof b.expected_format !== 'string') errors.push({ field: 'expected_format', message: 'Must be a string', value: b.expected_format });
    if (b.expected_classes !== undefined && b.expected_classes !== null && !(Number.isInteger(b.expected_classes) && (b.expected_classes as number) >= 1)) errors.push({ field: 'expected_classes', message: 'Must be a positive integer', value: b.expected_classes });
    if (errors.length) throw validationError(errors);
    const fmt = typeof b.expected_format === 'string' ? (FORMAT_ALIASES[b.expected_format.toLowerCase()] ?? b.expected_format) : null;
    sendJson(ctx, 200, svc.validateDataset(u, ctx.params.id!, { format: fmt, classes: (b.expected_classes as number | undefined) ?? null }));
  });

  // ---- models
  on('GET', '/models', (ctx) => {
    const task = ctx.query.get('task_type');
    const framework = ctx.query.get('framework');
    const search = (ctx.query.get('search') ?? '').trim().toLowerCase();
    if (task && !['classification', 'detection', 'segmentation'].includes(task)) throw invalidRequest('task_type', 'task_type must be classification, detection or segmentation', 'Invalid task_type', { value: task });
    const { page, limit } = pageParams(ctx);
    const all = CATALOGUE.filter(
      (m) =>
        (!task || m.task_types.includes(task as never)) &&
        (!framework || m.framework === framework.toLowerCase()) &&
        (!search || m.model_id.includes(search) || m.name.toLowerCase().includes(search) || m.description.toLowerCase().includes(search)),
    );
    sendJson(ctx, 200, { models: all.slice((page - 1) * limit, page * limit).map(listEntry), total: all.length, page, limit });
  });
  on('GET', '/models/:id', (ctx) => {
    const m = modelById(ctx.params.id!);
    if (!m) throw new VisionError(404, `Model '${ctx.params.id}' not found in registry`, { field: 'model_id', available_models: CATALOGUE.map((c) => c.model_id) });
    sendJson(ctx, 200, detailEntry(m));
  });

  // ---- inference
  on('POST', '/inference/:id/predict', async (ctx, u) => {
    const b = await json(ctx);
    svc.ownWorkflow(u, ctx.params.id!);
    const image = await loadImageRef(b, 'image');
    sendJson(ctx, 200, await svc.predict(u, ctx.params.id!, image));
  });
  on('POST', '/inference/:id/batch', async (ctx, u) => {
    const b = await json(ctx);
    const images = b.images;
    if (!Array.isArray(images) || images.length === 0) throw validationError([{ field: 'images', message: 'Required, a list of {image_url} or {image_base64}', value: images ?? null }]);
    if (images.length > 100) throw validationError([{ field: 'images', message: 'At most 100 images per batch', value: images.length }]);
    const errors: FieldError[] = [];
    images.forEach((im, i) => {
      const o = im as Body | null;
      if (!o || typeof o !== 'object' || (typeof o.image_url !== 'string' && typeof o.image_base64 !== 'string')) errors.push({ field: `images[${i}]`, message: 'Each image needs image_url or image_base64' });
    });
    if (errors.length) throw validationError(errors);
    sendJson(ctx, 202, svc.createBatch(u, ctx.params.id!, images as { image_url?: string; image_base64?: string }[]));
  });
  on('GET', '/inference/:id/batch/:job', (ctx, u) => sendJson(ctx, 200, svc.batch(u, ctx.params.id!, ctx.params.job!)));

  // ---- user & projects
  on('GET', '/user/profile', (ctx, u) => sendJson(ctx, 200, svc.profile(u)));
  on('GET', '/projects', (ctx, u) => sendJson(ctx, 200, svc.projects(u)));

  svc.loadImage = (ref) => loadImageRef(ref as Body, 'image');
}

const MAX_IMAGE = 20 * 1024 * 1024;

/** The bytes of `{image_base64}` (a data: URL or bare base64) or `{image_url}` (http(s) or data:). */
export async function loadImageRef(b: Body, field: string): Promise<Buffer> {
  const b64 = b.image_base64;
  const url = b.image_url;
  if (typeof b64 === 'string' && b64) {
    const m = /^data:[^;,]*(?:;[^,]*)?,(.*)$/s.exec(b64.trim());
    const data = (m ? m[1]! : b64).replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/_-]+=*$/.test(data)) throw validationError([{ field: 'image_base64', message: 'Not base64 (give the image as base64, optionally a data: URL)' }]);
    const buf = Buffer.from(data, 'base64');
    if (!buf.length) throw validationError([{ field: 'image_base64', message: 'The image is empty' }]);
    if (buf.length > MAX_IMAGE) throw validationError([{ field: 'image_base64', message: 'Larger than 20 MB' }]);
    return buf;
  }
  if (typeof url === 'string' && url) {
    if (url.startsWith('data:')) return loadImageRef({ image_base64: url }, field);
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw validationError([{ field: 'image_url', message: 'Not a URL', value: url }]);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw validationError([{ field: 'image_url', message: 'Only http(s) and data: URLs', value: url }]);
    let res: Response;
    try {
      res = await fetch(u, { signal: AbortSignal.timeout(10_000) });
    } catch (e) {
      throw validationError([{ field: 'image_url', message: `The image cannot be fetched: ${(e as Error).message}`, value: url }]);
    }
    if (!res.ok) throw validationError([{ field: 'image_url', message: `The image URL answered ${res.status}`, value: url }]);
    const buf = Buffer.from(await res.arrayBuffer());
    if (buf.length > MAX_IMAGE) throw validationError([{ field: 'image_url', message: 'Larger than 20 MB', value: url }]);
    return buf;
  }
  throw validationError([{ field: `${field}_url`, message: 'Give image_url or image_base64' }]);
}
