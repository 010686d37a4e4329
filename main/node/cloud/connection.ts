/**
 * Where each cloud service is reached. Resolved in this order: an explicit override (the CLI's `--api`), the saved
 * setting, the environment (`KRAKEN_ATLAS_URL`, …), the local emulator `npm start` runs (`KRAKEN_EMULATOR_ATLAS_URL`,
 * labelled emulator), else none ("not configured"). Saved under `cloud.<service>` in the settings table by this
 * small store of its own, so the user Settings object stays untouched.
 */
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { AppError } from '../../common/app-error';
import type { AppErrorShape } from '../../common/contract';
import type { Db } from '../store/database';
import { say, type MessageParams, type Said } from '../../common/messages';
import { CLOUD_SERVICES, serviceParams, type CloudServiceName } from './errors';
import { HttpClient } from './http-client';

export type ConnectionSource = 'override' | 'setting' | 'env' | 'emulator' | 'none';

export interface ServiceConnection<S extends CloudServiceName = CloudServiceName> {
  service: S;
  /** The server root (no trailing slash); null when nothing is configured. */
  baseUrl: string | null;
  /** True when this is the studio's local emulator (the UI labels it "local emulator"). */
  emulator: boolean;
  source: ConnectionSource;
}

export interface Reachability<S extends CloudServiceName = CloudServiceName> {
  service: S;
  baseUrl: string | null;
  reachable: boolean;
  /** Round trip of the check, when reachable. */
  latencyMs: number | null;
  /** What `GET /atlas/version` answered (Atlas), when it did. */
  version: string | null;
  /** Why not (or a caveat), in a plain sentence. */
  message: string | null;
  /** `message` as a code with its parameters, for the UI to translate. */
  messageCode?: string;
  messageParams?: MessageParams;
  error?: AppErrorShape;
}

/**
 * A connection check's `message` with its code and parameters (for the contract's optional fields): from a sentence
 * of the registry, or from an error (only where the error carries a code).
 */
export function checkMessage(x: Said | AppError): { message: string; messageCode?: string; messageParams?: MessageParams } {
  if (!x.messageCode) return { message: x.message };
  return { message: x.message, messageCode: x.messageCode, messageParams: x.messageParams ?? {} };
}

const SUFFIX: Record<CloudServiceName, string> = { atlas: 'ATLAS', vision: 'VISION', solana: 'SOLANA', compute: 'COMPUTE', network: 'NETWORK' };

/** `KRAKEN_ATLAS_URL`, `KRAKEN_VISION_URL`, … */
export function envName(service: CloudServiceName): string {
  return `KRAKEN_${SUFFIX[service]}_URL`;
}

/** `KRAKEN_EMULATOR_ATLAS_URL`, …: set by `npm start` when it runs the local emulator. */
export function emulatorEnvName(service: CloudServiceName): string {
  return `KRAKEN_EMULATOR_${SUFFIX[service]}_URL`;
}

/** The cheap GET that says a service answers. Atlas has `/atlas/version` (seed 000 §6.1); the others their root. */
const PROBE_PATH: Record<CloudServiceName, string> = { atlas: '/atlas/version', vision: '/', solana: '/', compute: '/', network: '/' };

const Saved = z.object({ baseUrl: z.string(), emulator: z.boolean().optional() });

/** Checks and normalises a base URL: http(s), no query or fragment, no trailing slash. */
export function normaliseBaseUrl(service: CloudServiceName, url: string): string {
  return new HttpClient({ service, baseUrl: url.trim() }).baseUrl;
}

function clean(url: string | undefined | null): string | null {
  const t = url?.trim();
  return t ? t.replace(/\/+$/, '') : null;
}

export interface ConnectionSettingsOptions {
  db: Db;
  /** Default process.env (read at each call, so a changed environment is seen). */
  env?: NodeJS.ProcessEnv;
  /** Per-service overrides that win over everything (the CLI's `--api`). Never saved. */
  overrides?: Partial<Record<CloudServiceName, string>>;
  /** For checks: the fetch to use and how long to wait. */
  fetch?: typeof fetch;
  checkTimeoutMs?: number;
}

export class ConnectionSettings {
  private readonly overrides = new Map<CloudServiceName, string>();

  constructor(private readonly opts: ConnectionSettingsOptions) {
    for (const [s, url] of Object.entries(opts.overrides ?? {})) if (url) this.setOverride(s as CloudServiceName, url);
  }

  private get env(): NodeJS.ProcessEnv {
    return this.opts.env ?? process.env;
  }

  private isEmulator(service: CloudServiceName, url: string): boolean {
    const emu = clean(this.env[emulatorEnvName(service)]);
    return emu !== null && emu === url;
  }

