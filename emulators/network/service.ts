/**
 * The network side of contributor protocol v1 (docs/contributor-protocol.md): nodes, the job queue with
 * leases that expire on the emulator clock, redundancy with result comparison and a tie-breaker replica,
 * BOINC-style credit (the smallest valid claim, capped), rejected results lowering a node's reliability, and
 * accounts whose credit is reserved at submission and refunded for what was not spent.
 */
import crypto from 'node:crypto';
import type { Clock } from '../base/clock';
import { base58Decode, canonicalJson, publicKeyOf, resultMessage, sha256Hex, verify } from './signing';
import type { Cluster, JobRow, LeaseRow, NetworkStore, ReplicaRow, ResultRow } from './store';

export interface NetworkSettings {
  /** Credit a new account starts with. */
  welcomeGrant: number;
  /** How long a lease lives without a heartbeat or progress (seconds). */
  leaseSeconds: number;
  heartbeatSeconds: number;
  /** Credit per input a job pays (the JobSpec's creditPerInput). */
  creditPerInput: number;
  /** Largest accepted distance between a request's timestamp and the emulator clock (seconds). */
  maxSkewSeconds: number;
  /** Largest blob (bytes). */
  maxBlobBytes: number;
  /** Rejected or expired attempts of one replica after which the job fails. */
  maxAttempts: number;
  /** Absolute tolerance for scores and embedding components. */
  tolerance: number;
  /** Pixels for detection boxes. */
  boxTolerancePx: number;
  /** How long a replica a node released (paused, shut down) waits for that node before others may take it (seconds). */
  resumeHoldSeconds: number;
  /** Lamports a payout sends per credit (`POST /v1/nodes/me/payout`). */
  lamportsPerCredit: number;
}

/** Sends a payout on a Solana cluster: a SystemProgram transfer of `lamports` to `address`; resolves with its signature. */
export type PayoutTransfer = (address: string, lamports: number) => Promise<string>;

export const DEFAULT_SETTINGS: NetworkSettings = {
  welcomeGrant: 1000,
  leaseSeconds: 60,
  heartbeatSeconds: 15,
  creditPerInput: 1,
  maxSkewSeconds: 300,
  maxBlobBytes: 512 * 1024 * 1024,
  maxAttempts: 5,
  tolerance: 1e-3,
  boxTolerancePx: 1,
  resumeHoldSeconds: 120,
  lamportsPerCredit: 1_000_000,
};

/** A protocol error: status, UPPER_SNAKE code, message, details. */
export class NetError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const invalid = (message: string, details?: Record<string, unknown>) => new NetError(400, 'INVALID_REQUEST', message, details);

const HEX64 = /^[0-9a-f]{64}$/;
const KINDS = ['inference', 'embeddings'];
const TASKS = ['classification', 'detection', 'embedding'];
const MEDIA = ['image/png', 'image/jpeg'];
const CLUSTERS: Cluster[] = ['gpu', 'cpu'];

type Body = Record<string, unknown>;

const iso = (ms: number) => new Date(ms).toISOString();
const round = (n: number) => Math.round(n * 1e6) / 1e6;

export interface JobInput {
  sha256: string;
  bytes: number;
  mediaType: string;
}

export interface ModelRef {
  sha256: string;
  bytes: number;
  format: string;
  task: string;
  inputSize: [number, number];
  labels?: string[];
}

/** What is stored as a job's spec (JobSpec without jobId / replica / creditPerInput). */
interface StoredSpec {
  kind: string;
  cluster: Cluster;
  model: ModelRef;
  inputs: JobInput[];
  batchSize: number;
  maxDurationMinutes: number;
}

function intIn(v: unknown, key: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw invalid(`${key} must be a whole number from ${min} to ${max}.`, { field: key });
  return v;
}

function sha(v: unknown, key: string): string {
  if (typeof v !== 'string' || !HEX64.test(v)) throw invalid(`${key} must be 64 lowercase hex characters.`, { field: key });
  return v;
}

export class NetworkService {
  constructor(
    private readonly store: NetworkStore,
    private readonly clock: Clock,
    readonly settings: NetworkSettings,
    /** Where payouts are really sent; without one a payout is recorded with `signature: null`. */
    private readonly transfer: PayoutTransfer | null = null,
  ) {}

  private now(): number {
    return this.clock.now();
  }

  // ---------------------------------------------------------------- nodes

