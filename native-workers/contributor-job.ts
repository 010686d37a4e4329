/**
 * A contributor job, in its own process: runs the job folder's model over its inputs through the studio's ONNX
 * pipeline, saves each finished input as a checkpoint file, reports progress on stdout. It is handed only names
 * inside its folder (job.json), runs confined where the platform allows (bubblewrap on Linux; Node's permission
 * model for the JavaScript side — onnxruntime's native code is not fenced by it), and exits when its parent goes
 * (stdin closes) or its memory passes the limit.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../main/common/app-error';
import type { InferenceOutput, ModelManifest } from '../main/common/contract/inference';
import { runBatches } from '../main/node/inference/batch-runner';
import { openPipeline, type TaskPipeline } from '../main/node/inference/pipeline';
import type { CheckpointFile, ContributorJobFile, FromContributorJob, JobErrorKind, JobOutput } from './protocol/contributor-protocol';

const jobDir = path.resolve(process.argv[2] ?? '.');
let seq = 0;
type Unsequenced = FromContributorJob extends infer M ? (M extends unknown ? Omit<M, 'seq'> : never) : never;
const send = (m: Unsequenced) => process.stdout.write(`${JSON.stringify({ ...m, seq: ++seq })}\n`);

function fail(kind: JobErrorKind, message: string): never {
  send({ type: 'error', kind, message });
  process.exit(kind === 'memory' ? 3 : 2);
}

// The parent's end of stdin closes when it exits or is killed: stop with it.
process.stdin.on('end', () => process.exit(4));
process.stdin.on('error', () => process.exit(4));
process.stdin.resume();

function inside(rel: string): string {
  const p = path.resolve(jobDir, rel);
  if (p !== jobDir && !p.startsWith(jobDir + path.sep)) fail('internal', `job.json names ${JSON.stringify(rel)}, outside the job folder`);
  return p;
}

function writeAtomic(file: string, data: string): void {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

function toOutput(task: ContributorJobFile['task'], out: InferenceOutput): JobOutput {
  if (out.task === 'classification') return { top: out.top.map((t) => ({ label: t.label, index: t.classIndex, score: t.score })) };
  if (out.task === 'detection') {
    return { boxes: out.detections.map((d) => ({ label: d.label, score: d.score, x: d.box.x, y: d.box.y, w: d.box.width, h: d.box.height })) };
  }
  throw new AppError('INTERNAL', `a ${task} job produced ${out.task} output`);
}

async function main(): Promise<void> {
  const job = JSON.parse(fs.readFileSync(inside('job.json'), 'utf8')) as ContributorJobFile;
  const outDir = inside('out');
  fs.mkdirSync(outDir, { recursive: true });
  const limitMb = job.memoryMb;
  const memCheck = setInterval(() => {
    const rss = process.memoryUsage().rss / 1048576;
    if (rss > limitMb) fail('memory', `the job used ${Math.round(rss)} MB, over its limit of ${limitMb} MB`);
  }, 500);
  memCheck.unref();

  const outFile = (index: number) => path.join(outDir, `${index}.json`);
  const todo = job.inputs.filter((i) => !fs.existsSync(outFile(i.index)));
  const total = job.inputs.length;
  let done = total - todo.length;

  const [width, height] = job.inputSize;
  const task = job.task === 'embedding' ? 'classification' : job.task;
  const manifest: ModelManifest = {
    id: 'contributor-job',
    name: 'network job',
    task,
    runtime: 'onnx',
    description: '',
    inputs: [{ name: 'input', shape: ['N', 3, height, width], type: 'float32' }],
    outputs: [{ name: '', shape: [], type: 'float32' }],
    inputSize: { width, height },
    maxSide: Math.max(width, height),
    sizeMultiple: 1,
    normalization:
      task === 'detection'
        ? { layout: 'NCHW', channelOrder: 'RGB', scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1], resize: 'letterbox', dtype: 'float32' }
        : { layout: 'NCHW', channelOrder: 'RGB', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], resize: 'stretch', dtype: 'float32' },
    postprocess: {
      kind: task === 'detection' ? 'yolov8' : job.task === 'embedding' ? 'probabilities' : 'softmax',
      scoreThreshold: 0.25,
      iouThreshold: 0.45,
      topK: 5,
      maxDetections: 100,
      minMaxMask: false,
      inverseDepth: true,
    },
    labels: job.task === 'embedding' ? [] : job.labels,
    licence: 'network job',
    licenceUrl: null,
    source: 'imported',
    sha256: '0'.repeat(64),
    sizeBytes: 0,
    location: inside(job.model),
    companion: null,
    partOf: null,
    extraFiles: {},
    addedAt: null,
  };
  let pipeline: TaskPipeline;
  try {
    pipeline = await openPipeline(manifest, { forceCpu: job.forceCpu, gpus: [], threads: job.threads });
  } catch (err) {
    fail('model', AppError.from(err).message);
  }
  send({ type: 'ready', provider: pipeline.provider, skipped: done });
  const save = (index: number, sha256: string, output: JobOutput, ms: number) => {
    const c: CheckpointFile = { input: sha256, output, ms };
    writeAtomic(outFile(index), JSON.stringify(c));
    done++;
  };

  if (job.task === 'embedding') {
    // Embeddings: the model's first output, flattened, per input (batches of the job's size).
    for (let i = 0; i < todo.length; i += Math.max(1, Math.min(job.batchSize, pipeline.maxBatch))) {
      const batch = todo.slice(i, i + Math.max(1, Math.min(job.batchSize, pipeline.maxBatch)));
      const t0 = Date.now();
      const prepared = [];
      for (const item of batch) {
        try {
          prepared.push(await pipeline.prepare(inside(item.file)));
        } catch (err) {
          fail('input', `input ${item.sha256.slice(0, 12)}… could not be read: ${AppError.from(err).message}`);
        }
      }
      const outs = await pipeline.infer(prepared);
      const ms = (Date.now() - t0) / batch.length;
      batch.forEach((item, k) => {
        const t = Object.values(outs[k]!)[0]!;
        save(item.index, item.sha256, { vector: Array.from(t.data as ArrayLike<number>, Number) }, ms);
      });
      send({ type: 'progress', done, total, rssMb: Math.round(process.memoryUsage().rss / 1048576) });
    }
  } else {
    const byKey = new Map(todo.map((i) => [i.index, i]));
    await runBatches(
      pipeline,
      todo.map((i) => ({ key: i.index, file: inside(i.file) })),
      {
        batchSize: job.batchSize,
        target: (key) => ({ root: jobDir, dir: path.join(jobDir, 'artifacts'), stem: String(key) }),
        onBatch: (results) => {
          for (const r of results) {
            const item = byKey.get(r.key)!;
            if (!r.ok) fail('input', `input ${item.sha256.slice(0, 12)}… could not be processed: ${r.error.message}`);
            save(item.index, item.sha256, toOutput(job.task, r.output), r.ms);
          }
          send({ type: 'progress', done, total, rssMb: Math.round(process.memoryUsage().rss / 1048576) });
        },
      },
    );
  }
  await pipeline.dispose();
  send({ type: 'done', done, total });
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
  fail('internal', AppError.from(err).message);
});
