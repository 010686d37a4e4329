/** Seed 000 §3 (creation, multipart) and §4 (items: detail, download, my items, delete, metadata files). */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { HttpError, type Ctx, type Router, sendError, sendJson } from '../base/http';
import { parseMultipart, removeUploads, type MultipartBody, type UploadedFile } from '../base/multipart';
import { cursorPage, pageLimit } from '../base/pagination';
import { sendFile } from '../base/send-file';
import { imageSize, probeMedia } from './media';
import { MAX_UPLOAD_BYTES, MODEL_LIST, modelByIdOrName, MODELS, type ModelSpec } from './models';
import { ensureRequestArchive, itemPaths, offeredName } from './results';
import { authenticate, statusOf, type AtlasService } from './service';
import type { ItemInput, ItemRow } from './store';

/** Tolerance on length limits (seconds): container durations are rounded; the emulator leans towards accepting. */
const SECONDS_SLACK = 0.05;

const META_TYPES: Record<string, { file: (dir: string) => string; contentType: string; name: string; always: boolean }> = {
  thumbnail: { file: (d) => itemPaths(d).thumbnail, contentType: 'image/png', name: 'thumbnail.png', always: false },
  request: { file: (d) => itemPaths(d).request, contentType: 'application/gzip', name: 'request.tar.gz', always: true },
  reply: { file: (d) => itemPaths(d).reply, contentType: 'application/gzip', name: 'reply.tar.gz', always: false },
  output: { file: (d) => itemPaths(d).output, contentType: 'application/zip', name: 'output.zip', always: false },
  log: { file: (d) => itemPaths(d).log, contentType: 'text/plain; charset=utf-8', name: 'job_log.txt', always: true },
};

function partsSummary(body: MultipartBody): string {
  return body.parts.length ? body.parts.map((p) => (p.kind === 'file' ? `${p.name} (file)` : p.name)).join(', ') : 'nothing';
}

function parseBool(v: string | undefined, name: string): boolean {
  if (v === undefined) return false;
  const t = v.trim().toLowerCase();
  if (t === '' || t === 'false' || t === '0') return false;
  if (t === 'true' || t === '1') return true;
  throw new HttpError(400, `${name} must be a boolean (true/false or 1/0); got "${v}".`);
}

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;

/** Seed §3 input rules for one uploaded video. Unreadable files pass here and fail the job (NG) later. */
async function checkVideo(svc: AtlasService, spec: ModelSpec, f: UploadedFile, resize: boolean): Promise<void> {
  const rule = spec.video!;
  const isMp4 = /\.mp4$/i.test(f.filename) || f.mimeType.toLowerCase() === 'video/mp4';
  if (!isMp4) throw new HttpError(400, `${rule.field} must be an mp4 video (got "${f.filename}", ${f.mimeType}).`);
  if (!svc.settings.enforceInputLimits) return;
  if (rule.maxBytes !== undefined && f.size > rule.maxBytes) throw new HttpError(400, `${rule.field} is ${mb(f.size)}; ${spec.modelName} takes at most ${mb(rule.maxBytes)}.`);
  if (rule.minBytes !== undefined && f.size < rule.minBytes) throw new HttpError(400, `${rule.field} is ${(f.size / 1e6).toFixed(1)} MB; ${spec.modelName} needs at least ${rule.minBytes / 1e6} MB.`);
  let probe;
  try {
    probe = await probeMedia(svc.tools, f.path);
  } catch {
    return;
  }
  if (probe.kind !== 'video') throw new HttpError(400, `${rule.field} must be a video; this is a still image.`);
  const d = probe.durationSeconds ?? 0;
  const name = spec.modelName;
  if (rule.minSeconds !== undefined && d < rule.minSeconds - SECONDS_SLACK) throw new HttpError(400, `${rule.field} is ${d.toFixed(2)} s long; ${name} needs at least ${rule.minSeconds} s.`);
  if (rule.maxSeconds !== undefined && d > rule.maxSeconds + SECONDS_SLACK) throw new HttpError(400, `${rule.field} is ${d.toFixed(2)} s long; ${name} takes at most ${rule.maxSeconds} s.`);
  if (rule.belowSeconds !== undefined && d >= rule.belowSeconds + SECONDS_SLACK) throw new HttpError(400, `${rule.field} is ${d.toFixed(2)} s long; ${name} needs less than ${rule.belowSeconds} s.`);
  const short = Math.min(probe.width, probe.height);
  const long = Math.max(probe.width, probe.height);
  if (rule.minShortSide !== undefined && short < rule.minShortSide) throw new HttpError(400, `${rule.field} is ${probe.width}x${probe.height}; ${name} needs HD (720p) or more.`);
  if (rule.maxFhd && !resize && (short > 1080 || long > 1920)) throw new HttpError(400, `${rule.field} is ${probe.width}x${probe.height}; ${name} takes Full HD (1920x1080) or less.`);
  if (rule.vertical && !(probe.height > probe.width)) throw new HttpError(400, `${rule.field} is ${probe.width}x${probe.height}; ${name} needs a vertical video.`);
}

