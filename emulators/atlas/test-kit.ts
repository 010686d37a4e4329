/**
 * Helpers for the emulator's own tests: tiny media made with ffmpeg/sharp, and thin wrappers over plain
 * fetch that spell the seed's paths and fields out in full (no client code is reused, on purpose).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { defaultTools } from './media';

export const PASSWORD = 'Correct-Horse-9';

export function mediaDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-media-'));
}

/** An H.264 mp4 of `seconds` at `size` made from ffmpeg's test pattern. */
export function makeVideo(dir: string, name: string, seconds: number, size: string, fps = 10): string {
  const out = path.join(dir, name);
  execFileSync(defaultTools().ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${fps}:duration=${seconds}`, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-f', 'mp4', out]);
  return out;
}

/** A PNG of w×h: left half red, right half blue (so colours can be checked in the results). */
export async function makePng(dir: string, name: string, w: number, h: number): Promise<string> {
  const out = path.join(dir, name);
  const data = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3;
      if (x < w / 2) data[o] = 230;
      else data[o + 2] = 230;
    }
  await sharp(data, { raw: { width: w, height: h, channels: 3 } }).png().toFile(out);
  return out;
}

export interface Api {
  url: string;
  json(method: string, p: string, body?: unknown, token?: string): Promise<{ status: number; body: any; text: string; headers: Headers }>;
  form(p: string, parts: Record<string, string | { file: string; name?: string; type?: string }>, token?: string): Promise<{ status: number; body: any }>;
  get(p: string, token?: string, headers?: Record<string, string>): Promise<Response>;
}

export function api(url: string): Api {
  const auth = (token?: string): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});
  return {
    url,
    async json(method, p, body, token) {
      const res = await fetch(url + p, {
        method,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...auth(token) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      let parsed: unknown = null;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        parsed = null;
      }
      return { status: res.status, body: parsed, text, headers: res.headers };
    },
    async form(p, parts, token) {
      const fd = new FormData();
      for (const [k, v] of Object.entries(parts)) {
        if (typeof v === 'string') fd.append(k, v);
        else fd.append(k, new Blob([fs.readFileSync(v.file)], { type: v.type ?? 'application/octet-stream' }), v.name ?? path.basename(v.file));
      }
      const res = await fetch(url + p, { method: 'POST', headers: auth(token), body: fd });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    get(p, token, headers = {}) {
      return fetch(url + p, { headers: { ...auth(token), ...headers } });
    },
  };
}

/** Signs up, confirms through the e-mailed link, signs in; returns the tokens. */
export async function signedInUser(a: Api, email: string, nickname = email.split('@')[0]!): Promise<{ accessToken: string; refreshToken: string }> {
  const up = await a.json('POST', '/atlas/auth/sign-up', { email, password: PASSWORD, nickname });
  if (up.status !== 201) throw new Error(`sign-up ${up.status} ${up.text}`);
  const mails = (await a.json('GET', `/__emulator/mails?to=${encodeURIComponent(email)}&kind=confirm-email`)).body.mails as { data: { link: string } }[];
  const link = mails[mails.length - 1]!.data.link;
  const confirm = await fetch(link);
  if (confirm.status !== 200) throw new Error(`confirm ${confirm.status}`);
  const r = await a.json('POST', '/atlas/auth/sign-In', { id: email, password: PASSWORD });
  if (r.status !== 201) throw new Error(`sign-In ${r.status} ${r.text}`);
  return r.body;
}

export const magic = (bytes: Uint8Array, n = 4) => Buffer.from(bytes.subarray(0, n)).toString('latin1');
