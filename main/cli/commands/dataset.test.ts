/**
 * `kraken dataset check|pack` as a user runs them: child processes over a real folder of class sub-folders made with
 * sharp (and a cut file). Exit 0 when the check is clean, 1 with the report when it has errors; pack writes the zip.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZip } from '../../../test-support/read-zip';
import type { HealthReport } from '../../common/contract/datasets';
import type { VisionDataset, VisionValidation } from '../../common/contract';
import { DEMO_EMAIL, DEMO_PASSWORD, startVisionEmulator, type VisionEmulator } from '../../../emulators/vision';

const root = path.resolve(__dirname, '..', '..', '..');
const source = path.join(root, 'main', 'cli', 'index.ts');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-cli-dataset-'));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function kraken(args: string[], input = '', env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', source, ...args], { cwd: root, env: { ...process.env, KRAKEN_DATA_DIR: path.join(work, 'data'), KRAKEN_KEYCHAIN: 'off', KRAKEN_EMULATOR_VISION_URL: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** A picture that differs per class and per index (random blocks), so none are near duplicates. */
async function picture(file: string, seed: number, size = 64): Promise<void> {
  const buf = Buffer.alloc(size * size * 3);
  let s = seed * 2654435761;
  for (let i = 0; i < buf.length; i += 3 * 8) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    buf.fill(s & 0xff, i, Math.min(buf.length, i + 3 * 8));
  }
  await sharp(buf, { raw: { width: size, height: size, channels: 3 } }).jpeg().toFile(file);
}

