/**
 * The contributor node agent: decides on every tick (and at once when a pushing source changes) whether it may
 * work (policy.ts), and acts — registers, heartbeats, leases one job at a time, fetches its files by hash into the
 * job's own folder, runs it in a confined process (sandbox.ts, job-process.ts), pauses it with SIGSTOP the moment
 * a rule blocks, gives it back when paused past what the deadline allows, on Ctrl+C and for a refused job, and
 * uploads the signed result. Checkpoints are the job folder's `out/<index>.json` files: a job leased again (after
 * a pause, a crash or a reboot) skips every input already done. Protocol: docs/contributor-protocol.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../../common/app-error';
import { say } from '../../common/messages';
import type { ContributorCommand, ContributorJob, ContributorReason, ContributorStateName, ContributorStatus } from '../../common/contract/contributor';
import type { CheckpointFile, ContributorJobFile, FromContributorJob } from '../../../native-workers/protocol/contributor-protocol';
import type { HttpClientOptions } from '../cloud/http-client';
import { hardwareProfile } from './hardware';
import { loadOrCreateIdentity, type NodeIdentity } from './identity';
import { checkJobSpec, type JobSpec, type Lease } from './job-spec';
import { JobProcess } from './job-process';
import { BlobMismatch, NodeClient, type HardwareProfile } from './node-client';
import { decide, gpuDutyPhase, jobMemoryMb, jobThreads, localClock, type Decision, type GpuProcesses, type PowerSource } from './policy';
import { detectConfinement, jobCommand, type Confinement, type JobCommandOptions } from './sandbox';
import { canonicalJson, sha256Hex, signResult } from './signing';
import type { ContributorSources } from './sources/types';
import type { ContributorStore } from './store';

export interface AgentTimings {
  /** Policy tick while a job process runs (ms): bounds the pause latency for polled sources. Default 200. */
  workingMs?: number;
  /** Policy tick otherwise (ms). Default 1000. */
  waitingMs?: number;
  /** How often the GPU-process list is read while working / otherwise (ms). Defaults 500 / 5000. */
  gpuWorkingMs?: number;
  gpuWaitingMs?: number;
  /** Running programs (only read when the policy lists some). Default 2000 working, 5000 otherwise. */
  programsMs?: number;
  /** After "no work" (204), ask again after (ms). Default 15 s. */
  noWorkMs?: number;
  /** After a network error, try again after (ms). Default 30 s. */
  errorMs?: number;
  /** Progress reports at most this often (ms). Default 1000. */
  progressMs?: number;
  /** Disk quota check of the job folder (ms). Default 5000. */
  diskCheckMs?: number;
}

export interface AgentOptions {
  store: ContributorStore;
  sources: ContributorSources;
  vault: VaultLike;
  /** The studio's data folder; jobs live in <dataDir>/contributor/jobs/<jobId>-r<replica>/. */
  dataDir: string;
  hardware?: () => Promise<HardwareProfile>;
  client?: Partial<Omit<HttpClientOptions, 'service' | 'baseUrl'>>;
  now?: () => number;
  timings?: AgentTimings;
  confinement?: Confinement;
  /** Test knob: the job entry / extra read-only folders (see sandbox.ts). */
  job?: Pick<JobCommandOptions, 'entry' | 'readOnly' | 'execPath'>;
  /** Run jobs on the CPU even where a GPU provider exists. */
  forceCpu?: boolean;
  clientVersion?: string;
  onState?: (s: ContributorStatus) => void;
  log?: (line: string) => void;
  /** Called when the job process is stopped / continued (the benchmark measures from here). */
  onProcessSignal?: (what: 'stop' | 'cont', pid: number) => void;
  /**
   * Whether the provider a job process reports runs on the GPU (its GPU share cap then applies as a duty cycle).
   * Default: anything but `cpu` and `wasm`. Tests treat a CPU job as a GPU one to see the cycle.
   */
  isGpuProvider?: (provider: string) => boolean;
}

/** The vault as the agent needs it (the node's secret key only). */
export interface VaultLike {
  get(name: string): Promise<string | null> | string | null;
  set(name: string, value: string): Promise<void> | void;
}

type Phase = 'fetching' | 'ready' | 'running' | 'uploading' | 'releasing';

interface ActiveJob {
  lease: Lease;
  spec: JobSpec;
  dir: string;
  phase: Phase;
  proc: JobProcess | null;
  done: number;
  total: number;
  startedAt: number;
  deadline: number;
  leaseExpiresAt: number | null;
  lastCheckpointAt: number | null;
  /** Device time of this node on this job (all runs; read back from the checkpoint's per-input ms after a restart). */
  runMs: number;
  /** Device time of the inputs done in this process run and how many (for the rate). */
  lastRunTick: number | null;
  lastProgressSent: number;
  error: string | null;
  /** The execution provider the job process reported ('cuda', 'cpu' …); null until it says. */
  provider: string | null;
  /** When this process run began (the GPU share's duty cycle counts from here). */
  runSince: number | null;
}

