/**
 * The network emulator's state in SQLite: nodes, accounts (a node and a creator are the same identity, so one
 * account holds what a node earns and what its owner spends), blobs (the bytes live in the data folder under
 * their sha256), jobs, their replicas, every lease ever handed out (so a stale lease id answers 409 with the
 * right code), every result a node sent (the node's ledger), and a little meta (clock offset, settings).
 *
 * Times are milliseconds since the epoch on the emulator clock.
 */
import { openDb, type Db } from '../base/db';

export type Cluster = 'cpu' | 'gpu';
export type ReplicaState = 'queued' | 'leased' | 'submitted' | 'valid' | 'invalid' | 'cancelled';
export type LeaseState = 'active' | 'expired' | 'released' | 'submitted' | 'rejected' | 'void';
export type JobState = 'queued' | 'running' | 'validating' | 'done' | 'failed';
export type ResultStatus = 'pending_validation' | 'valid' | 'invalid' | 'rejected';

export interface NodeRow {
  node_id: string;
  hardware: string;
  clusters: string;
  client_version: string | null;
  registered_at: number;
  reliability: number;
  last_heartbeat_at: number | null;
  state: string | null;
  reason: string | null;
}

export interface AccountRow {
  account_id: string;
  created_at: number;
  granted: number;
  earned: number;
  spent: number;
  reserved: number;
}

export interface JobRow {
  job_id: string;
  account_id: string;
  kind: string;
  cluster: Cluster;
  /** JSON: the JobSpec without jobId / replica. */
  spec: string;
  redundancy: number;
  credit_per_input: number;
  cost: number;
  status: JobState;
  fail_reason: string | null;
  label: string | null;
  created_at: number;
  finished_at: number | null;
  /** JSON outputs of the quorum (done jobs). */
  outputs: string | null;
}

export interface ReplicaRow {
  job_id: string;
  replica: number;
  state: ReplicaState;
  node_id: string | null;
  done: number;
  /** Rejected or expired attempts. */
  failures: number;
  /** The node that released this replica last (it is offered to that node first). */
  released_by: string | null;
  released_done: number;
  released_at: number | null;
}

export interface LeaseRow {
  lease_id: string;
  job_id: string;
  replica: number;
  node_id: string;
  attempt: number;
  started_at: number;
  expires_at: number;
  deadline: number;
  state: LeaseState;
  done: number;
  total: number;
  ended_at: number | null;
  end_reason: string | null;
}

export interface ResultRow {
  id: number;
  job_id: string;
  replica: number;
  node_id: string;
  lease_id: string;
  cluster: Cluster;
  outputs: string | null;
  result_sha256: string | null;
  claimed: number;
  granted: number | null;
  device_ms: number;
  status: ResultStatus;
  reason: string | null;
  at: number;
}

export interface PayoutRow {
  payout_id: string;
  account_id: string;
  address: string;
  credit: number;
  lamports: number;
  signature: string | null;
  at: number;
}

