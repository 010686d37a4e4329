/**
 * The vision emulator's state in SQLite (base/db.ts): users, projects, chat sessions and their messages,
 * datasets (the files themselves live under the data folder), workflows with their metric history and logs,
 * batch-inference jobs, and a little meta (token key, clock offset). Times are milliseconds on the emulator
 * clock; the routes turn them into ISO strings.
 */
import { openDb, type Db } from '../base/db';
import type { PlanName } from './plans';

export interface UserRow {
  user_id: string;
  email: string;
  name: string;
  password_salt: string;
  password_hash: string;
  plan: PlanName;
  created_at: number;
}

export interface ProjectRow {
  project_id: string;
  user_id: string;
  name: string;
  description: string;
  created_at: number;
}

export interface SessionRow {
  session_id: string;
  user_id: string;
  created_at: number;
  updated_at: number;
  status: string;
  state_json: string;
}

export interface MessageRow {
  session_id: string;
  role: string;
  content: string;
  timestamp: number;
}

export type DatasetStatus = 'processing' | 'ready' | 'failed';

export interface DatasetRow {
  dataset_id: string;
  user_id: string;
  project_id: string | null;
  name: string;
  description: string;
  format: string;
  size_bytes: number;
  file_count: number;
  status: DatasetStatus;
  created_at: number;
  updated_at: number;
  /** JSON of the inspection (inspect.ts): classes, splits, images, problems. Null while processing. */
  inspection_json: string | null;
  dir: string;
}

export type WorkflowStatus = 'pending' | 'training' | 'completed' | 'failed' | 'cancelled';

export interface WorkflowRow {
  workflow_id: string;
  user_id: string;
  project_id: string | null;
  name: string;
  description: string;
  /** The config as accepted (normalised): task_type, model, dataset_id, class_names, hyperparameters. */
  config_json: string;
  status: WorkflowStatus;
  total_epochs: number;
  current_epoch: number;
  step: number;
  created_at: number;
  started_at: number | null;
  completed_at: number | null;
  cancelled_at: number | null;
  /** {code, message} of a failed workflow. */
  error_json: string | null;
  /** Latest {loss, accuracy, val_loss, val_accuracy}. */
  metrics_json: string | null;
  /** The trained model (trainer/model.ts JSON) once completed, relative to the data folder. */
  model_file: string | null;
  /** The last checkpoint (same JSON), for a restart in the middle of a training. */
  checkpoint_file: string | null;
  checkpoint_epoch: number;
  /** Emulated GPU time (real training milliseconds). */
  gpu_ms: number;
}

export interface MetricRow {
  workflow_id: string;
  epoch: number;
  step: number;
  timestamp: number;
  loss: number;
  accuracy: number;
  val_loss: number;
  val_accuracy: number;
}

export interface LogRow {
  timestamp: number;
  level: string;
  message: string;
}

export interface BatchJobRow {
  job_id: string;
  workflow_id: string;
  user_id: string;
  status: string;
  total_images: number;
  completed_images: number;
  results_json: string;
  created_at: number;
  estimated_at: number;
  completed_at: number | null;
}

