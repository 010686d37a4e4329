/**
 * The contributor's rows in the library (migration 10): opt-in and consent, the policy, the standing command,
 * the local ledger of jobs and device time per local day and cluster. The node's secret key is never here
 * (it lives in the vault, see identity.ts).
 */
import type { ContributorCluster, ContributorCommand, ContributorLedger, ContributorLedgerEntry, ContributorPolicy } from '../../common/contract/contributor';
import { ContributorPolicy as PolicySchema } from '../../common/contract/contributor';
import type { Db } from '../store/database';
import { DEFAULT_POLICY } from './policy';

export interface ContributorRow {
  optedIn: boolean;
  consentVersion: number | null;
  consentedAt: string | null;
  networkUrl: string | null;
  nodeId: string | null;
  policy: ContributorPolicy;
  command: ContributorCommand;
}

interface StateRow {
  opted_in: number;
  consent_version: number | null;
  consented_at: string | null;
  network_url: string | null;
  node_id: string | null;
  policy_json: string | null;
  command: ContributorCommand;
}

/** Local day of a time, YYYY-MM-DD (the machine's time zone: "today" is the creator's day). */
export function localDay(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export interface LedgerRecord {
  networkUrl: string;
  jobId: string;
  replica: number;
  leaseId: string;
  cluster: ContributorCluster;
  inputs: number;
  deviceMs: number;
  claimedCredit: number;
  grantedCredit: number | null;
  status: 'pending_validation' | 'valid' | 'invalid' | 'rejected' | 'released';
  at: number;
}

export class ContributorStore {
  private ensured = false;
  /** The state row as last read or written here (the agent reads it on every tick; SQLite is asked once). */
  private cached: ContributorRow | null = null;
  private dayCache: { day: string; minutes: number; at: number } | null = null;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  private ensure(): void {
    if (this.ensured) return;
    this.ensured = true;
    this.db.prepare(`INSERT OR IGNORE INTO contributor_state (id, updated_at) VALUES (1, ?)`).run(new Date(this.now()).toISOString());
  }

  get(): ContributorRow {
    if (this.cached) return this.cached;
    this.ensure();
    const r = this.db.prepare(`SELECT * FROM contributor_state WHERE id = 1`).get() as StateRow;
    let policy: ContributorPolicy = { ...DEFAULT_POLICY };
    if (r.policy_json) {
      // A policy saved by a newer or older version: fields it lacks take the defaults, unknown ones are dropped.
      const saved = PolicySchema.partial().safeParse(pick(JSON.parse(r.policy_json) as Record<string, unknown>));
      if (saved.success) policy = { ...policy, ...stripUndefined(saved.data) };
    }
    return (this.cached = {
      optedIn: r.opted_in === 1,
      consentVersion: r.consent_version,
      consentedAt: r.consented_at,
      networkUrl: r.network_url,
      nodeId: r.node_id,
      policy,
      command: r.command,
    });
  }

  private set(cols: Record<string, unknown>): void {
    this.ensure();
    this.cached = null;
    const keys = Object.keys(cols);
    this.db
      .prepare(`UPDATE contributor_state SET ${keys.map((k) => `${k} = @${k}`).join(', ')}, updated_at = @updated_at WHERE id = 1`)
      .run({ ...cols, updated_at: new Date(this.now()).toISOString() });
  }

  optIn(consentVersion: number, networkUrl: string | null): void {
    this.set({ opted_in: 1, consent_version: consentVersion, consented_at: new Date(this.now()).toISOString(), network_url: networkUrl, command: 'none' });
  }

  optOut(): void {
    this.set({ opted_in: 0, command: 'none' });
  }

  setNodeId(nodeId: string): void {
    this.set({ node_id: nodeId });
  }

  setNetworkUrl(url: string | null): void {
    this.set({ network_url: url });
  }

  setPolicy(policy: ContributorPolicy): void {
    this.set({ policy_json: JSON.stringify(policy) });
  }

  setCommand(command: ContributorCommand): void {
    this.set({ command });
  }

  /** Adds device time to a local day and cluster (counted while a job process runs, for the daily maximum). */
  addUsage(cluster: ContributorCluster, ms: number, at = this.now()): void {
    if (ms <= 0) return;
    this.dayCache = null;
    this.db
      .prepare(`INSERT INTO contributor_usage (day, cluster, device_ms) VALUES (?, ?, ?) ON CONFLICT(day, cluster) DO UPDATE SET device_ms = device_ms + excluded.device_ms`)
      .run(localDay(at), cluster, Math.round(ms));
  }

  /** Minutes donated on the local day of `at`, both clusters. */
  dayMinutes(at = this.now()): number {
    const day = localDay(at);
    if (this.dayCache?.day === day) return this.dayCache.minutes;
    const r = this.db.prepare(`SELECT COALESCE(SUM(device_ms), 0) AS ms FROM contributor_usage WHERE day = ?`).get(day) as { ms: number };
    this.dayCache = { day, minutes: r.ms / 60_000, at };
    return this.dayCache.minutes;
  }

  /** Records a finished (or given back) job; the same lease twice updates the row (a result re-sent after a crash). */
  record(e: LedgerRecord): void {
    this.db
      .prepare(
        `INSERT INTO contributor_ledger (network_url, job_id, replica, lease_id, cluster, inputs, device_ms, claimed_credit, granted_credit, status, day, at)
         VALUES (@networkUrl, @jobId, @replica, @leaseId, @cluster, @inputs, @deviceMs, @claimedCredit, @grantedCredit, @status, @day, @atIso)
         ON CONFLICT(network_url, lease_id) DO UPDATE SET device_ms = excluded.device_ms, claimed_credit = excluded.claimed_credit,
           granted_credit = excluded.granted_credit, status = excluded.status, at = excluded.at`,
      )
      .run({ ...e, deviceMs: Math.round(e.deviceMs), day: localDay(e.at), atIso: new Date(e.at).toISOString() });
  }

  /** Updates the credit the server granted later (its ledger answers after validation). */
  grant(networkUrl: string, jobId: string, replica: number, status: LedgerRecord['status'], grantedCredit: number | null): boolean {
    const r = this.db
      .prepare(`UPDATE contributor_ledger SET status = ?, granted_credit = ? WHERE network_url = ? AND job_id = ? AND replica = ? AND status != 'released'`)
      .run(status, grantedCredit, networkUrl, jobId, replica);
    return r.changes > 0;
  }

  /** Jobs whose credit is not settled yet (to ask the server's ledger). */
  pending(networkUrl: string): Array<{ jobId: string; replica: number }> {
    return (this.db.prepare(`SELECT job_id AS jobId, replica FROM contributor_ledger WHERE network_url = ? AND status = 'pending_validation'`).all(networkUrl) as Array<{ jobId: string; replica: number }>);
  }

  ledger(days = 30, at = this.now()): ContributorLedger {
    const since = localDay(at - (days - 1) * 86_400_000);
    const usage = this.db.prepare(`SELECT day, cluster, device_ms AS ms FROM contributor_usage WHERE day >= ?`).all(since) as Array<{ day: string; cluster: ContributorCluster; ms: number }>;
    const jobs = this.db
      .prepare(
        `SELECT day, COUNT(*) FILTER (WHERE status != 'released') AS jobs, COALESCE(SUM(claimed_credit) FILTER (WHERE status != 'released'), 0) AS claimed,
                COALESCE(SUM(granted_credit), 0) AS granted FROM contributor_ledger WHERE day >= ? GROUP BY day`,
      )
      .all(since) as Array<{ day: string; jobs: number; claimed: number; granted: number }>;
    const byDay = new Map<string, { day: string; jobs: number; cpuMinutes: number; gpuMinutes: number; claimedCredit: number; grantedCredit: number }>();
    const row = (day: string) => {
      let r = byDay.get(day);
      if (!r) byDay.set(day, (r = { day, jobs: 0, cpuMinutes: 0, gpuMinutes: 0, claimedCredit: 0, grantedCredit: 0 }));
      return r;
    };
    for (const u of usage) row(u.day)[u.cluster === 'gpu' ? 'gpuMinutes' : 'cpuMinutes'] += u.ms / 60_000;
    for (const j of jobs) Object.assign(row(j.day), { jobs: j.jobs, claimedCredit: j.claimed, grantedCredit: j.granted });
    const recent = (
      this.db.prepare(`SELECT * FROM contributor_ledger ORDER BY at DESC, id DESC LIMIT 50`).all() as Array<{
        job_id: string;
        replica: number;
        cluster: ContributorCluster;
        inputs: number;
        device_ms: number;
        claimed_credit: number;
        granted_credit: number | null;
        status: string;
        at: string;
      }>
    ).map(
      (r): ContributorLedgerEntry => ({
        jobId: r.job_id,
        replica: r.replica,
        cluster: r.cluster,
        inputs: r.inputs,
        deviceMs: r.device_ms,
        claimedCredit: r.claimed_credit,
        grantedCredit: r.granted_credit,
        status: r.status,
        at: r.at,
      }),
    );
    const t = this.db
      .prepare(
        `SELECT COUNT(*) FILTER (WHERE status != 'released') AS jobs, COALESCE(SUM(claimed_credit) FILTER (WHERE status != 'released'), 0) AS claimed, COALESCE(SUM(granted_credit), 0) AS granted FROM contributor_ledger`,
      )
      .get() as { jobs: number; claimed: number; granted: number };
    const m = this.db.prepare(`SELECT cluster, COALESCE(SUM(device_ms), 0) AS ms FROM contributor_usage GROUP BY cluster`).all() as Array<{ cluster: ContributorCluster; ms: number }>;
    return {
      days: [...byDay.values()].sort((a, b) => (a.day < b.day ? 1 : -1)),
      recent,
      totals: {
        jobs: t.jobs,
        claimedCredit: t.claimed,
        grantedCredit: t.granted,
        cpuMinutes: (m.find((x) => x.cluster === 'cpu')?.ms ?? 0) / 60_000,
        gpuMinutes: (m.find((x) => x.cluster === 'gpu')?.ms ?? 0) / 60_000,
      },
    };
  }
}

function pick(v: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(PolicySchema.shape);
  return Object.fromEntries(Object.entries(v).filter(([k]) => keys.includes(k)));
}

function stripUndefined<T extends object>(v: T): Partial<T> {
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)) as Partial<T>;
}
