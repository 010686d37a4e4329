/**
 * GPU sessions (seed 003): the studio's side of remote CPU/GPU containers. Every container it starts — and every
 * one getUserStatus lists for the user — is a row of `compute_sessions` (migration 6), so sessions survive the
 * studio: after a restart the rows still being created are followed again and the list is read from
 * getUserStatus; a container the studio knew as running is only marked ended when the service no longer lists
 * it, so one that still runs (and bills) is never lost. runContainer answers before the container exists:
 * getContainerStatus is polled with back-off until success or failed. A watch loop warns
 * (`compute.sessionEnding`) once when a session has at most 10 minutes left, and every change is pushed as
 * `compute.sessionUpdated`.
 */
import { AppError } from '../../../common/app-error';
import type {
  ComputeConnection,
  ComputeCreationStatus,
  ComputeQuota,
  ComputeReachability,
  ComputeSession,
  ComputeSessionState,
  ComputeStatus,
  ComputeUser,
  ParsedRequestOf,
} from '../../../common/contract';
import { ComputeUser as ComputeUserSchema } from '../../../common/contract/compute';
import type { EventBus } from '../../event-bus';
import type { ChannelsOf } from '../../ipc/dispatch';
import type { Db } from '../../store/database';
import { checkMessage, type ConnectionSettings } from '../connection';
import { say } from '../../../common/messages';
import { cancelledError, isTransient, serviceParams } from '../errors';
import { HttpClient, type HttpClientOptions } from '../http-client';
import { checkUserId, ComputeApi } from './compute-api';
import type { ComputeHandlerDeps } from './handlers';
import { timeToIso, type RunningContainer } from './schemas';

/** The settings key the saved user id lives under (a setting, not a secret). */
export const COMPUTE_USER_SETTING = 'compute.user';
export const WARN_MINUTES = 10;

export interface ComputeServiceDeps {
  db: Db;
  bus: Pick<EventBus, 'emit'>;
  connection: Pick<ConnectionSettings, 'get' | 'set'>;
  /** HTTP client knobs (tests: fast back-off). */
  client?: Partial<Omit<HttpClientOptions, 'service' | 'baseUrl'>>;
  /** getContainerStatus back-off: first wait and longest wait (ms). Default 1 s … 10 s. */
  pollMs?: { first: number; max: number };
  /** How often running sessions are looked at for the warning and a refresh (ms). Default 30 s. */
  watchMs?: number;
  /** How often the service is asked again while sessions run (ms). Default 2 min. */
  refreshMs?: number;
  now?: () => number;
}

interface Row {
  id: number;
  base_url: string;
  user_id: string;
  container_id: string;
  project_id: number | null;
  started_here: number;
  cluster_id: 'cpu' | 'gpu';
  state: ComputeSessionState;
  creation_status: ComputeCreationStatus | null;
  service_status: string | null;
  image_path: string | null;
  storage_path: string | null;
  node_id: number | null;
  max_duration: number | null;
  remaining_time: number | null;
  observed_at: string | null;
  jupyter: string | null;
  shell: string | null;
  created_at: string | null;
  started_at: string | null;
  error: string | null;
  warned_ends_at: string | null;
  updated_at: string;
  ended_at: string | null;
}

const ACTIVE: readonly ComputeSessionState[] = ['creating', 'running', 'unknown'];

type Req<C extends ChannelsOf<'compute'>> = ParsedRequestOf<C>;