  register(nodeId: string, body: Body): Record<string, unknown> {
    const hw = body.hardware;
    if (!hw || typeof hw !== 'object' || Array.isArray(hw)) throw invalid('hardware is required (an object).', { field: 'hardware' });
    const clusters = body.clusters === undefined ? ['cpu'] : body.clusters;
    if (!Array.isArray(clusters) || !clusters.length || !clusters.every((c) => CLUSTERS.includes(c as Cluster))) throw invalid('clusters must be a non-empty list of "gpu" | "cpu".', { field: 'clusters' });
    if (body.clientVersion !== undefined && typeof body.clientVersion !== 'string') throw invalid('clientVersion must be a string.', { field: 'clientVersion' });
    this.store.upsertNode({ node_id: nodeId, hardware: JSON.stringify(hw), clusters: JSON.stringify(clusters), client_version: (body.clientVersion as string | undefined) ?? null, now: this.now() });
    this.store.ensureAccount(nodeId, this.settings.welcomeGrant, this.now());
    const n = this.store.node(nodeId)!;
    return { nodeId, registeredAt: iso(n.registered_at), reliability: n.reliability, heartbeatSeconds: this.settings.heartbeatSeconds, leaseSeconds: this.settings.leaseSeconds };
  }

  /** The registered node, or 401 UNKNOWN_NODE. */
  requireNode(nodeId: string) {
    const n = this.store.node(nodeId);
    if (!n) throw new NetError(401, 'UNKNOWN_NODE', 'This node id was never registered: POST /v1/nodes/register first.');
    return n;
  }

  heartbeat(nodeId: string, body: Body): Record<string, unknown> {
    this.sweep();
    const state = body.state;
    if (state !== 'idle' && state !== 'working' && state !== 'paused') throw invalid('state must be "idle" | "working" | "paused".', { field: 'state' });
    if (body.reason !== undefined && typeof body.reason !== 'string') throw invalid('reason must be a string.', { field: 'reason' });
    if (body.leaseId !== undefined && typeof body.leaseId !== 'string') throw invalid('leaseId must be a string.', { field: 'leaseId' });
    const now = this.now();
    this.store.updateNode(nodeId, { last_heartbeat_at: now, state, reason: (body.reason as string | undefined) ?? null });
    const out: Record<string, unknown> = { serverTime: iso(now) };
    if (typeof body.leaseId === 'string') out.leaseExpiresAt = iso(this.extend(this.heldLease(nodeId, body.leaseId)));
    return out;
  }

  private extend(l: LeaseRow): number {
    const expires = this.now() + this.settings.leaseSeconds * 1000;
    this.store.updateLease(l.lease_id, { expires_at: expires });
    return expires;
  }

  /** The node's active lease `leaseId`, or the protocol's 404 / 403 / 409. */
  private heldLease(nodeId: string, leaseId: string): LeaseRow {
    const l = this.store.lease(leaseId);
    if (!l) throw new NetError(404, 'NOT_FOUND', `No lease ${leaseId}.`);
    if (l.node_id !== nodeId) throw new NetError(403, 'NOT_LEASE_HOLDER', `Lease ${leaseId} belongs to another node.`);
    if (l.state === 'expired') throw new NetError(409, 'LEASE_EXPIRED', `Lease ${leaseId} expired (${l.end_reason === 'deadline' ? 'its deadline passed' : 'no heartbeat in time'}); the job went back to the queue.`);
    if (l.state !== 'active') throw new NetError(409, 'LEASE_RELEASED', `Lease ${leaseId} is no longer held (${l.state}).`);
    return l;
  }

  me(nodeId: string): Record<string, unknown> {
    const n = this.requireNode(nodeId);
    const a = this.store.ensureAccount(nodeId, this.settings.welcomeGrant, this.now());
    return {
      nodeId,
      reliability: n.reliability,
      hardware: JSON.parse(n.hardware),
      lastHeartbeatAt: n.last_heartbeat_at === null ? null : iso(n.last_heartbeat_at),
      credit: { earned: round(a.earned), spent: round(a.spent), balance: round(this.balance(nodeId)), payable: this.payable(nodeId), paidOut: round(this.store.paidOut(nodeId)) },
    };
  }

  /** What a node may pay out: credit it earned and has neither spent nor paid out, within its balance. */
  payable(nodeId: string): number {
    const a = this.store.account(nodeId);
    if (!a) return 0;
    return Math.max(0, Math.floor(Math.min(this.balance(nodeId), a.earned - this.store.paidOut(nodeId)) + 1e-9));
  }

