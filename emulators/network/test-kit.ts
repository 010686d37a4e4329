/**
 * Helpers for the network emulator's own tests: an ed25519 identity made with node:crypto and requests signed
 * exactly as docs/contributor-protocol.md says, written out here (no studio client code is reused, on purpose).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startNetworkEmulator, type NetworkEmulator, type NetworkEmulatorOptions } from './emulator';
import { base58Encode, canonicalJson, requestMessage, resultMessage, sha256Hex } from './signing';

export interface Identity {
  id: string;
  privateKey: crypto.KeyObject;
}

export function identity(): Identity {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  return { id: base58Encode(raw), privateKey };
}

export function sign(who: Identity, message: string): string {
  return crypto.sign(null, Buffer.from(message, 'utf8'), who.privateKey).toString('base64');
}

export interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

export interface CallOptions {
  /** Override headers (or drop them with null). */
  headers?: Record<string, string | null>;
  /** Timestamp to sign with (default: the emulator clock). */
  timestamp?: number;
  raw?: Buffer;
  /** Sign another body than the one sent. */
  signBody?: Buffer;
}

export function client(em: NetworkEmulator, who: Identity) {
  return async function call(method: string, pathWithQuery: string, body?: unknown, opts: CallOptions = {}): Promise<Reply> {
    const bytes = opts.raw ?? (body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body)));
    const ts = String(opts.timestamp ?? em.now());
    const headers: Record<string, string> = {
      'x-kraken-protocol': '1',
      'x-node-id': who.id,
      'x-node-timestamp': ts,
      'x-node-signature': sign(who, requestMessage(method, pathWithQuery, ts, sha256Hex(opts.signBody ?? bytes))),
    };
    if (body !== undefined && !opts.raw) headers['content-type'] = 'application/json';
    if (opts.raw) headers['content-type'] = 'application/octet-stream';
    for (const [k, v] of Object.entries(opts.headers ?? {})) {
      if (v === null) delete headers[k];
      else headers[k] = v;
    }
    const res = await fetch(em.url + pathWithQuery, { method, headers, body: bytes.length || method === 'PUT' ? new Uint8Array(bytes) : undefined });
    const text = res.status === 204 ? '' : method === 'GET' && res.headers.get('content-type') === 'application/octet-stream' ? '' : await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
}

export type Call = ReturnType<typeof client>;

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'network-test-'));
}

export function start(options: NetworkEmulatorOptions = {}): Promise<NetworkEmulator> {
  return startNetworkEmulator({ quiet: true, ...options });
}

export const HARDWARE = { gpu: null, providers: ['cpu'], cpuCores: 4, memoryMb: 8192, os: 'linux', arch: 'x64' };

export async function register(call: Call, clusters = ['cpu']): Promise<Reply> {
  const r = await call('POST', '/v1/nodes/register', { hardware: HARDWARE, clusters, clientVersion: 'test' });
  if (r.status !== 200) throw new Error(`register ${r.status} ${JSON.stringify(r.body)}`);
  return r;
}

/** Uploads bytes as a blob; returns its sha256 and size. */
export async function upload(call: Call, bytes: Buffer): Promise<{ sha256: string; bytes: number }> {
  const s = sha256Hex(bytes);
  const r = await call('PUT', `/v1/blobs/${s}`, undefined, { raw: bytes });
  if (r.status !== 201 && r.status !== 200) throw new Error(`PUT blob ${r.status} ${JSON.stringify(r.body)}`);
  return { sha256: s, bytes: bytes.length };
}

export const LABELS = ['cat', 'dog', 'bird'];

/** Uploads a fake model and `n` fake PNG inputs and submits a classification job. */
export async function submitJob(call: Call, opts: { inputs?: number; redundancy?: number; extra?: Record<string, unknown> } = {}): Promise<{ jobId: string; cost: number; inputs: string[]; reply: Reply }> {
  const model = await upload(call, Buffer.from('fake onnx model ' + crypto.randomUUID()));
  const inputs = [];
  for (let i = 0; i < (opts.inputs ?? 3); i++) inputs.push({ ...(await upload(call, Buffer.from(`frame ${i} ${crypto.randomUUID()}`))), mediaType: 'image/png' });
  const reply = await call('POST', '/v1/jobs', {
    kind: 'inference',
    model: { ...model, format: 'onnx', task: 'classification', inputSize: [224, 224], labels: LABELS },
    inputs,
    batchSize: 2,
    redundancy: opts.redundancy ?? 1,
    maxDurationMinutes: 30,
    ...opts.extra,
  });
  return { jobId: reply.body?.jobId, cost: reply.body?.cost, inputs: inputs.map((i) => i.sha256), reply };
}

/** Classification outputs for these inputs (`label` top-1, `score` shifted by `delta`). */
export function outputs(inputs: string[], opts: { label?: string; delta?: number } = {}) {
  return inputs.map((sha) => ({ input: sha, output: { top: [{ label: opts.label ?? 'cat', index: LABELS.indexOf(opts.label ?? 'cat'), score: 0.9 + (opts.delta ?? 0) }, { label: 'dog', index: 1, score: 0.05 }] } }));
}

/** A signed result body for a lease. */
export function resultBody(who: Identity, lease: { job: { jobId: string; replica: number } }, outs: unknown[], claimedCredit: number) {
  const resultSha256 = sha256Hex(canonicalJson(outs));
  return { outputs: outs, resultSha256, signature: sign(who, resultMessage(lease.job.jobId, lease.job.replica, resultSha256)), claimedCredit, deviceMs: 60_000 };
}
