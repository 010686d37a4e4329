/** Migration 7 (vision training tables): an upgrade keeps the library, the tables start empty, hold rows, check their values. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../store/database';
import { migrations } from '../../store/migrations';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-mig7-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const now = '2026-12-02T00:00:00.000Z';

describe('migration 7', () => {
  it('is the seventh, in order', () => {
    expect(migrations[6]!.version).toBe(7);
    expect(migrations.map((m) => m.version).slice(0, 7)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('upgrades a version-6 library: projects kept, vision tables empty, one metric row per epoch, cascades', () => {
    const file = path.join(dir, 'studio.db');
    const v6 = openDatabase(file, { migrations: migrations.filter((m) => m.version <= 6) });
    v6.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (1, 'p', ?, ?)`).run(now, now);
    v6.close();

    const db = openDatabase(file, { migrations: migrations.filter((m) => m.version <= 7) });
    expect(db.pragma('user_version', { simple: true })).toBe(7);
    expect(db.prepare('SELECT name FROM projects WHERE id = 1').get()).toEqual({ name: 'p' });
    for (const t of ['vision_datasets', 'vision_chat_sessions', 'vision_workflows', 'vision_metrics', 'vision_models']) {
      expect(db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get()).toEqual({ n: 0 });
    }
    const wf = db.prepare(`INSERT INTO vision_workflows (base_url, workflow_id, name, project_id, state, updated_at) VALUES (?, ?, 'cats', 1, 'pending', ?)`);
    const id = Number(wf.run('http://127.0.0.1:1/api/v1', 'wf_1', now).lastInsertRowid);
    expect(() => wf.run('http://127.0.0.1:1/api/v1', 'wf_1', now)).toThrow(/UNIQUE/);
    wf.run('http://127.0.0.1:2/api/v1', 'wf_1', now); // the same id on another server is another workflow
    expect(() => db.prepare(`UPDATE vision_workflows SET state = 'running' WHERE id = ?`).run(id)).toThrow(/CHECK/);
    expect(db.prepare(`SELECT class_names_json, local_model_id FROM vision_workflows WHERE id = ?`).get(id)).toEqual({ class_names_json: '[]', local_model_id: null });

    const metric = db.prepare(`INSERT INTO vision_metrics (workflow, epoch, metrics_json, source, received_at) VALUES (?, ?, '{}', ?, ?)`);
    metric.run(id, 1, 'ws', now);
    expect(() => metric.run(id, 1, 'history', now)).toThrow(/UNIQUE/); // each epoch once
    expect(() => metric.run(id, 2, 'guess', now)).toThrow(/CHECK/);
    metric.run(id, 2, 'history', now);

    db.prepare(`INSERT INTO vision_datasets (base_url, dataset_id, name, project_id, uploaded_at, updated_at) VALUES ('b', 'ds_1', 'd', 1, ?, ?)`).run(now, now);
    // A deleted project leaves the cloud records (they exist on the platform), without the project.
    db.prepare('DELETE FROM projects WHERE id = 1').run();
    expect(db.prepare('SELECT project_id FROM vision_workflows WHERE id = ?').get(id)).toEqual({ project_id: null });
    expect(db.prepare('SELECT project_id FROM vision_datasets').get()).toEqual({ project_id: null });
    // A forgotten workflow takes its metrics with it.
    db.prepare('DELETE FROM vision_workflows WHERE id = ?').run(id);
    expect(db.prepare('SELECT COUNT(*) AS n FROM vision_metrics').get()).toEqual({ n: 0 });
    db.close();
  });
});
