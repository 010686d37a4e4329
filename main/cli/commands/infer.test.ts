/** `kraken models …` and `kraken infer …` on real models and real files: in-process, and as a child process where streams, exit codes and Ctrl+C matter. */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../common/app-error';
import { constantOutput, linearClassifier, redMaskModel } from '../../node/inference/testing/onnx-builder';
import { writeRgbPng } from '../../node/inference/testing/fixtures';
import type { CliIo } from '../cli-io';
import { runInfer } from './infer';
import { runModels, withService } from './models';

let work: string;
let dataDir: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-cli-infer-'));
  dataDir = path.join(work, 'data');
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function io(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), interactive: false, signal: new AbortController().signal, env: { KRAKEN_DATA_DIR: dataDir } };
}

async function classifierAndImages() {
  const model = path.join(work, 'corner.onnx');
  fs.writeFileSync(model, linearClassifier(2, 2, [[2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], new Array(12).fill(0)], [0, 0.5]));
  const imgs = path.join(work, 'imgs');
  await writeRgbPng(path.join(imgs, 'a.png'), 2, 2, [255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  await writeRgbPng(path.join(imgs, 'b.png'), 2, 2, new Array(12).fill(0));
  fs.writeFileSync(path.join(imgs, 'readme.txt'), 'not an image');
  return { model, imgs };
}

describe('kraken models', () => {
  it('lists bundled models and the download catalogue as JSON', async () => {
    const o = io();
    expect(await runModels(['list', '--json'], o)).toBe(0);
    const out = JSON.parse(o.stdout.join('')) as { dataDir: string; models: { id: string }[]; catalogue: { id: string; sha256: string }[] };
    expect(out.dataDir).toBe(dataDir);
    expect(out.models.map((m) => m.id)).toEqual(expect.arrayContaining(['human-movenet-lightning', 'human-centernet', 'paddleocr-v4-det']));
    expect(out.catalogue.map((c) => c.id)).toEqual(expect.arrayContaining(['midas-v21-small', 'u2netp', 'shufflenet-v2']));
  });

  it('imports an .onnx file, and refuses a malformed one', async () => {
    const { model } = await classifierAndImages();
    const o = io();
    expect(await runModels(['import', model, '--task', 'classification', '--labels', 'red,plain', '--name', 'Corner'], o)).toBe(0);
    expect(o.stdout.join('')).toMatch(/^corner-[0-9a-f]{6}: Corner — classification, onnx, input image \[N, 3, 2, 2\]/);
    const bad = path.join(work, 'bad.onnx');
    fs.writeFileSync(bad, 'garbage');
    const err = await runModels(['import', bad, '--task', 'classification'], io()).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('MODEL_INVALID');
    await expect(runModels(['import', model], io())).rejects.toThrow(/usage: kraken models/);
  });

  it('says which provider runs and why the others do not', async () => {
    const o = io();
    expect(await runModels(['providers', '--json'], o)).toBe(0);
    const r = JSON.parse(o.stdout.join('')) as { onnx: { selected: string; attempts: { name: string; reason: string | null }[] } };
    expect(r.onnx.selected).toBe('cpu');
    expect(r.onnx.attempts.find((a) => a.name === 'cuda')!.reason).toBeTruthy();
  });

  it('reports an unknown catalogue id', async () => {
    await expect(runModels(['download', 'no-such-model'], io())).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('kraken infer', () => {
  it('runs an .onnx given by path over a folder; --json carries provider, fallback reasons and results', async () => {
    const { model, imgs } = await classifierAndImages();
    const o = io();
    const code = await runInfer(['--model', model, '--task', 'classification', '--labels', 'red,plain', imgs, '--json', '--out', path.join(work, 'out')], o);
    expect(code).toBe(0);
    const r = JSON.parse(o.stdout.join('')) as {
      provider: string;
      attempts: { name: string; status: string; reason: string | null }[];
      fallbackReasons: string[];
      results: { file: string; ok: boolean; output: { top: { label: string; score: number }[] } }[];
    };
    expect(r.provider).toBe('cpu');
    expect(r.attempts.map((a) => a.name)).toEqual(['cuda', 'dml', 'coreml', 'cpu']);
    expect(r.fallbackReasons.some((f) => f.startsWith('cuda: '))).toBe(true);
    expect(r.results.map((x) => path.basename(x.file))).toEqual(['a.png', 'b.png']);
    // A path model gets ImageNet normalisation by default: red 255 → (1 − 0.485) / 0.229, red 0 → −0.485 / 0.229.
    const l0a = (2 * (1 - 0.485)) / 0.229;
    const l0b = (2 * -0.485) / 0.229;
    expect(r.results[0]!.output.top[0]).toMatchObject({ label: 'red', score: expect.closeTo(1 / (1 + Math.exp(-(l0a - 0.5))), 5) });
    expect(r.results[1]!.output.top[0]).toMatchObject({ label: 'plain', score: expect.closeTo(1 / (1 + Math.exp(-(0.5 - l0b))), 5) });
  });

  it('prints one line per image without --json, and exits 1 when an image fails', async () => {
    const { model, imgs } = await classifierAndImages();
    const broken = path.join(work, 'broken.png');
    fs.writeFileSync(broken, 'nope');
    const o = io();
    const code = await runInfer(['--model', model, '--task', 'classification', path.join(imgs, 'a.png'), broken, '--force-cpu'], o);
    expect(code).toBe(1);
    const p = 1 / (1 + Math.exp(-((2 * (1 - 0.485)) / 0.229 - 0.5)));
    // File names are JSON-quoted: whatever a name holds, it cannot end the line or pose as the result.
    expect(o.stdout[0]).toBe(`${JSON.stringify(path.join(imgs, 'a.png'))}: class 0 ${p.toFixed(3)}, class 1 ${(1 - p).toFixed(3)}`);
    expect(o.stdout[1]).toMatch(/^".*broken\.png": error: Cannot read the image broken\.png/);
    expect(o.stdout[2]).toMatch(/^1 of 2 images in .* s on cpu/);
  });

  it('tells a classifier given by path from its single [N, C] output (no --task), and asks for --task where the outputs do not tell', async () => {
    const { model, imgs } = await classifierAndImages();
    const o = io();
    expect(await runInfer(['--model', model, path.join(imgs, 'a.png'), '--json', '--out', path.join(work, 'out-guess')], o)).toBe(0);
    const r = JSON.parse(o.stdout.join('')) as { model: { task: string }; results: { output: { task: string; top: unknown[] } }[] };
    expect(r.model.task).toBe('classification');
    expect(r.results[0]!.output.top).toHaveLength(2);
    // A mask output [N, 1, H, W] could be segmentation or depth: the user is asked, with the shape shown.
    const mask = path.join(work, 'mask.onnx');
    fs.writeFileSync(mask, redMaskModel(2, 2));
    await expect(runInfer(['--model', mask, path.join(imgs, 'a.png')], io())).rejects.toThrow(/cannot tell the task of "mask\.onnx" from its outputs \(mask \[N, 1, 2, 2\]\); give --task/);
    await expect(runInfer(['--model', mask, '--task', 'nonsense', path.join(imgs, 'a.png')], io())).rejects.toThrow(/--task must be one of/);
  });

  it('writes result files into the data folder when no --out is given, never into the current folder', async () => {
    const { imgs } = await classifierAndImages();
    const mask = path.join(work, 'mask.onnx');
    fs.writeFileSync(mask, redMaskModel(2, 2));
    const before = fs.existsSync(path.join(process.cwd(), 'kraken-results')) ? fs.readdirSync(path.join(process.cwd(), 'kraken-results')).length : -1;
    const o = io();
    expect(await runInfer(['--model', mask, '--task', 'segmentation', path.join(imgs, 'a.png')], o)).toBe(0);
    const where = o.stdout.find((l) => l.startsWith('result files in '));
    expect(where).toBeDefined();
    const outDir = JSON.parse(where!.slice('result files in '.length)) as string;
    expect(outDir.startsWith(path.join(dataDir, 'results') + path.sep)).toBe(true);
    expect(fs.readdirSync(outDir).some((f) => f.startsWith('a'))).toBe(true);
    const after = fs.existsSync(path.join(process.cwd(), 'kraken-results')) ? fs.readdirSync(path.join(process.cwd(), 'kraken-results')).length : -1;
    expect(after).toBe(before);
  });

  it('answers --help with its usage, --jsonl included, even without the required flags', async () => {
    const o = io();
    expect(await runInfer(['--help'], o)).toBe(0);
    expect(o.stdout.join('\n')).toMatch(/usage: kraken infer --model/);
    expect(o.stdout.join('\n')).toMatch(/--jsonl +one JSON object per line/);
  });

  it('leaves out detections below --min-score, else below the threshold remembered for the model, else below 0.4', async () => {
    // Three separate boxes at 0.35, 0.5 and 0.9 whatever the image; [1, 3, 6] rows: the task is read as detection.
    const rows = [[0, 0, 2, 2, 0.35, 0], [3, 3, 5, 5, 0.5, 0], [6, 6, 8, 8, 0.9, 0]];
    const model = path.join(work, 'three-boxes.onnx');
    fs.writeFileSync(model, constantOutput(['N', 3, 8, 8], 'dets', [1, 3, 6], rows.flat()));
    const img = await writeRgbPng(path.join(work, 'eight.png'), 8, 8, new Array(8 * 8 * 3).fill(128));
    const scores = async (...extra: string[]) => {
      const o = io();
      expect(await runInfer(['--model', model, img, '--json', '--out', path.join(work, 'out-min'), ...extra], o)).toBe(0);
      const r = JSON.parse(o.stdout.join('')) as { model: { id: string }; minScore: number; results: { output: { detections: { score: number }[] } }[] };
      return { id: r.model.id, minScore: r.minScore, scores: r.results[0]!.output.detections.map((d) => Math.round(d.score * 100) / 100).sort() };
    };
    const byDefault = await scores();
    expect(byDefault).toMatchObject({ minScore: 0.4, scores: [0.5, 0.9] });
    expect((await scores('--min-score', '0.8')).scores).toEqual([0.9]);
    expect((await scores('--min-score', '0.3')).scores).toEqual([0.35, 0.5, 0.9]);
    // The threshold the Models page remembers for this model is the default.
    await withService(dataDir, async (s) => void s.setPrefs({ minScores: { [byDefault.id]: 0.6 } }));
    expect(await scores()).toMatchObject({ minScore: 0.6, scores: [0.9] });
    for (const bad of ['1.5', '-0.1', 'abc', '']) await expect(runInfer(['--model', model, img, `--min-score=${bad}`], io())).rejects.toThrow(/--min-score takes a confidence from 0 to 1/);
  });

  it('refuses to run the OCR recogniser alone (a step of the OCR model)', async () => {
    const { imgs } = await classifierAndImages();
    await expect(runInfer(['--model', 'paddleocr-v4-rec', path.join(imgs, 'a.png')], io())).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/step of paddleocr-v4-det/) });
  });

  it('finds no images in an empty folder', async () => {
    fs.mkdirSync(path.join(work, 'empty'), { recursive: true });
    await expect(runInfer(['--model', 'human-centernet', path.join(work, 'empty')], io())).rejects.toThrow(/No images found/);
  });

  it('reads text with the bundled OCR model by id', async (ctx) => {
    const font = ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf'].find((f) => fs.existsSync(f));
    let ffmpeg = true;
    try {
      execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    } catch {
      ffmpeg = false;
    }
    if (!font || !ffmpeg) {
      console.log(`[skip] kraken infer OCR: ${!ffmpeg ? 'ffmpeg is not installed' : 'no TrueType font for drawtext'}`);
      ctx.skip();
      return;
    }
    const img = path.join(work, 'text.png');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'color=white:s=640x160', '-vf', `drawtext=text='KRAKEN 2026':fontfile=${font}:fontsize=64:fontcolor=black:x=20:y=40`, '-frames:v', '1', img]);
    const o = io();
    expect(await runInfer(['--model', 'paddleocr-v4-det', img, '--json'], o)).toBe(0);
    const r = JSON.parse(o.stdout.join('')) as { provider: string; results: { output: { text: string } }[] };
    expect(r.provider).toBe('cpu');
    expect(r.results[0]!.output.text).toContain('KRAKEN 2026');
  });
});

/** The CLI as a user runs it: a child process (tsx on the source entry), its real stdout, stderr, exit code and signals. */
describe('kraken infer in a child process', () => {
  const root = path.resolve(__dirname, '..', '..', '..');
  const cli = path.join(root, 'main', 'cli', 'index.ts');
  const env = () => ({ ...process.env, KRAKEN_DATA_DIR: dataDir });
  function kraken(...args: string[]) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8', timeout: 120_000, cwd: root, env: env() });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** Starts a run, sends SIGINT once `enough` result lines arrived, and resolves with everything it wrote. */
  function cancelAfter(args: string[], enough: (stdout: string) => boolean): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: root, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let sent = false;
      child.stdout.setEncoding('utf8').on('data', (c: string) => {
        stdout += c;
        if (!sent && enough(stdout)) {
          sent = true;
          child.kill('SIGINT');
        }
      });
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  /** A folder of `n` copies of one 2×2 PNG: enough work that a cancel lands mid-run. */
  async function manyImages(name: string, n: number): Promise<string> {
    const folder = path.join(work, name);
    fs.mkdirSync(folder, { recursive: true });
    const one = await writeRgbPng(path.join(folder, 'img-000000.png'), 2, 2, [255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    for (let i = 1; i < n; i++) fs.copyFileSync(one, path.join(folder, `img-${String(i).padStart(6, '0')}.png`));
    return folder;
  }

  it('skips a folder named x.jpg and a dangling link with a notice instead of failing the run (EISDIR)', async () => {
    const { model } = await classifierAndImages();
    const folder = path.join(work, 'with-dir');
    await writeRgbPng(path.join(folder, 'a.png'), 2, 2, new Array(12).fill(0));
    fs.mkdirSync(path.join(folder, 'x.jpg'));
    fs.symlinkSync(path.join(folder, 'missing.png'), path.join(folder, 'gone.png'));
    const r = kraken('infer', '--model', model, '--task', 'classification', folder, '--out', path.join(work, 'out-dir'));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`skipped ${JSON.stringify(path.join(folder, 'x.jpg'))}: a folder, not an image file`);
    expect(r.stderr).toContain(`skipped ${JSON.stringify(path.join(folder, 'gone.png'))}: a link to nothing`);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^".*a\.png": class/);
    expect(lines[1]).toMatch(/^1 of 1 images/);
    const json = kraken('infer', '--model', model, '--task', 'classification', folder, '--json', '--out', path.join(work, 'out-dir'));
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as { results: { file: string }[]; skipped: { file: string; reason: string }[] };
    expect(doc.results.map((x) => path.basename(x.file))).toEqual(['a.png']);
    expect(doc.skipped.map((x) => path.basename(x.file))).toEqual(['gone.png', 'x.jpg']);
  });

  it('a newline or a bidi override in a file name cannot forge an output line', async () => {
    const { model } = await classifierAndImages();
    const folder = path.join(work, 'forge');
    const evil = 'a.png: class 0 0.001\nforged.png: class 1 1.000\u202E.png';
    await writeRgbPng(path.join(folder, evil), 2, 2, new Array(12).fill(0));
    const r = kraken('infer', '--model', model, '--task', 'classification', folder, '--out', path.join(work, 'out-forge'));
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.some((l) => l.startsWith('forged'))).toBe(false);
    expect(lines[0]).toContain('\\nforged.png: class 1 1.000\\u202e.png": class');
    expect(lines[0]).not.toContain('\u202E');
    // The quoted name reads back as the exact name.
    expect(JSON.parse(lines[0]!.slice(0, lines[0]!.lastIndexOf(': class')))).toBe(path.join(folder, evil));
    const jl = kraken('infer', '--model', model, '--task', 'classification', folder, '--jsonl', '--out', path.join(work, 'out-forge'));
    const results = jl.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; file?: string }).filter((o) => o.type === 'result');
    expect(results.map((o) => o.file)).toEqual([path.join(folder, evil)]);
  });

  it('--jsonl streams one object per result; after Ctrl+C every finished result is on stdout and a summary says cancelled', async () => {
    const { model } = await classifierAndImages();
    const folder = await manyImages('many-jsonl', 3000);
    const r = await cancelAfter(['infer', '--model', model, '--task', 'classification', folder, '--jsonl', '--batch', '1', '--out', path.join(work, 'out-jsonl')], (out) => out.split('"type":"result"').length > 5);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/Cancelled/);
    expect(r.stdout.endsWith('\n')).toBe(true);
    const objects = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; file?: string; ok?: boolean; done?: number; cancelled?: boolean; total?: number });
    expect(objects[0]).toMatchObject({ type: 'run', provider: 'cpu' });
    const results = objects.filter((o) => o.type === 'result');
    expect(results.length).toBeGreaterThanOrEqual(5);
    expect(results.length).toBeLessThan(3000);
    expect(results.every((o) => o.ok === true)).toBe(true);
    expect(new Set(results.map((o) => o.file)).size).toBe(results.length);
    expect(objects.at(-1)).toMatchObject({ type: 'summary', cancelled: true, done: results.length, total: 3000 });
  });

  it('--json is written as the run goes and stays a valid document after Ctrl+C', async () => {
    const { model } = await classifierAndImages();
    const folder = await manyImages('many-json', 3000);
    const r = await cancelAfter(['infer', '--model', model, '--task', 'classification', folder, '--json', '--batch', '1', '--out', path.join(work, 'out-json')], (out) => out.split('"file":').length > 5);
    expect(r.code).toBe(130);
    const doc = JSON.parse(r.stdout) as { provider: string; results: { file: string; ok: boolean }[]; cancelled: boolean; done: number; total: number };
    expect(doc.provider).toBe('cpu');
    expect(doc.cancelled).toBe(true);
    expect(doc.results.length).toBeGreaterThanOrEqual(5);
    expect(doc.results.length).toBeLessThan(3000);
    expect(doc.done).toBe(doc.results.length);
    expect(doc.total).toBe(3000);
  });

  it('refuses --json with --jsonl', () => {
    const r = kraken('infer', '--model', 'x', path.join(work, 'imgs'), '--json', '--jsonl');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--json or --jsonl, not both/);
  });
});