export class ComputeService implements ComputeHandlerDeps {
  private readonly clients = new Map<string, HttpClient>();
  private readonly following = new Map<string, AbortController>();
  private readonly followDone = new Map<string, Promise<void>>();
  private readonly lastRefresh = new Map<string, number>();
  private watchTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly d: ComputeServiceDeps) {
    this.now = d.now ?? Date.now;
  }

  // ---- connection -------------------------------------------------------------------------------------------

  connection = (): ComputeConnection => {
    const c = this.d.connection.get('compute');
    return { baseUrl: c.baseUrl, emulator: c.emulator, source: c.source };
  };

  setConnection = (req: Req<'compute.setConnection'>): ComputeConnection => {
    this.d.connection.set('compute', req.baseUrl);
    return this.connection();
  };

  /** A POST of getContainerQuota (every user may make it, it changes nothing): reachable when any reply comes. */
  checkConnection = async (): Promise<ComputeReachability> => {
    const { baseUrl } = this.connection();
    if (!baseUrl) return { baseUrl: null, reachable: false, latencyMs: null, ...checkMessage(say('cloud.no_address_set', serviceParams('compute'))) };
    const started = this.now();
    try {
      const http = new HttpClient({ ...this.d.client, service: 'compute', baseUrl, maxRetries: 0, timeoutMs: 3_000 });
      const res = await http.requestRaw({ method: 'POST', path: '/getContainerQuota', json: {}, retry: false, auth: false, okStatuses: Array.from({ length: 500 }, (_, i) => 100 + i) });
      const text = await res.text();
      const latencyMs = Math.max(0, this.now() - started);
      let looksRight = false;
      try {
        const body = JSON.parse(text) as { statusCode?: unknown };
        looksRight = typeof body === 'object' && body !== null && 'statusCode' in body;
      } catch {
        looksRight = false;
      }
      if (res.status >= 500) return { baseUrl, reachable: false, latencyMs, ...checkMessage(say('cloud.check_5xx', { ...serviceParams('compute'), status: res.status })) };
      return { baseUrl, reachable: true, latencyMs, ...(looksRight ? { message: null } : checkMessage(say('cloud.answers_not_as', { ...serviceParams('compute'), status: res.status, path: '/getContainerQuota' }))) };
    } catch (err) {
      return { baseUrl, reachable: false, latencyMs: null, ...checkMessage(AppError.from(err)) };
    }
  };

  // ---- user -------------------------------------------------------------------------------------------------

  user = (): ComputeUser | null => {
    const row = this.d.db.prepare(`SELECT value_json FROM settings WHERE key = ?`).get(COMPUTE_USER_SETTING) as { value_json: string } | undefined;
    if (!row) return null;
    try {
      const parsed = ComputeUserSchema.safeParse(JSON.parse(row.value_json));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  };

  private saveUser(u: ComputeUser | null): ComputeUser | null {
    if (u === null) this.d.db.prepare(`DELETE FROM settings WHERE key = ?`).run(COMPUTE_USER_SETTING);
    else
      this.d.db
        .prepare(`INSERT INTO settings (key, value_json) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json`)
        .run(COMPUTE_USER_SETTING, JSON.stringify(u));
    return u;
  }

  setUser = (req: Req<'compute.setUser'>): ComputeUser | null => {
    if (req.userId === null) return this.saveUser(null);
    checkUserId(req.userId);
    const prev = this.user();
    const same = prev?.userId === req.userId;
    return this.saveUser({
      userId: req.userId,
      localSchoolId: req.localSchoolId ?? (same ? prev.localSchoolId : null),
      storageGb: same ? prev.storageGb : null,
      registeredAt: same ? prev.registeredAt : null,
    });
  };

  register = async (req: Req<'compute.register'>): Promise<ComputeUser> => {
    checkUserId(req.userId);
    await this.api().registerUser({ userId: req.userId, storageGb: req.storageGb, localSchoolId: req.localSchoolId });
    return this.saveUser({ userId: req.userId, localSchoolId: req.localSchoolId, storageGb: req.storageGb, registeredAt: new Date(this.now()).toISOString() })!;
  };

  /** The user id of a request, else the saved one; checked before anything is sent. */
  private userOf(userId: string | undefined): string {
    const id = userId ?? this.user()?.userId;
    if (id === undefined) throw new AppError('INVALID_INPUT', say('compute.no_user_id', {}), { service: 'compute', field: 'userId' });
    checkUserId(id);
    return id;
  }

  // ---- status, quota ----------------------------------------------------------------------------------------

  status = async (req: Req<'compute.status'> = {}): Promise<ComputeStatus> => {
    const userId = this.userOf(req.userId);
    const baseUrl = this.baseUrl();
    const reply = await this.api().getUserStatus(userId);
    const at = this.now();
    this.lastRefresh.set(`${baseUrl}\n${userId}`, at);
    const listed = new Set<string>();
    for (const c of reply.containers) {
      listed.add(c.containerId);
      this.upsertListed(baseUrl, userId, c, at);
    }
    // Known as running (or unknown) but no longer listed: its time ran out or it was stopped elsewhere.
    for (const r of this.rows(baseUrl, userId)) {
      if (listed.has(r.container_id)) continue;
      // ('unknown' comes only from refusals while following; not listed either: it is gone.)
      if (r.state === 'running' || r.state === 'unknown') {
        this.update(r, { state: 'ended', ended_at: new Date(at).toISOString(), remaining_time: r.remaining_time === -1 ? -1 : 0 });
      }
    }
    this.checkWarnings();
    // Sessions found in the list (started elsewhere, or before a restart) are watched too.
    if (reply.containers.length) this.ensureWatch();
    const sessions = this.rows(baseUrl, userId)
      .filter((r) => listed.has(r.container_id) || r.state === 'creating')
      .map((r) => this.toSession(r));
    return {
      userId,
      useContainerCnt: reply.useContainerCnt,
      runningContainerCnt: reply.runningContainerCnt,
      sessions,
      usage: { cpu: reply.usage.cpu, gpu: reply.usage.gpu },
      observedAt: new Date(at).toISOString(),
    };
  };

  quota = async (req: Req<'compute.quota'> = {}): Promise<ComputeQuota> => {
    const saved = this.user();
    const school = req.localSchoolId ?? saved?.localSchoolId ?? undefined;
    const reply = await this.api().getContainerQuota(school);
    const perSchool = reply.maxQuotaSchool ?? null;
    const limit = (school !== undefined ? perSchool?.[String(school)] : undefined) ?? reply.maxQuota ?? null;
    let used: { cpu: number; gpu: number } | null = null;
    const userId = req.userId ?? saved?.userId;
    if (userId !== undefined) {
      try {
        const st = await this.status({ userId });
        used = { cpu: 0, gpu: 0 };
        for (const s of st.sessions) if (s.state === 'running' || s.state === 'creating') used[s.clusterId] += 1;
      } catch (err) {
        // The quota is still worth showing when the user's status cannot be read (e.g. not registered yet).
        if (!(err instanceof AppError)) throw err;
      }
    }
    const blocked = { cpu: null as string | null, gpu: null as string | null };
    if (limit && used) {
      for (const k of ['cpu', 'gpu'] as const) {
        if (used[k] >= limit[k]) {
          blocked[k] =
            limit[k] === 0
              ? `No ${k.toUpperCase()} containers are allowed${school !== undefined ? ` on campus ${school}` : ''}.`
              : `The quota of ${limit[k]} ${k.toUpperCase()} container${limit[k] === 1 ? '' : 's'} is reached (${used[k]} running). Stop one to start another.`;
        }
      }
    }
    return {
      localSchoolId: school ?? null,
      maxQuota: reply.maxQuota ?? null,
      maxQuotaSchool: perSchool,
      limit,
      used,
      blocked,
    };
  };

  sessions = (req: Req<'compute.sessions'> = {}): ComputeSession[] => {
    const { baseUrl } = this.connection();
    if (!baseUrl) return [];
    const rows =
      req.projectId === undefined
        ? (this.d.db.prepare(`SELECT * FROM compute_sessions WHERE base_url = ? ORDER BY id DESC`).all(baseUrl) as Row[])
        : (this.d.db.prepare(`SELECT * FROM compute_sessions WHERE base_url = ? AND project_id = ? ORDER BY id DESC`).all(baseUrl, req.projectId) as Row[]);
    return rows.map((r) => this.toSession(r));
  };

  // ---- containers -------------------------------------------------------------------------------------------

  run = async (req: Req<'compute.run'>): Promise<ComputeSession> => {
    const userId = this.userOf(req.userId);
    const baseUrl = this.baseUrl();
    const reply = await this.api().runContainer({
      userId,
      clusterId: req.clusterId,
      nodeId: req.nodeId,
      dockerImagePath: req.dockerImagePath,
      maxDuration: req.maxDuration,
      storagePath: req.storagePath,
    });
    const at = new Date(this.now()).toISOString();
    this.d.db
      .prepare(
        `INSERT INTO compute_sessions (base_url, user_id, container_id, project_id, started_here, cluster_id, state, creation_status, image_path, storage_path, node_id, max_duration, jupyter, shell, created_at, updated_at)
         VALUES (?, ?, ?, ?, 1, ?, 'creating', 'pending', ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(base_url, container_id) DO UPDATE SET user_id = excluded.user_id, project_id = excluded.project_id, started_here = 1, cluster_id = excluded.cluster_id,
           state = 'creating', creation_status = 'pending', image_path = excluded.image_path, storage_path = excluded.storage_path, node_id = excluded.node_id,
           max_duration = excluded.max_duration, jupyter = excluded.jupyter, shell = excluded.shell, created_at = excluded.created_at, error = NULL, ended_at = NULL,
           warned_ends_at = NULL, updated_at = excluded.updated_at`,
      )
      .run(
        baseUrl,
        userId,
        reply.containerId,
        req.projectId ?? null,
        req.clusterId,
        req.dockerImagePath ?? null,
        req.storagePath ?? null,
        req.nodeId ?? null,
        req.maxDuration ?? null,
        reply.endpoint.jupyter,
        reply.endpoint.shell,
        at,
        at,
      );
    const row = this.row(baseUrl, reply.containerId)!;
    this.emit(row);
    this.follow(row);
    this.ensureWatch();
    return this.toSession(row);
  };

  container = async (req: Req<'compute.container'>): Promise<ComputeSession> => {
    const userId = this.userOf(req.userId);
    const baseUrl = this.baseUrl();
    const st = await this.api().getContainerStatus(userId, req.containerId);
    let row = this.row(baseUrl, req.containerId);
    if (row) this.applyCreation(row, st.statusContainer, st.errMessage ?? null);
    // getUserStatus has the times, endpoints and remaining time.
    await this.status({ userId }).catch((err: unknown) => {
      if (!(err instanceof AppError)) throw err;
    });
    row = this.row(baseUrl, req.containerId);
    if (!row) {
      // Neither started here nor listed (the list holds every pending and running container): not a session.
      throw new AppError(
        'NOT_FOUND',
        st.errMessage
          ? say('compute.not_listed_status_said', { id: req.containerId, user: userId, status: st.statusContainer, server: st.errMessage })
          : say('compute.not_listed_status', { id: req.containerId, user: userId, status: st.statusContainer }),
        { service: 'compute', creationStatus: st.statusContainer, ...(st.errMessage ? { serviceMessage: st.errMessage } : {}) },
      );
    }
    return this.toSession(row);
  };

  /**
   * extendContainer with `maxDuration: minutes` — read as "this many minutes more". A server that reads it as the
   * new total instead is noticed (its maxDuration became exactly `minutes`) and is sent the total it needs.
   */
  extend = async (req: Req<'compute.extend'>): Promise<ComputeSession> => {
    const userId = this.userOf(req.userId);
    const baseUrl = this.baseUrl();
    await this.status({ userId }).catch((err: unknown) => {
      if (!(err instanceof AppError)) throw err;
    });
    const before = this.row(baseUrl, req.containerId)?.max_duration ?? null;
    await this.api().extendContainer({ containerId: req.containerId, userId, maxDuration: req.minutes });
    await this.status({ userId });
    let row = this.row(baseUrl, req.containerId);
    const after = row?.max_duration ?? null;
    if (before !== null && before > 0 && after === req.minutes && before + req.minutes !== after) {
      await this.api().extendContainer({ containerId: req.containerId, userId, maxDuration: before + req.minutes });
      await this.status({ userId });
      row = this.row(baseUrl, req.containerId);
    }
    if (!row) throw new AppError('NOT_FOUND', say('compute.no_longer_listed', { id: req.containerId }), { service: 'compute' });
    // The end moved: warn again when the new end comes near.
    this.update(row, { warned_ends_at: null });
    return this.toSession(this.row(baseUrl, req.containerId)!);
  };

  edit = async (req: Req<'compute.edit'>): Promise<ComputeSession> => {
    const userId = this.userOf(req.userId);
    if (req.imagePath === undefined && req.storagePath === undefined && req.nodeId === undefined) {
      throw new AppError('INVALID_INPUT', say('compute.nothing_to_change', {}), { service: 'compute' });
    }
    const baseUrl = this.baseUrl();
    await this.api().editContainer({ userId, containerId: req.containerId, imagePath: req.imagePath, storagePath: req.storagePath, nodeId: req.nodeId });
    const row = this.row(baseUrl, req.containerId);
    if (row) this.update(row, { image_path: req.imagePath ?? row.image_path, storage_path: req.storagePath ?? row.storage_path });
    await this.status({ userId }).catch((err: unknown) => {
      if (!(err instanceof AppError)) throw err;
    });
    const now = this.row(baseUrl, req.containerId);
    if (!now) throw new AppError('NOT_FOUND', say('compute.not_listed', { id: req.containerId }), { service: 'compute' });
    return this.toSession(now);
  };

  stop = async (req: Req<'compute.stop'>): Promise<ComputeSession> => {
    const userId = this.userOf(req.userId);
    const baseUrl = this.baseUrl();
    if (!this.row(baseUrl, req.containerId)) await this.status({ userId });
    const row = this.row(baseUrl, req.containerId);
    if (!row) throw new AppError('NOT_FOUND', say('compute.nothing_to_stop', { id: req.containerId, user: userId }), { service: 'compute' });
    await this.api().terminateContainer(userId, req.containerId);
    this.following.get(`${baseUrl}\n${req.containerId}`)?.abort();
    this.update(row, { state: 'stopped', ended_at: new Date(this.now()).toISOString() });
    return this.toSession(this.row(baseUrl, req.containerId)!);
  };

  /** deleteUser: containers and storage go; the service keeps the record (and so the saved id stays, storage unset). */
  unregister = async (req: Req<'compute.unregister'>): Promise<{ userId: string; stoppedSessions: string[] }> => {
    const userId = this.userOf(req.userId);
    if (req.confirmUserId !== userId) {
      throw new AppError('INVALID_INPUT', say('compute.confirm_unregister', { user: userId }), { service: 'compute', field: 'confirmUserId' });
    }
    const baseUrl = this.baseUrl();
    await this.api().deleteUser(userId);
    const at = new Date(this.now()).toISOString();
    const stopped: string[] = [];
    for (const r of this.rows(baseUrl, userId)) {
      if (!ACTIVE.includes(r.state)) continue;
      this.following.get(`${baseUrl}\n${r.container_id}`)?.abort();
      this.update(r, { state: 'stopped', ended_at: at });
      stopped.push(r.container_id);
    }
    const saved = this.user();
    if (saved?.userId === userId) this.saveUser({ ...saved, storageGb: null, registeredAt: null });
    return { userId, stoppedSessions: stopped };
  };

  /**
   * Follows a session being created until it is running or failed (the CLI's `--wait`); answers at once for one
   * that is settled. `signal` stops waiting (the session stays as it is).
   */
  waitCreated = async (containerId: string, signal?: AbortSignal): Promise<ComputeSession> => {
    const baseUrl = this.baseUrl();
    const row = this.row(baseUrl, containerId);
    if (!row) throw new AppError('NOT_FOUND', say('compute.unknown_container', { id: containerId }), { service: 'compute' });
    if (row.state === 'creating' || (row.state === 'unknown' && row.creation_status !== 'success')) {
      const done = this.follow(row);
      // The follow loop's timers are unref'd (a studio never stays open for them); one who waits keeps the process.
      const hold = setInterval(() => undefined, 60_000);
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(cancelledError());
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        void done.then(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
      }).finally(() => clearInterval(hold));
    }
    return this.toSession(this.row(baseUrl, containerId)!);
  };

  // ---- lifetime ---------------------------------------------------------------------------------------------

  /** After a restart: follow the sessions still being created and read the service's list for their users. */
  start(): void {
    const { baseUrl } = this.connection();
    if (!baseUrl) return;
    const rows = this.d.db.prepare(`SELECT * FROM compute_sessions WHERE base_url = ? AND state IN ('creating','running','unknown')`).all(baseUrl) as Row[];
    for (const r of rows) if (r.state === 'creating' || (r.state === 'unknown' && r.creation_status !== 'success')) this.follow(r);
    const users = new Set(rows.map((r) => r.user_id));
    const saved = this.user()?.userId;
    if (saved) users.add(saved);
    for (const u of users) void this.refreshQuietly(u);
    if (rows.length) this.ensureWatch();
  }

  close(): void {
    this.closed = true;
    for (const c of this.following.values()) c.abort();
    this.following.clear();
    clearTimeout(this.watchTimer);
    this.watchTimer = undefined;
  }

  // ---- internals --------------------------------------------------------------------------------------------

  private baseUrl(): string {
    const { baseUrl } = this.connection();
    if (!baseUrl) {
      throw new AppError('INVALID_INPUT', say('compute.no_address', {}), { service: 'compute' });
    }
    return baseUrl;
  }

  /** The API for the current address (one HTTP client per address). */
  api(): ComputeApi {
    const baseUrl = this.baseUrl();
    let c = this.clients.get(baseUrl);
    if (!c) {
      c = new HttpClient({ ...this.d.client, service: 'compute', baseUrl });
      this.clients.set(baseUrl, c);
    }
    return new ComputeApi(c);
  }

  private row(baseUrl: string, containerId: string): Row | undefined {
    return this.d.db.prepare(`SELECT * FROM compute_sessions WHERE base_url = ? AND container_id = ?`).get(baseUrl, containerId) as Row | undefined;
  }

  private rows(baseUrl: string, userId: string): Row[] {
    return this.d.db.prepare(`SELECT * FROM compute_sessions WHERE base_url = ? AND user_id = ? ORDER BY id DESC`).all(baseUrl, userId) as Row[];
  }

  /** Writes the changed columns; emits compute.sessionUpdated when what the page sees changed. */
  private update(row: Row, patch: Partial<Row>): Row {
    const next: Row = { ...row, ...patch };
    const cols = Object.keys(patch).filter((k) => k !== 'id' && (patch as Record<string, unknown>)[k] !== (row as unknown as Record<string, unknown>)[k]);
    if (cols.length === 0) return row;
    next.updated_at = new Date(this.now()).toISOString();
    const set = [...cols, 'updated_at'];
    this.d.db
      .prepare(`UPDATE compute_sessions SET ${set.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`)
      .run(Object.fromEntries([...set, 'id'].map((c) => [c, (next as unknown as Record<string, unknown>)[c] ?? null])));
    const visible = cols.some((c) => c !== 'warned_ends_at' && c !== 'observed_at');
    if (visible) this.emit(next);
    return next;
  }

  private emit(row: Row): void {
    if (!this.closed) this.d.bus.emit('compute.sessionUpdated', this.toSession(row));
  }

  /** One entry of running_container_list into its row (new rows are sessions found, not started here). */
  private upsertListed(baseUrl: string, userId: string, c: RunningContainer, at: number): void {
    let row = this.row(baseUrl, c.containerId);
    const iso = new Date(at).toISOString();
    if (!row) {
      this.d.db
        .prepare(`INSERT INTO compute_sessions (base_url, user_id, container_id, started_here, cluster_id, state, updated_at) VALUES (?, ?, ?, 0, ?, 'running', ?)`)
        .run(baseUrl, userId, c.containerId, c.clusterId, iso);
      row = this.row(baseUrl, c.containerId)!;
    }
    const listedStatus = (c.status ?? '').trim().toLowerCase();
    let state: ComputeSessionState = row.state;
    if (listedStatus === 'failed') state = 'failed';
    else if (listedStatus === 'pending' || listedStatus === 'createcontainer') state = row.state === 'failed' ? 'failed' : 'creating';
    else state = 'running';
    // Stopped here but still listed: the service has not removed it yet — it still runs (and bills).
    const patch: Partial<Row> = {
      user_id: userId,
      cluster_id: c.clusterId,
      state,
      service_status: c.status,
      image_path: c.imagePath ?? row.image_path,
      storage_path: c.storagePath ?? row.storage_path,
      node_id: c.nodeId ?? row.node_id,
      max_duration: c.maxDuration ?? row.max_duration,
      remaining_time: c.remainingTime ?? row.remaining_time,
      observed_at: iso,
      jupyter: c.endpoint.jupyter ?? row.jupyter,
      shell: c.endpoint.shell ?? row.shell,
      created_at: timeToIso(c.createdAt) ?? row.created_at,
      started_at: timeToIso(c.startedAt ?? c.timerStartedAt) ?? row.started_at,
      ended_at: null,
    };
    if (state === 'running' && row.creation_status !== 'success') patch.creation_status = 'success';
    const next = this.update(row, patch);
    // Being created again (an edit re-creates the container on some servers): follow it to success or failed.
    if (state === 'creating') this.follow(next);
  }

  /** Applies a getContainerStatus answer. */
  private applyCreation(row: Row, status: ComputeCreationStatus, message: string | null): Row {
    if (row.state === 'stopped' || row.state === 'ended') return this.update(row, { creation_status: status });
    if (status === 'failed') {
      return this.update(row, { creation_status: status, state: 'failed', error: message?.trim() || 'The container could not be created.', ended_at: new Date(this.now()).toISOString() });
    }
    if (status === 'success') return this.update(row, { creation_status: status, state: 'running', error: null });
    return this.update(row, { creation_status: status, state: 'creating', error: null });
  }

  /** Polls getContainerStatus with back-off until success or failed (network trouble: keeps trying, slower). */
  private follow(row: Row): Promise<void> {
    const key = `${row.base_url}\n${row.container_id}`;
    if (this.closed) return Promise.resolve();
    const running = this.followDone.get(key);
    if (running) return running;
    const ac = new AbortController();
    this.following.set(key, ac);
    const first = this.d.pollMs?.first ?? 1_000;
    const max = this.d.pollMs?.max ?? 10_000;
    const http = this.clients.get(row.base_url) ?? new HttpClient({ ...this.d.client, service: 'compute', baseUrl: row.base_url });
    this.clients.set(row.base_url, http);
    const api = new ComputeApi(http);
    const loop = async () => {
      let wait = first;
      let refusals = 0;
      while (!ac.signal.aborted) {
        await sleep(wait, ac.signal);
        if (ac.signal.aborted) return;
        const current = this.row(row.base_url, row.container_id);
        if (!current || current.state === 'stopped' || current.state === 'ended' || current.state === 'failed') return;
        try {
          const st = await api.getContainerStatus(current.user_id, current.container_id, { signal: ac.signal });
          refusals = 0;
          const next = this.applyCreation(current, st.statusContainer, st.errMessage ?? null);
          if (st.statusContainer === 'success') {
            await this.refreshQuietly(current.user_id, row.base_url);
            return;
          }
          if (st.statusContainer === 'failed') return;
          if (next.error) this.update(next, { error: null });
        } catch (err) {
          if (ac.signal.aborted) return;
          const e = AppError.from(err);
          if (!isTransient(e)) refusals += 1;
          // Refused three times in a row (not a passing outage): stop asking; the list tells the rest.
          if (refusals >= 3) {
            this.update(current, { state: 'unknown', error: e.message });
            return;
          }
          this.update(current, { error: e.message });
        }
        wait = Math.min(max, Math.round(wait * 1.6));
      }
    };
    const done = loop()
      .catch(() => undefined)
      .finally(() => {
        if (this.following.get(key) === ac) this.following.delete(key);
        this.followDone.delete(key);
      });
    this.followDone.set(key, done);
    return done;
  }

  private async refreshQuietly(userId: string, baseUrl?: string): Promise<void> {
    if (this.closed) return;
    if (baseUrl && baseUrl !== this.connection().baseUrl) return;
    try {
      await this.status({ userId });
    } catch {
      // Offline or refused: the rows keep their last known values; the next refresh tries again.
    }
  }

  private ensureWatch(): void {
    if (this.watchTimer || this.closed) return;
    const every = this.d.watchMs ?? 30_000;
    const tick = async () => {
      this.watchTimer = undefined;
      if (this.closed) return;
      const { baseUrl } = this.connection();
      if (!baseUrl) return;
      const active = this.d.db.prepare(`SELECT * FROM compute_sessions WHERE base_url = ? AND state IN ('creating','running','unknown')`).all(baseUrl) as Row[];
      if (active.length === 0) return;
      this.checkWarnings();
      const refreshEvery = this.d.refreshMs ?? 120_000;
      const now = this.now();
      for (const u of new Set(active.map((r) => r.user_id))) {
        const due = now - (this.lastRefresh.get(`${baseUrl}\n${u}`) ?? 0) >= refreshEvery;
        const past = active.some((r) => r.user_id === u && r.state === 'running' && endsAtMs(r) !== null && endsAtMs(r)! <= now);
        if (due || past) await this.refreshQuietly(u);
      }
      if (!this.closed) {
        this.watchTimer = setTimeout(() => void tick(), every);
        this.watchTimer.unref?.();
      }
    };
    this.watchTimer = setTimeout(() => void tick(), every);
    this.watchTimer.unref?.();
  }

  /** compute.sessionEnding once per session and end, when at most WARN_MINUTES are left. */
  private checkWarnings(): void {
    const { baseUrl } = this.connection();
    if (!baseUrl) return;
    const rows = this.d.db.prepare(`SELECT * FROM compute_sessions WHERE base_url = ? AND state = 'running' AND warned_ends_at IS NULL`).all(baseUrl) as Row[];
    const now = this.now();
    for (const r of rows) {
      const end = endsAtMs(r);
      if (end === null) continue;
      const minutesLeft = Math.max(0, (end - now) / 60_000);
      if (minutesLeft > WARN_MINUTES) continue;
      const next = this.update(r, { warned_ends_at: new Date(end).toISOString() });
      if (!this.closed) this.d.bus.emit('compute.sessionEnding', { session: this.toSession(next), minutesLeft: Math.round(minutesLeft * 10) / 10 });
    }
  }

  private toSession(r: Row): ComputeSession {
    const end = endsAtMs(r);
    return {
      containerId: r.container_id,
      userId: r.user_id,
      clusterId: r.cluster_id,
      projectId: r.project_id,
      startedHere: r.started_here === 1,
      state: r.state,
      creationStatus: r.creation_status,
      serviceStatus: r.service_status,
      imagePath: r.image_path,
      storagePath: r.storage_path,
      nodeId: r.node_id,
      maxDuration: r.max_duration !== null && r.max_duration >= 0 ? r.max_duration : null,
      remainingTime: r.remaining_time,
      endsAt: end === null ? null : new Date(end).toISOString(),
      observedAt: r.observed_at,
      endpoint: { jupyter: r.jupyter, shell: r.shell },
      createdAt: r.created_at,
      startedAt: r.started_at,
      error: r.error,
      updatedAt: r.updated_at,
      endedAt: r.ended_at,
    };
  }
}

/** When the session ends: the remaining minutes the service last said, counted from when it said them. */
function endsAtMs(r: Row): number | null {
  if (r.remaining_time === null || r.remaining_time < 0 || !r.observed_at) return null;
  const at = Date.parse(r.observed_at);
  return Number.isNaN(at) ? null : at + r.remaining_time * 60_000;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    t.unref?.();
    function done() {
      signal.removeEventListener('abort', done);
      clearTimeout(t);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