const sleepFor = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A job folder's name from its id and replica (the id is checked as [A-Za-z0-9_-]). */
export function jobFolderName(spec: Pick<JobSpec, 'jobId' | 'replica'>): string {
  return `${spec.jobId}-r${spec.replica}`;
}

export class ContributorAgent {
  private readonly now: () => number;
  private readonly t: Required<AgentTimings>;
  private readonly confinement: Confinement;
  private identity: NodeIdentity | null = null;
  private client: NodeClient | null = null;
  private clientUrl: string | null = null;
  private registered = false;
  private heartbeatMs = 15_000;
  private lastHeartbeat = 0;
  private current: ActiveJob | null = null;
  private busy = false;
  private noWorkUntil = 0;
  private errorUntil = 0;
  private activity: ContributorReason | null = null;
  private lastBlockedAt: number | null = null;
  private decision: Decision = { state: 'off', reason: { code: 'not_opted_in', params: {} }, quietTrigger: false };
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private ticking = false;
  private again = false;
  private lastEmitted = '';
  private unsubscribe: (() => void) | null = null;
  private gpu: { at: number; value: GpuProcesses; pending: boolean } = { at: 0, value: { available: false, why: 'not read yet' }, pending: false };
  private programs: { at: number; value: string[] | null; pending: boolean } = { at: 0, value: null, pending: false };
  private power: { at: number; value: PowerSource; pending: boolean } = { at: 0, value: 'unknown', pending: false };
  private stopping: Promise<void> | null = null;
  /** The next GPU-share phase change, set by act (ms from now; Infinity when none). */
  private wakeInMs = Infinity;

  constructor(private readonly o: AgentOptions) {
    this.now = o.now ?? Date.now;
    this.t = {
      workingMs: 200,
      waitingMs: 1000,
      gpuWorkingMs: 500,
      gpuWaitingMs: 5000,
      programsMs: 2000,
      noWorkMs: 15_000,
      errorMs: 30_000,
      progressMs: 1000,
      diskCheckMs: 5000,
      ...o.timings,
    };
    this.confinement = o.confinement ?? detectConfinement();
  }

  private log(line: string): void {
    this.o.log?.(line);
  }

  get jobsDir(): string {
    return path.join(this.o.dataDir, 'contributor', 'jobs');
  }

  /** The pid of the job process, when one runs (the policy never counts it as "another" GPU user). */
  get jobPid(): number | null {
    return this.current?.proc?.pid ?? null;
  }

  get confinementInfo(): Confinement {
    return this.confinement;
  }

  /** Starts deciding and working (it does nothing but wait while the store says not opted in). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = null;
    this.killStaleProcesses();
    this.unsubscribe = this.o.sources.subscribe?.(() => this.enforceNow()) ?? null;
    this.schedule(0);
  }

  /** Decide again now (a source changed, a command was given). */
  kick(): void {
    if (!this.running) return;
    this.schedule(0);
  }

