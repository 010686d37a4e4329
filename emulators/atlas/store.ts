/** Atlas state in SQLite: users, sessions, items, group invites. Passwords are scrypt hashes; tokens are never stored. */
import { randomBytes, randomUUID, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { openDb, type Db } from '../base/db';
import type { ModelKey } from './models';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number) => Promise<Buffer>;

const MIGRATIONS = [
  `CREATE TABLE users (
     id TEXT PRIMARY KEY,
     email TEXT NOT NULL UNIQUE,
     nickname TEXT NOT NULL,
     password_hash TEXT,
     provider TEXT NOT NULL CHECK (provider IN ('email', 'google')),
     confirmed INTEGER NOT NULL,
     role TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE sessions (
     id TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     created_at INTEGER NOT NULL,
     ended_at INTEGER
   );
   CREATE TABLE items (
     request_id TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     model TEXT NOT NULL,
     item_name TEXT NOT NULL,
     params TEXT NOT NULL,
     inputs TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     ready_at INTEGER NOT NULL,
     outcome TEXT CHECK (outcome IN ('OK', 'NG')),
     message TEXT
   );
   CREATE INDEX items_by_owner ON items (user_id, model, created_at);
   CREATE TABLE invites (
     group_id TEXT NOT NULL,
     email TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     accepted_at INTEGER,
     PRIMARY KEY (group_id, email)
   );`,
];

export interface UserRow {
  id: string;
  email: string;
  nickname: string;
  password_hash: string | null;
  provider: 'email' | 'google';
  confirmed: number;
  role: string;
  created_at: number;
}

export interface ItemInput {
  field: string;
  filename: string;
  /** Path relative to the item's folder. */
  file: string;
  size: number;
  mimeType: string;
}

