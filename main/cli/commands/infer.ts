/**
 * `kraken infer --model <id|path> <files|dirs…> [--task <task>] [--json] [--force-cpu] [--batch <n>] [--out <dir>]`
 * Runs a library model (or an .onnx / TF.js folder given by path) over images in this process, with
 * the same pipeline as the studio; `--json` reports the provider used and why others were skipped.
 * With `--frame-set <id> [--remaining]` it runs over a studio frame set instead (see infer-set.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AppError } from '../../common/app-error';
import { ModelTask, type InferenceOutput, type ModelManifest } from '../../common/contract/inference';
import { defaultDataDir } from '../../node/app-paths';
import { runBatches, type ItemResult } from '../../node/inference/batch-runner';
import { openPipeline } from '../../node/inference/pipeline';
import { progressLine, UsageError, type CliIo } from '../cli-io';
import { parseSetId, runInferOnSet } from './infer-set';
import { withService } from './models';

const USAGE = [
  'usage: kraken infer --model <id|file.onnx|tfjs-folder> <image|folder>... [--task <task> (for a path)] [--labels a,b] [--json] [--force-cpu] [--batch <n>] [--out <dir>] [--data-dir <dir>]',
  '       kraken infer --model <id> --frame-set <id> [--remaining] [--json] [--force-cpu] [--batch <n>] [--data-dir <dir>]   (results stored in the studio; `kraken sets` lists frame sets)',
].join('\n');
const IMAGE_EXT = /\.(jpe?g|png|webp|bmp|tiff?|gif|avif)$/i;

/** Runs `kraken infer …`; returns the exit code (1 when any image failed). */
export async function runInfer(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      model: { type: 'string', short: 'm' },
      task: { type: 'string' },
      labels: { type: 'string' },
      json: { type: 'boolean', default: false },
      'force-cpu': { type: 'boolean' },
      batch: { type: 'string' },
      out: { type: 'string' },
      'data-dir': { type: 'string' },
      'frame-set': { type: 'string' },
      remaining: { type: 'boolean', default: false },
    },
  });
  const batch = values.batch === undefined ? undefined : Number(values.batch);
  if (batch !== undefined && !(Number.isInteger(batch) && batch >= 1 && batch <= 64)) throw new UsageError('--batch must be 1..64 (images per inference call).');
  if (values['frame-set'] !== undefined) {
    if (!values.model || positionals.length > 0) throw new UsageError(values.model ? 'give --frame-set or images, not both.' : USAGE);
    if (values.out !== undefined || values.task !== undefined || values.labels !== undefined) throw new UsageError('--out, --task and --labels are for images given by path; a frame-set run stores its results in the studio.');
    if (isModelPath(values.model)) throw new UsageError(`--frame-set runs a model of the library: import ${values.model} first with \`kraken models import\`, then give its id.`);
    return runInferOnSet(
      {
        dataDir: values['data-dir'] ? path.resolve(values['data-dir']) : defaultDataDir(io.env),
        model: values.model,
        frameSetId: parseSetId(values['frame-set']),
        remaining: values.remaining,
        forceCpu: values['force-cpu'],
        batch,
        json: values.json,
      },
      io,
    );
  }
  if (values.remaining) throw new UsageError('--remaining needs --frame-set <id> (images given by path have no stored results to skip).');
  if (!values.model || positionals.length === 0) throw new UsageError(USAGE);
  const files = collectImages(positionals);
  if (files.length === 0) throw new AppError('INVALID_INPUT', `No images found in ${positionals.join(', ')} (jpg, png, webp, bmp, tiff, gif, avif).`);
  const dataDir = values['data-dir'] ? path.resolve(values['data-dir']) : defaultDataDir(io.env);
  const outDir = path.resolve(values.out ?? 'kraken-results');

  return withService(dataDir, async (s) => {
    const prefs = s.prefs();
    const forceCpu = values['force-cpu'] ?? prefs.forceCpu;
    const manifest = await resolveModel(values.model!, values.task, values.labels, s);
    const companion = manifest.companion ? await s.getModel(manifest.companion).catch(() => null) : null;
    const { gpus } = await s.gpus();
    const started = performance.now();
    const pipeline = await openPipeline(manifest, { forceCpu, gpus, companion });
    const loadSeconds = (performance.now() - started) / 1000;
    const results: ItemResult[] = [];
    let notices: string[] = [];
    let usedBatch = 0;
    const t0 = performance.now();
    try {
      const res = await runBatches(
        pipeline,
        files.map((file, i) => ({ key: i, file })),
        {
          batchSize: batch ?? prefs.batchSize,
          signal: io.signal,
          target: (key) => ({ root: outDir, dir: outDir, stem: path.basename(files[key]!).replace(/\.[^.]+$/, '') }),
          onBatch: (items) => {
            results.push(...items);
            if (io.interactive && !values.json) io.err(progressLine(results.length / files.length, `${results.length}/${files.length} images`));
            if (!values.json) for (const r of items) io.out(`${files[r.key]}: ${r.ok ? line(r.output) : `error: ${r.error.message}`}`);
          },
        },
      );
      notices = res.notices;
      usedBatch = res.batchSize;
    } finally {
      await pipeline.dispose();
    }
    const seconds = (performance.now() - t0) / 1000;
    const failed = results.filter((r) => !r.ok).length;
    if (values.json) {
      io.out(
        JSON.stringify(
          {
            model: { id: manifest.id, name: manifest.name, task: manifest.task, runtime: manifest.runtime, source: manifest.source, sha256: manifest.sha256, licence: manifest.licence },
            provider: pipeline.provider,
            forceCpu,
            /** Every provider or backend considered, in order: used / failed / skipped, with the reason. */
            attempts: pipeline.attempts,
            fallbackReasons: pipeline.attempts.filter((a) => a.status === 'failed' || a.status === 'skipped').map((a) => `${a.name}: ${a.reason}`),
            gpus,
            batchSize: usedBatch,
            notices,
            loadSeconds,
            seconds,
            imagesPerSecond: seconds > 0 ? results.length / seconds : null,
            outDir,
            results: results.map((r) => ({ file: files[r.key], ...(r.ok ? { ok: true, width: r.width, height: r.height, ms: r.ms, output: r.output } : { ok: false, ms: r.ms, error: r.error }) })),
          },
          null,
          2,
        ),
      );
    } else {
      if (io.interactive) io.err('\n');
      for (const n of notices) io.err(n);
      io.out(`${results.length - failed} of ${files.length} images in ${seconds.toFixed(2)} s on ${pipeline.provider} (${(results.length / Math.max(seconds, 1e-9)).toFixed(1)} images/s)`);
    }
    return failed > 0 ? 1 : 0;
  });
}

