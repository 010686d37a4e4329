/** Migration 4 (cloud_outbox): an upgrade keeps the library, the table starts empty, holds an entry, checks its status. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../store/database';
import { migrations } from '../store/migrations';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-mig4-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const now = '2026-12-02T00:00:00.000Z';

describe('migration 4', () => {
  it('is the fourth, in order', () => {
    expect(migrations[3]!.version).toBe(4);
    expect(migrations.map((m) => m.version).slice(0, 4)).toEqual([1, 2, 3, 4]);
  });

  it('upgrades a version-3 library: projects kept, cloud_outbox empty, then an entry is stored and its status checked', () => {
    const file = path.join(dir, 'studio.db');
    const v3 = openDatabase(file, { migrations: migrations.filter((m) => m.version <= 3) });
    v3.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (1, 'p', ?, ?)`).run(now, now);
    v3.close();

    const db = openDatabase(file, { migrations: migrations.filter((m) => m.version <= 4) });
    expect(db.pragma('user_version', { simple: true })).toBe(4);
    expect(db.prepare('SELECT name FROM projects WHERE id = 1').get()).toEqual({ name: 'p' });
    expect(db.prepare('SELECT COUNT(*) AS n FROM cloud_outbox').get()).toEqual({ n: 0 });
    db.prepare(
      `INSERT INTO cloud_outbox (service, kind, payload_json, ref, status, created_at, updated_at) VALUES ('atlas', 'atlas.create', '{"jobId":"j1"}', 'j1', 'queued', ?, ?)`,
    ).run(now, now);
    expect(db.prepare(`SELECT id, status, attempts, next_attempt_at, last_error_json FROM cloud_outbox`).get()).toEqual({
      id: 1,
      status: 'queued',
      attempts: 0,
      next_attempt_at: null,
      last_error_json: null,
    });
    expect(() => db.prepare(`UPDATE cloud_outbox SET status = 'lost' WHERE id = 1`).run()).toThrow(/CHECK/);
    db.close();
  });
});
