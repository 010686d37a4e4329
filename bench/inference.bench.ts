/**
 * Local inference: the studio's batch pipeline (decode + preprocess + infer + store, in the worker,
 * through the job runner and SQLite) against a bare `session.run` loop over tensors decoded beforehand,
 * same model, same images, same batch size, same run. Then memory over a long run (2,000 images).
 *
 *   node --import tsx bench/inference.bench.ts [--images 500] [--memory-images 2000] [--batch 8]
 *
 * Writes bench/results/inference.json.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import type { Job } from '../main/common/contract';
import { EventBus } from '../main/node/event-bus';
import { probeGpus, sampleNvidiaUtilisation } from '../main/node/inference/gpu-info';
import { prepareImage } from '../main/node/inference/image-io';
import { InferenceService } from '../main/node/inference/inference-service';
import { createSessionWithFallback, planOnnxProviders, supportedBackends } from '../main/node/inference/providers';
import { convClassifier } from '../main/node/inference/testing/onnx-builder';
import { JobRunner } from '../main/node/jobs/job-runner';
import { nowIso, openDatabase } from '../main/node/store/database';

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '500' },
    'memory-images': { type: 'string', default: '2000' },
    batch: { type: 'string', default: '8' },
    size: { type: 'string', default: '224' },
    /** Model width: channels per stage, and 3×3 convolutions per stage after the strided one. */
    channels: { type: 'string', default: '64,128,256,512' },
    extra: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '3' },
  },
});
const N = Number(values.images);
const MEM_N = Number(values['memory-images']);
const BATCH = Number(values.batch);
const SIZE = Number(values.size);
const CHANNELS = values.channels!.split(',').map(Number);
const EXTRA = Number(values.extra);
const root = path.resolve(__dirname, '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-bench-inf-'));
const mb = (b: number) => Math.round((b / 1048576) * 10) / 10;

function log(s: string) {
  process.stdout.write(s + '\n');
}