  /**
   * `POST /v1/nodes/me/payout`: earned credit to a Solana address. The credit is taken before the transfer and given
   * back if the transfer fails, so two payouts at once cannot both spend it.
   */
  async payout(nodeId: string, body: Body): Promise<Record<string, unknown>> {
    this.requireNode(nodeId);
    const address = body.address;
    const raw = typeof address === 'string' ? base58Decode(address) : null;
    if (!raw || raw.length !== 32) throw invalid('address must be a base58 Solana public key (32 bytes).', { field: 'address' });
    if (body.credit !== undefined && (typeof body.credit !== 'number' || !Number.isInteger(body.credit) || body.credit < 1)) throw invalid('credit must be a whole number of at least 1.', { field: 'credit' });
    const payable = this.payable(nodeId);
    const credit = (body.credit as number | undefined) ?? payable;
    if (credit < 1 || credit > payable) {
      throw new NetError(402, 'INSUFFICIENT_CREDIT', credit < 1 ? 'There is no earned credit to pay out.' : `Only ${payable} earned credit can be paid out; ${credit} was asked for.`, {
        balance: round(this.balance(nodeId)),
        payable,
        credit,
      });
    }
    const lamports = Math.round(credit * this.settings.lamportsPerCredit);
    const payoutId = `po_${crypto.randomBytes(8).toString('hex')}`;
    const at = this.now();
    this.store.tx(() => {
      this.store.addToAccount(nodeId, { spent: credit });
      this.store.addPayout({ payout_id: payoutId, account_id: nodeId, address: address as string, credit, lamports, signature: null, at });
    });
    let signature: string | null = null;
    if (this.transfer) {
      try {
        signature = await this.transfer(address as string, lamports);
      } catch (e) {
        this.store.tx(() => {
          this.store.addToAccount(nodeId, { spent: -credit });
          this.store.db.prepare('DELETE FROM payouts WHERE payout_id = ?').run(payoutId);
        });
        throw new NetError(502, 'PAYOUT_FAILED', `The transfer on Solana failed: ${(e as Error).message}. Nothing was paid out; the credit is kept.`);
      }
      this.store.db.prepare('UPDATE payouts SET signature = ? WHERE payout_id = ?').run(signature, payoutId);
    }
    return { payoutId, address, credit, lamports, signature, balance: round(this.balance(nodeId)), payable: this.payable(nodeId), at: iso(at) };
  }

  ledger(nodeId: string): Record<string, unknown> {
    this.requireNode(nodeId);
    const rows = this.store.resultsOf(nodeId);
    const minutes = { cpu: 0, gpu: 0 };
    let credit = 0;
    let validJobs = 0;
    for (const r of rows) {
      if (r.status !== 'valid') continue;
      validJobs++;
      credit += r.granted ?? 0;
      minutes[r.cluster] += r.device_ms / 60000;
    }
    return {
      entries: rows.map((r) => ({ jobId: r.job_id, replica: r.replica, cluster: r.cluster, deviceMs: r.device_ms, claimedCredit: r.claimed, grantedCredit: r.granted, status: r.status, at: iso(r.at) })),
      totals: { validJobs, credit: round(credit), minutesByCluster: { cpu: round(minutes.cpu), gpu: round(minutes.gpu) } },
    };
  }

  // ---------------------------------------------------------------- leases

  /** Voids leases past their expiry or deadline; their replicas go back to the queue. */
  sweep(): void {
    const now = this.now();
    for (const l of this.store.activeLeases()) {
      if (l.expires_at > now && l.deadline > now) continue;
      this.store.tx(() => {
        const reason = l.deadline <= now ? 'deadline' : 'expired';
        this.store.updateLease(l.lease_id, { state: 'expired', ended_at: now, end_reason: reason });
        this.failAttempt(l.job_id, l.replica);
      });
    }
  }

  /** A rejected or expired attempt: the replica goes back to the queue, or after too many the job fails. */
  private failAttempt(jobId: string, replica: number): void {
    const r = this.store.replica(jobId, replica)!;
    const failures = r.failures + 1;
    this.store.updateReplica(jobId, replica, { state: 'queued', node_id: null, failures });
    if (failures >= this.settings.maxAttempts) this.finishFailed(jobId, `replica ${replica} failed ${failures} times`);
    else this.refreshStatus(jobId);
  }

