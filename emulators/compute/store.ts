/**
 * The compute emulator's state in SQLite: users (kept after deleteUser, as seed 003 says), containers (kept
 * after they end, so usage minutes and the request count survive), and a little meta (the clock offset, so a
 * restarted emulator does not jump back in time after a test moved it).
 *
 * Times are milliseconds since the epoch on the emulator clock. A container's creation is stored as two
 * instants (`creating_at`: pending ends, `ready_at`: createContainer ends) so its state is a pure function of
 * the clock: moving the clock moves the states, and a restart in the middle of a creation carries on.
 */
import { openDb, type Db } from '../base/db';

export type ClusterId = 'cpu' | 'gpu';

/** `creating` covers the seed's `pending` and `createContainer` (told apart by the clock). */
export type StoredState = 'creating' | 'success' | 'failed' | 'ended';

export interface UserRow {
  user_id: string;
  storage_gb: number;
  local_school_id: number;
  registered_at: number;
  deleted_at: number | null;
}

export interface ContainerRow {
  container_id: string;
  user_id: string;
  cluster_id: ClusterId;
  node_id: number | null;
  image_path: string;
  storage_path: string | null;
  /** Minutes; null: no limit (remainingTime -1). Extensions add to it. */
  max_duration: number | null;
  created_at: number;
  creating_at: number;
  ready_at: number;
  /** Set when this creation is to end `failed` (fault injection); the message is the reply's errMessage. */
  fail_message: string | null;
  state: StoredState;
  /** Start of the current running stretch (null while not running). */
  started_at: number | null;
  /** When the maxDuration countdown began: the first time the container was running. */
  timer_started_at: number | null;
  /** Milliseconds of running time in closed stretches (a live stretch is added at read time). */
  usage_ms: number;
  ended_at: number | null;
  end_reason: string | null;
}

const MIGRATIONS = [
  `CREATE TABLE users (
     user_id TEXT PRIMARY KEY,
     storage_gb REAL NOT NULL,
     local_school_id INTEGER NOT NULL,
     registered_at INTEGER NOT NULL,
     deleted_at INTEGER
   );
   CREATE TABLE containers (
     container_id TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users(user_id),
     cluster_id TEXT NOT NULL CHECK (cluster_id IN ('cpu', 'gpu')),
     node_id INTEGER,
     image_path TEXT NOT NULL,
     storage_path TEXT,
     max_duration REAL,
     created_at INTEGER NOT NULL,
     creating_at INTEGER NOT NULL,
     ready_at INTEGER NOT NULL,
     fail_message TEXT,
     state TEXT NOT NULL CHECK (state IN ('creating', 'success', 'failed', 'ended')),
     started_at INTEGER,
     timer_started_at INTEGER,
     usage_ms INTEGER NOT NULL DEFAULT 0,
     ended_at INTEGER,
     end_reason TEXT
   );
   CREATE INDEX containers_user ON containers(user_id, state);
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
];

export class ComputeStore {
  readonly db: Db;

  constructor(file: string) {
    this.db = openDb(file, MIGRATIONS);
  }

  close(): void {
    this.db.close();
  }

  meta(key: string): string | null {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  user(userId: string): UserRow | null {
    return (this.db.prepare('SELECT * FROM users WHERE user_id = ?').get(userId) as UserRow | undefined) ?? null;
  }

  users(localSchoolId?: number): UserRow[] {
    if (localSchoolId === undefined) return this.db.prepare('SELECT * FROM users ORDER BY registered_at, user_id').all() as UserRow[];
    return this.db.prepare('SELECT * FROM users WHERE local_school_id = ? ORDER BY registered_at, user_id').all(localSchoolId) as UserRow[];
  }

  /** A new user, or a deleted one registered again (its containers and usage stay on record). */
  upsertUser(u: { userId: string; storageGb: number; localSchoolId: number; now: number }): void {
    this.db
      .prepare(
        `INSERT INTO users (user_id, storage_gb, local_school_id, registered_at, deleted_at) VALUES (?, ?, ?, ?, NULL)
         ON CONFLICT(user_id) DO UPDATE SET storage_gb = excluded.storage_gb, local_school_id = excluded.local_school_id,
           registered_at = excluded.registered_at, deleted_at = NULL`,
      )
      .run(u.userId, u.storageGb, u.localSchoolId, u.now);
  }

  markUserDeleted(userId: string, now: number): void {
    this.db.prepare('UPDATE users SET deleted_at = ? WHERE user_id = ?').run(now, userId);
  }

  insertContainer(c: Omit<ContainerRow, 'state' | 'started_at' | 'timer_started_at' | 'usage_ms' | 'ended_at' | 'end_reason'>): void {
    this.db
      .prepare(
        `INSERT INTO containers (container_id, user_id, cluster_id, node_id, image_path, storage_path, max_duration, created_at, creating_at, ready_at, fail_message, state)
         VALUES (@container_id, @user_id, @cluster_id, @node_id, @image_path, @storage_path, @max_duration, @created_at, @creating_at, @ready_at, @fail_message, 'creating')`,
      )
      .run(c);
  }

  container(containerId: string): ContainerRow | null {
    return (this.db.prepare('SELECT * FROM containers WHERE container_id = ?').get(containerId) as ContainerRow | undefined) ?? null;
  }

  containers(): ContainerRow[] {
    return this.db.prepare('SELECT * FROM containers ORDER BY created_at, container_id').all() as ContainerRow[];
  }

  containersOf(userId: string): ContainerRow[] {
    return this.db.prepare('SELECT * FROM containers WHERE user_id = ? ORDER BY created_at, container_id').all(userId) as ContainerRow[];
  }

  update(containerId: string, fields: Partial<ContainerRow>): void {
    const keys = Object.keys(fields);
    if (!keys.length) return;
    this.db.prepare(`UPDATE containers SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE container_id = @container_id`).run({ ...fields, container_id: containerId });
  }

  wipe(): void {
    this.db.exec('DELETE FROM containers; DELETE FROM users; DELETE FROM meta;');
  }
}
