/**
 * Work submitted while a cloud service is unreachable waits here (SQLite table `cloud_outbox`, migration 4) and is
 * sent when the service is back: oldest first and one at a time per service, with back-off between attempts.
 * Network trouble, 429 and 5xx keep an entry queued; a refusal (4xx, a reply the studio does not understand) marks
 * it failed with the reason, for the user to retry or cancel. A payload holds references (a job id, a file path),
 * never a secret: tokens are looked up in the vault when the entry is sent.
 */
import { AppError } from '../../common/app-error';
import { say } from '../../common/messages';
import type { Db } from '../store/database';
import { isTransient, type CloudErrorDetails, type CloudServiceName } from './errors';

export type OutboxState = 'queued' | 'sending' | 'sent' | 'failed' | 'cancelled';

export interface OutboxEntry {
  /** The row id as a string (ids travel as strings in the contract). */
  id: string;
  service: CloudServiceName;
  kind: string;
  payload: unknown;
  /** What it belongs to (a cloud job id), when anything. */
  ref: string | null;
  state: OutboxState;
  attempts: number;
  /** When the next attempt may be made (ISO), null for "as soon as the service answers". */
  nextAttemptAt: string | null;
  /** The last failure in a plain sentence. */
  lastError: string | null;
  lastErrorCode: string | null;
  result: unknown;
  createdAt: string;
  updatedAt: string;
}

/** Sends one entry; resolves with a small JSON-able result, rejects with an AppError. */
export type OutboxSender = (payload: unknown, entry: OutboxEntry) => Promise<unknown>;

export interface OutboxOptions {
  db: Db;
  /** Told of every change (the core forwards it to the UI so it shows "queued"). */
  onChange?: (entry: OutboxEntry) => void;
  /** Whether a service answers now; a flush skips the ones that do not. Default: always try. */
  reachable?: (service: CloudServiceName) => Promise<boolean>;
  now?: () => number;
  random?: () => number;
  /** Back-off between attempts of one entry: first step and longest (ms). Default 2 s and 5 min. */
  backoff?: { baseMs?: number; maxMs?: number };
}

export interface FlushReport {
  sent: number;
  failed: number;
  /** Entries still queued after this pass. */
  waiting: number;
}

interface Row {
  id: number;
  service: string;
  kind: string;
  payload_json: string;
  ref: string | null;
  status: OutboxState;
  attempts: number;
  next_attempt_at: string | null;
  last_error_json: string | null;
  result_json: string | null;
  created_at: string;
  updated_at: string;
}

const MAX_PAYLOAD = 64 * 1024;
const SECRET_KEY = /token|password|passwd|secret|authorization|cookie|apikey|privatekey|mnemonic|seedphrase|credential/;
const SECRET_VALUE = /^\s*(Bearer|Basic)\s+\S|\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/i;