async function checkImage(svc: AtlasService, spec: ModelSpec, f: UploadedFile): Promise<void> {
  const rule = spec.image!;
  const ok = /\.(png|jpe?g)$/i.test(f.filename) || /^image\/(png|jpe?g)$/i.test(f.mimeType);
  if (!ok) throw new HttpError(400, `${rule.field} must be a png, jpg or jpeg image (got "${f.filename}", ${f.mimeType}).`);
  if (!svc.settings.enforceInputLimits) return;
  if (rule.maxBytes !== undefined && f.size > rule.maxBytes) throw new HttpError(400, `${rule.field} is ${mb(f.size)}; ${spec.modelName} takes at most ${mb(rule.maxBytes)}.`);
  let size;
  try {
    size = await imageSize(f.path);
  } catch {
    return;
  }
  if ((rule.minWidth !== undefined && size.width < rule.minWidth) || (rule.minHeight !== undefined && size.height < rule.minHeight)) {
    throw new HttpError(400, `${rule.field} is ${size.width}x${size.height}; ${spec.modelName} needs at least ${rule.minWidth}x${rule.minHeight}.`);
  }
  if (rule.vertical && !(size.height > size.width)) throw new HttpError(400, `${rule.field} is ${size.width}x${size.height}; ${spec.modelName} needs a vertical image.`);
}

/** Validates the parsed form of one create request; returns the item's parameters. */
async function validate(svc: AtlasService, spec: ModelSpec, body: MultipartBody): Promise<Record<string, unknown>> {
  const field = (name: string) => body.fields.get(name);
  const need = (name: string): string => {
    const v = field(name);
    if (v === undefined || !v.trim()) throw new HttpError(400, `${name} is required (the parts sent were: ${partsSummary(body)}).`);
    return v.trim();
  };
  const params: Record<string, unknown> = { itemName: need('itemName') };
  if (spec.epoch) {
    const raw = need('Epoch');
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 100) throw new HttpError(400, `Epoch must be a whole number from 1 to 100; got "${raw}".`);
    params.Epoch = n;
  }
  let resize = false;
  if (spec.key === 'nerf2mesh') {
    resize = parseBool(field('resize'), 'resize');
    params.resize = resize;
  }
  if (spec.key === 'decal') {
    const device = need('deviceType');
    if (device.toLowerCase() !== 'android') throw new HttpError(400, `deviceType "${device}" is not supported; only "android" is.`);
    params.deviceType = device;
  }
  const fileOf = (name: string): UploadedFile => {
    const f = body.files.get(name);
    if (!f) throw new HttpError(400, `${name} (a file part) is required (the parts sent were: ${partsSummary(body)}).`);
    if (f.size === 0) throw new HttpError(400, `${name} is empty.`);
    if (f.truncated) throw new HttpError(400, `${name} is larger than the ${mb(MAX_UPLOAD_BYTES)} the emulator takes.`);
    return f;
  };
  if (spec.image) await checkImage(svc, spec, fileOf(spec.image.field));
  if (spec.video) {
    const v = fileOf(spec.video.field);
    await checkVideo(svc, spec, v, resize);
    if (spec.key === 'decal') params.fileName = field('fileName')?.trim() || v.filename;
  }
  return params;
}

function itemOr404(svc: AtlasService, requestId: string, message = 'The item cannot be found.'): ItemRow {
  const row = svc.store.item(requestId);
  if (!row) throw new HttpError(404, message);
  return row;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** A `cursor`: the ISO createdAt the last page ended on (or, liberally, epoch milliseconds). */
function parseCursor(v: string | null): number | null {
  if (v === null || v === '' || v === 'null' || v === 'undefined') return null;
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(t)) throw new HttpError(400, `cursor must be the createdAt of an item (ISO 8601); got "${v}".`);
  return t;
}

