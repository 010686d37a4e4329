/**
 * `kraken infer --model <id|path> <files|dirs…> [--task <task>] [--json | --jsonl] [--force-cpu] [--batch <n>] [--out <dir>]`
 * Runs a library model (or an .onnx / TF.js folder given by path) over images in this process, with
 * the same pipeline as the studio; `--json` reports the provider used and why others were skipped.
 * Results are written as they finish, whatever the form: text lines (file names JSON-quoted, so a name
 * cannot forge a line), `--json` (one document written incrementally and closed properly on Ctrl+C) or
 * `--jsonl` (one JSON object per line: a "run" line, a "result" line per image, a closing "summary" line),
 * so a cancelled run keeps every finished result. In a folder, what is not a file is skipped with a notice.
 * With `--frame-set <id> [--remaining]` it runs over a studio frame set instead (see infer-set.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AppError } from '../../common/app-error';
import { aboveMinScore, minScoreOf, ModelTask, type InferenceOutput, type ModelManifest, type TensorSpec } from '../../common/contract/inference';
import { defaultDataDir } from '../../node/app-paths';
import { escapeLine, quoteName } from '../../node/files/file-names';
import { runBatches, type ItemResult } from '../../node/inference/batch-runner';
import { guessTaskFromOutputs, inspectOnnx, inspectTfjs } from '../../node/inference/model-library';
import { openPipeline } from '../../node/inference/pipeline';
import { progressLine, UsageError, wantsHelp, type CliIo } from '../cli-io';
import { parseSetId, runInferOnSet } from './infer-set';
import { withService } from './models';

const USAGE = [
  'usage: kraken infer --model <id|file.onnx|tfjs-folder> <image|folder>... [--task <task> (for a path, when its outputs do not tell)] [--labels a,b] [--min-score 0.4] [--json | --jsonl (one JSON object per line, streamed)] [--force-cpu] [--batch <n>] [--out <dir>] [--data-dir <dir>]',
  '       kraken infer --model <id> --frame-set <id> [--remaining] [--json] [--force-cpu] [--batch <n>] [--data-dir <dir>]   (results stored in the studio; `kraken sets` lists frame sets)',
].join('\n');
const HELP = `${USAGE}

Runs a model over images (files, or the image files directly in folders) on this machine.
  --model <m>        a library model id (\`kraken models list\`), or an .onnx file / TF.js folder by path
  --task <task>      for a model given by path, when its outputs do not tell (a single [N, C] output is
                     read as classification, [N, K, 6] rows as detection): ${ModelTask.options.join(', ')}
  --labels a,b       class names for a model given by path
  --json             one JSON document: model, provider, fallback reasons, a result per image, timings
  --jsonl            one JSON object per line, streamed: a "run" line, a "result" line per image as it
                     finishes, a closing "summary" line (also on Ctrl+C)
  --min-score <0..1> detections below this confidence are left out (default: the threshold the Models page
                     remembers for the model, else 0.4)
  --force-cpu        run on the CPU even where a GPU provider loads
  --batch <n>        images per inference call (1..64)
  --out <dir>        where result files (masks, cut-outs, depth maps, point clouds) are written;
                     default: a new folder under the data folder's results/ (printed at the end)
  --data-dir <dir>   the studio's data folder (default: KRAKEN_DATA_DIR or the app's data folder)
  --frame-set <id>   run over a studio frame set instead (\`kraken sets\` lists them); results are stored
                     in the studio and show on the Models page; --remaining skips frames that have results`;
const IMAGE_EXT = /\.(jpe?g|png|webp|bmp|tiff?|gif|avif)$/i;

/** Runs `kraken infer …`; returns the exit code (1 when any image failed). */
export async function runInfer(argv: string[], io: CliIo): Promise<number> {
  if (wantsHelp(argv)) {
    io.out(HELP);
    return 0;
  }
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      model: { type: 'string', short: 'm' },
      task: { type: 'string' },
      labels: { type: 'string' },
      json: { type: 'boolean', default: false },
      jsonl: { type: 'boolean', default: false },
      'force-cpu': { type: 'boolean' },
      batch: { type: 'string' },
      out: { type: 'string' },
      'data-dir': { type: 'string' },
      'frame-set': { type: 'string' },
      remaining: { type: 'boolean', default: false },
      'min-score': { type: 'string' },
    },
  });
  const minScoreFlag = values['min-score'] === undefined ? undefined : Number(values['min-score']);
  if (minScoreFlag !== undefined && !(values['min-score']!.trim() !== '' && Number.isFinite(minScoreFlag) && minScoreFlag >= 0 && minScoreFlag <= 1)) {
    throw new UsageError('--min-score takes a confidence from 0 to 1 (for example 0.4).');
  }
  const batch = values.batch === undefined ? undefined : Number(values.batch);
  if (batch !== undefined && !(Number.isInteger(batch) && batch >= 1 && batch <= 64)) throw new UsageError('--batch must be 1..64 (images per inference call).');
  if (values.json && values.jsonl) throw new UsageError('give --json or --jsonl, not both.');
  if (values['frame-set'] !== undefined) {
    if (values.jsonl) throw new UsageError('--jsonl is for images given by path; a frame-set run stores its results in the studio (use --json).');
    if (!values.model || positionals.length > 0) throw new UsageError(values.model ? 'give --frame-set or images, not both.' : USAGE);
    if (values.out !== undefined || values.task !== undefined || values.labels !== undefined || minScoreFlag !== undefined) {
      throw new UsageError('--out, --task, --labels and --min-score are for images given by path; a frame-set run stores all its results in the studio (the Models page shows them at the threshold set there).');
    }
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
  const { files, skipped } = collectImages(positionals);
  for (const sk of skipped) io.err(`skipped ${quoteName(sk.file)}: ${sk.reason}`);
  if (files.length === 0) throw new AppError('INVALID_INPUT', `No images found in ${positionals.map(quoteName).join(', ')} (jpg, png, webp, bmp, tiff, gif, avif).`);
  const dataDir = values['data-dir'] ? path.resolve(values['data-dir']) : defaultDataDir(io.env);
  // Result files go where the user said, or into the data folder — never silently into the current folder.
  const outDir = values.out !== undefined ? path.resolve(values.out) : path.join(dataDir, 'results', `infer-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const form: OutputForm = values.jsonl ? 'jsonl' : values.json ? 'json' : 'text';

  return withService(dataDir, async (s) => {
    const prefs = s.prefs();
    const forceCpu = values['force-cpu'] ?? prefs.forceCpu;
    const manifest = await resolveModel(values.model!, values.task, values.labels, s);
    const companion = manifest.companion ? await s.getModel(manifest.companion).catch(() => null) : null;
    // Detections below the threshold are left out: the flag, else the one the Models page remembers for this model.
    const minScore = minScoreFlag ?? minScoreOf(prefs, manifest.id);
    const { gpus } = await s.gpus();
    const started = performance.now();
    const pipeline = await openPipeline(manifest, { forceCpu, gpus, companion });
    const loadSeconds = (performance.now() - started) / 1000;
    const out = resultWriter(form, io, {
      model: { id: manifest.id, name: manifest.name, task: manifest.task, runtime: manifest.runtime, source: manifest.source, sha256: manifest.sha256, licence: manifest.licence },
      provider: pipeline.provider,
      forceCpu,
      minScore,
      /** Every provider or backend considered, in order: used / failed / skipped, with the reason. */
      attempts: pipeline.attempts,
      fallbackReasons: pipeline.attempts.filter((a) => a.status === 'failed' || a.status === 'skipped').map((a) => `${a.name}: ${a.reason}`),
      gpus,
      loadSeconds,
      outDir,
      skipped,
    });
    let done = 0;
    let failed = 0;
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
            for (const r of items) {
              done++;
              if (!r.ok) failed++;
              out.result(files[r.key]!, r.ok ? { ...r, output: aboveMinScore(r.output, minScore) } : r);
            }
            if (io.interactive && form === 'text') io.err(progressLine(done / files.length, `${done}/${files.length} images`));
          },
        },
      );
      notices = res.notices;
      usedBatch = res.batchSize;
    } catch (err) {
      const cancelled = AppError.from(err).code === 'CANCELLED';
      // Close the JSON properly so what finished stays readable, then report the cancel or the failure.
      const seconds = (performance.now() - t0) / 1000;
      out.end({ batchSize: usedBatch, notices, seconds, imagesPerSecond: seconds > 0 ? done / seconds : null, done, failed, total: files.length, cancelled, error: cancelled ? null : AppError.from(err).toShape() });
      throw err;
    } finally {
      await pipeline.dispose();
    }
    const seconds = (performance.now() - t0) / 1000;
    if (form === 'text') {
      if (io.interactive) io.err('\n');
      for (const n of notices) io.err(n);
      io.out(`${done - failed} of ${files.length} images in ${seconds.toFixed(2)} s on ${pipeline.provider} (${(done / Math.max(seconds, 1e-9)).toFixed(1)} images/s)`);
      if (hasFiles(outDir)) io.out(`result files in ${quoteName(outDir)}`);
    }
    out.end({ batchSize: usedBatch, notices, seconds, imagesPerSecond: seconds > 0 ? done / seconds : null, done, failed, total: files.length, cancelled: false, error: null });
    return failed > 0 ? 1 : 0;
  });
}

type OutputForm = 'text' | 'json' | 'jsonl';

interface ResultWriter {
  result(file: string, r: ItemResult): void;
  end(footer: Record<string, unknown>): void;
}

function resultJson(file: string, r: ItemResult): Record<string, unknown> {
  return { file, ...(r.ok ? { ok: true, width: r.width, height: r.height, ms: r.ms, output: r.output } : { ok: false, ms: r.ms, error: r.error }) };
}

/**
 * Writes each result the moment it is known. `--json` is one document: its head (model, provider…) and the
 * opening of "results" first, each result as it comes, and the rest (timings, notices) when the run ends —
 * also when it is cancelled, so the document stays valid. `--jsonl` writes one object per line.
 */
function resultWriter(form: OutputForm, io: CliIo, head: Record<string, unknown>): ResultWriter {
  if (form === 'text') {
    return {
      result: (file, r) => io.out(`${quoteName(file)}: ${escapeLine(r.ok ? line(r.output) : `error: ${r.error.message}`)}`),
      end: () => undefined,
    };
  }
  if (form === 'jsonl') {
    io.out(JSON.stringify({ type: 'run', ...head }));
    return {
      result: (file, r) => io.out(JSON.stringify({ type: 'result', ...resultJson(file, r) })),
      end: (footer) => io.out(JSON.stringify({ type: 'summary', ...footer })),
    };
  }
  const indent = (text: string) => text.split('\n').join('\n  ');
  const headText = JSON.stringify(head, null, 2);
  // The head without its closing brace, then the results array opened; every piece ends a line, so each
  // result is out in full the moment it is written (the comma goes before the next one).
  io.out(`${headText.slice(0, headText.lastIndexOf('\n}'))},\n  "results": [\n`);
  let first = true;
  let ended = false;
  return {
    result: (file, r) => {
      io.out(`    ${first ? '' : ','}${JSON.stringify(resultJson(file, r))}\n`);
      first = false;
    },
    end: (footer) => {
      if (ended) return;
      ended = true;
      const body = Object.entries(footer).map(([k, v]) => `  ${JSON.stringify(k)}: ${indent(JSON.stringify(v, null, 2))}`);
      io.out(`  ],\n${body.join(',\n')}\n}\n`);
    },
  };
}

/** A library id, or a path to an .onnx file / TF.js folder (inspected, not imported). */
async function resolveModel(ref: string, task: string | undefined, labels: string | undefined, s: Parameters<Parameters<typeof withService>[1]>[0]): Promise<ModelManifest> {
  if (isModelPath(ref)) {
    let t: ModelTask;
    if (task !== undefined) {
      const parsed = ModelTask.safeParse(task);
      if (!parsed.success) throw new UsageError(`--task must be one of ${ModelTask.options.join(', ')}.`);
      t = parsed.data;
    } else {
      const outputs = await modelOutputs(ref);
      const guessed = guessTaskFromOutputs(outputs);
      if (!guessed) {
        throw new UsageError(
          `cannot tell the task of ${quoteName(path.basename(ref))} from its outputs (${outputs.map((o) => `${o.name} [${o.shape.join(', ')}]`).join(', ')}); give --task (${ModelTask.options.join(', ')}).`,
        );
      }
      t = guessed;
    }
    return s.library.inspect({ path: ref, task: t, labels: labels?.split(',').map((l) => l.trim()) });
  }
  return s.runnableModel(ref);
}

/** The outputs of a model given by path (an .onnx file, a TF.js model.json or its folder). */
async function modelOutputs(ref: string): Promise<TensorSpec[]> {
  if (ref.toLowerCase().endsWith('.onnx')) return (await inspectOnnx(ref)).outputs;
  const json = fs.statSync(ref).isDirectory() ? path.join(ref, 'model.json') : ref;
  return inspectTfjs(json).outputs;
}

function hasFiles(dir: string): boolean {
  try {
    return fs.readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}

function isModelPath(ref: string): boolean {
  return fs.existsSync(ref) && (ref.toLowerCase().endsWith('.onnx') || ref.toLowerCase().endsWith('.json') || fs.statSync(ref).isDirectory());
}

interface Skipped {
  file: string;
  reason: string;
}

/** The images to run: files given by path, and the image files directly in folders given by path. */
function collectImages(args: string[]): { files: string[]; skipped: Skipped[] } {
  const files: string[] = [];
  const skipped: Skipped[] = [];
  for (const a of args) {
    let st: fs.Stats;
    try {
      st = fs.statSync(a);
    } catch {
      throw new AppError('NOT_FOUND', `No such file or folder: ${quoteName(a)}`);
    }
    if (st.isDirectory()) {
      for (const f of fs.readdirSync(a).sort()) {
        if (!IMAGE_EXT.test(f)) continue;
        const file = path.resolve(a, f);
        // A folder named x.jpg, a socket, or a link to nothing: not an image, and no reason to stop the run.
        let kind: fs.Stats | null = null;
        try {
          kind = fs.statSync(file);
        } catch {
          /* a broken link */
        }
        if (kind?.isFile()) files.push(file);
        else skipped.push({ file, reason: kind?.isDirectory() ? 'a folder, not an image file' : kind ? 'not a regular file' : 'a link to nothing' });
      }
    } else if (st.isFile()) files.push(path.resolve(a));
    else skipped.push({ file: path.resolve(a), reason: 'not a regular file' });
  }
  return { files, skipped };
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