export interface ItemRow {
  request_id: string;
  user_id: string;
  model: ModelKey;
  item_name: string;
  params: string;
  inputs: string;
  created_at: number;
  ready_at: number;
  outcome: 'OK' | 'NG' | null;
  message: string | null;
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, 32);
  return `scrypt$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function checkPassword(password: string, stored: string | null): Promise<boolean> {
  if (!stored) return false;
  const [scheme, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const want = Buffer.from(key, 'base64');
  const got = await scrypt(password, Buffer.from(salt, 'base64'), want.length);
  return timingSafeEqual(want, got);
}

export class AtlasStore {
  readonly db: Db;
  private lastCreatedAt = 0;

  constructor(file: string) {
    this.db = openDb(file, MIGRATIONS);
    this.lastCreatedAt = (this.db.prepare('SELECT MAX(created_at) AS m FROM items').get() as { m: number | null }).m ?? 0;
  }

  close(): void {
    this.db.close();
  }

  wipe(): void {
    this.db.exec('DELETE FROM items; DELETE FROM sessions; DELETE FROM invites; DELETE FROM users;');
    this.lastCreatedAt = 0;
  }

  // users

  userByEmail(email: string): UserRow | undefined {
    return this.db.prepare('SELECT * FROM users WHERE email = ?').get(email.trim().toLowerCase()) as UserRow | undefined;
  }

  userById(id: string): UserRow | undefined {
    return this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
  }

  createUser(u: { email: string; nickname: string; passwordHash: string | null; provider: 'email' | 'google'; confirmed: boolean; now: number }): UserRow {
    const row: UserRow = {
      id: randomUUID(),
      email: u.email.trim().toLowerCase(),
      nickname: u.nickname,
      password_hash: u.passwordHash,
      provider: u.provider,
      confirmed: u.confirmed ? 1 : 0,
      role: 'USER',
      created_at: u.now,
    };
    this.db
      .prepare('INSERT INTO users (id, email, nickname, password_hash, provider, confirmed, role, created_at) VALUES (@id, @email, @nickname, @password_hash, @provider, @confirmed, @role, @created_at)')
      .run(row);
    return row;
  }

  confirmUser(id: string): void {
    this.db.prepare('UPDATE users SET confirmed = 1 WHERE id = ?').run(id);
  }

  setPassword(id: string, hash: string): void {
    this.db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(hash, id);
  }

  deleteUser(id: string): void {
    this.db.prepare('DELETE FROM users WHERE id = ?').run(id);
  }

  // sessions

  createSession(userId: string, now: number): string {
    const id = randomUUID();
    this.db.prepare('INSERT INTO sessions (id, user_id, created_at) VALUES (?, ?, ?)').run(id, userId, now);
    return id;
  }

  sessionActive(id: string, userId: string): boolean {
    return !!this.db.prepare('SELECT 1 FROM sessions WHERE id = ? AND user_id = ? AND ended_at IS NULL').get(id, userId);
  }

  endSession(id: string, now: number): void {
    this.db.prepare('UPDATE sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL').run(now, id);
  }

  // invites

  createInvite(groupId: string, email: string, now: number): void {
    this.db.prepare('INSERT OR REPLACE INTO invites (group_id, email, created_at) VALUES (?, ?, ?)').run(groupId, email.trim().toLowerCase(), now);
  }

  acceptInvite(groupId: string, email: string, now: number): boolean {
    return this.db.prepare('UPDATE invites SET accepted_at = COALESCE(accepted_at, ?) WHERE group_id = ? AND email = ?').run(now, groupId, email.trim().toLowerCase()).changes > 0;
  }

  // items

  /** A creation time later than every other item's, so a createdAt cursor never ties. */
  nextCreatedAt(now: number): number {
    this.lastCreatedAt = Math.max(now, this.lastCreatedAt + 1);
    return this.lastCreatedAt;
  }

  insertItem(row: ItemRow): void {
    this.db
      .prepare(
        'INSERT INTO items (request_id, user_id, model, item_name, params, inputs, created_at, ready_at, outcome, message) VALUES (@request_id, @user_id, @model, @item_name, @params, @inputs, @created_at, @ready_at, @outcome, @message)',
      )
      .run(row);
  }

  item(requestId: string): ItemRow | undefined {
    return this.db.prepare('SELECT * FROM items WHERE request_id = ?').get(requestId) as ItemRow | undefined;
  }

  /** Items still waiting for their generator (after a restart). */
  pendingItems(): ItemRow[] {
    return this.db.prepare('SELECT * FROM items WHERE outcome IS NULL ORDER BY created_at').all() as ItemRow[];
  }

  /** Records the generator's outcome; only while none is set unless `force` (the admin API). */
  finishItem(requestId: string, outcome: 'OK' | 'NG', message: string | null, opts: { force?: boolean; readyAt?: number } = {}): boolean {
    const cond = opts.force ? '' : ' AND outcome IS NULL';
    return (
      this.db
        .prepare(`UPDATE items SET outcome = @outcome, message = @message, ready_at = COALESCE(@readyAt, ready_at) WHERE request_id = @requestId${cond}`)
        .run({ outcome, message, readyAt: opts.readyAt ?? null, requestId }).changes > 0
    );
  }

  setReadyAt(requestId: string, readyAt: number): void {
    this.db.prepare('UPDATE items SET ready_at = ? WHERE request_id = ?').run(readyAt, requestId);
  }

  allItems(): ItemRow[] {
    return this.db.prepare('SELECT * FROM items ORDER BY created_at').all() as ItemRow[];
  }

  deleteItem(requestId: string): void {
    this.db.prepare('DELETE FROM items WHERE request_id = ?').run(requestId);
  }

  itemsOf(userId: string): ItemRow[] {
    return this.db.prepare('SELECT * FROM items WHERE user_id = ?').all(userId) as ItemRow[];
  }

  /** Up to `n` of a user's items of one model, past `cursor` (a createdAt in ms) in the given direction. */
  pageOfItems(userId: string, model: ModelKey, newestFirst: boolean, cursor: number | null, n: number): ItemRow[] {
    const op = newestFirst ? '<' : '>';
    const dir = newestFirst ? 'DESC' : 'ASC';
    const where = cursor === null ? '' : `AND created_at ${op} @cursor`;
    return this.db.prepare(`SELECT * FROM items WHERE user_id = @userId AND model = @model ${where} ORDER BY created_at ${dir} LIMIT @n`).all({ userId, model, cursor, n }) as ItemRow[];
  }
}