  /**
   * Decides at once and, when a rule now blocks, stops the job process before returning ("pause now" has paused
   * when its call answers; a pushed source change does not wait for the next tick). The tick does the rest.
   */
  enforceNow(): void {
    if (!this.running) return;
    const d = this.evaluate();
    if (d.quietTrigger) this.lastBlockedAt = this.now();
    this.decision = d;
    const j = this.current;
    if (d.state !== 'run' && j?.proc && !j.proc.stopped) {
      this.accountUsage();
      this.pauseProcess(j);
    }
    this.emit();
    this.kick();
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  /**
   * Stops the agent; the current job is given back (`shutdown`) and its checkpoint kept, so the same node resumes
   * it when the network offers it again. Waits for the release to be sent (a few seconds at most).
   */
  stop(reason: 'shutdown' | 'paused' = 'shutdown'): Promise<void> {
    this.stopping ??= (async () => {
      this.running = false;
      if (this.timer) clearTimeout(this.timer);
      this.unsubscribe?.();
      this.unsubscribe = null;
      while (this.ticking) await sleepFor(5);
      if (this.current) await this.release(reason, 'the node stopped');
      this.emit(true);
    })();
    return this.stopping;
  }

  // ---- the tick ----

  private async refreshSources(working: boolean): Promise<void> {
    const now = this.now();
    const s = this.o.sources;
    const policy = this.o.store.get().policy;
    const gpuEvery = working ? this.t.gpuWorkingMs : this.t.gpuWaitingMs;
    if (!this.gpu.pending && (policy.pauseOnGpuProcess ? now - this.gpu.at >= gpuEvery : this.gpu.at === 0)) {
      this.gpu.pending = true;
      void s.gpu
        .list()
        .catch((e: unknown): GpuProcesses => ({ available: false, why: String((e as Error)?.message ?? e) }))
        .then((v) => {
          const changed = JSON.stringify(v) !== JSON.stringify(this.gpu.value);
          this.gpu = { at: this.now(), value: v, pending: false };
          if (changed) this.kick();
        });
    }
    if (policy.pausePrograms.length > 0 && !this.programs.pending && now - this.programs.at >= (working ? this.t.programsMs : Math.max(this.t.programsMs, 5000))) {
      this.programs.pending = true;
      void s.programs
        .list()
        .catch(() => null)
        .then((v) => {
          const changed = JSON.stringify(v) !== JSON.stringify(this.programs.value);
          this.programs = { at: this.now(), value: v, pending: false };
          if (changed) this.kick();
        });
    }
    if (!this.power.pending && now - this.power.at >= (working ? 1000 : 5000)) {
      const p = s.power.power();
      if (typeof p === 'string') this.power = { at: now, value: p, pending: false };
      else {
        this.power.pending = true;
        void p
          .catch((): PowerSource => 'unknown')
          .then((v) => {
            const changed = v !== this.power.value;
            this.power = { at: this.now(), value: v, pending: false };
            if (changed) this.kick();
          });
      }
    }
  }

  /** The policy's answer now (also used by status before the agent runs). */
  evaluate(): Decision {
    const row = this.o.store.get();
    const now = this.now();
    const s = this.o.sources;
    const ownPids = [process.pid, ...(this.jobPid ? [this.jobPid] : [])];
    return decide(
      {
        now,
        local: localClock(new Date(now)),
        optedIn: row.optedIn,
        command: row.command,
        hasJob: this.current !== null,
        idleSeconds: s.idle.idleSeconds(),
        locked: s.idle.locked?.() ?? false,
        suspended: s.power.suspended?.() ?? false,
        power: this.power.value,
        gpu: this.gpu.value,
        ownPids,
        programs: this.programs.value,
        ownWork: s.ownWork.current(),
        todayMinutes: this.o.store.dayMinutes(now),
        lastBlockedAt: this.lastBlockedAt,
      },
      row.policy,
    );
  }

  private async tick(): Promise<void> {
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = true;
    try {
      const working = !!this.current?.proc && !this.current.proc.stopped;
      await this.refreshSources(working);
      this.accountUsage();
      const d = this.evaluate();
      if (d.quietTrigger) this.lastBlockedAt = this.now();
      this.decision = d;
      await this.act(d);
      await this.heartbeatIfDue();
    } catch (err) {
      this.log(`contributor: ${AppError.from(err).message}`);
    } finally {
      this.ticking = false;
      this.emit();
      const working = !!this.current?.proc && !this.current.proc.stopped;
      const wake = this.wakeInMs;
      this.wakeInMs = Infinity;
      // A running job is watched closely (a pause within a second); a stopped one need not be: it resumes only after
      // the policy's quiet period, so the waiting cadence is enough and costs a fifth of the ticks — except at the end
      // of a GPU-share rest, which is woken on time.
      if (this.again) {
        this.again = false;
        this.schedule(0);
      } else this.schedule(Math.min(working ? this.t.workingMs : this.t.waitingMs, Math.max(1, Math.ceil(wake))));
    }
  }

  private accountUsage(): void {
    const j = this.current;
    const now = this.now();
    if (!j) return;
    if (j.proc && !j.proc.stopped && !j.proc.ended) {
      if (j.lastRunTick !== null) {
        const ms = now - j.lastRunTick;
        j.runMs += ms;
        this.o.store.addUsage(j.spec.cluster, ms, now);
      }
      j.lastRunTick = now;
    } else j.lastRunTick = null;
  }

  private async act(d: Decision): Promise<void> {
    const j = this.current;
    if (d.state === 'off') {
      if (j && d.reason.code === 'not_opted_in') await this.release('shutdown', 'donating was turned off');
      return;
    }
    if (d.state === 'pause' || d.state === 'waiting') {
      if (j?.proc && !j.proc.stopped) this.pauseProcess(j);
      if (j && this.cannotFinishInTime(j)) await this.release('paused', 'paused and cannot finish before the deadline');
      return;
    }
    // run
    if (j) {
      if (j.phase === 'ready') this.startProcess(j);
      else if (j.proc) {
        const duty = this.duty(j);
        if (duty && !duty.run) {
          // the GPU share's rest: stopped like a pause, continued at the next run phase
          if (!j.proc.stopped && j.proc.pause() && j.proc.pid) this.o.onProcessSignal?.('stop', j.proc.pid);
          this.wakeInMs = duty.changeInMs;
        } else if (j.proc.stopped) {
          j.proc.resume();
          if (j.proc.pid) this.o.onProcessSignal?.('cont', j.proc.pid);
          j.lastRunTick = this.now();
        }
        if (duty?.run) this.wakeInMs = duty.changeInMs;
      }
      return;
    }
    if (this.busy || this.now() < Math.max(this.noWorkUntil, this.errorUntil)) return;
    this.busy = true;
    // Leasing and fetching take a while; the tick goes on (pausing stays instant).
    void this.leaseAndFetch().finally(() => {
      this.busy = false;
      this.kick();
    });
  }

  /**
   * The GPU share's duty cycle for job `j`, or null where it does not apply: a share of 100 %, a job not on a GPU
   * provider (or one that has not said yet), or no SIGSTOP (Windows: stopping there ends the process, so a cycle
   * would restart it every period — the cap is not enforced there, see the README).
   */
  private duty(j: ActiveJob): { run: boolean; changeInMs: number } | null {
    const share = this.o.store.get().policy.gpuSharePercent;
    if (share >= 100 || j.runSince === null || !j.provider || process.platform === 'win32') return null;
    const onGpu = this.o.isGpuProvider ?? ((p: string) => p !== 'cpu' && p !== 'wasm');
    if (!onGpu(j.provider)) return null;
    return gpuDutyPhase(share, this.now() - j.runSince);
  }

  private pauseProcess(j: ActiveJob): void {
    const proc = j.proc!;
    if (proc.pause()) {
      if (proc.pid) this.o.onProcessSignal?.('stop', proc.pid);
      return;
    }
    // No SIGSTOP here (Windows): end the process; its checkpoint files keep what is done.
    proc.kill('cancel');
  }

  private cannotFinishInTime(j: ActiveJob): boolean {
    const now = this.now();
    if (now >= j.deadline) return true;
    const doneHere = j.done;
    if (doneHere <= 0) return now > j.deadline - 60_000;
    const perInput = j.runMs / Math.max(1, doneHere);
    return now + perInput * (j.total - j.done) > j.deadline;
  }

  // ---- network ----

  private async ensureClient(): Promise<NodeClient | null> {
    const row = this.o.store.get();
    const url = row.networkUrl;
    if (!url) {
      this.activity = { code: 'network_unreachable', params: { message: 'no network address is set' } };
      return null;
    }
    if (!this.identity) {
      this.identity = await loadOrCreateIdentity(this.o.vault);
      if (row.nodeId !== this.identity.nodeId) this.o.store.setNodeId(this.identity.nodeId);
    }
    if (!this.client || this.clientUrl !== url) {
      this.client = new NodeClient(url, this.identity, { maxRetries: 2, timeoutMs: 15_000, ...this.o.client, now: this.now });
      this.clientUrl = url;
      this.registered = false;
    }
    return this.client;
  }

  /** Registers (again) with the hardware profile; idempotent on the server. */
  async register(): Promise<boolean> {
    const client = await this.ensureClient();
    if (!client) return false;
    this.activity = { code: 'registering', params: {} };
    try {
      const hardware = await (this.o.hardware ?? (() => hardwareProfile({ forceCpu: this.o.forceCpu })))();
      const r = await client.register({ hardware, clusters: this.o.store.get().policy.clusters, clientVersion: this.o.clientVersion ?? '0.1.0' });
      this.registered = true;
      if (r.heartbeatSeconds) this.heartbeatMs = r.heartbeatSeconds * 1000;
      this.activity = null;
      this.log(`contributor: registered as ${this.identity!.nodeId}`);
      return true;
    } catch (err) {
      this.networkFailed(err);
      return false;
    }
  }

  private networkFailed(err: unknown): void {
    const e = AppError.from(err);
    this.errorUntil = this.now() + this.t.errorMs;
    this.activity = { code: 'network_unreachable', params: { message: e.message } };
    this.log(`contributor: ${e.message}`);
  }

  private async heartbeatIfDue(): Promise<void> {
    if (!this.registered || !this.client || this.now() - this.lastHeartbeat < this.heartbeatMs) return;
    this.lastHeartbeat = this.now();
    const j = this.current;
    const state = j?.proc && !j.proc.stopped ? 'working' : j ? 'paused' : 'idle';
    const client = this.client;
    void client
      .heartbeat({ state, ...(j ? { leaseId: j.lease.leaseId } : {}), reason: this.decision.reason.code })
      .then((r) => {
        if (j && r.leaseExpiresAt) j.leaseExpiresAt = Date.parse(r.leaseExpiresAt);
      })
      .catch((err: unknown) => this.leaseProblem(j, err));
  }

  /** A 409 on a lease call: the lease is gone (expired, released elsewhere); drop the job, keep its checkpoint. */
  private leaseProblem(j: ActiveJob | null, err: unknown): void {
    const e = AppError.from(err);
    const status = (e.details as { status?: number } | undefined)?.status;
    if (status === 401) this.registered = false;
    if (j && this.current === j && (status === 409 || status === 403)) {
      this.log(`contributor: lease ${j.lease.leaseId} is no longer ours (${e.message})`);
      j.proc?.kill('cancel');
      this.current = null;
      this.kick();
    }
  }

  private async leaseAndFetch(): Promise<void> {
    const client = await this.ensureClient().catch((err: unknown) => {
      this.networkFailed(err);
      return null;
    });
    if (!client) return;
    if (!this.registered && !(await this.register())) return;
    const row = this.o.store.get();
    let lease: Lease | null;
    try {
      const providers = this.o.forceCpu ? ['cpu'] : (await (this.o.hardware ?? (() => hardwareProfile()))()).providers;
      lease = await client.lease({ clusters: row.policy.clusters, providers });
    } catch (err) {
      const status = (AppError.from(err).details as { status?: number } | undefined)?.status;
      if (status === 401) this.registered = false;
      this.networkFailed(err);
      return;
    }
    if (!lease) {
      this.noWorkUntil = this.now() + this.t.noWorkMs;
      this.activity = { code: 'no_work', params: {} };
      return;
    }
    this.activity = null;
    const checked = checkJobSpec(lease.job);
    if (!checked.ok) {
      await this.refuse(client, lease, checked.message);
      return;
    }
    const spec = checked.spec;
    const policy = row.policy;
    const needBytes = spec.model.bytes + spec.inputs.reduce((n, i) => n + i.bytes, 0);
    if (needBytes > policy.diskMaxMb * 1048576) {
      await this.refuse(client, lease, `refused: the job needs ${Math.ceil(needBytes / 1048576)} MB, over the ${policy.diskMaxMb} MB a job may use`);
      return;
    }
    const dir = path.join(this.jobsDir, jobFolderName(spec));
    const j: ActiveJob = {
      lease,
      spec,
      dir,
      phase: 'fetching',
      proc: null,
      done: 0,
      total: spec.inputs.length,
      startedAt: this.now(),
      deadline: Date.parse(lease.deadline),
      leaseExpiresAt: Date.parse(lease.leaseExpiresAt),
      lastCheckpointAt: null,
      runMs: 0,
      lastRunTick: null,
      provider: null,
      runSince: null,
      lastProgressSent: 0,
      error: null,
    };
    this.current = j;
    try {
      this.prepareFolder(j);
      const blobs = [spec.model.sha256, ...spec.inputs.map((i) => i.sha256)];
      const sizes = new Map<string, number>([[spec.model.sha256, spec.model.bytes], ...spec.inputs.map((i) => [i.sha256, i.bytes] as [string, number])]);
      const unique = [...new Set(blobs)];
      let fetched = 0;
      for (const sha of unique) {
        if (this.current !== j) return;
        const dest = path.join(dir, 'blobs', sha);
        // A file under its final name was checked when it was renamed there.
        if (!fs.existsSync(dest)) await client.fetchBlob(sha, sizes.get(sha)!, dest);
        fetched++;
        this.activity = { code: 'fetching', params: { done: fetched, total: unique.length } };
        this.emit();
      }
      this.activity = null;
      this.writeJobFile(j);
      j.phase = 'ready';
    } catch (err) {
      if (this.current !== j) return;
      if (err instanceof BlobMismatch) {
        this.current = null;
        await this.refuse(client, lease, `refused: ${err.message}`, dir);
        return;
      }
      this.current = null;
      this.networkFailed(err);
      await client.release(lease.leaseId, { reason: 'error', done: 0, message: AppError.from(err).message.slice(0, 500) }).catch(() => {});
    }
  }

  private async refuse(client: NodeClient, lease: Lease, message: string, dir?: string): Promise<void> {
    this.log(`contributor: ${message}`);
    this.activity = { code: 'job_refused', params: { message } };
    this.errorUntil = this.now() + Math.min(this.t.errorMs, 5000);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    await client.release(lease.leaseId, { reason: 'refused', done: 0, message: message.slice(0, 500) }).catch((err: unknown) => this.log(`contributor: release failed: ${AppError.from(err).message}`));
  }

  /** The job's folder; a checkpoint of another spec under the same id (it cannot be trusted) is cleared. */
  private prepareFolder(j: ActiveJob): void {
    const specHash = sha256Hex(canonicalJson(j.spec));
    const marker = path.join(j.dir, 'spec.sha256');
    if (fs.existsSync(j.dir)) {
      const saved = fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8').trim() : '';
      if (saved !== specHash) fs.rmSync(j.dir, { recursive: true, force: true });
    }
    fs.mkdirSync(path.join(j.dir, 'blobs'), { recursive: true, mode: 0o700 });
    fs.mkdirSync(path.join(j.dir, 'out'), { recursive: true });
    fs.writeFileSync(marker, specHash);
    const { done, ms, last } = this.readCheckpoint(j);
    j.done = done;
    j.runMs = ms;
    j.lastCheckpointAt = last;
  }

  private readCheckpoint(j: ActiveJob): { done: number; ms: number; last: number | null } {
    let done = 0;
    let ms = 0;
    let last: number | null = null;
    j.spec.inputs.forEach((input, index) => {
      const f = path.join(j.dir, 'out', `${index}.json`);
      try {
        const c = JSON.parse(fs.readFileSync(f, 'utf8')) as CheckpointFile;
        if (c.input !== input.sha256) {
          fs.rmSync(f, { force: true });
          return;
        }
        done++;
        ms += c.ms ?? 0;
        const m = fs.statSync(f).mtimeMs;
        last = last === null ? m : Math.max(last, m);
      } catch {
        fs.rmSync(f, { force: true });
      }
    });
    return { done, ms, last };
  }

  private writeJobFile(j: ActiveJob): void {
    const policy = this.o.store.get().policy;
    const file: ContributorJobFile = {
      kind: j.spec.kind,
      task: j.spec.model.task,
      model: `blobs/${j.spec.model.sha256}`,
      inputs: j.spec.inputs.map((i, index) => ({ index, sha256: i.sha256, file: `blobs/${i.sha256}` })),
      batchSize: j.spec.batchSize,
      inputSize: j.spec.model.inputSize,
      labels: j.spec.model.labels ?? [],
      threads: jobThreads(policy, os.availableParallelism?.() ?? os.cpus().length),
      forceCpu: this.o.forceCpu === true || j.spec.cluster === 'cpu',
      memoryMb: jobMemoryMb(policy, Math.round(os.totalmem() / 1048576)),
    };
    fs.writeFileSync(path.join(j.dir, 'job.json'), JSON.stringify(file));
  }

  // ---- the job process ----

  private startProcess(j: ActiveJob): void {
    const policy = this.o.store.get().policy;
    if (j.done >= j.total) {
      void this.upload(j);
      return;
    }
    const command = jobCommand({ jobDir: j.dir, memoryMb: jobMemoryMb(policy, Math.round(os.totalmem() / 1048576)), confinement: this.confinement, ...this.o.job });
    j.phase = 'running';
    j.lastRunTick = this.now();
    j.runSince = this.now();
    const proc = new JobProcess(
      { jobDir: j.dir, command, deadline: j.deadline, diskMaxBytes: policy.diskMaxMb * 1048576, diskCheckMs: this.t.diskCheckMs, now: this.now },
      {
        onMessage: (m) => this.onJobMessage(j, m),
        onExit: (code, signal, why, stderr) => this.onJobExit(j, proc, code, signal, why, stderr),
      },
    );
    j.proc = proc;
    if (proc.pid) fs.writeFileSync(path.join(j.dir, 'pid'), String(proc.pid));
    this.log(`contributor: job ${j.spec.jobId} replica ${j.spec.replica} running (pid ${proc.pid ?? '?'}, ${j.done}/${j.total} done, ${this.confinement.kind})`);
  }

  private onJobMessage(j: ActiveJob, m: FromContributorJob): void {
    if (this.current !== j) return;
    if (m.type === 'ready') {
      j.provider = m.provider;
      this.kick();
    } else if (m.type === 'progress' || m.type === 'done') {
      const before = j.done;
      j.done = m.done;
      if (m.done > before) j.lastCheckpointAt = this.now();
      const now = this.now();
      if (m.type === 'progress' && now - j.lastProgressSent >= this.t.progressMs && this.client) {
        j.lastProgressSent = now;
        const client = this.client;
        void client
          .progress(j.lease.leaseId, { done: j.done, total: j.total })
          .then((r) => {
            if (r.leaseExpiresAt) j.leaseExpiresAt = Date.parse(r.leaseExpiresAt);
          })
          .catch((err: unknown) => this.leaseProblem(j, err));
      }
      this.emit();
    } else if (m.type === 'error') {
      j.error = `${m.kind}: ${m.message}`;
    }
  }

  private onJobExit(j: ActiveJob, proc: JobProcess, code: number | null, signal: NodeJS.Signals | null, why: string | null, stderr: string): void {
    this.accountUsage();
    if (this.current !== j || j.proc !== proc) return;
    j.proc = null;
    fs.rmSync(path.join(j.dir, 'pid'), { force: true });
    if (code === 0 && j.done >= j.total) {
      void this.upload(j);
      return;
    }
    if (why === 'cancel') {
      // Ended for a pause where SIGSTOP does not exist, or by a release: runs again from its checkpoint.
      j.phase = 'ready';
      return;
    }
    const message = why === 'deadline' ? 'the deadline passed' : why === 'disk' ? 'the job folder grew past its disk limit' : (j.error ?? `the job process ended (${signal ?? `exit ${code}`})${stderr ? `: ${stderr.slice(0, 300)}` : ''}`);
    this.activity = { code: 'job_failed', params: { message } };
    this.log(`contributor: job ${j.spec.jobId} failed: ${message}`);
    void this.release(why === 'deadline' ? 'deadline' : 'error', message);
  }

  /** Gives the current job back. Its checkpoint is kept (the network offers it to this node first) unless refused. */
  private async release(reason: 'paused' | 'deadline' | 'shutdown' | 'refused' | 'error', message: string): Promise<void> {
    const j = this.current;
    if (!j) return;
    this.current = null;
    j.phase = 'releasing';
    if (j.proc) {
      const proc = j.proc;
      proc.kill('cancel');
      await Promise.race([proc.exited, sleepFor(3000)]);
    }
    this.accountUsage();
    try {
      await this.client?.release(j.lease.leaseId, { reason, done: j.done, message: message.slice(0, 500) });
    } catch (err) {
      this.log(`contributor: release failed: ${AppError.from(err).message}`);
    }
    this.o.store.record({
      networkUrl: this.clientUrl ?? '',
      jobId: j.spec.jobId,
      replica: j.spec.replica,
      leaseId: j.lease.leaseId,
      cluster: j.spec.cluster,
      inputs: j.done,
      deviceMs: j.runMs,
      claimedCredit: 0,
      grantedCredit: null,
      status: 'released',
      at: this.now(),
    });
    this.log(`contributor: gave back job ${j.spec.jobId} replica ${j.spec.replica} (${reason}; ${j.done}/${j.total} done, checkpoint kept)`);
    this.emit();
  }

  private async upload(j: ActiveJob): Promise<void> {
    if (j.phase === 'uploading') return;
    j.phase = 'uploading';
    this.activity = { code: 'uploading', params: {} };
    this.emit();
    const client = this.client!;
    try {
      const outputs = j.spec.inputs.map((input, index) => {
        const c = JSON.parse(fs.readFileSync(path.join(j.dir, 'out', `${index}.json`), 'utf8')) as CheckpointFile;
        if (c.input !== input.sha256) throw new AppError('INTERNAL', say('contributor.checkpoint_other_input', { index }));
        return { input: input.sha256, output: c.output };
      });
      const signed = signResult(this.identity!, j.spec.jobId, j.spec.replica, outputs);
      const claimedCredit = j.spec.creditPerInput * j.spec.inputs.length;
      const deviceMs = Math.round(j.runMs);
      let status: 'pending_validation' | 'valid' | 'invalid' | 'rejected' = 'pending_validation';
      let granted: number | null = null;
      try {
        const r = await client.result(j.lease.leaseId, { ...signed, claimedCredit, deviceMs });
        status = r.status;
        granted = r.grantedCredit ?? null;
      } catch (err) {
        const e = AppError.from(err);
        const st = (e.details as { status?: number } | undefined)?.status;
        if (st === 422) status = 'rejected';
        else if (st === 409 || st === 403) {
          this.log(`contributor: the lease ended before the result was in (${e.message})`);
          if (this.current === j) this.current = null;
          this.activity = { code: 'job_failed', params: { message: e.message } };
          return;
        } else throw err;
      }
      this.o.store.record({
        networkUrl: this.clientUrl ?? '',
        jobId: j.spec.jobId,
        replica: j.spec.replica,
        leaseId: j.lease.leaseId,
        cluster: j.spec.cluster,
        inputs: j.spec.inputs.length,
        deviceMs,
        claimedCredit,
        grantedCredit: granted,
        status,
        at: this.now(),
      });
      this.log(`contributor: result of job ${j.spec.jobId} replica ${j.spec.replica}: ${status}${granted !== null ? `, ${granted} credit` : ''}`);
      fs.rmSync(j.dir, { recursive: true, force: true });
      if (this.current === j) this.current = null;
      this.activity = null;
    } catch (err) {
      // The network could not take it now: the folder stays; the next tick tries the upload again.
      this.networkFailed(err);
      j.phase = 'ready';
    } finally {
      this.kick();
    }
  }

  /** Settles credit from the server's ledger (validation happens later for redundant jobs). */
  async syncLedger(): Promise<number> {
    const client = await this.ensureClient().catch(() => null);
    if (!client || !this.clientUrl) return 0;
    const pending = this.o.store.pending(this.clientUrl);
    if (pending.length === 0) return 0;
    const r = await client.ledger();
    let n = 0;
    for (const e of r.entries) {
      if (!pending.some((p) => p.jobId === e.jobId && p.replica === e.replica)) continue;
      const status = (['pending_validation', 'valid', 'invalid', 'rejected'] as const).find((s) => s === e.status);
      if (status && this.o.store.grant(this.clientUrl, e.jobId, e.replica, status, e.grantedCredit ?? null)) n++;
    }
    return n;
  }

  /** A job process left by a crashed agent (its pid file) is ended: its checkpoint stays, the process does not. */
  private killStaleProcesses(): void {
    let dirs: string[];
    try {
      dirs = fs.readdirSync(this.jobsDir);
    } catch {
      return;
    }
    for (const d of dirs) {
      const pidFile = path.join(this.jobsDir, d, 'pid');
      if (!fs.existsSync(pidFile)) continue;
      const pid = Number(fs.readFileSync(pidFile, 'utf8'));
      fs.rmSync(pidFile, { force: true });
      if (!Number.isInteger(pid) || pid <= 1) continue;
      try {
        const cmd = process.platform === 'linux' ? fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8') : '';
        if (process.platform !== 'linux' || cmd.includes('contributor-job')) {
          process.kill(-pid, 'SIGKILL');
          process.kill(-pid, 'SIGCONT');
        }
      } catch {
        /* gone already */
      }
    }
  }

  // ---- status ----

  private visible(): { state: ContributorStateName; reason: ContributorReason } {
    const d = this.decision;
    const j = this.current;
    if (d.state !== 'run') return { state: d.state, reason: d.reason };
    if (j && (j.phase === 'running' || j.phase === 'ready')) {
      if (j.phase === 'running' && this.duty(j)) return { state: 'run', reason: { code: 'gpu_share', params: { percent: this.o.store.get().policy.gpuSharePercent } } };
      return { state: 'run', reason: d.reason };
    }
    if (j && j.phase === 'uploading') return { state: 'run', reason: { code: 'uploading', params: {} } };
    if (this.activity) return { state: j ? 'run' : 'waiting', reason: this.activity };
    return { state: j ? 'run' : 'waiting', reason: this.running ? d.reason : { code: 'starting', params: {} } };
  }

  status(): ContributorStatus {
    const row = this.o.store.get();
    if (!this.running) this.decision = this.evaluate();
    const { state, reason } = this.visible();
    const j = this.current;
    const now = this.now();
    let job: ContributorJob | null = null;
    if (j) {
      const perInput = j.done > 0 ? j.runMs / j.done : null;
      job = {
        jobId: j.spec.jobId,
        replica: j.spec.replica,
        leaseId: j.lease.leaseId,
        kind: j.spec.kind,
        cluster: j.spec.cluster,
        done: j.done,
        total: j.total,
        deadline: new Date(j.deadline).toISOString(),
        leaseExpiresAt: j.leaseExpiresAt ? new Date(j.leaseExpiresAt).toISOString() : null,
        lastCheckpointAt: j.lastCheckpointAt ? new Date(j.lastCheckpointAt).toISOString() : null,
        remainingSeconds: perInput === null ? null : Math.round((perInput * (j.total - j.done)) / 1000),
        startedAt: new Date(j.startedAt).toISOString(),
      };
    }
    const gpu = this.gpu.value;
    return {
      optedIn: row.optedIn,
      consentedAt: row.consentedAt,
      state,
      reason,
      command: row.command as ContributorCommand,
      nodeId: row.nodeId,
      networkUrl: row.networkUrl,
      job,
      todayMinutes: Math.round(this.o.store.dayMinutes(now) * 10) / 10,
      sources: {
        gpuProcesses: gpu.available ? { available: true, why: null } : { available: false, why: gpu.why },
        idle: this.o.sources.idle.info(),
        power: this.o.sources.power.info(),
      },
      confinement: this.confinement.kind === 'bwrap' ? this.confinement.description : `${this.confinement.description}${this.confinement.whyNot ? ` — ${this.confinement.whyNot}` : ''}`,
      updatedAt: new Date(now).toISOString(),
    };
  }

  private emit(force = false): void {
    if (!this.o.onState) return;
    const s = this.status();
    const key = JSON.stringify({ ...s, updatedAt: '', todayMinutes: Math.floor(s.todayMinutes) });
    if (!force && key === this.lastEmitted) return;
    this.lastEmitted = key;
    this.o.onState(s);
  }
}