async function main() {
  const gpu = await probeGpus();
  log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${mb(os.totalmem())} MB; GPUs: ${gpu.gpus.map((g) => g.name).join(', ') || 'none'}`);
  log(`onnxruntime-node backends: ${JSON.stringify(supportedBackends())}`);

  // 1. Images: 500 distinct 640×360 JPEG frames from ffmpeg's test source (a frame set, as extraction writes it).
  const frames = path.join(work, 'data', 'frames');
  fs.mkdirSync(frames, { recursive: true });
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=25`, '-frames:v', String(N), '-q:v', '3', path.join(frames, '%06d.jpg')]);
  const files = fs.readdirSync(frames).sort().map((f) => path.join(frames, f));
  log(`images: ${files.length} JPEG 640×360 (${mb(files.reduce((n, f) => n + fs.statSync(f).size, 0))} MB)`);

  // 2. The model: a convolutional classifier with seeded weights, 224×224 input, 1000 classes.
  const modelFile = path.join(work, 'bench-classifier.onnx');
  fs.writeFileSync(modelFile, convClassifier(SIZE, 1000, CHANNELS, 7, EXTRA));
  let macs = 0;
  let side = SIZE;
  let cin = 3;
  for (const c of CHANNELS) {
    side = Math.ceil(side / 2);
    macs += side * side * c * cin * 9 + EXTRA * side * side * c * c * 9;
    cin = c;
  }
  log(`model: ${CHANNELS.length} stages ${CHANNELS.join('/')} (+${EXTRA} conv per stage), ${(macs / 1e9).toFixed(2)} GMAC per image at ${SIZE}×${SIZE}`);

  // 3. The studio: real data folder, SQLite, job runner, worker thread.
  const dataDir = path.join(work, 'data');
  const db = openDatabase(path.join(dataDir, 'studio.db'));
  const bus = new EventBus();
  const jobs = new JobRunner(db, bus);
  const service = new InferenceService(db, dataDir, jobs);
  const now = nowIso();
  db.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (1, 'bench', ?, ?)`).run(now, now);
  db.prepare(`INSERT INTO media_sources (id, project_id, kind, name, path, size_bytes, sha256, probe_json, created_at) VALUES (1, 1, 'video', 'v', '/v', 1, 'x', '{}', ?)`).run(now);
  const addSet = (id: number, list: string[]) => {
    db.prepare(`INSERT INTO frame_sets (id, project_id, media_id, params_json, status, dir, created_at, updated_at) VALUES (?, 1, 1, '{}', 'complete', 'frames', ?, ?)`).run(id, now, now);
    const ins = db.prepare(`INSERT INTO images (project_id, frame_set_id, media_id, kind, file, width, height, frame_index, created_at, updated_at) VALUES (1, ?, 1, 'frame', ?, 640, 360, ?, ?, ?)`);
    db.transaction(() => list.forEach((f, i) => ins.run(id, path.relative(dataDir, f), i + 1, now, now)))();
  };
  addSet(1, files);
  const model = await service.importModel({ path: modelFile, task: 'classification', name: 'Bench classifier' });
  service.setPrefs({ batchSize: BATCH });

  const waitJob = (id: string) =>
    new Promise<Job>((resolve) => {
      const check = () => {
        const j = jobs.get(id);
        if (j.status !== 'running' && j.status !== 'queued') {
          off();
          resolve(j);
        }
      };
      const off = bus.on('job.updated', (j) => j.id === id && check());
      check();
    });

  const runStudio = async (frameSetId: number, onSample?: () => void) => {
    const t0 = performance.now();
    const timer = onSample ? setInterval(onSample, 250) : null;
    const { jobId, runId } = await service.startRun({ projectId: 1, modelId: model.id, frameSetId, mode: 'all', batchSize: BATCH });
    const job = await waitJob(jobId);
    if (timer) clearInterval(timer);
    const seconds = (performance.now() - t0) / 1000;
    if (job.status !== 'completed') throw new Error(`studio run ${job.status}: ${JSON.stringify(job.error)}`);
    return { seconds, run: service.runs.get(runId) };
  };

  // Warm-up (page cache, first worker start), not counted.
  await runStudio(1);

  // 4. Bare loop: same model, same provider plan, same batch size, tensors decoded and normalised beforehand.
  const manifest = await service.getModel(model.id);
  const fit = { inputSize: manifest.inputSize, maxSide: manifest.maxSide, sizeMultiple: manifest.sizeMultiple, normalization: manifest.normalization };
  const tensors: Float32Array[] = [];
  const decodeStart = performance.now();
  for (const f of files) tensors.push((await prepareImage(f, fit)).input.data as Float32Array);
  const decodeSeconds = (performance.now() - decodeStart) / 1000;
  log(`decode + preprocess alone (one at a time, for reference): ${((decodeSeconds / files.length) * 1000).toFixed(2)} ms per image`);
  const plan = planOnnxProviders({ forceCpu: false, gpus: gpu.gpus });
  const { session, provider: bareProvider } = await createSessionWithFallback(manifest.location, plan);
  const per = 3 * SIZE * SIZE;
  const batches: ort.Tensor[] = [];
  for (let i = 0; i < tensors.length; i += BATCH) {
    const n = Math.min(BATCH, tensors.length - i);
    const data = new Float32Array(n * per);
    for (let k = 0; k < n; k++) data.set(tensors[i + k]!, k * per);
    batches.push(new ort.Tensor('float32', data, [n, 3, SIZE, SIZE]));
  }
  await session.run({ image: batches[0]! }); // warm-up
  const bareOnce = async () => {
    const t0 = performance.now();
    for (const b of batches) await session.run({ image: b });
    return (performance.now() - t0) / 1000;
  };

  // 5. Alternate bare and studio rounds (the machine is shared: interleaving spreads the noise evenly)
  //    and compare medians.
  const ROUNDS = Number(values.rounds);
  const utilisation: number[] = [];
  const bareTimes: number[] = [];
  const studioTimes: number[] = [];
  let studioRun: Awaited<ReturnType<typeof runStudio>>['run'] | null = null;
  for (let r = 0; r < ROUNDS; r++) {
    bareTimes.push(await bareOnce());
    const gpuTimer = gpu.gpus.some((g) => g.vendor === 'nvidia')
      ? setInterval(() => void sampleNvidiaUtilisation().then((u) => u && utilisation.push(u.utilisation)), 200)
      : null;
    const st = await runStudio(1);
    if (gpuTimer) clearInterval(gpuTimer);
    studioTimes.push(st.seconds);
    studioRun = st.run;
    log(`round ${r + 1}: bare ${bareTimes[r]!.toFixed(2)} s, studio ${st.seconds.toFixed(2)} s`);
  }
  await session.release();
  batches.length = 0;
  tensors.length = 0;
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const bareSeconds = med(bareTimes);
  const studio = { seconds: med(studioTimes), run: studioRun! };
  const studioIps = files.length / studio.seconds;
  const bareIps = files.length / bareSeconds;
  const ratio = studioIps / bareIps;
  log(`studio pipeline (decode+preprocess+infer+store, worker, batch ${studio.run.batchSize}) on ${studio.run.provider}: median ${studio.seconds.toFixed(2)} s, ${studioIps.toFixed(1)} images/s`);
  log(`bare session.run loop on pre-decoded tensors (batch ${BATCH}) on ${bareProvider}: median ${bareSeconds.toFixed(2)} s, ${bareIps.toFixed(1)} images/s`);
  log(`ratio studio / bare: ${ratio.toFixed(3)} (target ≥ 0.9; rounds: ${studioTimes.map((t, i) => (bareTimes[i]! / t).toFixed(3)).join(', ')})`);

  // 6. Memory over a long run: MEM_N images (the frames repeated), RSS of the whole process (main + worker) sampled.
  const long: string[] = [];
  while (long.length < MEM_N) long.push(...files.slice(0, Math.min(files.length, MEM_N - long.length)));
  addSet(2, long);
  const samples: { done: number; rssMB: number; heapMB: number }[] = [];
  const doneNow = () => (db.prepare(`SELECT COUNT(*) AS n FROM inference_results r JOIN model_runs m ON m.id = r.run_id WHERE m.frame_set_id = 2`).get() as { n: number }).n;
  const sample = () => {
    const m = process.memoryUsage();
    samples.push({ done: doneNow(), rssMB: mb(m.rss), heapMB: mb(m.heapUsed) });
  };
  const longRun = await runStudio(2, sample);
  sample();
  // Growth after warm-up: compare the median RSS of the second quarter with that of the last quarter.
  const q = (a: number, b: number) => samples.filter((s) => s.done >= a * MEM_N && s.done < b * MEM_N).map((s) => s.rssMB).sort((x, y) => x - y);
  const median = (xs: number[]) => (xs.length ? xs[Math.floor(xs.length / 2)]! : NaN);
  const early = median(q(0.25, 0.5));
  const late = median(q(0.75, 1.01));
  const growthPer1000 = ((late - early) / (0.5 * MEM_N)) * 1000;
  log(`memory over ${MEM_N} images (${(MEM_N / longRun.seconds).toFixed(1)} images/s): RSS ${samples[0]?.rssMB} MB at start, median ${early} MB (25–50 %), ${late} MB (75–100 %), peak ${Math.max(...samples.map((s) => s.rssMB))} MB → ${growthPer1000.toFixed(1)} MB per 1,000 images`);

  const result = {
    benchmark: 'inference',
    date: new Date().toISOString(),
    command: `node --import tsx bench/inference.bench.ts --images ${N} --memory-images ${MEM_N} --batch ${BATCH} --channels ${CHANNELS.join(',')} --extra ${EXTRA}`,
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? null, memMB: mb(os.totalmem()), platform: `${process.platform}-${process.arch}`, node: process.version, gpus: gpu.gpus },
    onnxruntime: { version: ort.env.versions.node, backends: supportedBackends() },
    model: { kind: 'conv classifier (conv3×3 stages + ReLU, GAP, linear), seeded weights', channels: CHANNELS, extraConvsPerStage: EXTRA, gmacPerImage: macs / 1e9, input: [BATCH, 3, SIZE, SIZE], classes: 1000, sizeBytes: fs.statSync(modelFile).size },
    decodeMsPerImage: (decodeSeconds / files.length) * 1000,
    images: { count: files.length, format: 'jpeg', size: '640x360' },
    studio: { provider: studio.run.provider, batchSize: studio.run.batchSize, seconds: studio.seconds, imagesPerSecond: studioIps, notices: studio.run.notices },
    bare: { provider: bareProvider, batchSize: BATCH, seconds: bareSeconds, imagesPerSecond: bareIps },
    rounds: studioTimes.map((t, i) => ({ studioSeconds: t, bareSeconds: bareTimes[i], ratio: bareTimes[i]! / t })),
    ratio,
    target: 0.9,
    gpuUtilisation: utilisation.length ? { samples: utilisation.length, mean: utilisation.reduce((a, b) => a + b, 0) / utilisation.length, max: Math.max(...utilisation) } : null,
    memory: { images: MEM_N, seconds: longRun.seconds, rssStartMB: samples[0]?.rssMB ?? null, rssMedian25to50MB: early, rssMedian75to100MB: late, rssPeakMB: Math.max(...samples.map((s) => s.rssMB)), growthMBPer1000Images: growthPer1000, samples: samples.filter((_, i) => i % 4 === 0) },
  };
  const out = path.join(root, 'bench', 'results', 'inference.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  log(`wrote ${path.relative(root, out)}`);
  await jobs.shutdown();
  db.close();
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => {
    fs.rmSync(work, { recursive: true, force: true });
    // A failed run can leave the inference worker alive; never let a benchmark hang the machine.
    process.exit();
  });