/** Throws when a payload carries something that looks like a secret: the outbox stores references, not tokens. */
export function assertNoSecret(payload: unknown, where = 'payload'): void {
  const walk = (v: unknown, at: string, depth: number): void => {
    if (depth > 20) throw new AppError('INTERNAL', say('outbox.too_deep', { where }));
    if (typeof v === 'string') {
      if (SECRET_VALUE.test(v)) throw new AppError('INTERNAL', say('outbox.token_at', { where, at }));
      return;
    }
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${at}[${i}]`, depth + 1));
      return;
    }
    if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (SECRET_KEY.test(k.toLowerCase().replace(/[-_ .]/g, ''))) {
          throw new AppError('INTERNAL', say('outbox.secret_field', { where, field: k }));
        }
        walk(x, `${at}.${k}`, depth + 1);
      }
    }
  };
  walk(payload, where, 0);
}

function parse(json: string | null): unknown {
  if (json === null) return null;
  try {
    return JSON.parse(json);
  } catch {
    return null;
  }
}

function toEntry(r: Row): OutboxEntry {
  const err = parse(r.last_error_json) as { code?: string; message?: string } | null;
  return {
    id: String(r.id),
    service: r.service as CloudServiceName,
    kind: r.kind,
    payload: parse(r.payload_json),
    ref: r.ref,
    state: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: err?.message ?? null,
    lastErrorCode: err?.code ?? null,
    result: parse(r.result_json),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function rowId(id: string | number): number | null {
  const n = typeof id === 'number' ? id : /^\d+$/.test(id) ? Number(id) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

export class Outbox {
  private readonly db: Db;
  private readonly senders = new Map<string, OutboxSender>();
  private readonly listeners = new Set<(e: OutboxEntry) => void>();
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: OutboxOptions) {
    this.db = opts.db;
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.baseMs = opts.backoff?.baseMs ?? 2_000;
    this.maxMs = opts.backoff?.maxMs ?? 5 * 60_000;
    if (opts.onChange) this.listeners.add(opts.onChange);
    // A crash (or a quit) while sending: send it again. A sender should make that harmless (check the job first).
    this.db.prepare(`UPDATE cloud_outbox SET status = 'queued', updated_at = ? WHERE status = 'sending'`).run(this.iso());
    // Done entries are kept a while for the UI, not for ever.
    const old = new Date(this.now() - 30 * 86_400_000).toISOString();
    this.db.prepare(`DELETE FROM cloud_outbox WHERE status IN ('sent','cancelled') AND updated_at < ?`).run(old);
  }

  /** Told of every change; returns the unsubscribe function. */
  onChange(listener: (e: OutboxEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Who sends entries of `kind` (the Atlas service registers `atlas.submit`). */
  register(kind: string, sender: OutboxSender): void {
    this.senders.set(kind, sender);
  }

  /** Queues work for `service`; the payload must hold references only (INTERNAL when it looks like a secret). */
  enqueue(x: { service: CloudServiceName; kind: string; payload: unknown; ref?: string | null }): OutboxEntry {
    assertNoSecret(x.payload);
    const json = JSON.stringify(x.payload ?? null);
    if (json.length > MAX_PAYLOAD) throw new AppError('INTERNAL', say('outbox.too_large', { bytes: json.length, max: MAX_PAYLOAD }));
    const at = this.iso();
    const info = this.db
      .prepare(`INSERT INTO cloud_outbox (service, kind, payload_json, ref, status, created_at, updated_at) VALUES (?, ?, ?, ?, 'queued', ?, ?)`)
      .run(x.service, x.kind, json, x.ref ?? null, at, at);
    return this.changed(Number(info.lastInsertRowid))!;
  }

  /** Entries, oldest first, optionally of one service, state or ref. */
  list(filter: { service?: CloudServiceName; state?: OutboxState; ref?: string } = {}): OutboxEntry[] {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (clause: string, v: unknown) => {
      where.push(clause);
      args.push(v);
    };
    if (filter.service) add('service = ?', filter.service);
    if (filter.state) add('status = ?', filter.state);
    if (filter.ref !== undefined) add('ref = ?', filter.ref);
    const sql = `SELECT * FROM cloud_outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`;
    return (this.db.prepare(sql).all(...args) as Row[]).map(toEntry);
  }

  get(id: string): OutboxEntry | null {
    const n = rowId(id);
    const r = n === null ? undefined : (this.db.prepare(`SELECT * FROM cloud_outbox WHERE id = ?`).get(n) as Row | undefined);
    return r ? toEntry(r) : null;
  }

  /** A failed or cancelled entry goes back in the queue (attempts from 0); a queued one is tried at the next flush. */
  retry(id: string): OutboxEntry {
    const e = this.get(id);
    if (!e) throw new AppError('NOT_FOUND', say('outbox.no_entry', { id }));
    if (e.state === 'sent') throw new AppError('CONFLICT', say('outbox.already_sent', {}));
    if (e.state === 'sending') return e;
    this.db.prepare(`UPDATE cloud_outbox SET status = 'queued', attempts = CASE WHEN status = 'queued' THEN attempts ELSE 0 END, next_attempt_at = NULL, updated_at = ? WHERE id = ?`).run(this.iso(), rowId(id));
    return this.changed(rowId(id)!)!;
  }

  /**
   * Takes a queued or failed entry out of the queue. An entry already sent (or being sent) is left as it is and
   * returned unchanged; an unknown id gives null. Never throws for those, so callers can cancel "just in case".
   */
  cancel(id: string): OutboxEntry | null {
    const e = this.get(id);
    if (!e) return null;
    if (e.state !== 'queued' && e.state !== 'failed') return e;
    this.db.prepare(`UPDATE cloud_outbox SET status = 'cancelled', updated_at = ? WHERE id = ?`).run(this.iso(), rowId(id));
    return this.changed(rowId(id)!);
  }

  /**
   * Sends what waits, per service oldest first and one at a time, skipping services that do not answer and
   * entries whose back-off has not passed. Calls are serialised: a flush during a flush runs after it.
   */
  flush(opts: { service?: CloudServiceName } = {}): Promise<FlushReport> {
    const run = this.chain.then(() => this.pass(opts.service));
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Flushes every `intervalMs` (the timer does not keep the process alive). */
  start(intervalMs = 15_000): void {
    this.stop();
    this.timer = setInterval(() => void this.flush().catch(() => undefined), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async pass(only?: CloudServiceName): Promise<FlushReport> {
    const report: FlushReport = { sent: 0, failed: 0, waiting: 0 };
    const services = (this.db.prepare(`SELECT DISTINCT service FROM cloud_outbox WHERE status = 'queued'`).all() as { service: string }[])
      .map((r) => r.service as CloudServiceName)
      .filter((s) => !only || s === only);
    await Promise.all(services.map((s) => this.sendService(s, report)));
    report.waiting = (this.db.prepare(`SELECT COUNT(*) AS n FROM cloud_outbox WHERE status = 'queued'`).get() as { n: number }).n;
    return report;
  }

  private async sendService(service: CloudServiceName, report: FlushReport): Promise<void> {
    let checked = false;
    for (;;) {
      const kinds = [...this.senders.keys()];
      if (kinds.length === 0) return;
      // The oldest sendable entry; if its back-off has not passed, nothing newer jumps ahead of it.
      const r = this.db
        .prepare(`SELECT * FROM cloud_outbox WHERE service = ? AND status = 'queued' AND kind IN (${kinds.map(() => '?').join(',')}) ORDER BY id LIMIT 1`)
        .get(service, ...kinds) as Row | undefined;
      if (!r) return;
      if (r.next_attempt_at && r.next_attempt_at > this.iso()) return;
      if (!checked && this.opts.reachable) {
        checked = true;
        if (!(await this.opts.reachable(service).catch(() => false))) return;
      }
      const sender = this.senders.get(r.kind)!;
      this.db.prepare(`UPDATE cloud_outbox SET status = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ?`).run(this.iso(), r.id);
      const entry = this.changed(r.id)!;
      try {
        const result = await sender(entry.payload, entry);
        let json: string | null = null;
        try {
          json = result === undefined ? null : JSON.stringify(result);
          if (json && json.length > MAX_PAYLOAD) json = null;
        } catch {
          json = null;
        }
        this.db.prepare(`UPDATE cloud_outbox SET status = 'sent', result_json = ?, last_error_json = NULL, next_attempt_at = NULL, updated_at = ? WHERE id = ?`).run(json, this.iso(), r.id);
        this.changed(r.id);
        report.sent++;
      } catch (err) {
        const e = AppError.from(err);
        const lastError = JSON.stringify({ code: e.code, message: e.message });
        // Signed out: it waits for a sign-in rather than failing ("nothing lost"); cancelled: the app is closing.
        if (isTransient(e) || e.code === 'UNAUTHORIZED' || e.code === 'CANCELLED') {
          const asked = (e.details as CloudErrorDetails | undefined)?.retryAfterMs ?? 0;
          const wait = e.code === 'CANCELLED' ? 0 : Math.max(asked, this.backoffMs(entry.attempts));
          const attempts = e.code === 'CANCELLED' ? entry.attempts - 1 : entry.attempts;
          this.db
            .prepare(`UPDATE cloud_outbox SET status = 'queued', attempts = ?, next_attempt_at = ?, last_error_json = ?, updated_at = ? WHERE id = ?`)
            .run(attempts, wait > 0 ? new Date(this.now() + wait).toISOString() : null, lastError, this.iso(), r.id);
          this.changed(r.id);
          return; // the service is not taking work now: later entries wait their turn
        }
        this.db.prepare(`UPDATE cloud_outbox SET status = 'failed', last_error_json = ?, next_attempt_at = NULL, updated_at = ? WHERE id = ?`).run(lastError, this.iso(), r.id);
        this.changed(r.id);
        report.failed++;
      }
    }
  }

  /** Equal jitter: never less than half the step, so a dead service is not hammered. */
  private backoffMs(attempts: number): number {
    const cap = Math.min(this.maxMs, this.baseMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(cap / 2 + (this.random() * cap) / 2);
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  private changed(id: number): OutboxEntry | null {
    const r = this.db.prepare(`SELECT * FROM cloud_outbox WHERE id = ?`).get(id) as Row | undefined;
    if (!r) return null;
    const e = toEntry(r);
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A listener's bug must not stop the queue.
      }
    }
    return e;
  }
}
