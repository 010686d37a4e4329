/** The seed's shapes as the client reads them: odd capitals, either status spelling, ids as numbers, paging shapes. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { passwordProblems } from '../../../common/contract';
import { createParts } from './create-parts';
import { CreateReply, DetailReply, MyItemsReply, modelFrom } from './schemas';
import { jwtExpiresAt } from './session';
import { listTarGz } from './tar-list';

describe('create parts (seed 000 §3)', () => {
  it('uses each model\'s exact field names and capitals', () => {
    const n = createParts({ model: 'nerf2mesh', video: '/v/clip.mp4', itemName: 'chair', epoch: 20, resize: true });
    expect(n.path).toBe('/atlas/item/nerf2mesh');
    expect(n.fields).toEqual({ resize: 'true', itemName: 'chair', Epoch: '20' });
    expect(n.files.map((f) => f.field)).toEqual(['payLoad']);

    const g = createParts({ model: 'gs3d', video: '/v/clip.mp4', itemName: 'c', epoch: 5 });
    expect(g.fields).toEqual({ itemName: 'c', Epoch: '5' });
    expect(g.files.map((f) => [f.field, f.contentType])).toEqual([['Payload', 'video/mp4']]);

    const i = createParts({ model: 'instant-mesh', image: '/i/a.png', itemName: 'c', epoch: 1 });
    expect(i.path).toBe('/atlas/item/instant-mesh');
    expect(i.files.map((f) => [f.field, f.contentType])).toEqual([['Image', 'image/png']]);

    const m = createParts({ model: 'musepose', image: '/i/a.jpg', video: '/v/b.mp4', itemName: 'c', epoch: 3 });
    expect(m.fields).toEqual({ itemName: 'c', Epoch: '3' });
    expect(m.files.map((f) => f.field)).toEqual(['Image', 'payLoad']);

    const d = createParts({ model: 'decal', video: '/v/my clip.mp4', itemName: 'c', deviceType: 'android' });
    expect(d.fields).toEqual({ itemName: 'c', deviceType: 'android', fileName: 'my clip.mp4' });
    expect(d.files.map((f) => f.field)).toEqual(['payLoad']);
  });

  it('refuses a model without its input', () => {
    expect(() => createParts({ model: 'musepose', video: '/v.mp4', itemName: 'x' })).toThrow(/image/);
    expect(() => createParts({ model: 'gs3d', itemName: 'x' })).toThrow(/video/);
  });
});

describe('replies', () => {
  it('detail accepts Status (§4.1) and status (§4.4), any case, modelId as string or number', () => {
    expect(DetailReply.parse({ requestId: 'r', Status: 'PROGRESS', modelId: '2', modelName: 'gaussian-splatting' })).toMatchObject({ status: 'PROGRESS', modelId: 2 });
    expect(DetailReply.parse({ requestId: 'r', status: 'ok', modelId: 5 })).toMatchObject({ status: 'OK', modelId: 5 });
    expect(DetailReply.safeParse({ requestId: 'r' }).success).toBe(false);
    expect(DetailReply.safeParse({ requestId: 'r', Status: 'DONE' }).success).toBe(false);
  });

  it('requestId may be a number', () => {
    expect(CreateReply.parse({ requestId: 42 })).toEqual({ requestId: '42' });
    expect(CreateReply.safeParse({}).success).toBe(false);
  });

  it('my items: {items}, {data} or a bare array', () => {
    const row = { requestId: 'a', status: 'OK', model: 'InstantMesh', itemName: 'x', createdAt: '2026-01-01T00:00:00Z' };
    expect(MyItemsReply.parse({ items: [row], hasNextItem: true, nextCursor: 'c' })).toEqual({
      items: [{ requestId: 'a', status: 'OK', modelName: 'InstantMesh', itemName: 'x', createdAt: '2026-01-01T00:00:00Z' }],
      hasNextItem: true,
      nextCursor: 'c',
    });
    expect(MyItemsReply.parse({ data: [row], hasNextItem: false, nextCursor: null }).items).toHaveLength(1);
    expect(MyItemsReply.parse([row])).toMatchObject({ hasNextItem: false, nextCursor: null });
  });

  it('model names and ids map to the studio\'s models', () => {
    expect(modelFrom(null, 'gaussian-splatting')).toBe('gs3d');
    expect(modelFrom(null, 'InstantMesh')).toBe('instant-mesh');
    expect(modelFrom(4, null)).toBe('musepose');
    expect(modelFrom(null, 'unknown')).toBeNull();
  });
});

describe('password rule (seed 000 §2.1)', () => {
  it('needs 10+ characters with upper, lower, digit and special', () => {
    expect(passwordProblems('Abcdef12!x')).toEqual([]);
    expect(passwordProblems('short1!A')).toContain('at least 10 characters');
    expect(passwordProblems('abcdefgh12!')).toEqual(['an upper-case letter']);
    expect(passwordProblems('ABCDEFGH12!')).toEqual(['a lower-case letter']);
    expect(passwordProblems('Abcdefghij!')).toEqual(['a digit']);
    expect(passwordProblems('Abcdefghij1')).toEqual(['a special character']);
  });
});

describe('jwt exp', () => {
  it('reads exp from the seed\'s example token, null for a non-JWT', () => {
    const seedToken =
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwMUo4NkVNTUpGUVhUU1dYWFFOUjI1TUhLVyIsInJvbGUiOiJTVVBFUl9BRE1JTiIsInNlc3Npb25JZCI6Ijg4Mzk1NjdjLTljOTktNGQxMy1hZWNlLTIwMDZmYTg3OTJlNiIsImlhdCI6MTcyNjc5MzUzNiwiZXhwIjoxNzI2Nzk3MTM2fQ.mqR9R3xHoEpwcsJGYTBkzr_98XggeIAHjnU1JSuVEtg';
    expect(jwtExpiresAt(seedToken)).toBe(1726797136 * 1000);
    expect(jwtExpiresAt('opaque-token')).toBeNull();
    expect(jwtExpiresAt('a.!!!.b')).toBeNull();
  });
});

describe('tar.gz listing', () => {
  it('lists the entries of a real tar.gz', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-tar-'));
    try {
      fs.mkdirSync(path.join(dir, 'in', 'mesh'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'in', 'mesh', 'model.obj'), 'v 0 0 0\n');
      fs.writeFileSync(path.join(dir, 'in', 'readme.txt'), 'hi');
      const file = path.join(dir, 'r.tar.gz');
      execFileSync('tar', ['-czf', file, '-C', path.join(dir, 'in'), 'mesh', 'readme.txt']);
      const l = await listTarGz(file);
      expect(l.entries.sort()).toEqual(['mesh/', 'mesh/model.obj', 'readme.txt']);
      expect(l.refused).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses ../ entries', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-tar-'));
    try {
      fs.mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'a', 'evil.txt'), 'x');
      const file = path.join(dir, 'e.tar.gz');
      execFileSync('tar', ['-czf', file, '-C', path.join(dir, 'a', 'b'), '-P', '../evil.txt']);
      const l = await listTarGz(file);
      expect(l.entries).toEqual([]);
      expect(l.refused).toEqual(['../evil.txt']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