  lease(nodeId: string, body: Body): Record<string, unknown> | null {
    this.sweep();
    const node = this.requireNode(nodeId);
    const held = this.store.activeLeaseOf(nodeId);
    if (held) return this.leaseView(held);
    const clusters: unknown = body.clusters === undefined ? (JSON.parse(node.clusters) as string[]) : body.clusters;
    if (!Array.isArray(clusters) || !clusters.every((c) => CLUSTERS.includes(c as Cluster))) throw invalid('clusters must be a list of "gpu" | "cpu".', { field: 'clusters' });
    if (body.providers !== undefined && (!Array.isArray(body.providers) || !body.providers.every((p) => typeof p === 'string'))) throw invalid('providers must be a list of strings.', { field: 'providers' });
    const queued = this.store.queuedReplicas(clusters as string[]);
    const hold = this.now() - this.settings.resumeHoldSeconds * 1000;
    const allowed = queued.filter(
      (r) =>
        this.store.replicasLeasedBy(r.job_id, nodeId).every((n) => n === r.replica) &&
        // a replica another node released waits a while for that node (it resumes from its checkpoint)
        (r.released_by === null || r.released_by === nodeId || (r.released_at ?? 0) <= hold),
    );
    // a replica this node released (with its checkpoint) comes back to it first
    const pick = allowed.find((r) => r.released_by === nodeId) ?? allowed[0];
    if (!pick) return null;
    const job = this.store.job(pick.job_id)!;
    const spec = JSON.parse(job.spec) as StoredSpec;
    const now = this.now();
    const leaseId = 'l_' + crypto.randomBytes(9).toString('base64url');
    const attempt = this.store.attempts(pick.job_id, pick.replica) + 1;
    this.store.tx(() => {
      this.store.insertLease({
        lease_id: leaseId,
        job_id: pick.job_id,
        replica: pick.replica,
        node_id: nodeId,
        attempt,
        started_at: now,
        expires_at: now + this.settings.leaseSeconds * 1000,
        deadline: now + spec.maxDurationMinutes * 60000,
        state: 'active',
        total: spec.inputs.length,
      });
      // the node resumes from its own checkpoint; another node starts from zero
      this.store.updateReplica(pick.job_id, pick.replica, { state: 'leased', node_id: nodeId, done: pick.released_by === nodeId ? pick.released_done : 0 });
      if (job.status === 'queued') this.store.updateJob(job.job_id, { status: 'running' });
    });
    return this.leaseView(this.store.lease(leaseId)!);
  }

  private leaseView(l: LeaseRow): Record<string, unknown> {
    const job = this.store.job(l.job_id)!;
    return { lease: { leaseId: l.lease_id, leaseExpiresAt: iso(l.expires_at), deadline: iso(l.deadline), job: this.jobSpec(job, l.replica), attempt: l.attempt } };
  }

  jobSpec(job: JobRow, replica: number): Record<string, unknown> {
    const s = JSON.parse(job.spec) as StoredSpec;
    return { jobId: job.job_id, replica, kind: s.kind, cluster: s.cluster, model: s.model, inputs: s.inputs, batchSize: s.batchSize, maxDurationMinutes: s.maxDurationMinutes, creditPerInput: job.credit_per_input };
  }

  progress(nodeId: string, leaseId: string, body: Body): Record<string, unknown> {
    this.sweep();
    this.requireNode(nodeId);
    const l = this.heldLease(nodeId, leaseId);
    const done = intIn(body.done, 'done', 0, 1e9);
    const total = body.total === undefined ? l.total : intIn(body.total, 'total', 0, 1e9);
    if (done > total) throw invalid('done must not exceed total.', { field: 'done' });
    this.store.updateLease(l.lease_id, { done, total });
    this.store.updateReplica(l.job_id, l.replica, { done });
    return { leaseExpiresAt: iso(this.extend(l)) };
  }

  release(nodeId: string, leaseId: string, body: Body): Record<string, unknown> {
    this.sweep();
    this.requireNode(nodeId);
    const l = this.heldLease(nodeId, leaseId);
    const reasons = ['paused', 'deadline', 'shutdown', 'refused', 'error'];
    if (typeof body.reason !== 'string' || !reasons.includes(body.reason)) throw invalid(`reason must be one of ${reasons.join(', ')}.`, { field: 'reason' });
    const done = body.done === undefined ? l.done : intIn(body.done, 'done', 0, 1e9);
    if (body.message !== undefined && typeof body.message !== 'string') throw invalid('message must be a string.', { field: 'message' });
    const now = this.now();
    this.store.tx(() => {
      this.store.updateLease(l.lease_id, { state: 'released', ended_at: now, end_reason: body.reason as string, done });
      // a refused job is not offered back to the node that refused it first
      const back = body.reason === 'refused' ? { released_by: null, released_done: 0, released_at: null } : { released_by: nodeId, released_done: done, released_at: now };
      this.store.updateReplica(l.job_id, l.replica, { state: 'queued', node_id: null, ...back });
      this.refreshStatus(l.job_id);
    });
    return { released: true, leaseId };
  }

  // ---------------------------------------------------------------- results

