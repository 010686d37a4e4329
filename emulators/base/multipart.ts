/**
 * Streamed multipart/form-data (busboy): file parts go straight to disk under `dir`, never whole in memory.
 * A part over its size limit is cut at the limit and marked `truncated`; the caller decides what that means.
 */
import busboy from 'busboy';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream';
import type { Ctx } from './http';
import { HttpError } from './http';

export interface UploadedFile {
  field: string;
  /** The part's filename as the client sent it. */
  filename: string;
  mimeType: string;
  path: string;
  size: number;
  truncated: boolean;
}

export interface MultipartBody {
  fields: Map<string, string>;
  files: Map<string, UploadedFile>;
  /** Every part in the order received (for messages and the request log). */
  parts: { name: string; kind: 'file' | 'field'; filename?: string; bytes?: number }[];
}

export interface MultipartOptions {
  /** Folder the files are written to (created). */
  dir: string;
  /** Largest file part in bytes; the part is cut there and `truncated` set. */
  maxFileBytes: number;
  maxFiles?: number;
  maxFields?: number;
}

/** Removes the files a parse wrote (after a refusal or an abort). */
export function removeUploads(body: MultipartBody | null): void {
  if (!body) return;
  for (const f of body.files.values()) fs.rmSync(f.path, { force: true });
}

export function parseMultipart(ctx: Ctx, opts: MultipartOptions): Promise<MultipartBody> {
  const type = ctx.req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data/i.test(type)) return Promise.reject(new HttpError(400, 'The request must be multipart/form-data.'));
  let bb: busboy.Busboy;
  try {
    bb = busboy({
      headers: ctx.req.headers,
      limits: { fileSize: opts.maxFileBytes, files: opts.maxFiles ?? 8, fields: opts.maxFields ?? 32, fieldSize: 64 * 1024 },
      defParamCharset: 'utf8',
    });
  } catch (e) {
    return Promise.reject(new HttpError(400, `Bad multipart body: ${(e as Error).message}`));
  }
  fs.mkdirSync(opts.dir, { recursive: true });
  const body: MultipartBody = { fields: new Map(), files: new Map(), parts: [] };
  ctx.record.parts = body.parts;
  const writes: Promise<void>[] = [];
  const written: string[] = [];
  return new Promise<MultipartBody>((resolve, reject) => {
    let failed = false;
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      for (const p of written) fs.rmSync(p, { force: true });
      reject(e);
    };
    bb.on('field', (name, value) => {
      body.parts.push({ name, kind: 'field' });
      if (!body.fields.has(name)) body.fields.set(name, value);
    });
    bb.on('file', (name, stream, info) => {
      const part = { name, kind: 'file' as const, filename: info.filename, bytes: 0 };
      body.parts.push(part);
      if (body.files.has(name)) {
        stream.resume(); // a second part of the same name: the first one counts
        return;
      }
      const safe = path.basename(info.filename || 'upload').replace(/[^\w.-]+/g, '_').slice(-80) || 'upload';
      const target = path.join(opts.dir, `${randomUUID().slice(0, 8)}-${safe}`);
      written.push(target);
      const file: UploadedFile = { field: name, filename: info.filename ?? '', mimeType: info.mimeType, path: target, size: 0, truncated: false };
      body.files.set(name, file);
      stream.on('data', (c: Buffer) => {
        file.size += c.length;
        part.bytes = file.size;
      });
      stream.on('limit', () => {
        file.truncated = true;
      });
      const write = new Promise<void>((res, rej) => {
        pipeline(stream, fs.createWriteStream(target), (err) => (err ? rej(err) : res()));
      });
      // a body that breaks off fails the whole parse below; this write's own rejection must not go unhandled
      write.catch(() => {});
      writes.push(write);
    });
    bb.on('filesLimit', () => fail(new HttpError(400, 'Too many file parts.')));
    bb.on('fieldsLimit', () => fail(new HttpError(400, 'Too many fields.')));
    pipeline(ctx.input, bb, (err) => {
      if (err) {
        fail(err);
        return;
      }
      Promise.all(writes).then(
        () => (failed ? undefined : resolve(body)),
        (e) => fail(e),
      );
    });
  });
}