export function itemRoutes(r: Router, svc: AtlasService): void {
  const { store, clock } = svc;

  for (const spec of MODEL_LIST) {
    r.on('POST', `/atlas/item/${spec.key}`, async (ctx) => {
      const { user } = authenticate(svc, ctx);
      const staging = path.join(svc.dataDir, 'uploads', randomUUID());
      let body: MultipartBody | null = null;
      try {
        try {
          body = await parseMultipart(ctx, { dir: staging, maxFileBytes: svc.settings.enforceInputLimits ? MAX_UPLOAD_BYTES + 1 : 8 * 1024 ** 3, maxFiles: 4 });
        } catch (e) {
          if (e instanceof HttpError || ctx.req.socket.destroyed || ctx.res.destroyed) throw e;
          throw new HttpError(400, `The multipart body could not be read: ${(e as Error).message}`);
        }
        const params = await validate(svc, spec, body);
        const requestId = randomUUID();
        const dir = svc.itemDir(requestId);
        const inputDir = itemPaths(dir).input;
        fs.mkdirSync(inputDir, { recursive: true });
        const inputs: ItemInput[] = [];
        for (const fieldName of [spec.image?.field, spec.video?.field]) {
          const f = fieldName ? body.files.get(fieldName) : undefined;
          if (!f) continue;
          const rel = path.join('input', `${f.field}${path.extname(f.filename).toLowerCase().replace(/[^.\w]/g, '') || ''}`);
          fs.renameSync(f.path, path.join(dir, rel));
          inputs.push({ field: f.field, filename: f.filename, file: rel, size: f.size, mimeType: f.mimeType });
        }
        const createdAt = store.nextCreatedAt(clock.now());
        store.insertItem({
          request_id: requestId,
          user_id: user.id,
          model: spec.key,
          item_name: params.itemName as string,
          params: JSON.stringify(params),
          inputs: JSON.stringify(inputs),
          created_at: createdAt,
          ready_at: createdAt + svc.settings.processingMs,
          outcome: null,
          message: null,
        });
        svc.process(requestId);
        sendJson(ctx, 201, { requestId });
      } finally {
        removeUploads(body);
        fs.rmSync(staging, { recursive: true, force: true });
      }
    });
  }

  r.on('GET', '/atlas/item/my/:modelId', (ctx) => {
    const { user } = authenticate(svc, ctx);
    const spec = modelByIdOrName(ctx.params.modelId!);
    if (!spec) throw new HttpError(400, `Unknown ModelId "${ctx.params.modelId}" (1 nerf2mesh, 2 gaussian-splatting, 3 decal, 4 MusePose, 5 InstantMesh).`);
    const orderBy = ctx.query.get('orderBy');
    if (orderBy !== null && orderBy !== '' && orderBy !== 'createdAt') throw new HttpError(400, `orderBy supports only createdAt; got "${orderBy}".`);
    const descRaw = (ctx.query.get('desc') ?? '').trim().toLowerCase();
    if (!['', 'true', 'false', '1', '0'].includes(descRaw)) throw new HttpError(400, `desc must be true or false; got "${ctx.query.get('desc')}".`);
    // The seed's table, literally: `desc` true = ascending (oldest first), false = descending; missing = newest
    // first, as "a null cursor retrieves the most recent data" implies.
    const newestFirst = descRaw !== 'true' && descRaw !== '1';
    const limit = pageLimit(ctx.query.get('limit'), 10, 50);
    if (limit === null) throw new HttpError(400, `limit must be a whole number from 1 to 50; got "${ctx.query.get('limit')}".`);
    const cursor = parseCursor(ctx.query.get('cursor'));
    const page = cursorPage(
      (n) => store.pageOfItems(user.id, spec.key, newestFirst, cursor, n),
      limit,
      (row) => iso(row.created_at),
      (row) => ({ requestId: row.request_id, status: statusOf(svc, row), model: MODELS[row.model].modelName, itemName: row.item_name, createdAt: iso(row.created_at) }),
    );
    sendJson(ctx, 200, page);
  });

  r.on('GET', '/atlas/item/detail/my/:requestId', (ctx) => {
    const { user } = authenticate(svc, ctx);
    const row = store.item(ctx.params.requestId!);
    if (!row || row.user_id !== user.id) throw new HttpError(404, 'You have no item with this requestId.');
    const owner = store.userById(row.user_id)!;
    const spec = MODELS[row.model];
    sendJson(ctx, 200, {
      requestId: row.request_id,
      itemName: row.item_name,
      status: statusOf(svc, row),
      modelId: spec.modelId,
      modelName: spec.modelName,
      uploaderId: owner.id,
      uploaderNickname: owner.nickname,
      createdAt: iso(row.created_at),
    });
  });

  r.on('GET', '/atlas/item/detail/:requestId', (ctx) => {
    authenticate(svc, ctx);
    const row = itemOr404(svc, ctx.params.requestId!);
    const owner = store.userById(row.user_id)!;
    const spec = MODELS[row.model];
    // §4.1 spells the status key with a capital S (§4.3 and §4.4 do not)
    sendJson(ctx, 200, { requestId: row.request_id, Status: statusOf(svc, row), modelId: spec.modelId, modelName: spec.modelName, uploaderId: owner.id, uploaderNickname: owner.nickname });
  });

  r.on('GET', '/atlas/item/download/:requestId', async (ctx) => {
    authenticate(svc, ctx);
    const row = itemOr404(svc, ctx.params.requestId!, 'The history for this item cannot be found.');
    const spec = MODELS[row.model];
    const raw = ctx.query.get('code');
    const code = raw === null || raw.trim() === '' ? 1 : Number(raw);
    if (!Number.isInteger(code)) throw new HttpError(400, `code must be a whole number; got "${raw}".`);
    const entry = spec.codes.find((c) => c.code === code);
    if (!entry) throw new HttpError(404, `${spec.modelName} has no result with code ${code} (codes: ${spec.codes.map((c) => `${c.code} ${c.suffix}`).join(', ')}).`);
    const status = statusOf(svc, row);
    if (status !== 'OK') throw new HttpError(404, status === 'NG' ? 'The item failed (NG); it has no result to download.' : 'The item is still in PROGRESS; its result is not ready.');
    await sendFile(ctx, itemPaths(svc.itemDir(row.request_id)).result(entry.kind), { contentType: entry.contentType, filename: offeredName(row.item_name, entry.suffix) });
  });

  r.on('DELETE', '/atlas/item/:requestId', (ctx) => {
    ctx.req.resume();
    const { user } = authenticate(svc, ctx);
    const row = itemOr404(svc, ctx.params.requestId!);
    if (row.user_id !== user.id) throw new HttpError(403, 'You do not own this item.');
    store.deleteItem(row.request_id);
    removeItemDir(svc.itemDir(row.request_id));
    sendJson(ctx, 200, { requestId: row.request_id });
  });

  r.on('GET', '/atlas/item/:type/:requestId', async (ctx: Ctx) => {
    const meta = META_TYPES[ctx.params.type!];
    if (!meta) {
      sendError(ctx, 404, `No route for GET ${ctx.path} (metadata types: ${Object.keys(META_TYPES).join(', ')}).`);
      return;
    }
    authenticate(svc, ctx);
    const row = itemOr404(svc, ctx.params.requestId!);
    const dir = svc.itemDir(row.request_id);
    if (!meta.always && statusOf(svc, row) !== 'OK') throw new HttpError(404, `The item's ${ctx.params.type} is not there yet (status ${statusOf(svc, row)}).`);
    let file = meta.file(dir);
    if (ctx.params.type === 'request') file = await ensureRequestArchive(dir, JSON.parse(row.inputs) as ItemInput[], JSON.parse(row.params) as Record<string, unknown>, clock.now());
    if (!fs.existsSync(file)) throw new HttpError(404, `The item's ${ctx.params.type} cannot be found.`);
    await sendFile(ctx, file, { contentType: meta.contentType, filename: meta.name });
  });
}

/** Is this a file download (so a download-cut fault applies)? */
export function isDownloadRoute(method: string, p: string): boolean {
  if (method !== 'GET') return false;
  return /^\/atlas\/item\/(download|thumbnail|request|reply|output|log)\/[^/]+$/.test(p);
}

/**
 * Removes an item's folder even while its generator is still writing into it: a recursive rm racing new
 * files fails with ENOTEMPTY, so the folder is renamed away first (atomic) and removed best-effort; files the
 * generator writes after this are removed when it finishes (emulator.ts checks the item still exists).
 */
function removeItemDir(dir: string): void {
  const trash = `${dir}.deleted-${process.pid}-${Date.now()}`;
  try {
    fs.renameSync(dir, trash);
  } catch {
    return; // nothing there (never generated) or already gone
  }
  try {
    fs.rmSync(trash, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // a file still being written: the next reset or the generator's own clean-up removes it
  }
}