const MIGRATIONS = [
  `CREATE TABLE nodes (
     node_id TEXT PRIMARY KEY,
     hardware TEXT NOT NULL,
     clusters TEXT NOT NULL,
     client_version TEXT,
     registered_at INTEGER NOT NULL,
     reliability REAL NOT NULL DEFAULT 1,
     last_heartbeat_at INTEGER,
     state TEXT,
     reason TEXT
   );
   CREATE TABLE accounts (
     account_id TEXT PRIMARY KEY,
     created_at INTEGER NOT NULL,
     granted REAL NOT NULL,
     earned REAL NOT NULL DEFAULT 0,
     spent REAL NOT NULL DEFAULT 0,
     reserved REAL NOT NULL DEFAULT 0
   );
   CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, bytes INTEGER NOT NULL, stored_at INTEGER NOT NULL);
   CREATE TABLE jobs (
     job_id TEXT PRIMARY KEY,
     account_id TEXT NOT NULL,
     kind TEXT NOT NULL,
     cluster TEXT NOT NULL CHECK (cluster IN ('cpu', 'gpu')),
     spec TEXT NOT NULL,
     redundancy INTEGER NOT NULL,
     credit_per_input REAL NOT NULL,
     cost REAL NOT NULL,
     status TEXT NOT NULL,
     fail_reason TEXT,
     label TEXT,
     created_at INTEGER NOT NULL,
     finished_at INTEGER,
     outputs TEXT
   );
   CREATE TABLE replicas (
     job_id TEXT NOT NULL REFERENCES jobs(job_id) ON DELETE CASCADE,
     replica INTEGER NOT NULL,
     state TEXT NOT NULL,
     node_id TEXT,
     done INTEGER NOT NULL DEFAULT 0,
     failures INTEGER NOT NULL DEFAULT 0,
     released_by TEXT,
     released_done INTEGER NOT NULL DEFAULT 0,
     released_at INTEGER,
     PRIMARY KEY (job_id, replica)
   );
   CREATE TABLE leases (
     lease_id TEXT PRIMARY KEY,
     job_id TEXT NOT NULL,
     replica INTEGER NOT NULL,
     node_id TEXT NOT NULL,
     attempt INTEGER NOT NULL,
     started_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     deadline INTEGER NOT NULL,
     state TEXT NOT NULL,
     done INTEGER NOT NULL DEFAULT 0,
     total INTEGER NOT NULL DEFAULT 0,
     ended_at INTEGER,
     end_reason TEXT
   );
   CREATE INDEX leases_node ON leases(node_id, state);
   CREATE TABLE results (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     job_id TEXT NOT NULL,
     replica INTEGER NOT NULL,
     node_id TEXT NOT NULL,
     lease_id TEXT NOT NULL,
     cluster TEXT NOT NULL,
     outputs TEXT,
     result_sha256 TEXT,
     claimed REAL NOT NULL,
     granted REAL,
     device_ms INTEGER NOT NULL,
     status TEXT NOT NULL,
     reason TEXT,
     at INTEGER NOT NULL
   );
   CREATE INDEX results_node ON results(node_id, at);
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  `CREATE TABLE payouts (
     payout_id TEXT PRIMARY KEY,
     account_id TEXT NOT NULL,
     address TEXT NOT NULL,
     credit REAL NOT NULL,
     lamports INTEGER NOT NULL,
     signature TEXT,
     at INTEGER NOT NULL
   );`,
];

function setClause(fields: Record<string, unknown>): string {
  return Object.keys(fields)
    .map((k) => `${k} = @${k}`)
    .join(', ');
}

export class NetworkStore {
  readonly db: Db;

  constructor(file: string) {
    this.db = openDb(file, MIGRATIONS);
  }

  close(): void {
    this.db.close();
  }

  tx<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  meta(key: string): string | null {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  node(id: string): NodeRow | null {
    return (this.db.prepare('SELECT * FROM nodes WHERE node_id = ?').get(id) as NodeRow | undefined) ?? null;
  }

  nodes(): NodeRow[] {
    return this.db.prepare('SELECT * FROM nodes ORDER BY registered_at, node_id').all() as NodeRow[];
  }

  upsertNode(n: { node_id: string; hardware: string; clusters: string; client_version: string | null; now: number }): void {
    this.db
      .prepare(
        `INSERT INTO nodes (node_id, hardware, clusters, client_version, registered_at) VALUES (@node_id, @hardware, @clusters, @client_version, @now)
         ON CONFLICT(node_id) DO UPDATE SET hardware = excluded.hardware, clusters = excluded.clusters, client_version = excluded.client_version`,
      )
      .run(n);
  }

  updateNode(id: string, fields: Partial<NodeRow>): void {
    if (!Object.keys(fields).length) return;
    this.db.prepare(`UPDATE nodes SET ${setClause(fields)} WHERE node_id = @node_id`).run({ ...fields, node_id: id });
  }

  account(id: string): AccountRow | null {
    return (this.db.prepare('SELECT * FROM accounts WHERE account_id = ?').get(id) as AccountRow | undefined) ?? null;
  }

  /** The account of `id`, opened with `grant` on first use. */
  ensureAccount(id: string, grant: number, now: number): AccountRow {
    this.db.prepare('INSERT INTO accounts (account_id, created_at, granted) VALUES (?, ?, ?) ON CONFLICT(account_id) DO NOTHING').run(id, now, grant);
    return this.account(id)!;
  }

  accounts(): AccountRow[] {
    return this.db.prepare('SELECT * FROM accounts ORDER BY created_at, account_id').all() as AccountRow[];
  }

  /** Credit paid out of an account so far. */
  paidOut(id: string): number {
    return (this.db.prepare('SELECT COALESCE(SUM(credit), 0) AS c FROM payouts WHERE account_id = ?').get(id) as { c: number }).c;
  }

  addPayout(p: PayoutRow): void {
    this.db.prepare('INSERT INTO payouts (payout_id, account_id, address, credit, lamports, signature, at) VALUES (@payout_id, @account_id, @address, @credit, @lamports, @signature, @at)').run(p);
  }

  payouts(id: string): PayoutRow[] {
    return this.db.prepare('SELECT * FROM payouts WHERE account_id = ? ORDER BY at, payout_id').all(id) as PayoutRow[];
  }

  /** Adds the deltas to an account's columns. */
  addToAccount(id: string, d: Partial<Record<'granted' | 'earned' | 'spent' | 'reserved', number>>): void {
    const keys = Object.keys(d) as (keyof typeof d)[];
    if (!keys.length) return;
    this.db.prepare(`UPDATE accounts SET ${keys.map((k) => `${k} = ${k} + @${k}`).join(', ')} WHERE account_id = @id`).run({ ...d, id });
  }

  blob(sha: string): { sha256: string; bytes: number } | null {
    return (this.db.prepare('SELECT sha256, bytes FROM blobs WHERE sha256 = ?').get(sha) as { sha256: string; bytes: number } | undefined) ?? null;
  }

  addBlob(sha: string, bytes: number, now: number): void {
    this.db.prepare('INSERT INTO blobs (sha256, bytes, stored_at) VALUES (?, ?, ?) ON CONFLICT(sha256) DO NOTHING').run(sha, bytes, now);
  }

  insertJob(j: Omit<JobRow, 'finished_at' | 'outputs' | 'fail_reason'>): void {
    this.db
      .prepare(
        `INSERT INTO jobs (job_id, account_id, kind, cluster, spec, redundancy, credit_per_input, cost, status, label, created_at)
         VALUES (@job_id, @account_id, @kind, @cluster, @spec, @redundancy, @credit_per_input, @cost, @status, @label, @created_at)`,
      )
      .run(j);
  }

  job(id: string): JobRow | null {
    return (this.db.prepare('SELECT * FROM jobs WHERE job_id = ?').get(id) as JobRow | undefined) ?? null;
  }

  jobs(accountId?: string): JobRow[] {
    if (accountId === undefined) return this.db.prepare('SELECT * FROM jobs ORDER BY created_at, job_id').all() as JobRow[];
    return this.db.prepare('SELECT * FROM jobs WHERE account_id = ? ORDER BY created_at, job_id').all(accountId) as JobRow[];
  }

  updateJob(id: string, fields: Partial<JobRow>): void {
    if (!Object.keys(fields).length) return;
    this.db.prepare(`UPDATE jobs SET ${setClause(fields)} WHERE job_id = @job_id`).run({ ...fields, job_id: id });
  }

  insertReplica(jobId: string, replica: number): void {
    this.db.prepare("INSERT INTO replicas (job_id, replica, state) VALUES (?, ?, 'queued')").run(jobId, replica);
  }

  replicas(jobId: string): ReplicaRow[] {
    return this.db.prepare('SELECT * FROM replicas WHERE job_id = ? ORDER BY replica').all(jobId) as ReplicaRow[];
  }

  replica(jobId: string, replica: number): ReplicaRow | null {
    return (this.db.prepare('SELECT * FROM replicas WHERE job_id = ? AND replica = ?').get(jobId, replica) as ReplicaRow | undefined) ?? null;
  }

  updateReplica(jobId: string, replica: number, fields: Partial<ReplicaRow>): void {
    if (!Object.keys(fields).length) return;
    this.db.prepare(`UPDATE replicas SET ${setClause(fields)} WHERE job_id = @job_id AND replica = @replica`).run({ ...fields, job_id: jobId, replica });
  }

  /** Queued replicas of open jobs in these clusters, oldest job first. */
  queuedReplicas(clusters: string[]): (ReplicaRow & { created_at: number })[] {
    if (!clusters.length) return [];
    const marks = clusters.map(() => '?').join(', ');
    return this.db
      .prepare(
        `SELECT r.*, j.created_at FROM replicas r JOIN jobs j ON j.job_id = r.job_id
         WHERE r.state = 'queued' AND j.status IN ('queued', 'running') AND j.cluster IN (${marks})
         ORDER BY j.created_at, r.job_id, r.replica`,
      )
      .all(...clusters) as (ReplicaRow & { created_at: number })[];
  }

  insertLease(l: Omit<LeaseRow, 'ended_at' | 'end_reason' | 'done'>): void {
    this.db
      .prepare(
        `INSERT INTO leases (lease_id, job_id, replica, node_id, attempt, started_at, expires_at, deadline, state, total)
         VALUES (@lease_id, @job_id, @replica, @node_id, @attempt, @started_at, @expires_at, @deadline, @state, @total)`,
      )
      .run(l);
  }

  lease(id: string): LeaseRow | null {
    return (this.db.prepare('SELECT * FROM leases WHERE lease_id = ?').get(id) as LeaseRow | undefined) ?? null;
  }

  leases(jobId?: string): LeaseRow[] {
    if (jobId === undefined) return this.db.prepare('SELECT * FROM leases ORDER BY started_at, lease_id').all() as LeaseRow[];
    return this.db.prepare('SELECT * FROM leases WHERE job_id = ? ORDER BY started_at, lease_id').all(jobId) as LeaseRow[];
  }

  activeLeases(): LeaseRow[] {
    return this.db.prepare("SELECT * FROM leases WHERE state = 'active'").all() as LeaseRow[];
  }

  activeLeaseOf(nodeId: string): LeaseRow | null {
    return (this.db.prepare("SELECT * FROM leases WHERE node_id = ? AND state = 'active'").get(nodeId) as LeaseRow | undefined) ?? null;
  }

  attempts(jobId: string, replica: number): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM leases WHERE job_id = ? AND replica = ?').get(jobId, replica) as { n: number }).n;
  }

  /** Replica numbers of `jobId` this node has ever leased. */
  replicasLeasedBy(jobId: string, nodeId: string): number[] {
    return (this.db.prepare('SELECT DISTINCT replica FROM leases WHERE job_id = ? AND node_id = ?').all(jobId, nodeId) as { replica: number }[]).map((r) => r.replica);
  }

  updateLease(id: string, fields: Partial<LeaseRow>): void {
    if (!Object.keys(fields).length) return;
    this.db.prepare(`UPDATE leases SET ${setClause(fields)} WHERE lease_id = @lease_id`).run({ ...fields, lease_id: id });
  }

  insertResult(r: Omit<ResultRow, 'id'>): number {
    return Number(
      this.db
        .prepare(
          `INSERT INTO results (job_id, replica, node_id, lease_id, cluster, outputs, result_sha256, claimed, granted, device_ms, status, reason, at)
           VALUES (@job_id, @replica, @node_id, @lease_id, @cluster, @outputs, @result_sha256, @claimed, @granted, @device_ms, @status, @reason, @at)`,
        )
        .run(r).lastInsertRowid,
    );
  }

  /** Accepted results of a job (one per replica), in replica order. */
  acceptedResults(jobId: string): ResultRow[] {
    return this.db.prepare("SELECT * FROM results WHERE job_id = ? AND status != 'rejected' ORDER BY replica").all(jobId) as ResultRow[];
  }

  resultsOf(nodeId: string): ResultRow[] {
    return this.db.prepare('SELECT * FROM results WHERE node_id = ? ORDER BY at, id').all(nodeId) as ResultRow[];
  }

  results(): ResultRow[] {
    return this.db.prepare('SELECT * FROM results ORDER BY at, id').all() as ResultRow[];
  }

  updateResult(id: number, fields: Partial<ResultRow>): void {
    if (!Object.keys(fields).length) return;
    this.db.prepare(`UPDATE results SET ${setClause(fields)} WHERE id = @id`).run({ ...fields, id });
  }

  wipe(): void {
    this.db.exec('DELETE FROM payouts; DELETE FROM results; DELETE FROM leases; DELETE FROM replicas; DELETE FROM jobs; DELETE FROM blobs; DELETE FROM accounts; DELETE FROM nodes; DELETE FROM meta;');
  }
}
