/**
 * The local vision-training-platform emulator (seed 001): the HTTP host on 127.0.0.1 with every endpoint under
 * /api/v1, the workflow WebSockets, SQLite state and the datasets and trained models in the data folder (a
 * temporary one by default, removed on close), and the handles tests and the admin API use to move the clock,
 * inject faults, drop sockets, switch the export extension off, change plans and create users.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Clock } from '../base/clock';
import { FaultInjector, type FaultRule } from '../base/faults';
import { ADMIN_PREFIX, startHost } from '../base/host';
import { HttpError, readJson, type Ctx, type RequestRecord, Router, sendJson } from '../base/http';
import { Mailbox } from '../base/mailbox';
import { Tokens } from './auth';
import { errorBody, VisionError } from './errors';
import { DEFAULT_PLANS, isPlan, PLAN_NAMES, type Plan, type PlanName } from './plans';
import { RateLimiter } from './rate-limit';
import { API, RATE, sendVisionError, visionRoutes } from './routes';
import { VisionService, type VisionSettings } from './service';
import { VisionStore, type UserRow, type WorkflowStatus } from './store';
import { WorkflowSockets } from './ws';

export const DEMO_EMAIL = 'demo@kraken.local';
export const DEMO_PASSWORD = 'Kraken-Demo-2026!';

export interface VisionEmulatorOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Folder for the SQLite file, datasets and models; default a new temporary folder, removed on close. */
  dataDir?: string;
  /** Creates demo@kraken.local / Kraken-Demo-2026! on the Pro plan (if absent). */
  demo?: boolean;
  accessTokenSeconds?: number;
  refreshTokenSeconds?: number;
  /** Real milliseconds between epochs, so progress can be watched. Default 300. */
  epochDelayMs?: number;
  /** The export extension (GET /workflows/{id}/export); false → 404 NOT_FOUND. Default true. */
  exportEnabled?: boolean;
  /** Plan limits, merged over seed 001's table. */
  plans?: Partial<Record<PlanName, Partial<Plan>>>;
  /** Requests per minute and per hour by plan, merged over the seed (shorthand for plans.*.requestsPer…). */
  rateLimits?: Partial<Record<PlanName | 'anonymous', number>>;
  /** Trainings running at once (all users). Default 4. */
  gpuSlots?: number;
  /** Largest dataset upload in bytes. Default 512 MiB. */
  maxUploadBytes?: number;
  faults?: FaultRule | FaultRule[];
  faultSeed?: number;
  quiet?: boolean;
}

export interface VisionEmulator {
  /** The API base, including /api/v1 (e.g. http://127.0.0.1:40123/api/v1). */
  url: string;
  /** Scheme, host and port only (admin API at `${origin}/__emulator`). */
  origin: string;
  /** The WebSocket base (ws://127.0.0.1:40123/api/v1/ws). */
  wsUrl: string;
  port: number;
  dataDir: string;
  clock: Clock;
  faults: FaultInjector;
  settings: VisionSettings;
  close(): Promise<void>;
  /** Creates a user (plan default free); returns its user_id. */
  createUser(input: { email: string; password: string; name?: string; plan?: PlanName }): string;
  setPlan(email: string, plan: PlanName): void;
  /** Tokens for a user without a password round trip. */
  tokensFor(email: string): { access_token: string; refresh_token: string };
  setExportEnabled(on: boolean): void;
  setEpochDelay(ms: number): void;
  /** Drops every workflow WebSocket (`terminate`: a network cut; `close`: close code 1012). Returns how many. */
  dropWebSockets(mode?: 'terminate' | 'close'): number;
  webSocketCount(workflowId?: string): number;
  /** Ends a pending or training workflow `failed` (a training_error on the socket). */
  failWorkflow(workflowId: string, message?: string): void;
  /** Resolves once the workflow has one of `statuses` (default: any end state). */
  waitForWorkflow(workflowId: string, statuses?: WorkflowStatus[], timeoutMs?: number): Promise<WorkflowStatus>;
  /** Resolves once the dataset is no longer processing. */
  waitForDataset(datasetId: string, timeoutMs?: number): Promise<'ready' | 'failed'>;
  requests(): RequestRecord[];
  clearRequests(): void;
  /** Wipes users, data, faults, rate counters and the clock offset (the demo user is made again with demo). */
  reset(): Promise<void>;
}