/** A library id, or a path to an .onnx file / TF.js folder (inspected, not imported). */
async function resolveModel(ref: string, task: string | undefined, labels: string | undefined, s: Parameters<Parameters<typeof withService>[1]>[0]): Promise<ModelManifest> {
  if (isModelPath(ref)) {
    const t = ModelTask.safeParse(task);
    if (!t.success) throw new UsageError(`a model given by path needs --task (${ModelTask.options.join(', ')}).`);
    return s.library.inspect({ path: ref, task: t.data, labels: labels?.split(',').map((l) => l.trim()) });
  }
  return s.getModel(ref);
}

function isModelPath(ref: string): boolean {
  return fs.existsSync(ref) && (ref.toLowerCase().endsWith('.onnx') || ref.toLowerCase().endsWith('.json') || fs.statSync(ref).isDirectory());
}

function collectImages(args: string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    let st: fs.Stats;
    try {
      st = fs.statSync(a);
    } catch {
      throw new AppError('NOT_FOUND', `No such file or folder: ${a}`);
    }
    if (st.isDirectory()) {
      for (const f of fs.readdirSync(a).sort()) if (IMAGE_EXT.test(f)) out.push(path.resolve(a, f));
    } else out.push(path.resolve(a));
  }
  return out;
}

/** One line a person can read. */
function line(o: InferenceOutput): string {
  switch (o.task) {
    case 'classification':
      return o.top.map((t) => `${t.label} ${t.score.toFixed(3)}`).join(', ');
    case 'detection':
      return o.detections.length ? o.detections.map((d) => `${d.label} ${d.score.toFixed(2)} @${Math.round(d.box.x)},${Math.round(d.box.y)} ${Math.round(d.box.width)}×${Math.round(d.box.height)}`).join('; ') : 'nothing found';
    case 'pose':
      return o.poses.length ? o.poses.map((p) => `person ${p.score.toFixed(2)} (${p.keypoints.filter((k) => k.score > 0.3).length}/17 keypoints)`).join('; ') : 'no person';
    case 'segmentation':
      return `foreground ${(o.coverage * 100).toFixed(1)} %, mask ${o.mask}, cut-out ${o.cutout}`;
    case 'depth':
      return `depth ${o.depthMap}, ${o.points} points in ${o.pointCloud}`;
    case 'ocr-det':
      return o.lines.length ? JSON.stringify(o.text) : 'no text';
    case 'ocr-rec':
      return `${JSON.stringify(o.text)} (${o.score.toFixed(2)})`;
  }
}
