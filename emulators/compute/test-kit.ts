/**
 * Helpers for the compute emulator's own tests: plain fetch with the seed's endpoint names and fields spelled
 * out in full (no client code is reused, on purpose), and an emulator whose creations never move by
 * themselves during a test (a minute per state: the tests move the clock).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startComputeEmulator, type ComputeEmulator, type ComputeEmulatorOptions } from './emulator';

export const MINUTE = 60_000;

export interface Reply {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

export async function call(url: string, name: string, body?: unknown, init: { method?: string; raw?: string } = {}): Promise<Reply> {
  const res = await fetch(`${url}/${name}`, {
    method: init.method ?? 'POST',
    headers: body !== undefined || init.raw !== undefined ? { 'content-type': 'application/json' } : {},
    body: init.raw ?? (body !== undefined ? JSON.stringify(body) : undefined),
  });
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
  return fs.mkdtempSync(path.join(os.tmpdir(), 'compute-test-'));
}

/** An emulator whose creation states change only when the test moves the clock (one minute each). */
export function start(options: ComputeEmulatorOptions = {}): Promise<ComputeEmulator> {
  return startComputeEmulator({ creationDelayMs: { pending: MINUTE, createContainer: MINUTE }, quiet: true, ...options });
}

/** Registers `userId` (10 GB, campus 1 unless told). */
export async function register(url: string, userId: string, localSchoolId = 1): Promise<void> {
  const r = await call(url, 'registerUser', { userId, storageGb: 10, localSchoolId });
  if (r.status !== 200) throw new Error(`registerUser ${r.status} ${r.text}`);
}

/** Runs a container and moves the clock until it is running; returns its id. */
export async function running(em: ComputeEmulator, body: Record<string, unknown>): Promise<string> {
  const r = await call(em.url, 'runContainer', body);
  if (r.status !== 200) throw new Error(`runContainer ${r.status} ${r.text}`);
  em.advanceClock(2 * MINUTE);
  return r.body.containerId as string;
}
