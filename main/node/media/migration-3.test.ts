/** Migration 3 (per-frame sharpness, frame-set report): upgrade keeps data, new columns start empty. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../store/database';
import { migrations } from '../store/migrations';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-mig3-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const now = '2026-11-23T00:00:00.000Z';

describe('migration 3', () => {
  it('upgrades a version-2 library with frames in it: rows kept, sharpness and report empty, then writable', () => {
    const file = path.join(dir, 'studio.db');
    const v2 = openDatabase(file, { migrations: migrations.filter((m) => m.version <= 2) });
    v2.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (1, 'p', ?, ?)`).run(now, now);
    v2.prepare(`INSERT INTO media_sources (id, project_id, kind, name, path, size_bytes, sha256, probe_json, created_at) VALUES (1, 1, 'video', 'v', '/v', 1, 'h', '{}', ?)`).run(now);
    v2.prepare(`INSERT INTO frame_sets (id, project_id, media_id, params_json, status, dir, created_at, updated_at) VALUES (1, 1, 1, '{}', 'complete', 'd', ?, ?)`).run(now, now);
    v2.prepare(`INSERT INTO images (id, project_id, frame_set_id, kind, file, created_at, updated_at) VALUES (5, 1, 1, 'frame', 'f.jpg', ?, ?)`).run(now, now);
    v2.close();

    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(3);
    expect(db.prepare('SELECT file, sharpness FROM images WHERE id = 5').get()).toEqual({ file: 'f.jpg', sharpness: null });
    expect(db.prepare('SELECT report_json FROM frame_sets WHERE id = 1').get()).toEqual({ report_json: null });
    db.prepare('UPDATE images SET sharpness = 123.5 WHERE id = 5').run();
    db.prepare(`UPDATE frame_sets SET report_json = '{"notices":[]}' WHERE id = 1`).run();
    expect(db.prepare('SELECT sharpness FROM images WHERE id = 5').get()).toEqual({ sharpness: 123.5 });
    db.close();
  });
});
