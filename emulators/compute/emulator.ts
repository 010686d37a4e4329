/**
 * The local compute-container emulator (seed 003): the HTTP host on 127.0.0.1, SQLite state in the data
 * folder (a temporary one by default, removed on close), the container pages (Jupyter, shell) it hands out as
 * endpoints, and the handles tests and the admin API use to fail creations, move the clock and inject 5xx.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Clock } from '../base/clock';
import { FaultInjector, type FaultRule } from '../base/faults';
import { ADMIN_PREFIX, startHost } from '../base/host';
import { HttpError, readJson, type Ctx, type RequestRecord, Router, sendJson } from '../base/http';
import { Mailbox } from '../base/mailbox';
import { computeRoutes } from './routes';
import { shellServer } from './shell';
import { ComputeError, ComputeService, type ComputeSettings, type ContainerView, type CreationDelays, type Quota } from './service';
import { ComputeStore, type ClusterId } from './store';

export interface ComputeEmulatorOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Folder for the SQLite file and the users' storage; default a new temporary folder, removed on close. */
  dataDir?: string;
  /** How long a creation reads `pending`, then `createContainer` (ms, emulator clock). A number sets both. Default 1000 / 2000. */
  creationDelayMs?: number | Partial<CreationDelays>;
  /** Quotas per campus (`localSchoolId` → {cpu, gpu}): the most containers one user of that campus holds at once. */
  quotas?: Record<string | number, Quota>;
  /** Quota of a campus not in `quotas`. Default {cpu: 2, gpu: 1}. */
  defaultQuota?: Quota;
  /** Image of a runContainer without dockerImagePath. */
  defaultImages?: Partial<Record<ClusterId, string>>;
  /** Fault rules active from the start (5xx at a rate, delays…; see base/faults.ts). */
  faults?: FaultRule | FaultRule[];
  /** Seed of the 5xx-rate generator (runs repeat). Default 1. */
  faultSeed?: number;
  /** The next N creations end `failed` (with this message). */
  failNextCreation?: string | { message?: string; count?: number };
  /** Unexpected errors are printed unless quiet. */
  quiet?: boolean;
}

export interface EmulatorContainer extends ContainerView {
  userId: string;
  /** 'creating' (pending / createContainer), 'success', 'failed' or 'ended' (terminated, expired, user deleted). */
  state: string;
  endReason: string | null;
  failMessage: string | null;
}

export interface ComputeEmulator {
  /** Server root, e.g. http://127.0.0.1:40123; the seed's endpoints are `POST {url}/registerUser` and so on. */
  url: string;
  port: number;
  dataDir: string;
  settings: ComputeSettings;
  close(): Promise<void>;
  /** Replaces every fault rule. */
  setFaults(rules: FaultRule | FaultRule[]): void;
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  faults(): FaultRule[];
  /** The next `count` (default 1) creations end `failed`; getContainerStatus answers this message as errMessage. */
  failNextCreation(message?: string, count?: number): void;
  /** Ends a container that is still being created `failed` now. */
  failContainer(containerId: string, message?: string): void;
  /** Moves the emulator's clock (creation states, countdowns, usage). Returns the new now. Kept across restarts. */
  advanceClock(ms: number): number;
  now(): number;
  /** Replaces the creation delays (for creations from now on). */
  setCreationDelay(delay: number | Partial<CreationDelays>): void;
  /** Sets a campus's quota (or, without a campus, the default quota). */
  setQuota(quota: Quota, localSchoolId?: number): void;
  /** Every container the emulator knows, ended ones too. */
  containers(): EmulatorContainer[];
  container(containerId: string): EmulatorContainer | null;
  /** Does the user's storage folder exist (registerUser creates it, deleteUser removes it)? */
  storageExists(userId: string): boolean;
  /** The request log (method, path, status, JSON keys — never bodies). */
  requests(): RequestRecord[];
  clearRequests(): void;
  /** Wipes users, containers, faults, pending failures, the request log and the clock offset. */
  reset(): Promise<void>;
}

export const DEFAULT_FAIL_MESSAGE = 'Container creation failed (injected by the compute emulator).';

/** The base clock whose offset is written to SQLite, so a restarted emulator keeps a moved clock. */
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

function delays(v: number | Partial<CreationDelays> | undefined, base: CreationDelays): CreationDelays {
  const out = typeof v === 'number' ? { pending: v, createContainer: v } : { ...base, ...(v ?? {}) };
  for (const k of ['pending', 'createContainer'] as const) if (!(Number.isFinite(out[k]) && out[k] >= 0)) throw new Error(`creationDelayMs.${k} must be a number ≥ 0.`);
  return out;
}

