/**
 * The local Kraken network emulator (contributor protocol v1): the HTTP host on 127.0.0.1, SQLite state and the
 * blobs in the data folder (a temporary one by default, removed on close), and the handles tests and the admin
 * API use to move the clock, inject faults, change settings and look at jobs, replicas, leases and ledgers.
 * A reference for tests and demos, not the product.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Clock } from '../base/clock';
import { FaultInjector, type FaultRule } from '../base/faults';
import { ADMIN_PREFIX, startHost } from '../base/host';
import { HttpError, readJson, type Ctx, type RequestRecord, Router, sendJson } from '../base/http';
import { Mailbox } from '../base/mailbox';
import { errorBody, networkRoutes } from './routes';
import { DEFAULT_SETTINGS, NetworkService, type NetworkSettings, type PayoutTransfer } from './service';
import { solanaPayout } from './solana-payout';
import { NetworkStore } from './store';

export interface NetworkEmulatorOptions {
  port?: number;
  /** Folder for the SQLite file and the blobs; default a new temporary folder, removed on close. */
  dataDir?: string;
  /** Settings (welcome grant, lease seconds, tolerance…); saved in the data folder, so a restart keeps them. */
  settings?: Partial<NetworkSettings>;
  faults?: FaultRule | FaultRule[];
  faultSeed?: number;
  quiet?: boolean;
  /** Where payouts are sent (a Solana transfer); without it a payout is recorded with `signature: null`. */
  payoutTransfer?: PayoutTransfer;
  /** Send payouts on this Solana cluster from a treasury kept in the data folder (see solana-payout.ts). */
  solanaRpc?: string;
}

export interface EmulatorReplica {
  replica: number;
  state: string;
  nodeId: string | null;
  done: number;
  failures: number;
  releasedBy: string | null;
}

export interface EmulatorLease {
  leaseId: string;
  jobId: string;
  replica: number;
  nodeId: string;
  attempt: number;
  state: string;
  expiresAt: number;
  deadline: number;
  endReason: string | null;
}

export interface EmulatorJob {
  jobId: string;
  accountId: string;
  status: string;
  redundancy: number;
  cost: number;
  failReason: string | null;
  replicas: EmulatorReplica[];
  leases: EmulatorLease[];
  results: { nodeId: string; replica: number; status: string; reason: string | null; claimed: number; granted: number | null }[];
}

export interface EmulatorNode {
  nodeId: string;
  reliability: number;
  clusters: string[];
  lastHeartbeatAt: number | null;
  state: string | null;
  reason: string | null;
}

export interface NetworkEmulator {
  url: string;
  port: number;
  dataDir: string;
  settings: NetworkSettings;
  clock: Clock;
  faults: FaultInjector;
  close(): Promise<void>;
  advanceClock(ms: number): number;
  now(): number;
  setSettings(s: Partial<NetworkSettings>): NetworkSettings;
  jobs(): EmulatorJob[];
  job(jobId: string): EmulatorJob | null;
  nodes(): EmulatorNode[];
  node(nodeId: string): EmulatorNode | null;
  /** Balance and columns of an account (null if never used). */
  account(id: string): { granted: number; earned: number; spent: number; reserved: number; balance: number } | null;
  /** Adds credit to an account (opening it). */
  grant(id: string, credit: number): void;
  /** Voids active leases past their time now (the emulator also does it on every request and each second). */
  sweep(): void;
  requests(): RequestRecord[];
  clearRequests(): void;
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

function checkSettings(s: Partial<NetworkSettings>, base: NetworkSettings): NetworkSettings {
  const out = { ...base };
  for (const [k, v] of Object.entries(s)) {
    if (!(k in DEFAULT_SETTINGS)) throw new Error(`Unknown setting ${k} (known: ${Object.keys(DEFAULT_SETTINGS).join(', ')}).`);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`${k} must be a number ≥ 0.`);
    (out as Record<string, number>)[k] = v;
  }
  for (const k of ['leaseSeconds', 'heartbeatSeconds', 'maxAttempts'] as const) if (!(out[k] > 0)) throw new Error(`${k} must be greater than 0.`);
  return out;
}