let clean: string;
let faulty: string;
beforeAll(async () => {
  clean = path.join(work, 'clean');
  faulty = path.join(work, 'faulty');
  for (const [ci, cls] of ['치즈', '나비'].entries()) {
    fs.mkdirSync(path.join(clean, cls), { recursive: true });
    fs.mkdirSync(path.join(faulty, cls), { recursive: true });
    for (let i = 0; i < 10; i++) {
      await picture(path.join(clean, cls, `${i}.jpg`), ci * 100 + i + 1);
      await picture(path.join(faulty, cls, `${i}.jpg`), ci * 100 + i + 1);
    }
  }
  fs.writeFileSync(path.join(clean, '치즈', 'notes.txt'), 'not an image');
  // Faults: a cut JPEG and a class of one image.
  const good = fs.readFileSync(path.join(faulty, '나비', '0.jpg'));
  fs.writeFileSync(path.join(faulty, '나비', 'broken.jpg'), good.subarray(0, 100));
  fs.mkdirSync(path.join(faulty, 'lonely'));
  await picture(path.join(faulty, 'lonely', 'one.jpg'), 999);
}, 60_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('kraken dataset', () => {
  it('check: a clean folder exits 0 with the class table; --json gives the report', async () => {
    const r = await kraken(['dataset', 'check', clean]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/20 readable image\(s\), 0 unreadable, 2 class\(es\): 0 error\(s\)/);
    expect(r.stdout).toMatch(/치즈\s+10\s+8\s+1\s+1/);
    expect(r.stdout).toMatch(/1 file\(s\) skipped/);
    const j = await kraken(['dataset', 'check', clean, '--json', '--min-size', '224']);
    expect(j.code).toBe(0);
    const out = JSON.parse(j.stdout) as { report: HealthReport; skipped: string[] };
    expect(out.skipped).toEqual(['치즈/notes.txt']);
    expect(out.report.issues.map((i) => i.code)).toEqual(['IMAGE_TOO_SMALL']);
    expect(out.report.minInputSize).toEqual({ width: 224, height: 224 });
  }, 60_000);

  it('check: names the corrupt image and the class of one image, exit 1', async () => {
    const r = await kraken(['dataset', 'check', faulty]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/ERROR CORRUPT_IMAGE: 나비\/broken\.jpg \(class 나비\) cannot be read/);
    expect(r.stdout).toMatch(/ERROR CLASS_TOO_FEW_IMAGES: Class "lonely" has 1 image\(s\); at least 2 are needed/);
  }, 60_000);

  it('pack: writes the imagefolder zip of a clean folder; refuses a faulty one (report, then one stderr line) unless --force', async () => {
    const out = path.join(work, 'clean.zip');
    const r = await kraken(['dataset', 'pack', clean, '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ file: out, format: 'imagefolder', entries: 21 });
    const names = [...(await readZip(out)).keys()];
    expect(names.filter((n) => n.startsWith('train/치즈/'))).toHaveLength(8);
    expect(names.filter((n) => n.startsWith('val/나비/'))).toHaveLength(1);
    expect(names).toContain('dataset.json');

    const again = await kraken(['dataset', 'pack', clean, '--out', out]);
    expect(again.code).toBe(1);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(again.stderr).toMatch(/already exists/);

    const bad = path.join(work, 'faulty.zip');
    const refused = await kraken(['dataset', 'pack', faulty, '--out', bad]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/CORRUPT_IMAGE/);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/2 error\(s\)/);
    expect(fs.existsSync(bad)).toBe(false);
    const forced = await kraken(['dataset', 'pack', faulty, '--out', bad, '--force', '--json']);
    expect(forced.code, forced.stderr).toBe(0);
    // The unreadable file is left out of the package.
    expect([...(await readZip(bad)).keys()].some((n) => n.endsWith('broken.jpg'))).toBe(false);
  }, 90_000);

  it('refuses bad input with one line: no folder, a missing folder, a bad --min-size, --out that is not a zip', async () => {
    for (const [args, pattern] of [
      [['dataset', 'check'], /usage: kraken dataset check/],
      [['dataset', 'check', path.join(work, 'nope')], /not found|does not exist|no such/i],
      [['dataset', 'check', clean, '--min-size', '0x5'], /--min-size takes/],
      [['dataset', 'pack', clean, '--out', path.join(work, 'x.tar')], /--out names the \.zip/],
      [['dataset', 'frobnicate'], /unknown command "frobnicate"/],
    ] as const) {
      const r = await kraken([...args]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).not.toBe(0);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
    }
  }, 90_000);
});

describe('kraken dataset upload|list|show|validate (vision emulator)', () => {
  let emu: VisionEmulator;
  let env: Record<string, string>;
  beforeAll(async () => {
    emu = await startVisionEmulator({ demo: true, quiet: true });
    env = { KRAKEN_VISION_URL: emu.url };
  }, 60_000);
  afterAll(async () => {
    await emu?.close();
  });

  it('uploads a packed folder, lists it, shows its class counts and validates it; refusals are one line', async () => {
    const notSigned = await kraken(['dataset', 'list'], '', env);
    expect(notSigned.code).toBe(1);
    expect(notSigned.stderr.trim().split('\n')).toHaveLength(1);
    const login = await kraken(['train', 'login', '--email', DEMO_EMAIL, '--password-stdin'], DEMO_PASSWORD + '\n', env);
    expect(login.code, login.stderr).toBe(0);

    const zip = path.join(work, 'upload.zip');
    expect((await kraken(['dataset', 'pack', clean, '--out', zip])).code).toBe(0);
    const up = await kraken(['dataset', 'upload', zip, '--name', '고양이', '--format', 'imagefolder', '--description', 'two cats', '--json'], '', env);
    expect(up.code, up.stderr).toBe(0);
    const d = JSON.parse(up.stdout) as VisionDataset;
    expect(d.datasetId).toMatch(/^ds_/);

    const listed = await kraken(['dataset', 'list', '--json'], '', env);
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { datasets: VisionDataset[] }).datasets.map((x) => x.datasetId)).toContain(d.datasetId);

    // The platform may still be processing: ask until it is ready.
    let shown: VisionDataset | null = null;
    for (let i = 0; i < 30 && shown?.status !== 'ready'; i++) {
      const r = await kraken(['dataset', 'show', d.datasetId, '--json'], '', env);
      expect(r.code, r.stderr).toBe(0);
      shown = JSON.parse(r.stdout) as VisionDataset;
    }
    expect(shown!.status).toBe('ready');
    expect(shown!.statistics!.classes.map((c) => [c.name, c.count]).sort()).toEqual([
      ['나비', 10],
      ['치즈', 10],
    ]);
    const text = await kraken(['dataset', 'show', d.datasetId], '', env);
    expect(text.stdout).toMatch(/치즈\s+10/);

    const v = await kraken(['dataset', 'validate', d.datasetId, '--classes', '2', '--json'], '', env);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect((JSON.parse(v.stdout) as VisionValidation).valid).toBe(true);

    const missing = await kraken(['dataset', 'show', 'ds_nope'], '', env);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    const noFile = await kraken(['dataset', 'upload', path.join(work, 'none.zip'), '--name', 'x', '--format', 'imagefolder'], '', env);
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toMatch(/No dataset file/);
    const noName = await kraken(['dataset', 'upload', zip, '--format', 'imagefolder'], '', env);
    expect(noName.code).toBe(2);
    expect(noName.stderr).toMatch(/usage: kraken dataset upload/);
  }, 300_000);
});