  result(nodeId: string, leaseId: string, body: Body): Record<string, unknown> {
    this.sweep();
    const node = this.requireNode(nodeId);
    const l = this.heldLease(nodeId, leaseId);
    const job = this.store.job(l.job_id)!;
    const spec = JSON.parse(job.spec) as StoredSpec;
    const claimedRaw = body.claimedCredit;
    const deviceMs = body.deviceMs;
    const reject = (reason: string, message: string): never => {
      const now = this.now();
      this.store.tx(() => {
        this.store.insertResult({
          job_id: l.job_id,
          replica: l.replica,
          node_id: nodeId,
          lease_id: l.lease_id,
          cluster: job.cluster,
          outputs: null,
          result_sha256: typeof body.resultSha256 === 'string' ? body.resultSha256 : null,
          claimed: typeof claimedRaw === 'number' && Number.isFinite(claimedRaw) ? claimedRaw : 0,
          granted: null,
          device_ms: typeof deviceMs === 'number' && Number.isFinite(deviceMs) ? Math.round(deviceMs) : 0,
          status: 'rejected',
          reason,
          at: now,
        });
        this.store.updateNode(nodeId, { reliability: node.reliability * 0.5 });
        this.store.updateLease(l.lease_id, { state: 'rejected', ended_at: now, end_reason: reason });
        this.failAttempt(l.job_id, l.replica);
      });
      throw new NetError(422, 'RESULT_REJECTED', message, { reason });
    };
    const outputs = body.outputs;
    if (!Array.isArray(outputs) || !outputs.every((o) => o && typeof o === 'object' && !Array.isArray(o) && typeof (o as Body).input === 'string' && 'output' in (o as Body) && (o as Body).output !== null && typeof (o as Body).output === 'object'))
      reject('malformed', 'outputs must be a list of {input, output} objects.');
    if (typeof body.resultSha256 !== 'string' || !HEX64.test(body.resultSha256)) reject('malformed', 'resultSha256 must be 64 lowercase hex characters.');
    if (typeof body.signature !== 'string') reject('malformed', 'signature must be a base64 string.');
    if (typeof claimedRaw !== 'number' || !Number.isFinite(claimedRaw) || claimedRaw < 0) reject('malformed', 'claimedCredit must be a number ≥ 0.');
    if (typeof deviceMs !== 'number' || !Number.isFinite(deviceMs) || deviceMs < 0) reject('malformed', 'deviceMs must be a number ≥ 0.');
    const list = outputs as { input: string; output: Body }[];
    if (sha256Hex(canonicalJson(list)) !== body.resultSha256) reject('hash_mismatch', 'resultSha256 is not the sha256 of the canonical JSON of outputs.');
    if (!verify(publicKeyOf(nodeId)!, resultMessage(job.job_id, l.replica, body.resultSha256 as string), body.signature as string)) reject('bad_signature', "The result's signature does not verify with this node's key.");
    if (list.length !== spec.inputs.length || spec.inputs.some((inp, i) => list[i]!.input !== inp.sha256)) reject('incomplete', `outputs must hold one output per input, in the job's input order (${spec.inputs.length}).`);
    const kindProblem = list.map((o) => this.shapeProblem(spec, o.output)).find((p) => p);
    if (kindProblem) reject('malformed', kindProblem);

    const now = this.now();
    const cap = job.credit_per_input * spec.inputs.length;
    const claimed = Math.min(claimedRaw as number, cap);
    let reply: Record<string, unknown> = {};
    this.store.tx(() => {
      const id = this.store.insertResult({
        job_id: l.job_id,
        replica: l.replica,
        node_id: nodeId,
        lease_id: l.lease_id,
        cluster: job.cluster,
        outputs: JSON.stringify(list),
        result_sha256: body.resultSha256 as string,
        claimed,
        granted: null,
        device_ms: Math.round(deviceMs as number),
        status: 'pending_validation',
        reason: null,
        at: now,
      });
      this.store.updateLease(l.lease_id, { state: 'submitted', ended_at: now, done: spec.inputs.length });
      this.store.updateReplica(l.job_id, l.replica, { state: 'submitted', done: spec.inputs.length });
      this.validate(job.job_id);
      const mine = this.store.acceptedResults(job.job_id).find((r) => r.id === id)!;
      reply = { accepted: true, status: mine.status, ...(mine.granted !== null ? { grantedCredit: mine.granted } : {}) };
    });
    return reply;
  }

