/** Migration 10 (contributor_state, contributor_ledger, contributor_usage): an upgrade keeps the library, the tables start empty and check their values. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../store/database';
import { migrations } from '../store/migrations';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-mig10-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const now = '2026-12-02T00:00:00.000Z';

describe('migration 10', () => {
  it('is the tenth, in order', () => {
    expect(migrations[9]!.version).toBe(10);
    expect(migrations.map((m) => m.version).slice(0, 10)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('upgrades a version-9 library: projects kept, contributor tables empty, then rows are stored and checked', () => {
    const file = path.join(dir, 'studio.db');
    const v9 = openDatabase(file, { migrations: migrations.filter((m) => m.version <= 9) });
    v9.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (1, 'p', ?, ?)`).run(now, now);
    v9.close();

    const db = openDatabase(file, { migrations: migrations.filter((m) => m.version <= 10) });
    expect(db.pragma('user_version', { simple: true })).toBe(10);
    expect(db.prepare('SELECT name FROM projects WHERE id = 1').get()).toEqual({ name: 'p' });
    for (const t of ['contributor_state', 'contributor_ledger', 'contributor_usage']) expect(db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get()).toEqual({ n: 0 });

    db.prepare(`INSERT INTO contributor_state (id, updated_at) VALUES (1, ?)`).run(now);
    expect(db.prepare('SELECT opted_in, command FROM contributor_state').get()).toEqual({ opted_in: 0, command: 'none' });
    // One row only; a command the agent does not know is refused.
    expect(() => db.prepare(`INSERT INTO contributor_state (id, updated_at) VALUES (2, ?)`).run(now)).toThrow(/CHECK/);
    expect(() => db.prepare(`UPDATE contributor_state SET command = 'explode'`).run()).toThrow(/CHECK/);

    const ins = db.prepare(
      `INSERT INTO contributor_ledger (network_url, job_id, replica, lease_id, cluster, inputs, device_ms, claimed_credit, status, day, at) VALUES ('http://n', 'j1', 0, ?, ?, 4, 1200, 4, 'pending_validation', '2026-12-02', ?)`,
    );
    ins.run('l1', 'gpu', now);
    expect(() => ins.run('l1', 'gpu', now)).toThrow(/UNIQUE/);
    expect(() => ins.run('l2', 'tpu', now)).toThrow(/CHECK/);
    expect(db.prepare('SELECT granted_credit, status FROM contributor_ledger').get()).toEqual({ granted_credit: null, status: 'pending_validation' });

    db.prepare(`INSERT INTO contributor_usage (day, cluster, device_ms) VALUES ('2026-12-02', 'gpu', 60000)`).run();
    expect(() => db.prepare(`INSERT INTO contributor_usage (day, cluster, device_ms) VALUES ('2026-12-02', 'gpu', 1)`).run()).toThrow(/UNIQUE|PRIMARY/);
    expect(() => db.prepare(`UPDATE contributor_usage SET device_ms = -1`).run()).toThrow(/CHECK/);
    db.close();
  });
});
