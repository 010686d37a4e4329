/** Migration 9 (registered_models, royalty_payments): an upgrade keeps the library, both tables start empty, hold rows, check their values. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../store/database';
import { migrations } from '../../store/migrations';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-mig9-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const now = '2026-12-02T00:00:00.000Z';

describe('migration 9', () => {
  it('is the ninth, in order', () => {
    expect(migrations[8]!.version).toBe(9);
    expect(migrations.map((m) => m.version).slice(0, 9)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('upgrades a version-8 library: projects kept, tables empty, then a registration and a payment are stored and checked', () => {
    const file = path.join(dir, 'studio.db');
    const v8 = openDatabase(file, { migrations: migrations.filter((m) => m.version <= 8) });
    v8.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (1, 'p', ?, ?)`).run(now, now);
    v8.close();

    const db = openDatabase(file, { migrations: migrations.filter((m) => m.version <= 9) });
    expect(db.pragma('user_version', { simple: true })).toBe(9);
    expect(db.prepare('SELECT name FROM projects WHERE id = 1').get()).toEqual({ name: 'p' });
    expect(db.prepare('SELECT COUNT(*) AS n FROM registered_models').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM royalty_payments').get()).toEqual({ n: 0 });

    const reg = db.prepare(
      `INSERT INTO registered_models (api_base_url, model_pda, parent_pda, local_model_id, relationship, name, version_name, wallet_address, pricing_json, request_json, transaction_hash, registered_at)
       VALUES (?, ?, ?, 'm1', ?, 'n', '1.0.0', 'W', '{}', '{}', 'tx', ?)`,
    );
    reg.run('http://a', 'PDA1', null, 'root', now);
    // One row per PDA and backend; the same PDA on another backend is another registration.
    expect(() => reg.run('http://a', 'PDA1', null, 'root', now)).toThrow(/UNIQUE/);
    reg.run('http://b', 'PDA1', null, 'root', now);
    reg.run('http://a', 'PDA2', 'PDA1', 'fine-tuned', now);
    expect(() => reg.run('http://a', 'PDA3', 'PDA1', 'forked', now)).toThrow(/CHECK/);
    expect(db.prepare(`SELECT parent_pda, relationship FROM registered_models WHERE model_pda = 'PDA2'`).get()).toEqual({ parent_pda: 'PDA1', relationship: 'fine-tuned' });

    const pay = db.prepare(
      `INSERT INTO royalty_payments (api_base_url, rpc_url, model_pda, tier, payer, recipient, lamports, signature, state, created_at, updated_at)
       VALUES ('http://a', 'http://rpc', 'PDA2', 'standard', 'P', 'R', ?, ?, ?, ?, ?)`,
    );
    pay.run(100_000_000_000, 'sig1', 'sent', now, now);
    expect(() => pay.run(1, 'sig1', 'sent', now, now)).toThrow(/UNIQUE/);
    expect(() => pay.run(-1, 'sig2', 'sent', now, now)).toThrow(/CHECK/);
    expect(() => pay.run(1, 'sig3', 'lost', now, now)).toThrow(/CHECK/);
    expect(db.prepare(`SELECT lamports, state, matches_preview FROM royalty_payments WHERE signature = 'sig1'`).get()).toEqual({
      lamports: 100_000_000_000,
      state: 'sent',
      matches_preview: null,
    });
    db.close();
  });
});
