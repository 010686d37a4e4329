/** Reads a model's bytes inside the worker, with progress, and makes the resolver for its companion files. */
import { ViewerFormatError } from '../formats/errors';
import { filesResolver, resourceKey, type ResourceResolver } from '../formats/resources';
import type { ModelSource } from './protocol';

async function drain(stream: ReadableStream<Uint8Array>, total: number, onProgress: (f: number) => void): Promise<Uint8Array> {
  const reader = stream.getReader();
  // known size: one buffer, no concatenation; unknown: collect chunks
  let out = total > 0 ? new Uint8Array(total) : null;
  const chunks: Uint8Array[] = [];
  let got = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (out && got + value.byteLength <= out.byteLength) out.set(value, got);
    else {
      if (out) {
        chunks.push(out.subarray(0, got));
        out = null;
      }
      chunks.push(value);
    }
    got += value.byteLength;
    if (total > 0) onProgress(Math.min(1, got / total));
  }
  if (out) return got === out.byteLength ? out : out.subarray(0, got);
  const all = new Uint8Array(got);
  let o = 0;
  for (const c of chunks) {
    all.set(c, o);
    o += c.byteLength;
  }
  return all;
}

export async function readSource(source: ModelSource, onProgress: (f: number) => void): Promise<{ name: string; bytes: Uint8Array }> {
  if (source.kind === 'bytes') return { name: source.name, bytes: new Uint8Array(source.bytes) };
  if (source.kind === 'files') {
    try {
      return { name: source.file.name, bytes: await drain(source.file.stream(), source.file.size, onProgress) };
    } catch (e) {
      throw new ViewerFormatError('read-failed', `"${source.file.name}" could not be read: ${(e as Error).message}`);
    }
  }
  let res: Response;
  try {
    res = await fetch(source.url);
  } catch (e) {
    throw new ViewerFormatError('read-failed', `"${source.name}" could not be fetched: ${(e as Error).message}`);
  }
  if (!res.ok || !res.body) throw new ViewerFormatError('read-failed', `"${source.name}" could not be fetched (HTTP ${res.status}).`);
  return { name: source.name, bytes: await drain(res.body, Number(res.headers.get('content-length') ?? 0), onProgress) };
}

export function resolverFor(source: ModelSource): ResourceResolver {
  if (source.kind === 'files' || (source.kind === 'bytes' && !source.url)) {
    return filesResolver(source.companions.map((f) => ({ name: f.webkitRelativePath || f.name, bytes: async () => new Uint8Array(await f.arrayBuffer()) })));
  }
  const base = source.url!;
  return async (name) => {
    const key = resourceKey(name);
    if (/^[a-z]+:/i.test(key) || key.startsWith('/')) return null; // only files beside the model
    try {
      const res = await fetch(new URL(key.split('/').map(encodeURIComponent).join('/'), base));
      return res.ok ? new Uint8Array(await res.arrayBuffer()) : null;
    } catch {
      return null;
    }
  };
}

/** A cheap identity for "the same model" (size + FNV-1a of the first and last 64 KiB): keys the saved camera. */
export function fingerprint(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  const span = 65536;
  const mix = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      h ^= bytes[i]!;
      h = Math.imul(h, 0x01000193);
    }
  };
  mix(0, Math.min(span, bytes.length));
  mix(Math.max(span, bytes.length - span), bytes.length);
  return `${bytes.length.toString(36)}-${(h >>> 0).toString(36)}`;
}
