/**
 * `kraken models list|import|download|providers` — the model library of a data folder (KRAKEN_DATA_DIR,
 * `--data-dir`, or the app's default), bundled models included.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AppError } from '../../common/app-error';
import { ModelTask, type ModelManifest } from '../../common/contract/inference';
import { defaultDataDir } from '../../node/app-paths';
import { EventBus } from '../../node/event-bus';
import { downloadVerified } from '../../node/inference/downloader';
import { InferenceService, type InferenceServiceOptions } from '../../node/inference/inference-service';
import { JobRunner } from '../../node/jobs/job-runner';
import { openDatabase } from '../../node/store/database';
import { progressLine, UsageError, wantsHelp, type CliIo } from '../cli-io';

const USAGE = [
  'usage: kraken models list [--json]',
  '       kraken models import <file.onnx|tfjs-folder> --task <task> [--name <name>] [--labels a,b,c | --labels-file <file>] [--licence <text>] [--json]',
  '       kraken models download <catalogue-id> [--json]      (kraken models list --catalogue shows them)',
  '       kraken models providers [--json]                    GPUs, execution providers and why others were skipped',
  '  common: [--data-dir <dir>]   tasks: ' + ModelTask.options.join(', '),
].join('\n');

/**
 * Opens the data folder's library (and closes it) around `fn`, cancelling whatever `fn` left running. Jobs
 * of a studio running on the same folder are left as they are (no `recoverInterrupted` here).
 */
export async function withService<T>(
  dataDir: string,
  fn: (s: InferenceService, core: { jobs: JobRunner; bus: EventBus }) => Promise<T>,
  options: InferenceServiceOptions = {},
): Promise<T> {
  const db = openDatabase(path.join(dataDir, 'studio.db'));
  const bus = new EventBus();
  const jobs = new JobRunner(db, bus);
  try {
    return await fn(new InferenceService(db, dataDir, jobs, options), { jobs, bus });
  } finally {
    await jobs.shutdown();
    db.close();
  }
}

const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;

/** Runs `kraken models …`; returns the exit code. */
export async function runModels(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === 'help' || wantsHelp(argv)) {
    io.out(USAGE);
    return sub === undefined ? 2 : 0;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      catalogue: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      task: { type: 'string' },
      name: { type: 'string' },
      labels: { type: 'string' },
      'labels-file': { type: 'string' },
      licence: { type: 'string' },
    },
  });
  const dataDir = values['data-dir'] ? path.resolve(values['data-dir']) : defaultDataDir(io.env);
  switch (sub) {
    case 'list':
      return withService(dataDir, async (s) => {
        const models = await s.listModels();
        const catalogue = s.catalogue();
        if (values.json) {
          io.out(JSON.stringify({ dataDir, models, catalogue }, null, 2));
          return 0;
        }
        for (const m of models) io.out(`${m.id.padEnd(28)} ${m.task.padEnd(14)} ${m.runtime.padEnd(5)} ${m.source.padEnd(10)} ${mb(m.sizeBytes).padStart(9)}  ${m.name}`);
        if (values.catalogue || models.length > 0) {
          io.out('\ndownloadable (kraken models download <id>):');
          for (const c of catalogue) io.out(`${c.id.padEnd(28)} ${c.task.padEnd(14)} ${mb(c.sizeBytes).padStart(9)}  ${c.installed ? 'installed' : c.licence}`);
        }
        return 0;
      });
    case 'import': {
      const src = positionals[0];
      const task = ModelTask.safeParse(values.task);
      if (!src || positionals.length > 1 || !task.success) throw new UsageError(USAGE);
      const labels = readLabels(values.labels, values['labels-file']);
      return withService(dataDir, async (s) => {
        const m = await s.importModel({ path: src, task: task.data, name: values.name, labels, licence: values.licence });
        if (values.json) io.out(JSON.stringify(m, null, 2));
        else io.out(describe(m));
        return 0;
      });
    }
    case 'download': {
      const id = positionals[0];
      if (!id || positionals.length > 1) throw new UsageError(USAGE);
      return withService(dataDir, async (s) => {
        const item = s.library.catalogueItem(id);
        const dir = s.library.modelDir(id);
        fs.mkdirSync(dir, { recursive: true });
        const res = await downloadVerified({
          url: item.url,
          dest: path.join(dir, 'model.onnx'),
          sha256: item.sha256,
          sizeBytes: item.sizeBytes,
          signal: io.signal,
          onStage: (stage, host) => {
            if (stage === 'connecting' && io.interactive && !values.json) io.err(`\rconnecting to ${host}…`);
          },
          onProgress: (p) => {
            if (io.interactive && !values.json) io.err(progressLine(p.received / p.total, `${mb(p.received)} of ${mb(p.total)}`));
          },
        });
        if (io.interactive && !values.json) io.err('\n');
        const m = await s.library.installDownloaded(item, res.path);
        if (values.json) io.out(JSON.stringify({ model: m, bytes: res.bytes, connections: res.connections, resumedFrom: res.resumedFrom }, null, 2));
        else io.out(`${describe(m)}\nverified SHA-256 ${item.sha256}`);
        return 0;
      });
    }
    case 'providers':
      return withService(dataDir, async (s) => {
        const r = await s.providers(true);
        if (values.json) {
          io.out(JSON.stringify(r, null, 2));
          return 0;
        }
        io.out(`platform ${r.platform}${r.forceCpu ? ' (force CPU is on)' : ''}`);
        io.out(r.gpus.length ? r.gpus.map((g) => `GPU: ${g.name}${g.memoryMiB ? `, ${g.memoryMiB} MiB` : ''}${g.driver ? `, driver ${g.driver}` : ''} (${g.source})`).join('\n') : `GPU: none (${r.gpuProblem})`);
        io.out(`ONNX Runtime ${r.onnx.version}: runs on ${r.onnx.selected ?? 'nothing'}`);
        for (const a of r.onnx.attempts) io.out(`  ${a.name.padEnd(8)} ${a.status.padEnd(9)} ${a.reason ?? ''}`);
        io.out(`TensorFlow.js ${r.tfjs.version}: ${r.tfjs.selected ?? 'nothing'}`);
        for (const a of r.tfjs.attempts) io.out(`  ${a.name.padEnd(14)} ${a.status.padEnd(9)} ${a.reason ?? ''}`);
        if (r.cuda.hint) io.out(r.cuda.hint);
        return 0;
      });
    default:
      throw new UsageError(USAGE);
  }
}

function readLabels(inline: string | undefined, file: string | undefined): string[] | undefined {
  if (inline && file) throw new UsageError('give --labels or --labels-file, not both');
  if (inline) return inline.split(',').map((l) => l.trim());
  if (file) {
    try {
      return fs.readFileSync(file, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    } catch (err) {
      throw AppError.from(err);
    }
  }
  return undefined;
}

function describe(m: ModelManifest): string {
  const size = m.inputSize ? `${m.inputSize.width}×${m.inputSize.height}` : `any size ≤ ${m.maxSide}`;
  return `${m.id}: ${m.name} — ${m.task}, ${m.runtime}, input ${m.inputs[0]?.name} [${m.inputs[0]?.shape.join(', ')}] (${size}), ${m.labels.length} labels, ${m.postprocess.kind} decoder, licence ${m.licence}`;
}