function checkQuota(q: unknown): Quota {
  const o = q as Quota | null;
  if (!o || typeof o !== 'object' || ![o.cpu, o.gpu].every((n) => Number.isInteger(n) && n >= 0)) throw new Error('A quota is {cpu, gpu}, whole numbers ≥ 0.');
  return { cpu: o.cpu, gpu: o.gpu };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startComputeEmulator(options: ComputeEmulatorOptions = {}): Promise<ComputeEmulator> {
  const ownDir = !options.dataDir;
  const dataDir = options.dataDir ? path.resolve(options.dataDir) : fs.mkdtempSync(path.join(os.tmpdir(), 'compute-emulator-'));
  fs.mkdirSync(path.join(dataDir, 'storage'), { recursive: true });
  const store = new ComputeStore(path.join(dataDir, 'compute.sqlite'));
  const clock = new StoredClock((offset) => store.setMeta('clockOffsetMs', String(offset)));
  const saved = Number(store.meta('clockOffsetMs') ?? 0);
  if (saved) Clock.prototype.advance.call(clock, saved);
  const faultList = options.faults === undefined ? [] : Array.isArray(options.faults) ? options.faults : [options.faults];
  const faults = new FaultInjector(faultList, options.faultSeed ?? 1);
  const quotas: Record<string, Quota> = {};
  for (const [k, v] of Object.entries(options.quotas ?? {})) quotas[String(k)] = checkQuota(v);
  const settings: ComputeSettings = {
    creationDelayMs: delays(options.creationDelayMs, { pending: 1000, createContainer: 2000 }),
    defaultQuota: checkQuota(options.defaultQuota ?? { cpu: 2, gpu: 1 }),
    quotas,
    defaultImages: { cpu: 'kraken/jupyter-cpu:latest', gpu: 'kraken/jupyter-gpu:latest', ...options.defaultImages },
  };
  let url = '';
  const svc = new ComputeService(store, clock, settings, path.join(dataDir, 'storage'), () => url);
  if (options.failNextCreation !== undefined) {
    const f = typeof options.failNextCreation === 'string' ? { message: options.failNextCreation } : options.failNextCreation;
    svc.failNextCreation(f.message || DEFAULT_FAIL_MESSAGE, f.count ?? 1);
  }

  const router = new Router();
  computeRoutes(router, svc);

  // the endpoints runContainer hands out: a page on the Jupyter URL, a line on the shell URL
  const page = (ctx: Ctx) => {
    ctx.req.resume();
    const id = ctx.params.containerId!;
    const c = svc.runningContainer(id);
    if (!c) {
      const known = store.container(id);
      const status = known && known.state === 'creating' ? 503 : 404;
      const message = known && known.state === 'creating' ? `Container ${id} is still being created.` : `No running container ${id}.`;
      ctx.record.status = status;
      ctx.res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      ctx.res.end(message);
      return;
    }
    return c;
  };
  const jupyter = (ctx: Ctx) => {
    const c = page(ctx);
    if (!c) return;
    const title = `Jupyter (Kraken compute emulator) — container ${c.container_id}`;
    const html = `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1><p>Image ${escapeHtml(c.image_path)} on the ${c.cluster_id} cluster${c.storage_path ? `, shared storage ${escapeHtml(c.storage_path)}` : ''}.</p></body></html>`;
    ctx.record.status = 200;
    ctx.res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html), 'cache-control': 'no-store' });
    ctx.res.end(ctx.method === 'HEAD' ? undefined : html);
  };
  router.on('GET', '/__containers/:containerId/jupyter', jupyter);
  // a notebook's own paths (lab, tree/…) answer the same page
  router.on('GET', '/__containers/:containerId/jupyter/:a', jupyter);
  router.on('GET', '/__containers/:containerId/jupyter/:a/:b', jupyter);
  router.on('GET', '/__containers/:containerId/shell', (ctx) => {
    const c = page(ctx);
    if (!c) return;
    const textBody = `Shell endpoint of container ${c.container_id} (Kraken compute emulator): open it as a WebSocket (${svc.endpoints(c.container_id).shell}).\n`;
    ctx.record.status = 200;
    ctx.res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(textBody), 'cache-control': 'no-store' });
    ctx.res.end(ctx.method === 'HEAD' ? undefined : textBody);
  });

  const toContainer = (id: string): EmulatorContainer | null => {
    svc.sweep();
    const row = store.container(id);
    if (!row) return null;
    return { ...svc.view(row), userId: row.user_id, state: row.state, endReason: row.end_reason, failMessage: row.fail_message };
  };
  const wipe = () => {
    store.wipe();
    fs.rmSync(path.join(dataDir, 'storage'), { recursive: true, force: true });
    fs.mkdirSync(path.join(dataDir, 'storage'), { recursive: true });
    svc.clearFailures();
  };

  const admin = new Router();
  const a = (s: string) => ADMIN_PREFIX + s;
  const wrap = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof ComputeError) throw new HttpError(e.statusCode, e.message);
      if (e instanceof HttpError) throw e;
      throw new HttpError(400, (e as Error).message);
    }
  };
  const sendSettings = (ctx: Ctx) => sendJson(ctx, 200, { ...settings, pendingFailures: svc.pendingFailures() });
  admin.on('GET', a('/config'), sendSettings);
  admin.on('PATCH', a('/config'), async (ctx) => {
    const body = await readJson(ctx);
    wrap(() => {
      if (body.creationDelayMs !== undefined) settings.creationDelayMs = delays(body.creationDelayMs as number | Partial<CreationDelays>, settings.creationDelayMs);
      if (body.defaultQuota !== undefined) settings.defaultQuota = checkQuota(body.defaultQuota);
      if (body.quotas !== undefined) {
        if (!body.quotas || typeof body.quotas !== 'object') throw new Error('quotas is {localSchoolId: {cpu, gpu}}.');
        for (const [k, v] of Object.entries(body.quotas)) settings.quotas[k] = checkQuota(v);
      }
    });
    sendSettings(ctx);
  });
  admin.on('POST', a('/fail-next-creation'), async (ctx) => {
    const body = await readJson(ctx);
    const count = body.count === undefined ? 1 : Number(body.count);
    if (!Number.isInteger(count) || count < 1) throw new HttpError(400, 'count must be a whole number ≥ 1.');
    svc.failNextCreation(typeof body.message === 'string' && body.message ? body.message : DEFAULT_FAIL_MESSAGE, count);
    sendSettings(ctx);
  });
  admin.on('GET', a('/containers'), (ctx) => sendJson(ctx, 200, { containers: store.containers().map((c) => toContainer(c.container_id)) }));
  admin.on('POST', a('/containers/:containerId/fail'), async (ctx) => {
    const body = await readJson(ctx);
    wrap(() => svc.failContainer(ctx.params.containerId!, typeof body.message === 'string' && body.message ? body.message : DEFAULT_FAIL_MESSAGE));
    sendJson(ctx, 200, toContainer(ctx.params.containerId!));
  });

  const shell = shellServer((id) => svc.runningContainer(id));
  const host = await startHost({
    name: 'compute',
    port: options.port,
    clock,
    faults,
    mailbox: new Mailbox(),
    router,
    adminRouter: admin,
    onReset: wipe,
    logError: options.quiet ? () => {} : undefined,
    onUpgrade: shell.onUpgrade,
    // seed 003's error shape for everything the host answers itself (no route, 405, injected 5xx, bad JSON)
    errorBody: (statusCode, errMessage) => ({ statusCode, errMessage }),
  });
  url = host.url;
  // a container past its time ends by itself, also while nobody asks
  const sweeper = setInterval(() => {
    try {
      svc.sweep();
    } catch {
      // closed under us: the next start sweeps
    }
  }, 1000);
  sweeper.unref();

  return {
    url: host.url,
    port: host.port,
    dataDir,
    settings,
    async close() {
      clearInterval(sweeper);
      shell.close();
      await host.close();
      store.close();
      if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
    setFaults: (rules) => faults.set(Array.isArray(rules) ? rules : [rules]),
    addFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    faults: () => faults.list(),
    failNextCreation: (message = DEFAULT_FAIL_MESSAGE, count = 1) => svc.failNextCreation(message, count),
    failContainer: (id, message = DEFAULT_FAIL_MESSAGE) => svc.failContainer(id, message),
    advanceClock: (ms) => clock.advance(ms),
    now: () => clock.now(),
    setCreationDelay: (d) => void (settings.creationDelayMs = delays(d, settings.creationDelayMs)),
    setQuota: (q, school) => {
      if (school === undefined) settings.defaultQuota = checkQuota(q);
      else settings.quotas[String(school)] = checkQuota(q);
    },
    containers: () => store.containers().map((c) => toContainer(c.container_id)!),
    container: toContainer,
    storageExists: (userId) => svc.storageExists(userId),
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