class StoredClock extends Clock {
  constructor(private readonly save: (offsetMs: number) => void) {
    super();
  }
  override advance(ms: number): number {
    const now = super.advance(ms);
    this.save(this.offset);
    return now;
  }
  override reset(): void {
    super.reset();
    this.save(0);
  }
}

function mergePlans(options: VisionEmulatorOptions): { plans: Record<PlanName, Plan>; anonymous: number } {
  const plans = Object.fromEntries(PLAN_NAMES.map((p) => [p, { ...DEFAULT_PLANS[p], ...(options.plans?.[p] ?? {}) }])) as Record<PlanName, Plan>;
  for (const p of PLAN_NAMES) {
    const perMinute = options.rateLimits?.[p];
    if (perMinute !== undefined) plans[p].requestsPerMinute = perMinute;
  }
  return { plans, anonymous: options.rateLimits?.anonymous ?? 300 };
}

export async function startVisionEmulator(options: VisionEmulatorOptions = {}): Promise<VisionEmulator> {
  const ownDir = !options.dataDir;
  const dataDir = options.dataDir ? path.resolve(options.dataDir) : fs.mkdtempSync(path.join(os.tmpdir(), 'vision-emulator-'));
  fs.mkdirSync(path.join(dataDir, 'uploads'), { recursive: true });
  const store = new VisionStore(path.join(dataDir, 'vision.sqlite'));
  const clock = new StoredClock((offset) => store.setMeta('clockOffsetMs', String(offset)));
  const saved = Number(store.meta('clockOffsetMs') ?? 0);
  if (saved) Clock.prototype.advance.call(clock, saved);
  let key = store.meta('tokenKey');
  if (!key) {
    key = randomBytes(32).toString('hex');
    store.setMeta('tokenKey', key);
  }
  const tokens = new Tokens(Buffer.from(key, 'hex'), clock, { accessTokenSeconds: options.accessTokenSeconds ?? 3600, refreshTokenSeconds: options.refreshTokenSeconds ?? 14 * 24 * 3600 });
  const faultList = options.faults === undefined ? [] : Array.isArray(options.faults) ? options.faults : [options.faults];
  const faults = new FaultInjector(faultList, options.faultSeed ?? 1);
  const { plans, anonymous } = mergePlans(options);
  const settings: VisionSettings = {
    epochDelayMs: options.epochDelayMs ?? 300,
    exportEnabled: options.exportEnabled ?? true,
    plans,
    anonymousPerMinute: anonymous,
    gpuSlots: options.gpuSlots ?? 4,
    maxUploadBytes: options.maxUploadBytes ?? 512 * 1024 * 1024,
  };
  const svc = new VisionService(store, clock, settings, dataDir, tokens);
  const sockets = new WorkflowSockets({
    authorise: (token, workflowId) => {
      const u = svc.userOf(token);
      svc.ownWorkflow(u, workflowId);
    },
    snapshot: (workflowId) => svc.snapshot(workflowId),
  });
  svc.sockets = sockets;
  const limiter = new RateLimiter(clock);

  const ensureDemo = () => {
    if (options.demo && !store.userByEmail(DEMO_EMAIL)) svc.createUser({ email: DEMO_EMAIL, password: DEMO_PASSWORD, name: 'Kraken Demo', plan: 'pro' });
  };
  ensureDemo();

  const router = new Router();
  visionRoutes(router, svc, path.join(dataDir, 'uploads'));

  const admin = new Router();
  const a = (s: string) => ADMIN_PREFIX + s;
  const adminWrap = (fn: (ctx: Ctx) => Promise<void> | void) => async (ctx: Ctx) => {
    try {
      await fn(ctx);
    } catch (e) {
      if (e instanceof VisionError) return sendVisionError(ctx, e);
      if (e instanceof HttpError) throw e;
      throw new HttpError(400, (e as Error).message);
    }
  };
  const userByEmail = (email: unknown): UserRow => {
    const u = typeof email === 'string' ? store.userByEmail(email) : null;
    if (!u) throw new VisionError(404, `No user ${String(email)}`);
    return u;
  };
  const userView = (u: UserRow) => ({ user_id: u.user_id, email: u.email, name: u.name, plan: u.plan });
  const sendConfig = (ctx: Ctx) => sendJson(ctx, 200, { ...settings, webSockets: sockets.count() });
  admin.on('GET', a('/config'), adminWrap(sendConfig));
  admin.on(
    'PATCH',
    a('/config'),
    adminWrap(async (ctx) => {
      const b = await readJson(ctx);
      if (b.epochDelayMs !== undefined) {
        if (typeof b.epochDelayMs !== 'number' || b.epochDelayMs < 0) throw new Error('epochDelayMs must be a number ≥ 0');
        settings.epochDelayMs = b.epochDelayMs;
      }
      if (b.exportEnabled !== undefined) settings.exportEnabled = b.exportEnabled === true;
      if (b.gpuSlots !== undefined) {
        if (!Number.isInteger(b.gpuSlots) || (b.gpuSlots as number) < 1) throw new Error('gpuSlots must be a whole number ≥ 1');
        settings.gpuSlots = b.gpuSlots as number;
        svc.schedule();
      }
      sendConfig(ctx);
    }),
  );
  admin.on(
    ['PUT', 'POST'],
    a('/export'),
    adminWrap(async (ctx) => {
      const b = await readJson(ctx);
      if (typeof b.enabled !== 'boolean') throw new Error('Give {"enabled": true|false}');
      settings.exportEnabled = b.enabled;
      sendJson(ctx, 200, { enabled: settings.exportEnabled });
    }),
  );
  admin.on(
    'POST',
    a('/ws/drop'),
    adminWrap(async (ctx) => {
      const b = await readJson(ctx);
      const mode = b.mode === 'close' ? 'close' : 'terminate';
      sendJson(ctx, 200, { dropped: sockets.dropAll(mode), mode });
    }),
  );
  admin.on('GET', a('/users'), adminWrap((ctx) => sendJson(ctx, 200, { users: store.users().map(userView) })));
  admin.on(
    'POST',
    a('/users'),
    adminWrap(async (ctx) => {
      const b = await readJson(ctx);
      if (typeof b.email !== 'string' || !b.email.includes('@')) throw new Error('email is required');
      if (typeof b.password !== 'string' || !b.password) throw new Error('password is required');
      if (b.plan !== undefined && !isPlan(b.plan)) throw new Error(`plan must be one of ${PLAN_NAMES.join(', ')}`);
      const u = svc.createUser({ email: b.email, password: b.password, name: typeof b.name === 'string' ? b.name : undefined, plan: b.plan as PlanName | undefined });
      sendJson(ctx, 201, userView(u));
    }),
  );
  admin.on(
    ['PUT', 'POST'],
    a('/users/:email/plan'),
    adminWrap(async (ctx) => {
      const b = await readJson(ctx);
      if (!isPlan(b.plan)) throw new Error(`plan must be one of ${PLAN_NAMES.join(', ')}`);
      const u = userByEmail(ctx.params.email);
      store.setPlan(u.user_id, b.plan);
      sendJson(ctx, 200, userView(store.user(u.user_id)!));
    }),
  );
  admin.on(
    'POST',
    a('/workflows/:id/fail'),
    adminWrap(async (ctx) => {
      const b = await readJson(ctx);
      svc.failWorkflow(ctx.params.id!, typeof b.message === 'string' && b.message ? b.message : 'Training failed (injected by the vision emulator).');
      sendJson(ctx, 200, { workflow_id: ctx.params.id, failing: true });
    }),
  );

  const wipe = () => {
    store.wipe();
    limiter.clear();
    for (const d of ['datasets', 'models', 'uploads']) {
      fs.rmSync(path.join(dataDir, d), { recursive: true, force: true });
    }
    fs.mkdirSync(path.join(dataDir, 'uploads'), { recursive: true });
    ensureDemo();
  };

  const host = await startHost({
    name: 'vision',
    port: options.port,
    clock,
    faults,
    mailbox: new Mailbox(),
    router,
    adminRouter: admin,
    onReset: wipe,
    logError: options.quiet ? () => {} : undefined,
    onUpgrade: sockets.onUpgrade,
    isDownload: (method, p) => method === 'GET' && /\/workflows\/[^/]+\/export$/.test(p),
    errorBody: (status, message) => errorBody(status, message),
  });
  // Rate limiting runs before the host's own handler, so its headers are on every reply (faults and 404s too).
  host.server.prependListener('request', (req, res) => {
    const p = (req.url ?? '/').split('?')[0]!;
    if (p.startsWith(ADMIN_PREFIX)) return;
    const userId = tokens.peek(req.headers.authorization);
    const user = userId ? store.user(userId) : null;
    const plan = user ? (settings.plans[user.plan] ?? DEFAULT_PLANS[user.plan]) : null;
    const state = limiter.hit(user ? `user:${user.user_id}` : `addr:${req.socket.remoteAddress ?? ''}`, plan?.requestsPerMinute ?? settings.anonymousPerMinute, plan?.requestsPerHour ?? settings.anonymousPerMinute * 60);
    res.setHeader('X-RateLimit-Limit', String(state.limit));
    res.setHeader('X-RateLimit-Remaining', String(state.remaining));
    res.setHeader('X-RateLimit-Reset', String(state.reset));
    RATE.set(req, state);
  });
  svc.recover();

  const origin = host.url;
  const wait = async <T>(check: () => T | null, timeoutMs: number, what: string): Promise<T> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = check();
      if (v !== null) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  return {
    url: origin + API,
    origin,
    wsUrl: origin.replace(/^http/, 'ws') + API + '/ws',
    port: host.port,
    dataDir,
    clock,
    faults,
    settings,
    async close() {
      svc.close();
      sockets.close();
      await host.close();
      // let trainings and inspections notice the close before the database goes
      await new Promise((r) => setTimeout(r, 20));
      store.close();
      if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
    createUser: (input) => svc.createUser(input).user_id,
    setPlan: (email, plan) => {
      const u = userByEmail(email);
      store.setPlan(u.user_id, plan);
    },
    tokensFor: (email) => {
      const u = userByEmail(email);
      return { access_token: tokens.access(u.user_id), refresh_token: tokens.refresh(u.user_id) };
    },
    setExportEnabled: (on) => void (settings.exportEnabled = on),
    setEpochDelay: (ms) => void (settings.epochDelayMs = ms),
    dropWebSockets: (mode) => sockets.dropAll(mode),
    webSocketCount: (id) => sockets.count(id),
    failWorkflow: (id, message = 'Training failed (injected by the vision emulator).') => svc.failWorkflow(id, message),
    waitForWorkflow: (id, statuses = ['completed', 'failed', 'cancelled'], timeoutMs = 30_000) =>
      wait(() => {
        const w = store.workflow(id);
        return w && statuses.includes(w.status) ? w.status : null;
      }, timeoutMs, `workflow ${id}`),
    waitForDataset: (id, timeoutMs = 30_000) =>
      wait(() => {
        const d = store.dataset(id);
        return d && d.status !== 'processing' ? (d.status as 'ready' | 'failed') : null;
      }, timeoutMs, `dataset ${id}`),
    requests: () => host.requests(),
    clearRequests: () => host.clearRequests(),
    async reset() {
      faults.clear();
      clock.reset();
      host.clearRequests();
      wipe();
    },
  };
}