const MIGRATIONS = [
  `CREATE TABLE users (
     user_id TEXT PRIMARY KEY,
     email TEXT NOT NULL UNIQUE COLLATE NOCASE,
     name TEXT NOT NULL,
     password_salt TEXT NOT NULL,
     password_hash TEXT NOT NULL,
     plan TEXT NOT NULL CHECK (plan IN ('free', 'pro', 'enterprise')),
     created_at INTEGER NOT NULL
   );
   CREATE TABLE projects (
     project_id TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     description TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE sessions (
     session_id TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     status TEXT NOT NULL,
     state_json TEXT NOT NULL
   );
   CREATE TABLE messages (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     session_id TEXT NOT NULL REFERENCES sessions(session_id) ON DELETE CASCADE,
     role TEXT NOT NULL,
     content TEXT NOT NULL,
     timestamp INTEGER NOT NULL
   );
   CREATE TABLE datasets (
     dataset_id TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
     project_id TEXT,
     name TEXT NOT NULL,
     description TEXT NOT NULL,
     format TEXT NOT NULL,
     size_bytes INTEGER NOT NULL,
     file_count INTEGER NOT NULL,
     status TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     inspection_json TEXT,
     dir TEXT NOT NULL
   );
   CREATE TABLE workflows (
     workflow_id TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
     project_id TEXT,
     name TEXT NOT NULL,
     description TEXT NOT NULL,
     config_json TEXT NOT NULL,
     status TEXT NOT NULL,
     total_epochs INTEGER NOT NULL,
     current_epoch INTEGER NOT NULL DEFAULT 0,
     step INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL,
     started_at INTEGER,
     completed_at INTEGER,
     cancelled_at INTEGER,
     error_json TEXT,
     metrics_json TEXT,
     model_file TEXT,
     checkpoint_file TEXT,
     checkpoint_epoch INTEGER NOT NULL DEFAULT 0,
     gpu_ms INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX workflows_user ON workflows(user_id, created_at);
   CREATE TABLE metrics (
     workflow_id TEXT NOT NULL REFERENCES workflows(workflow_id) ON DELETE CASCADE,
     epoch INTEGER NOT NULL,
     step INTEGER NOT NULL,
     timestamp INTEGER NOT NULL,
     loss REAL NOT NULL,
     accuracy REAL NOT NULL,
     val_loss REAL NOT NULL,
     val_accuracy REAL NOT NULL,
     PRIMARY KEY (workflow_id, epoch)
   );
   CREATE TABLE logs (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     workflow_id TEXT NOT NULL REFERENCES workflows(workflow_id) ON DELETE CASCADE,
     timestamp INTEGER NOT NULL,
     level TEXT NOT NULL,
     message TEXT NOT NULL
   );
   CREATE INDEX logs_workflow ON logs(workflow_id, id);
   CREATE TABLE batch_jobs (
     job_id TEXT PRIMARY KEY,
     workflow_id TEXT NOT NULL REFERENCES workflows(workflow_id) ON DELETE CASCADE,
     user_id TEXT NOT NULL,
     status TEXT NOT NULL,
     total_images INTEGER NOT NULL,
     completed_images INTEGER NOT NULL,
     results_json TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     estimated_at INTEGER NOT NULL,
     completed_at INTEGER
   );
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
];

export class VisionStore {
  readonly db: Db;

  constructor(file: string) {
    this.db = openDb(file, MIGRATIONS);
  }

  close(): void {
    this.db.close();
  }

  meta(key: string): string | null {
    const r = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return r?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** Everything but meta (the token key and clock stay). */
  wipe(): void {
    this.db.exec('DELETE FROM batch_jobs; DELETE FROM logs; DELETE FROM metrics; DELETE FROM workflows; DELETE FROM datasets; DELETE FROM messages; DELETE FROM sessions; DELETE FROM projects; DELETE FROM users;');
  }

  // ---- users and projects ----
  insertUser(u: UserRow): void {
    this.db.prepare('INSERT INTO users (user_id, email, name, password_salt, password_hash, plan, created_at) VALUES (@user_id, @email, @name, @password_salt, @password_hash, @plan, @created_at)').run(u);
  }
  user(id: string): UserRow | null {
    return (this.db.prepare('SELECT * FROM users WHERE user_id = ?').get(id) as UserRow | undefined) ?? null;
  }
  userByEmail(email: string): UserRow | null {
    return (this.db.prepare('SELECT * FROM users WHERE email = ?').get(email) as UserRow | undefined) ?? null;
  }
  users(): UserRow[] {
    return this.db.prepare('SELECT * FROM users ORDER BY created_at, user_id').all() as UserRow[];
  }
  setPlan(userId: string, plan: PlanName): void {
    this.db.prepare('UPDATE users SET plan = ? WHERE user_id = ?').run(plan, userId);
  }
  insertProject(p: ProjectRow): void {
    this.db.prepare('INSERT INTO projects (project_id, user_id, name, description, created_at) VALUES (@project_id, @user_id, @name, @description, @created_at)').run(p);
  }
  projects(userId: string): (ProjectRow & { workflow_count: number; dataset_count: number })[] {
    return this.db
      .prepare(
        `SELECT p.*, (SELECT COUNT(*) FROM workflows w WHERE w.project_id = p.project_id) AS workflow_count,
                (SELECT COUNT(*) FROM datasets d WHERE d.project_id = p.project_id) AS dataset_count
           FROM projects p WHERE p.user_id = ? ORDER BY p.created_at, p.project_id`,
      )
      .all(userId) as (ProjectRow & { workflow_count: number; dataset_count: number })[];
  }
  project(id: string): ProjectRow | null {
    return (this.db.prepare('SELECT * FROM projects WHERE project_id = ?').get(id) as ProjectRow | undefined) ?? null;
  }

  // ---- chat ----
  session(id: string): SessionRow | null {
    return (this.db.prepare('SELECT * FROM sessions WHERE session_id = ?').get(id) as SessionRow | undefined) ?? null;
  }
  saveSession(s: SessionRow): void {
    this.db
      .prepare(
        `INSERT INTO sessions (session_id, user_id, created_at, updated_at, status, state_json) VALUES (@session_id, @user_id, @created_at, @updated_at, @status, @state_json)
         ON CONFLICT(session_id) DO UPDATE SET updated_at = excluded.updated_at, status = excluded.status, state_json = excluded.state_json`,
      )
      .run(s);
  }
  deleteSession(id: string): void {
    this.db.prepare('DELETE FROM sessions WHERE session_id = ?').run(id);
  }
  addMessage(m: MessageRow): void {
    this.db.prepare('INSERT INTO messages (session_id, role, content, timestamp) VALUES (@session_id, @role, @content, @timestamp)').run(m);
  }
  messages(sessionId: string): MessageRow[] {
    return this.db.prepare('SELECT session_id, role, content, timestamp FROM messages WHERE session_id = ? ORDER BY id').all(sessionId) as MessageRow[];
  }

  // ---- datasets ----
  insertDataset(d: DatasetRow): void {
    this.db
      .prepare(
        `INSERT INTO datasets (dataset_id, user_id, project_id, name, description, format, size_bytes, file_count, status, created_at, updated_at, inspection_json, dir)
         VALUES (@dataset_id, @user_id, @project_id, @name, @description, @format, @size_bytes, @file_count, @status, @created_at, @updated_at, @inspection_json, @dir)`,
      )
      .run(d);
  }
  dataset(id: string): DatasetRow | null {
    return (this.db.prepare('SELECT * FROM datasets WHERE dataset_id = ?').get(id) as DatasetRow | undefined) ?? null;
  }
  datasets(userId: string, limit: number, offset: number): { rows: DatasetRow[]; total: number } {
    const rows = this.db.prepare('SELECT * FROM datasets WHERE user_id = ? ORDER BY created_at DESC, dataset_id DESC LIMIT ? OFFSET ?').all(userId, limit, offset) as DatasetRow[];
    const total = (this.db.prepare('SELECT COUNT(*) AS n FROM datasets WHERE user_id = ?').get(userId) as { n: number }).n;
    return { rows, total };
  }
  datasetsOf(userId: string): DatasetRow[] {
    return this.db.prepare('SELECT * FROM datasets WHERE user_id = ? ORDER BY created_at DESC, dataset_id DESC').all(userId) as DatasetRow[];
  }
  finishDataset(id: string, status: DatasetStatus, fileCount: number, inspection: unknown, at: number): void {
    this.db.prepare('UPDATE datasets SET status = ?, file_count = ?, inspection_json = ?, updated_at = ? WHERE dataset_id = ?').run(status, fileCount, JSON.stringify(inspection), at, id);
  }
  storageBytes(userId: string): number {
    return (this.db.prepare('SELECT COALESCE(SUM(size_bytes), 0) AS n FROM datasets WHERE user_id = ?').get(userId) as { n: number }).n;
  }

  // ---- workflows ----
  insertWorkflow(w: WorkflowRow): void {
    this.db
      .prepare(
        `INSERT INTO workflows (workflow_id, user_id, project_id, name, description, config_json, status, total_epochs, current_epoch, step, created_at, started_at, completed_at, cancelled_at, error_json, metrics_json, model_file, checkpoint_file, checkpoint_epoch, gpu_ms)
         VALUES (@workflow_id, @user_id, @project_id, @name, @description, @config_json, @status, @total_epochs, @current_epoch, @step, @created_at, @started_at, @completed_at, @cancelled_at, @error_json, @metrics_json, @model_file, @checkpoint_file, @checkpoint_epoch, @gpu_ms)`,
      )
      .run(w);
  }
  workflow(id: string): WorkflowRow | null {
    return (this.db.prepare('SELECT * FROM workflows WHERE workflow_id = ?').get(id) as WorkflowRow | undefined) ?? null;
  }
  updateWorkflow(id: string, patch: Partial<WorkflowRow>): void {
    const keys = Object.keys(patch);
    if (!keys.length) return;
    this.db.prepare(`UPDATE workflows SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE workflow_id = @__id`).run({ ...patch, __id: id });
  }
  workflows(userId: string, status: string | null, desc: boolean, limit: number, offset: number): { rows: WorkflowRow[]; total: number } {
    const where = status ? 'user_id = ? AND status = ?' : 'user_id = ?';
    const args: unknown[] = status ? [userId, status] : [userId];
    const order = desc ? 'created_at DESC, workflow_id DESC' : 'created_at ASC, workflow_id ASC';
    const rows = this.db.prepare(`SELECT * FROM workflows WHERE ${where} ORDER BY ${order} LIMIT ? OFFSET ?`).all(...args, limit, offset) as WorkflowRow[];
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM workflows WHERE ${where}`).get(...args) as { n: number }).n;
    return { rows, total };
  }
  workflowsByStatus(...statuses: string[]): WorkflowRow[] {
    return this.db.prepare(`SELECT * FROM workflows WHERE status IN (${statuses.map(() => '?').join(', ')}) ORDER BY created_at, workflow_id`).all(...statuses) as WorkflowRow[];
  }
  activeCount(userId: string): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM workflows WHERE user_id = ? AND status IN ('pending', 'training')").get(userId) as { n: number }).n;
  }
  gpuMs(userId: string): number {
    return (this.db.prepare('SELECT COALESCE(SUM(gpu_ms), 0) AS n FROM workflows WHERE user_id = ?').get(userId) as { n: number }).n;
  }
  addMetric(m: MetricRow): void {
    this.db
      .prepare(
        'INSERT OR REPLACE INTO metrics (workflow_id, epoch, step, timestamp, loss, accuracy, val_loss, val_accuracy) VALUES (@workflow_id, @epoch, @step, @timestamp, @loss, @accuracy, @val_loss, @val_accuracy)',
      )
      .run(m);
  }
  metrics(workflowId: string, since: number | null): MetricRow[] {
    return this.db.prepare('SELECT * FROM metrics WHERE workflow_id = ? AND timestamp >= ? ORDER BY epoch').all(workflowId, since ?? 0) as MetricRow[];
  }
  dropMetricsAfter(workflowId: string, epoch: number): void {
    this.db.prepare('DELETE FROM metrics WHERE workflow_id = ? AND epoch > ?').run(workflowId, epoch);
  }
  addLog(workflowId: string, timestamp: number, level: string, message: string): void {
    this.db.prepare('INSERT INTO logs (workflow_id, timestamp, level, message) VALUES (?, ?, ?, ?)').run(workflowId, timestamp, level, message);
  }
  logs(workflowId: string, tail: number): { rows: LogRow[]; total: number } {
    const rows = (this.db.prepare('SELECT timestamp, level, message FROM logs WHERE workflow_id = ? ORDER BY id DESC LIMIT ?').all(workflowId, tail) as LogRow[]).reverse();
    const total = (this.db.prepare('SELECT COUNT(*) AS n FROM logs WHERE workflow_id = ?').get(workflowId) as { n: number }).n;
    return { rows, total };
  }

  // ---- batch inference ----
  insertJob(j: BatchJobRow): void {
    this.db
      .prepare(
        `INSERT INTO batch_jobs (job_id, workflow_id, user_id, status, total_images, completed_images, results_json, created_at, estimated_at, completed_at)
         VALUES (@job_id, @workflow_id, @user_id, @status, @total_images, @completed_images, @results_json, @created_at, @estimated_at, @completed_at)`,
      )
      .run(j);
  }
  job(id: string): BatchJobRow | null {
    return (this.db.prepare('SELECT * FROM batch_jobs WHERE job_id = ?').get(id) as BatchJobRow | undefined) ?? null;
  }
  updateJob(id: string, patch: Partial<BatchJobRow>): void {
    const keys = Object.keys(patch);
    this.db.prepare(`UPDATE batch_jobs SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE job_id = @__id`).run({ ...patch, __id: id });
  }
  jobsByStatus(status: string): BatchJobRow[] {
    return this.db.prepare('SELECT * FROM batch_jobs WHERE status = ?').all(status) as BatchJobRow[];
  }
}