  /** What is wrong with one output for this job's kind, or null. */
  private shapeProblem(spec: StoredSpec, out: Body): string | null {
    const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
    if (spec.kind === 'embeddings' || spec.model.task === 'embedding') return Array.isArray(out.vector) && out.vector.every(num) ? null : 'an embeddings output is {vector: [numbers]}.';
    if (spec.model.task === 'detection')
      return Array.isArray(out.boxes) && out.boxes.every((b: Body) => b && typeof b.label === 'string' && ['score', 'x', 'y', 'w', 'h'].every((k) => num(b[k]))) ? null : 'a detection output is {boxes: [{label, score, x, y, w, h}]}.';
    return Array.isArray(out.top) && out.top.length > 0 && out.top.every((t: Body) => t && typeof t.label === 'string' && num(t.index) && num(t.score)) ? null : 'a classification output is {top: [{label, index, score}]} (at least one).';
  }

  /** Do two outputs of this job agree within the protocol's tolerance? */
  agree(spec: StoredSpec, a: Body, b: Body): boolean {
    const tol = this.settings.tolerance;
    const close = (x: unknown, y: unknown, t = tol) => typeof x === 'number' && typeof y === 'number' && Math.abs(x - y) <= t;
    if (spec.kind === 'embeddings' || spec.model.task === 'embedding') {
      const va = a.vector as number[];
      const vb = b.vector as number[];
      return va.length === vb.length && va.every((x, i) => close(x, vb[i]));
    }
    if (spec.model.task === 'detection') {
      const ba = a.boxes as Body[];
      const bb = b.boxes as Body[];
      const px = this.settings.boxTolerancePx;
      return ba.length === bb.length && ba.every((x, i) => x.label === bb[i]!.label && close(x.score, bb[i]!.score) && ['x', 'y', 'w', 'h'].every((k) => close(x[k], bb[i]![k], px)));
    }
    const ta = a.top as Body[];
    const tb = b.top as Body[];
    if (ta[0]!.label !== tb[0]!.label) return false;
    // scores compared for every label both lists hold (close scores may swap places lower down)
    const scoreB = new Map(tb.map((t) => [t.label, t.score]));
    return ta.every((t) => !scoreB.has(t.label) || close(t.score, scoreB.get(t.label)));
  }

  private resultsAgree(spec: StoredSpec, x: ResultRow, y: ResultRow): boolean {
    const ox = JSON.parse(x.outputs!) as { output: Body }[];
    const oy = JSON.parse(y.outputs!) as { output: Body }[];
    return ox.length === oy.length && ox.every((o, i) => this.agree(spec, o.output, oy[i]!.output));
  }

  /** Once every replica has a result: quorum → valid + credit, the rest invalid; N = 2 split → a tie-breaker. */
  private validate(jobId: string): void {
    const job = this.store.job(jobId)!;
    const spec = JSON.parse(job.spec) as StoredSpec;
    const replicas = this.store.replicas(jobId);
    if (replicas.some((r) => r.state !== 'submitted' && r.state !== 'valid' && r.state !== 'invalid')) {
      this.refreshStatus(jobId);
      return;
    }
    const results = this.store.acceptedResults(jobId);
    const quorum = job.redundancy === 1 ? 1 : Math.floor(job.redundancy / 2) + 1;
    let best: ResultRow[] = [];
    for (const r of results) {
      const group = results.filter((o) => o === r || this.resultsAgree(spec, r, o));
      if (group.length > best.length) best = group;
    }
    if (best.length < quorum) {
      if (job.redundancy === 2 && replicas.length === 2) {
        this.store.insertReplica(jobId, 2);
        this.store.updateJob(jobId, { status: 'running' });
        return;
      }
      for (const r of results) this.store.updateResult(r.id, { status: 'invalid', granted: 0 });
      for (const r of replicas) this.store.updateReplica(jobId, r.replica, { state: 'invalid' });
      this.finishFailed(jobId, 'no quorum: the results disagree');
      return;
    }
    const credit = Math.min(...best.map((r) => r.claimed));
    const now = this.now();
    let spent = 0;
    for (const r of results) {
      const ok = best.includes(r);
      this.store.updateResult(r.id, { status: ok ? 'valid' : 'invalid', granted: ok ? credit : 0 });
      this.store.updateReplica(jobId, r.replica, { state: ok ? 'valid' : 'invalid' });
      if (ok) {
        this.store.ensureAccount(r.node_id, this.settings.welcomeGrant, now);
        this.store.addToAccount(r.node_id, { earned: credit });
        spent += credit;
      }
    }
    const reservedLeft = job.cost;
    this.store.addToAccount(job.account_id, { reserved: -reservedLeft, spent: Math.min(spent, reservedLeft) });
    this.store.updateJob(jobId, { status: 'done', finished_at: now, outputs: best.sort((a, b) => a.replica - b.replica)[0]!.outputs });
  }

