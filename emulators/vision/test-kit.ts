/**
 * Helpers for the vision emulator's own tests: plain fetch with the seed's paths and fields spelled out (no
 * client code is reused, on purpose), generated datasets of three visibly different subjects, and zips.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import yazl from 'yazl';
import { rng } from './trainer/model';
import { startVisionEmulator, type VisionEmulator, type VisionEmulatorOptions } from './emulator';

export interface Reply {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

export async function api(em: { url: string }, method: string, p: string, init: { token?: string; json?: unknown; raw?: string; form?: FormData; headers?: Record<string, string> } = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let body: RequestInit['body'];
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  } else if (init.raw !== undefined) {
    headers['content-type'] = 'application/json';
    body = init.raw;
  } else if (init.form) body = init.form;
  const res = await fetch(`${em.url}${p}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'vision-test-'));
}

export const USER = { email: 'tester@example.com', password: 'pw-Secret-123' };

/** An emulator with no pause between epochs and one Pro user; returns it with that user's access token. */
export async function start(options: VisionEmulatorOptions = {}): Promise<{ em: VisionEmulator; token: string }> {
  const em = await startVisionEmulator({ epochDelayMs: 0, quiet: true, ...options });
  try {
    em.createUser({ ...USER, plan: 'pro', name: '홍길동' });
  } catch {
    // a restarted emulator on the same folder already has the user
  }
  return { em, token: em.tokensFor(USER.email).access_token };
}

/** A WIDTH×HEIGHT image of one of three subjects: 0 reddish noise, 1 black-and-white stripes, 2 a blue disc on yellow. */
export async function subjectImage(kind: number, seed: number, size = 40, format: 'png' | 'jpeg' = 'png'): Promise<Buffer> {
  const r = rng(seed * 31 + kind);
  const px = Buffer.alloc(size * size * 3);
  const phase = Math.floor(r() * 8);
  const cx = size / 2 + (r() - 0.5) * size * 0.3;
  const cy = size / 2 + (r() - 0.5) * size * 0.3;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 3;
      const n = r();
      if (kind === 0) {
        px[i] = 150 + n * 105;
        px[i + 1] = n * 90;
        px[i + 2] = n * 70;
      } else if (kind === 1) {
        const v = Math.floor((x + phase) / 4) % 2 ? 235 : 25;
        px[i] = v + (n - 0.5) * 30;
        px[i + 1] = v + (n - 0.5) * 30;
        px[i + 2] = v + (n - 0.5) * 30;
      } else {
        const inside = (x - cx) ** 2 + (y - cy) ** 2 < (size * 0.3) ** 2;
        px[i] = inside ? 30 + n * 40 : 220 + n * 30;
        px[i + 1] = inside ? 60 + n * 40 : 200 + n * 40;
        px[i + 2] = inside ? 200 + n * 55 : 40 + n * 40;
      }
    }
  }
  const img = sharp(px, { raw: { width: size, height: size, channels: 3 } });
  return format === 'png' ? img.png().toBuffer() : img.jpeg({ quality: 90 }).toBuffer();
}

export const CLASSES = ['noise', 'stripes', 'disc'];

/** Writes a zip of `entries` (name → bytes) and returns its path. */
export function writeZip(file: string, entries: Record<string, Buffer | string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const z = new yazl.ZipFile();
    for (const [name, data] of Object.entries(entries)) z.addBuffer(Buffer.isBuffer(data) ? data : Buffer.from(data), name);
    z.end();
    const out = fs.createWriteStream(file);
    z.outputStream.pipe(out);
    out.on('finish', () => resolve(file));
    out.on('error', reject);
  });
}

/** An imagefolder zip: `perClass` images of each of the three subjects under root/<class>/. */
export async function classZip(dir: string, perClass: number, opts: { names?: string[]; extra?: Record<string, Buffer | string>; counts?: number[] } = {}): Promise<string> {
  const names = opts.names ?? CLASSES;
  const entries: Record<string, Buffer | string> = {};
  for (let k = 0; k < names.length; k++) {
    const n = opts.counts?.[k] ?? perClass;
    for (let i = 0; i < n; i++) entries[`shapes/${names[k]}/${String(i).padStart(3, '0')}.png`] = await subjectImage(k, i);
  }
  Object.assign(entries, opts.extra ?? {});
  return writeZip(path.join(dir, `ds-${Math.random().toString(36).slice(2, 8)}.zip`), entries);
}

export async function upload(em: VisionEmulator, token: string, zipFile: string, fields: Record<string, string> = {}): Promise<Reply> {
  const form = new FormData();
  form.set('file', new Blob([fs.readFileSync(zipFile)], { type: 'application/zip' }), path.basename(zipFile));
  for (const [k, v] of Object.entries({ name: 'Shapes', format: 'imagefolder', description: '세 가지 모양', ...fields })) form.set(k, v);
  return api(em, 'POST', '/datasets/upload', { token, form });
}

/** Uploads a three-class dataset and waits until it is ready; returns its id. */
export async function readyDataset(em: VisionEmulator, token: string, dir: string, perClass = 12): Promise<string> {
  const r = await upload(em, token, await classZip(dir, perClass));
  if (r.status !== 201) throw new Error(`upload ${r.status} ${r.text}`);
  const status = await em.waitForDataset(r.body.dataset_id);
  if (status !== 'ready') throw new Error(`dataset ${status}`);
  return r.body.dataset_id as string;
}

export const FAST = { epochs: 12, batch_size: 8, learning_rate: 0.01 };

export async function createWorkflow(em: VisionEmulator, token: string, datasetId: string, hyper: Record<string, unknown> = FAST, extra: Record<string, unknown> = {}): Promise<Reply> {
  return api(em, 'POST', '/workflows', { token, json: { name: '모양 분류', description: 'noise, stripes, disc', config: { task_type: 'classification', model: 'resnet50', dataset_id: datasetId, hyperparameters: hyper, ...extra } } });
}
