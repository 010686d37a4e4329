/** Migration 11 (network_jobs): an upgrade keeps the library, the table starts empty, holds a submitted job, checks its values. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../store/database';
import { migrations } from '../../store/migrations';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-mig11-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const now = '2026-12-02T00:00:00.000Z';

describe('migration 11', () => {
  it('is the eleventh, in order', () => {
    expect(migrations[10]!.version).toBe(11);
    expect(migrations.map((m) => m.version).slice(0, 11)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('upgrades a version-10 library: projects kept, network_jobs empty, then a job is stored and its values checked', () => {
    const file = path.join(dir, 'studio.db');
    const v10 = openDatabase(file, { migrations: migrations.filter((m) => m.version <= 10) });
    v10.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (1, 'p', ?, ?)`).run(now, now);
    v10.close();

    const db = openDatabase(file, { migrations: migrations.filter((m) => m.version <= 11) });
    expect(db.pragma('user_version', { simple: true })).toBe(11);
    expect(db.prepare('SELECT name FROM projects WHERE id = 1').get()).toEqual({ name: 'p' });
    expect(db.prepare('SELECT COUNT(*) AS n FROM network_jobs').get()).toEqual({ n: 0 });
    const insert = db.prepare(
      `INSERT INTO network_jobs (network_url, remote_job_id, project_id, model_id, model_name, task, redundancy, cluster, image_ids_json, state, created_at, updated_at)
       VALUES (?, ?, 1, 'm', 'M', 'classification', ?, 'cpu', '[1,2]', 'uploading', ?, ?)`,
    );
    insert.run('http://127.0.0.1:1', 'j_1', 2, now, now);
    expect(db.prepare('SELECT id, remote_job_id, state, uploaded, run_id, cost FROM network_jobs').get()).toEqual({ id: 1, remote_job_id: 'j_1', state: 'uploading', uploaded: 0, run_id: null, cost: null });
    // one row per remote job and server; the same id elsewhere is another job
    expect(() => insert.run('http://127.0.0.1:1', 'j_1', 1, now, now)).toThrow(/UNIQUE/);
    insert.run('http://127.0.0.1:2', 'j_1', 1, now, now);
    expect(() => insert.run('http://127.0.0.1:1', 'j_2', 4, now, now)).toThrow(/CHECK/);
    expect(() => db.prepare(`UPDATE network_jobs SET state = 'lost' WHERE id = 1`).run()).toThrow(/CHECK/);
    // a deleted project takes its network jobs with it
    db.prepare('DELETE FROM projects WHERE id = 1').run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM network_jobs').get()).toEqual({ n: 0 });
    db.close();
  });
});