  private saved(service: CloudServiceName): z.infer<typeof Saved> | null {
    const row = this.opts.db.prepare(`SELECT value_json FROM settings WHERE key = ?`).get(`cloud.${service}`) as { value_json: string } | undefined;
    if (!row) return null;
    try {
      const parsed = Saved.safeParse(JSON.parse(row.value_json));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  /** Where `service` is reached now, and why. */
  get<S extends CloudServiceName>(service: S): ServiceConnection<S> {
    const over = this.overrides.get(service);
    if (over) return { service, baseUrl: over, emulator: this.isEmulator(service, over), source: 'override' };
    const saved = this.saved(service);
    if (saved) {
      const url = clean(saved.baseUrl)!;
      return { service, baseUrl: url, emulator: saved.emulator === true || this.isEmulator(service, url), source: 'setting' };
    }
    const env = clean(this.env[envName(service)]);
    if (env) return { service, baseUrl: env, emulator: this.isEmulator(service, env), source: 'env' };
    const emu = clean(this.env[emulatorEnvName(service)]);
    if (emu) return { service, baseUrl: emu, emulator: true, source: 'emulator' };
    return { service, baseUrl: null, emulator: false, source: 'none' };
  }

  /** Every service's connection. */
  all(): ServiceConnection[] {
    return CLOUD_SERVICES.map((s) => this.get(s));
  }

  /** Saves the base URL (checked: http or https, no query); null forgets it (back to the environment or the emulator). */
  set<S extends CloudServiceName>(service: S, baseUrl: string | null, opts: { emulator?: boolean } = {}): ServiceConnection<S> {
    const key = `cloud.${service}`;
    if (baseUrl === null || baseUrl.trim() === '') {
      this.opts.db.prepare(`DELETE FROM settings WHERE key = ?`).run(key);
    } else {
      const value: z.infer<typeof Saved> = { baseUrl: normaliseBaseUrl(service, baseUrl) };
      if (opts.emulator) value.emulator = true;
      this.opts.db
        .prepare(`INSERT INTO settings (key, value_json) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json`)
        .run(key, JSON.stringify(value));
    }
    return this.get(service);
  }

  /** An override for this process only (the CLI's `--api`); null removes it. Never saved. */
  setOverride(service: CloudServiceName, baseUrl: string | null): void {
    if (baseUrl === null) this.overrides.delete(service);
    else this.overrides.set(service, normaliseBaseUrl(service, baseUrl));
  }

  /** Is the service reachable now? A cheap GET with a short timeout. */
  check<S extends CloudServiceName>(service: S): Promise<Reachability<S>> {
    const c = this.get(service);
    return checkReachable(service, c.baseUrl, { fetch: this.opts.fetch, timeoutMs: this.opts.checkTimeoutMs });
  }
}

/**
 * A cheap GET (`/atlas/version` for Atlas) with a short timeout and no retries: reachable when the server answers
 * below 500. Never throws; the reason is in `message`.
 */
export async function checkReachable<S extends CloudServiceName>(
  service: S,
  baseUrl: string | null,
  opts: { fetch?: typeof fetch; timeoutMs?: number } = {},
): Promise<Reachability<S>> {
  const who = serviceParams(service);
  if (!baseUrl) {
    return { service, baseUrl: null, reachable: false, latencyMs: null, version: null, ...checkMessage(say('cloud.no_address_set', who)) };
  }
  let client: HttpClient;
  try {
    client = new HttpClient({ service, baseUrl, fetch: opts.fetch, timeoutMs: opts.timeoutMs ?? 3_000, maxRetries: 0 });
  } catch (err) {
    const e = AppError.from(err);
    return { service, baseUrl, reachable: false, latencyMs: null, version: null, ...checkMessage(e), error: e.toShape() };
  }
  const started = performance.now();
  try {
    const res = await client.requestRaw({ path: PROBE_PATH[service], auth: false, retry: false, okStatuses: range(200, 500) });
    const text = (await res.text()).trim();
    const latencyMs = Math.round(performance.now() - started);
    if (res.status >= 400) {
      return { service, baseUrl, reachable: true, latencyMs, version: null, ...checkMessage(say('cloud.answers_not_as', { ...who, status: res.status, path: PROBE_PATH[service] })) };
    }
    return { service, baseUrl, reachable: true, latencyMs, version: service === 'atlas' ? versionText(text) : null, message: null };
  } catch (err) {
    const e = AppError.from(err);
    return { service, baseUrl, reachable: false, latencyMs: null, version: null, ...checkMessage(e), error: e.toShape() };
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/** The seed says a string: accept a JSON string, `{version}` or plain text, cut short. */
function versionText(text: string): string | null {
  if (!text) return null;
  let v: unknown = text;
  try {
    v = JSON.parse(text);
  } catch {
    // plain text
  }
  if (v && typeof v === 'object' && typeof (v as { version?: unknown }).version === 'string') v = (v as { version: string }).version;
  if (typeof v !== 'string' && typeof v !== 'number') return null;
  const s = String(v).replace(/\s+/g, ' ').trim();
  return s && !s.startsWith('<') ? s.slice(0, 100) : null;
}
