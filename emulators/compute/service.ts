/**
 * What seed 003's API server does, without HTTP: users and their storage, containers whose creation runs on
 * the emulator clock (pending → createContainer → success | failed), quotas per campus, the maxDuration
 * countdown, expiry, and usage minutes per cluster. Every read first brings the state up to the clock
 * (`sweep`), so a container past its time has ended by the time anyone looks.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../base/clock';
import type { ClusterId, ComputeStore, ContainerRow, UserRow } from './store';

/** An error reply: `statusCode` goes in the body and on the wire. */
export class ComputeError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Quota {
  cpu: number;
  gpu: number;
}

export interface CreationDelays {
  /** How long a new container reads `pending` (ms, emulator clock). */
  pending: number;
  /** How long it then reads `createContainer` before `success` or `failed`. */
  createContainer: number;
}

export interface ComputeSettings {
  creationDelayMs: CreationDelays;
  /** Quota of a campus without its own entry. */
  defaultQuota: Quota;
  /** Per campus (`localSchoolId`): the most containers one user of that campus may hold at once, per cluster. */
  quotas: Record<string, Quota>;
  /** Image of a runContainer without dockerImagePath. */
  defaultImages: Record<ClusterId, string>;
}

export type SeedStatus = 'pending' | 'createContainer' | 'success' | 'failed';

export interface ContainerView {
  clusterId: ClusterId;
  containerId: string;
  status: SeedStatus;
  createdAt: number;
  startedAt?: number;
  timerStartedAt?: number;
  maxDuration?: number;
  storagePath?: string;
  imagePath: string;
  nodeId?: number;
  remainingTime: number;
  endpoint: { jupyter: string; shell: string };
}

export interface UserStatusView {
  useContainerCnt: number;
  runningContainerCnt: number;
  running_container_list: ContainerView[];
  usage: { cpu: number; gpu: number };
}

const MINUTE = 60_000;
const LIVE = new Set(['creating', 'success']);

/** The seed: any characters but `.`, `#`, `$`, `[`, `]`. Empty is refused too (there is no user called ""). */
export function userIdProblem(userId: unknown): string | null {
  if (typeof userId !== 'string' || userId.length === 0) return 'userId is required (a non-empty string).';
  const bad = [...new Set([...userId].filter((ch) => '.#$[]'.includes(ch)))];
  if (bad.length) return `userId may not contain ${bad.map((c) => `"${c}"`).join(', ')} (seed 003: any characters but . # $ [ ]).`;
  if (Buffer.byteLength(userId, 'utf8') > 768) return 'userId is longer than 768 bytes.';
  return null;
}

export class ComputeService {
  private failNext: string[] = [];

  constructor(
    readonly store: ComputeStore,
    readonly clock: Clock,
    readonly settings: ComputeSettings,
    private readonly storageRoot: string,
    /** Server root, for the endpoints (read at reply time: a restart on another port moves them). */
    private readonly baseUrl: () => string,
  ) {}

  // ---- the clock ---------------------------------------------------------------------------------------

  /** Brings every container up to the clock: creations that are done, countdowns that ran out. */
  sweep(): void {
    const now = this.clock.now();
    const tx = this.store.db.transaction(() => {
      for (const c of this.store.containers()) {
        if (!LIVE.has(c.state)) continue;
        let row = c;
        if (row.state === 'creating' && row.ready_at <= now) {
          if (row.fail_message !== null) {
            this.store.update(row.container_id, { state: 'failed', ended_at: row.ready_at, end_reason: 'failed' });
            continue;
          }
          const fields = { state: 'success' as const, started_at: row.ready_at, timer_started_at: row.timer_started_at ?? row.ready_at };
          this.store.update(row.container_id, fields);
          row = { ...row, ...fields };
        }
        const deadline = this.deadline(row);
        if (deadline !== null && deadline <= now) this.end(row, deadline, 'expired');
      }
    });
    tx();
  }

  private deadline(c: ContainerRow): number | null {
    if (c.max_duration === null || c.timer_started_at === null) return null;
    return c.timer_started_at + c.max_duration * MINUTE;
  }

  private end(c: ContainerRow, at: number, reason: string): void {
    const running = c.state === 'success' && c.started_at !== null ? Math.max(0, at - c.started_at) : 0;
    this.store.update(c.container_id, { state: 'ended', ended_at: at, end_reason: reason, usage_ms: c.usage_ms + running, started_at: null });
  }

  // ---- users -------------------------------------------------------------------------------------------

  private storageDir(userId: string): string {
    // user ids may hold any character (slashes, spaces, emoji) and be 768 bytes long: the folder is named by a hash
    return path.join(this.storageRoot, createHash('sha256').update(userId, 'utf8').digest('hex'));
  }