  private finishFailed(jobId: string, reason: string): void {
    const job = this.store.job(jobId)!;
    if (job.status === 'done' || job.status === 'failed') return;
    const now = this.now();
    for (const l of this.store.leases(jobId)) if (l.state === 'active') this.store.updateLease(l.lease_id, { state: 'void', ended_at: now, end_reason: reason });
    for (const r of this.store.replicas(jobId)) if (r.state === 'queued' || r.state === 'leased') this.store.updateReplica(jobId, r.replica, { state: 'cancelled', node_id: null });
    this.store.addToAccount(job.account_id, { reserved: -job.cost });
    this.store.updateJob(jobId, { status: 'failed', fail_reason: reason, finished_at: now });
  }

  /** queued until a replica is first leased, then running; validating while every replica has a result. */
  private refreshStatus(jobId: string): void {
    const job = this.store.job(jobId)!;
    if (job.status === 'done' || job.status === 'failed') return;
    const reps = this.store.replicas(jobId);
    const touched = reps.some((r) => r.state !== 'queued') || this.store.leases(jobId).length > 0;
    this.store.updateJob(jobId, { status: touched ? 'running' : 'queued' });
  }

  // ---------------------------------------------------------------- creators

  account(accountId: string): Record<string, unknown> {
    const a = this.store.ensureAccount(accountId, this.settings.welcomeGrant, this.now());
    return { accountId, credit: { earned: round(a.earned), spent: round(a.spent), reserved: round(a.reserved), balance: round(this.balance(accountId)) } };
  }

  balance(accountId: string): number {
    const a = this.store.account(accountId);
    return a ? a.granted + a.earned - a.spent - a.reserved : this.settings.welcomeGrant;
  }

  blobPath(dir: string, shaHex: string): string {
    return `${dir}/${shaHex}`;
  }

  submit(accountId: string, body: Body): Record<string, unknown> {
    const kind = body.kind;
    if (typeof kind !== 'string' || !KINDS.includes(kind)) throw invalid(`kind must be one of ${KINDS.join(', ')}.`, { field: 'kind' });
    const m = body.model as Body | undefined;
    if (!m || typeof m !== 'object' || Array.isArray(m)) throw invalid('model is required: {sha256, bytes, format, task, inputSize, labels?}.', { field: 'model' });
    const model: ModelRef = {
      sha256: sha(m.sha256, 'model.sha256'),
      bytes: intIn(m.bytes, 'model.bytes', 1, Number.MAX_SAFE_INTEGER),
      format: m.format as string,
      task: m.task as string,
      inputSize: m.inputSize as [number, number],
    };
    if (model.format !== 'onnx') throw invalid('model.format must be "onnx".', { field: 'model.format' });
    if (!TASKS.includes(model.task)) throw invalid(`model.task must be one of ${TASKS.join(', ')}.`, { field: 'model.task' });
    if (!Array.isArray(m.inputSize) || m.inputSize.length !== 2 || !m.inputSize.every((n) => Number.isInteger(n) && n > 0 && n <= 8192)) throw invalid('model.inputSize must be [width, height], whole numbers.', { field: 'model.inputSize' });
    if (m.labels !== undefined) {
      if (!Array.isArray(m.labels) || !m.labels.every((s) => typeof s === 'string')) throw invalid('model.labels must be a list of strings.', { field: 'model.labels' });
      model.labels = m.labels as string[];
    }
    if ((kind === 'embeddings') !== (model.task === 'embedding')) throw invalid('kind "embeddings" goes with task "embedding", kind "inference" with classification or detection.', { field: 'model.task' });
    if (!Array.isArray(body.inputs) || body.inputs.length < 1 || body.inputs.length > 10000) throw invalid('inputs must be a list of 1 to 10 000 {sha256, bytes, mediaType}.', { field: 'inputs' });
    const inputs: JobInput[] = body.inputs.map((x: Body, i: number) => {
      if (!x || typeof x !== 'object') throw invalid(`inputs[${i}] must be {sha256, bytes, mediaType}.`, { field: `inputs[${i}]` });
      const mediaType = x.mediaType as string;
      if (!MEDIA.includes(mediaType)) throw invalid(`inputs[${i}].mediaType must be one of ${MEDIA.join(', ')}.`, { field: `inputs[${i}].mediaType` });
      return { sha256: sha(x.sha256, `inputs[${i}].sha256`), bytes: intIn(x.bytes, `inputs[${i}].bytes`, 1, Number.MAX_SAFE_INTEGER), mediaType };
    });
    const batchSize = body.batchSize === undefined ? 8 : intIn(body.batchSize, 'batchSize', 1, 256);
    const redundancy = body.redundancy === undefined ? 1 : intIn(body.redundancy, 'redundancy', 1, 3);
    const maxDurationMinutes = body.maxDurationMinutes === undefined ? 30 : intIn(body.maxDurationMinutes, 'maxDurationMinutes', 1, 24 * 60);
    const cluster = body.cluster === undefined ? 'cpu' : body.cluster;
    if (!CLUSTERS.includes(cluster as Cluster)) throw invalid('cluster must be "gpu" | "cpu".', { field: 'cluster' });
    if (body.label !== undefined && (typeof body.label !== 'string' || body.label.length > 200)) throw invalid('label must be a string (at most 200 characters).', { field: 'label' });
    for (const b of [model, ...inputs]) {
      const stored = this.store.blob(b.sha256);
      if (!stored) throw new NetError(404, 'NOT_FOUND', `Blob ${b.sha256} was not uploaded: PUT /v1/blobs/${b.sha256} first.`, { sha256: b.sha256 });
      if (stored.bytes !== b.bytes) throw invalid(`Blob ${b.sha256} has ${stored.bytes} bytes, not ${b.bytes}.`, { sha256: b.sha256 });
    }
    const now = this.now();
    this.store.ensureAccount(accountId, this.settings.welcomeGrant, now);
    const cpi = this.settings.creditPerInput;
    const cost = cpi * inputs.length * redundancy;
    const balance = this.balance(accountId);
    if (cost > balance) throw new NetError(402, 'INSUFFICIENT_CREDIT', `This job costs ${cost} credits; the balance is ${round(balance)}.`, { balance: round(balance), cost });
    const jobId = 'j_' + crypto.randomBytes(9).toString('base64url');
    const spec: StoredSpec = { kind, cluster: cluster as Cluster, model, inputs, batchSize, maxDurationMinutes };
    this.store.tx(() => {
      this.store.insertJob({ job_id: jobId, account_id: accountId, kind, cluster: cluster as Cluster, spec: JSON.stringify(spec), redundancy, credit_per_input: cpi, cost, status: 'queued', label: (body.label as string | undefined) ?? null, created_at: now });
      for (let i = 0; i < redundancy; i++) this.store.insertReplica(jobId, i);
      this.store.addToAccount(accountId, { reserved: cost });
    });
    return { jobId, status: 'queued', cost };
  }