export async function startNetworkEmulator(options: NetworkEmulatorOptions = {}): Promise<NetworkEmulator> {
  const ownDir = !options.dataDir;
  const dataDir = options.dataDir ? path.resolve(options.dataDir) : fs.mkdtempSync(path.join(os.tmpdir(), 'network-emulator-'));
  const blobDir = path.join(dataDir, 'blobs');
  fs.mkdirSync(blobDir, { recursive: true });
  const store = new NetworkStore(path.join(dataDir, 'network.sqlite'));
  const clock = new StoredClock((offset) => store.setMeta('clockOffsetMs', String(offset)));
  const saved = Number(store.meta('clockOffsetMs') ?? 0);
  if (saved) Clock.prototype.advance.call(clock, saved);
  const savedSettings = store.meta('settings');
  const settings = checkSettings({ ...(savedSettings ? (JSON.parse(savedSettings) as Partial<NetworkSettings>) : {}), ...(options.settings ?? {}) }, DEFAULT_SETTINGS);
  const saveSettings = () => store.setMeta('settings', JSON.stringify(settings));
  saveSettings();
  const faultList = options.faults === undefined ? [] : Array.isArray(options.faults) ? options.faults : [options.faults];
  const faults = new FaultInjector(faultList, options.faultSeed ?? 1);
  const payoutTransfer = options.payoutTransfer ?? (options.solanaRpc ? solanaPayout(options.solanaRpc, dataDir).transfer : null);
  const svc = new NetworkService(store, clock, settings, payoutTransfer);

  const router = new Router();
  networkRoutes(router, { svc, store, clock, blobDir });

  const jobView = (jobId: string): EmulatorJob | null => {
    const j = store.job(jobId);
    if (!j) return null;
    return {
      jobId: j.job_id,
      accountId: j.account_id,
      status: j.status,
      redundancy: j.redundancy,
      cost: j.cost,
      failReason: j.fail_reason,
      replicas: store.replicas(jobId).map((r) => ({ replica: r.replica, state: r.state, nodeId: r.node_id, done: r.done, failures: r.failures, releasedBy: r.released_by })),
      leases: store.leases(jobId).map((l) => ({ leaseId: l.lease_id, jobId: l.job_id, replica: l.replica, nodeId: l.node_id, attempt: l.attempt, state: l.state, expiresAt: l.expires_at, deadline: l.deadline, endReason: l.end_reason })),
      results: store
        .results()
        .filter((r) => r.job_id === jobId)
        .map((r) => ({ nodeId: r.node_id, replica: r.replica, status: r.status, reason: r.reason, claimed: r.claimed, granted: r.granted })),
    };
  };
  const nodeView = (id: string): EmulatorNode | null => {
    const n = store.node(id);
    return n ? { nodeId: n.node_id, reliability: n.reliability, clusters: JSON.parse(n.clusters), lastHeartbeatAt: n.last_heartbeat_at, state: n.state, reason: n.reason } : null;
  };
  const accountView = (id: string) => {
    const a = store.account(id);
    return a ? { granted: a.granted, earned: a.earned, spent: a.spent, reserved: a.reserved, balance: svc.balance(id) } : null;
  };
  const grant = (id: string, credit: number) => {
    if (!Number.isFinite(credit)) throw new Error('credit must be a number.');
    store.ensureAccount(id, settings.welcomeGrant, clock.now());
    store.addToAccount(id, { granted: credit });
  };
  const wipe = () => {
    store.wipe();
    saveSettings();
    fs.rmSync(blobDir, { recursive: true, force: true });
    fs.mkdirSync(blobDir, { recursive: true });
  };

  const admin = new Router();
  const a = (s: string) => ADMIN_PREFIX + s;
  const bad = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      throw new HttpError(400, (e as Error).message);
    }
  };
  admin.on('GET', a('/config'), (ctx) => sendJson(ctx, 200, settings));
  admin.on('PATCH', a('/config'), async (ctx: Ctx) => {
    const body = await readJson(ctx);
    bad(() => Object.assign(settings, checkSettings(body as Partial<NetworkSettings>, settings)));
    saveSettings();
    sendJson(ctx, 200, settings);
  });
  admin.on('GET', a('/nodes'), (ctx) => sendJson(ctx, 200, { nodes: store.nodes().map((n) => nodeView(n.node_id)) }));
  admin.on('GET', a('/jobs'), (ctx) => {
    svc.sweep();
    sendJson(ctx, 200, { jobs: store.jobs().map((j) => jobView(j.job_id)) });
  });
  admin.on('GET', a('/jobs/:jobId'), (ctx) => {
    svc.sweep();
    const j = jobView(ctx.params.jobId!);
    if (!j) throw new HttpError(404, `No job ${ctx.params.jobId}.`);
    sendJson(ctx, 200, j);
  });
  admin.on('GET', a('/accounts'), (ctx) => sendJson(ctx, 200, { accounts: store.accounts().map((x) => ({ accountId: x.account_id, ...accountView(x.account_id) })) }));
  admin.on('POST', a('/accounts/:id/grant'), async (ctx) => {
    const body = await readJson(ctx);
    bad(() => grant(ctx.params.id!, Number(body.credit)));
    sendJson(ctx, 200, { accountId: ctx.params.id, ...accountView(ctx.params.id!) });
  });

  const host = await startHost({
    name: 'network',
    port: options.port,
    clock,
    faults,
    mailbox: new Mailbox(),
    router,
    adminRouter: admin,
    onReset: wipe,
    logError: options.quiet ? () => {} : undefined,
    isDownload: (method, p) => method === 'GET' && p.startsWith('/v1/blobs/'),
    errorBody,
  });
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
    clock,
    faults,
    async close() {
      clearInterval(sweeper);
      await host.close();
      store.close();
      if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
    advanceClock: (ms) => {
      const now = clock.advance(ms);
      svc.sweep();
      return now;
    },
    now: () => clock.now(),
    setSettings: (s) => {
      Object.assign(settings, checkSettings(s, settings));
      saveSettings();
      return settings;
    },
    jobs: () => {
      svc.sweep();
      return store.jobs().map((j) => jobView(j.job_id)!);
    },
    job: (id) => {
      svc.sweep();
      return jobView(id);
    },
    nodes: () => store.nodes().map((n) => nodeView(n.node_id)!),
    node: nodeView,
    account: accountView,
    grant,
    sweep: () => svc.sweep(),
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