  registerUser(userId: string, storageGb: number, localSchoolId: number): void {
    const existing = this.store.user(userId);
    if (existing && existing.deleted_at === null) throw new ComputeError(409, `User ${userId} is already registered.`);
    this.store.upsertUser({ userId, storageGb, localSchoolId, now: this.clock.now() });
    const dir = this.storageDir(userId);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, '.storage.json'), JSON.stringify({ userId, storageGb, localSchoolId }));
  }

  /** A registered user (a deleted one too when `allowDeleted`), else 404. */
  user(userId: string, allowDeleted: boolean): UserRow {
    const u = this.store.user(userId);
    if (!u) throw new ComputeError(404, `No user ${userId}: registerUser first.`);
    if (u.deleted_at !== null && !allowDeleted) throw new ComputeError(409, `User ${userId} was deleted (no containers, no storage; the record is kept): registerUser again first.`);
    return u;
  }

  storageExists(userId: string): boolean {
    return fs.existsSync(this.storageDir(userId));
  }

  deleteUser(userId: string): void {
    this.sweep();
    this.user(userId, true);
    const now = this.clock.now();
    this.store.db.transaction(() => {
      for (const c of this.store.containersOf(userId)) if (LIVE.has(c.state)) this.end(c, now, 'user deleted');
      this.store.markUserDeleted(userId, now);
    })();
    fs.rmSync(this.storageDir(userId), { recursive: true, force: true });
  }

  userStatus(userId: string): UserStatusView {
    this.sweep();
    const u = this.user(userId, true);
    return this.statusOf(u);
  }

  private statusOf(u: UserRow): UserStatusView {
    const now = this.clock.now();
    const all = this.store.containersOf(u.user_id);
    const live = all.filter((c) => LIVE.has(c.state));
    const usage = { cpu: 0, gpu: 0 };
    for (const c of all) usage[c.cluster_id] += this.usageMs(c, now);
    return {
      useContainerCnt: all.length,
      runningContainerCnt: live.filter((c) => c.state === 'success').length,
      running_container_list: live.map((c) => this.view(c, now)),
      usage: { cpu: Math.floor(usage.cpu / MINUTE), gpu: Math.floor(usage.gpu / MINUTE) },
    };
  }

  allUserStatus(localSchoolId?: number): { useContainerCnt: number; runningContainerCnt: number; result: Record<string, UserStatusView> } {
    this.sweep();
    const result: Record<string, UserStatusView> = {};
    let use = 0;
    let running = 0;
    for (const u of this.store.users(localSchoolId)) {
      const s = this.statusOf(u);
      result[u.user_id] = s;
      use += s.useContainerCnt;
      running += s.runningContainerCnt;
    }
    return { useContainerCnt: use, runningContainerCnt: running, result };
  }

  private usageMs(c: ContainerRow, now: number): number {
    return c.usage_ms + (c.state === 'success' && c.started_at !== null ? Math.max(0, now - c.started_at) : 0);
  }

  // ---- containers --------------------------------------------------------------------------------------

  quotaOf(localSchoolId: number): Quota {
    return this.settings.quotas[String(localSchoolId)] ?? this.settings.defaultQuota;
  }

  endpoints(containerId: string): { jupyter: string; shell: string } {
    const root = this.baseUrl();
    return {
      jupyter: `${root}/__containers/${containerId}/jupyter/`,
      shell: `${root.replace(/^http/, 'ws')}/__containers/${containerId}/shell`,
    };
  }

  /** Queues failures: the next creations (runContainer or an edit's re-creation) end `failed` with these messages. */
  failNextCreation(message: string, count = 1): void {
    for (let i = 0; i < count; i++) this.failNext.push(message);
  }

  clearFailures(): void {
    this.failNext.splice(0);
  }

  pendingFailures(): number {
    return this.failNext.length;
  }

  private creationTimes(now: number): { creating_at: number; ready_at: number; fail_message: string | null } {
    const d = this.settings.creationDelayMs;
    return { creating_at: now + d.pending, ready_at: now + d.pending + d.createContainer, fail_message: this.failNext.shift() ?? null };
  }

  runContainer(input: { userId: string; clusterId: ClusterId; nodeId: number | null; dockerImagePath: string | null; maxDuration: number | null; storagePath: string | null }): { containerId: string; endpoint: { jupyter: string; shell: string } } {
    this.sweep();
    const u = this.user(input.userId, false);
    const quota = this.quotaOf(u.local_school_id)[input.clusterId];
    const held = this.store.containersOf(u.user_id).filter((c) => LIVE.has(c.state) && c.cluster_id === input.clusterId).length;
    if (held >= quota)
      throw new ComputeError(403, `Quota reached: campus ${u.local_school_id} allows ${quota} ${input.clusterId} container${quota === 1 ? '' : 's'} per user and ${input.userId} holds ${held}.`);
    const now = this.clock.now();
    const containerId = randomBytes(6).toString('hex');
    this.store.insertContainer({
      container_id: containerId,
      user_id: u.user_id,
      cluster_id: input.clusterId,
      node_id: input.nodeId,
      image_path: input.dockerImagePath ?? this.settings.defaultImages[input.clusterId],
      storage_path: input.storagePath,
      max_duration: input.maxDuration,
      created_at: now,
      ...this.creationTimes(now),
    });
    return { containerId, endpoint: this.endpoints(containerId) };
  }

  /** The user's container, whatever its state; 404 when it is not theirs or never was. */
  private own(userId: string, containerId: string): ContainerRow {
    this.user(userId, true);
    const c = this.store.container(containerId);
    if (!c || c.user_id !== userId) throw new ComputeError(404, `No container ${containerId} for user ${userId}.`);
    return c;
  }

  /** A container that is still there (creating or running); an ended one is 404 with the reason. */
  private live(userId: string, containerId: string, allowFailed = false): ContainerRow {
    const c = this.own(userId, containerId);
    if (c.state === 'ended') throw new ComputeError(404, `Container ${containerId} is gone (${c.end_reason ?? 'ended'}).`);
    if (c.state === 'failed' && !allowFailed) throw new ComputeError(409, `Container ${containerId} failed to start: ${c.fail_message ?? ''}`.trim());
    return c;
  }

  containerStatus(userId: string, containerId: string): { status: SeedStatus; failMessage: string | null } {
    this.sweep();
    const c = this.live(userId, containerId, true);
    return { status: this.seedStatus(c, this.clock.now()), failMessage: c.state === 'failed' ? c.fail_message : null };
  }

  private seedStatus(c: ContainerRow, now: number): SeedStatus {
    if (c.state === 'success') return 'success';
    if (c.state === 'failed') return 'failed';
    return now < c.creating_at ? 'pending' : 'createContainer';
  }

  /** Changes image / storage path / node: the container is created again (pending → …), its countdown keeps running. */
  editContainer(userId: string, containerId: string, change: { nodeId?: number; imagePath?: string; storagePath?: string }): void {
    this.sweep();
    const c = this.live(userId, containerId);
    const now = this.clock.now();
    const running = c.state === 'success' && c.started_at !== null ? Math.max(0, now - c.started_at) : 0;
    this.store.update(c.container_id, {
      ...(change.nodeId !== undefined ? { node_id: change.nodeId } : {}),
      ...(change.imagePath !== undefined ? { image_path: change.imagePath } : {}),
      ...(change.storagePath !== undefined ? { storage_path: change.storagePath } : {}),
      state: 'creating',
      started_at: null,
      usage_ms: c.usage_ms + running,
      ...this.creationTimes(now),
    });
  }

  terminateContainer(userId: string, containerId: string): void {
    this.sweep();
    const c = this.live(userId, containerId, true);
    if (c.state === 'failed') this.store.update(c.container_id, { state: 'ended', end_reason: 'failed, then terminated' });
    else this.end(c, this.clock.now(), 'terminated');
  }

  terminateAll(): number {
    this.sweep();
    const now = this.clock.now();
    let n = 0;
    this.store.db.transaction(() => {
      for (const c of this.store.containers()) {
        if (LIVE.has(c.state)) {
          this.end(c, now, 'terminateAllContainer');
          n++;
        } else if (c.state === 'failed') this.store.update(c.container_id, { state: 'ended', end_reason: 'failed, then terminateAllContainer' });
      }
    })();
    return n;
  }

  extendContainer(userId: string, containerId: string, minutes: number): void {
    this.sweep();
    const c = this.live(userId, containerId);
    if (c.max_duration === null) throw new ComputeError(409, `Container ${containerId} has no maximum duration (remainingTime -1): there is nothing to extend.`);
    this.store.update(c.container_id, { max_duration: c.max_duration + minutes });
  }

  /** Fails a container that is still being created (admin). */
  failContainer(containerId: string, message: string): void {
    this.sweep();
    const c = this.store.container(containerId);
    if (!c) throw new ComputeError(404, `No container ${containerId}.`);
    if (c.state !== 'creating') throw new ComputeError(409, `Container ${containerId} is not being created (it is ${c.state}).`);
    this.store.update(containerId, { state: 'failed', fail_message: message, ended_at: this.clock.now(), end_reason: 'failed' });
  }

  view(c: ContainerRow, now = this.clock.now()): ContainerView {
    const deadline = this.deadline(c);
    const remainingTime =
      c.max_duration === null ? -1 : deadline === null ? Math.ceil(c.max_duration) : Math.max(0, Math.ceil((deadline - now) / MINUTE));
    return {
      clusterId: c.cluster_id,
      containerId: c.container_id,
      status: this.seedStatus(c, now),
      createdAt: c.created_at,
      ...(c.started_at !== null ? { startedAt: c.started_at } : {}),
      ...(c.timer_started_at !== null ? { timerStartedAt: c.timer_started_at } : {}),
      ...(c.max_duration !== null ? { maxDuration: c.max_duration } : {}),
      ...(c.storage_path !== null ? { storagePath: c.storage_path } : {}),
      imagePath: c.image_path,
      ...(c.node_id !== null ? { nodeId: c.node_id } : {}),
      remainingTime,
      endpoint: this.endpoints(c.container_id),
    };
  }

  /** For the Jupyter page: the container if it is running. */
  runningContainer(containerId: string): ContainerRow | null {
    this.sweep();
    const c = this.store.container(containerId);
    return c && c.state === 'success' ? c : null;
  }
}