  /** A job of this account (another account's job reads as not found). */
  ownJob(accountId: string, jobId: string): JobRow {
    this.sweep();
    const job = this.store.job(jobId);
    if (!job || job.account_id !== accountId) throw new NetError(404, 'NOT_FOUND', `No job ${jobId}.`);
    return job;
  }

  jobStatus(job: JobRow): Record<string, unknown> {
    const spec = JSON.parse(job.spec) as StoredSpec;
    const reps = this.store.replicas(job.job_id);
    const total = spec.inputs.length;
    const done = job.status === 'done' ? total : Math.max(0, ...reps.map((r) => (r.state === 'queued' ? r.released_done : r.done)));
    const allIn = reps.length > 0 && reps.every((r) => r.state === 'submitted' || r.state === 'valid' || r.state === 'invalid');
    const status = job.status === 'running' && allIn ? 'validating' : job.status;
    const out: Record<string, unknown> = {
      jobId: job.job_id,
      status,
      kind: job.kind,
      cluster: job.cluster,
      redundancy: job.redundancy,
      label: job.label,
      progress: { done, total },
      replicas: reps.map((r) => ({ replica: r.replica, state: r.state, ...(r.node_id ? { nodeId: r.node_id } : {}) })),
      cost: job.cost,
      createdAt: iso(job.created_at),
    };
    if (job.finished_at !== null) out.finishedAt = iso(job.finished_at);
    if (job.fail_reason) out.failReason = job.fail_reason;
    if (job.status === 'done' && job.outputs) out.outputs = JSON.parse(job.outputs);
    if (job.status === 'done') out.spent = round(this.store.acceptedResults(job.job_id).reduce((s, r) => s + (r.status === 'valid' ? (r.granted ?? 0) : 0), 0));
    return out;
  }

  cancel(accountId: string, jobId: string): Record<string, unknown> {
    const job = this.ownJob(accountId, jobId);
    let refunded = 0;
    if (job.status !== 'done' && job.status !== 'failed') {
      refunded = job.cost;
      this.store.tx(() => this.finishFailed(jobId, 'cancelled'));
    }
    return { ...this.jobStatus(this.store.job(jobId)!), refunded };
  }

  replicaRows(jobId: string): ReplicaRow[] {
    return this.store.replicas(jobId);
  }
}
