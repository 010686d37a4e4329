/**
 * `kraken dataset <command>` — training datasets. `check` and `pack` work on a folder of class sub-folders, locally
 * and offline (the same health check and package as the studio's dataset builder); `upload`, `list`, `show` and
 * `validate` talk to the vision training platform (seed 001 §3) through the studio's VisionService.
 * A check with errors exits 1; a refusal is one stderr line, exit 1.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../common/app-error';
import type { HealthReport } from '../../common/contract/datasets';
import { checkFolder, packFolder } from '../../node/datasets/folder-dataset';
import { reportLines } from '../../node/datasets/health-text';
import { UsageError, progressLine, type CliIo } from '../cli-io';
import { CLOUD_COMMON as COMMON, cliDataDir, parseCloudArgs as parse, wholeNumber } from '../cloud-args';
import { openVisionKit, type VisionKit } from '../../node/cloud/vision/kit';
import type { VisionDataset, VisionValidation } from '../../common/contract';

const LOCAL = '[--min-size <W>x<H>] [--min-per-class <N>] [--seed <N>] [--json]';

export const DATASET_HELP: Record<string, string> = {
  check: `usage: kraken dataset check <dir> ${LOCAL}\n  The local health check of a folder of class sub-folders (<dir>/<class>/*.jpg, or <dir>/train|val|test/<class>/…):\n  images per class and balance, exact and near duplicates, unreadable files, images below --min-size (the model's\n  input, e.g. 224x224), classes with too few images, train/val leakage (an unsplit folder is split 80/10/10 with\n  --seed, as pack does). Exit 1 when it finds an error.`,
  pack: `usage: kraken dataset pack <dir> --out <file.zip> [--force] ${LOCAL}\n  Checks the folder, then writes an imagefolder zip (train/<class>/…, val/<class>/…, test/<class>/…, dataset.json)\n  of its readable images. Refused when the check finds an error, unless --force.`,
  upload: `usage: kraken dataset upload <file.zip> --name <N> --format <F> [--description <D>] ${COMMON}\n  POST /datasets/upload (multipart file, name, format, description; streamed with progress): prints the dataset id.\n  Formats: imagefolder (kraken dataset pack), coco. Sign in first: kraken train login.`,
  list: `usage: kraken dataset list [--page <N>] [--limit <N>] ${COMMON}\n  GET /datasets: id, name, format, status, files.`,
  show: `usage: kraken dataset show <id> ${COMMON}\n  GET /datasets/{id}: statistics and class counts.`,
  validate: `usage: kraken dataset validate <id> [--classes <N>] [--format <F>] ${COMMON}\n  POST /datasets/{id}/validate: issues by severity and recommendations. Exit 1 when the platform finds it invalid.`,
};

function groupHelp(): string {
  return [
    'usage: kraken dataset <command> [options]   (training datasets)',
    '',
    ...Object.values(DATASET_HELP).map((h) => '  ' + h.split('\n')[0]!.replace('usage: ', '')),
    '',
    'check and pack work offline. The others reach the vision platform: --api <url> (the base includes /api/v1), else the',
    'saved setting, else KRAKEN_VISION_URL; sign in first with kraken train login.',
  ].join('\n');
}

/** Runs `kraken dataset …`; returns the exit code. */
export async function runDataset(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(groupHelp());
    return sub ? 0 : 2;
  }
  const usage = DATASET_HELP[sub];
  if (!usage) throw new UsageError(`unknown command "${sub}". Run \`kraken dataset --help\`.`);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(usage);
    return 0;
  }
  const line = usage.split('\n')[0]!;
  switch (sub) {
    case 'check':
      return check(rest, io, line);
    case 'pack':
      return pack(rest, io, line);
    case 'upload':
      return upload(rest, io, line);
    case 'list':
      return list(rest, io, line);
    case 'show':
      return show(rest, io, line);
    default:
      return validate(rest, io, line);
  }
}

const localOptions = { 'min-size': { type: 'string' }, 'min-per-class': { type: 'string' }, seed: { type: 'string' } } as const;

function minSize(v: string | undefined): { width: number; height: number } | null {
  if (v === undefined) return null;
  const m = /^(\d{1,5})(?:x(\d{1,5}))?$/i.exec(v.trim());
  if (!m || Number(m[1]) < 1 || (m[2] !== undefined && Number(m[2]) < 1) || Number(m[1]) > 8192 || Number(m[2] ?? m[1]) > 8192) {
    throw new UsageError(`--min-size takes <W>x<H> (or one number for both) from 1 to 8192, not "${v}".`);
  }
  return { width: Number(m[1]), height: Number(m[2] ?? m[1]) };
}

function localArgs(values: { 'min-size'?: string; 'min-per-class'?: string; seed?: string }) {
  return {
    check: { minInputSize: minSize(values['min-size']), ...(values['min-per-class'] !== undefined ? { minPerClass: wholeNumber(values['min-per-class'], '--min-per-class', 1, 10_000)! } : {}) },
    seed: wholeNumber(values.seed, '--seed', 0, 2 ** 31 - 1),
  };
}

function oneDir(positionals: string[], usage: string): string {
  if (positionals.length !== 1 || !positionals[0]!.trim()) throw new UsageError(usage);
  return path.resolve(positionals[0]!);
}

function progress(io: CliIo, json: boolean, label: string) {
  if (!io.interactive || json) return undefined;
  return (done: number, total: number) => io.err(progressLine(done / total, `${label} ${done}/${total}`));
}

function printReport(io: CliIo, report: HealthReport, skipped: string[]): void {
  for (const l of reportLines(report)) io.out(l);
  if (skipped.length) io.out(`(${skipped.length} file(s) skipped: not .jpg, .png or .webp)`);
}

async function check(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, localOptions, usage);
  const dir = oneDir(positionals, usage);
  const a = localArgs(values);
  const r = await checkFolder(dir, { check: a.check, seed: a.seed, signal: io.signal, onProgress: progress(io, values.json, 'checking') });
  if (io.interactive && !values.json) io.err('\n');
  if (values.json) io.out(JSON.stringify({ dir, presplit: r.scan.presplit, skipped: r.scan.skipped, report: r.report }));
  else printReport(io, r.report, r.scan.skipped);
  return r.report.ok ? 0 : 1;
}

async function pack(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, { ...localOptions, out: { type: 'string' }, force: { type: 'boolean', default: false } }, usage);
  const dir = oneDir(positionals, usage);
  if (!values.out) throw new UsageError(usage);
  const out = path.resolve(values.out);
  if (!out.toLowerCase().endsWith('.zip')) throw new UsageError(`--out names the .zip to write, not "${values.out}".`);
  const a = localArgs(values);
  if (fs.existsSync(out)) throw new AppError('CONFLICT', `${out} already exists; choose a new file name.`);
  const checked = await checkFolder(dir, { check: a.check, seed: a.seed, signal: io.signal, onProgress: progress(io, values.json, 'checking') });
  if (io.interactive && !values.json) io.err('\n');
  if (!checked.report.ok && !values.force) {
    // The report says why: printed (or given as JSON on stdout) before the one-line refusal.
    if (values.json) io.out(JSON.stringify({ file: null, report: checked.report }));
    else printReport(io, checked.report, checked.scan.skipped);
    throw new AppError('CONFLICT', `the health check found ${checked.report.counts.error} error(s); fix them or pack with --force.`);
  }
  const r = await packFolder(dir, out, { checked, force: values.force, seed: a.seed, signal: io.signal });
  if (values.json) io.out(JSON.stringify({ file: out, format: 'imagefolder', bytes: r.pack.bytes, entries: r.pack.entries, report: r.check.report }));
  else {
    printReport(io, r.check.report, r.check.scan.skipped);
    io.out(`Wrote ${out} (imagefolder, ${r.pack.entries} entries, ${r.pack.bytes} bytes).`);
  }
  return 0;
}

// ---- the vision platform's datasets (seed 001 §3) ----

async function withKit<T>(values: { api?: string; 'data-dir'?: string }, io: CliIo, fn: (k: VisionKit) => Promise<T>): Promise<T> {
  const k = openVisionKit({ dataDir: cliDataDir(values, io), api: values.api, env: io.env });
  try {
    return await fn(k);
  } finally {
    k.close();
  }
}

function oneId(positionals: string[], usage: string): string {
  if (positionals.length !== 1 || !positionals[0]!.trim()) throw new UsageError(usage);
  return positionals[0]!.trim();
}

function datasetText(d: VisionDataset): string {
  const lines = [`${d.datasetId}  ${d.name}  ${d.format ?? '?'}  ${d.status ?? '?'}  ${d.fileCount ?? '?'} file(s)${d.sizeMb !== null ? `  ${d.sizeMb} MB` : ''}`];
  const st = d.statistics;
  if (st) {
    lines.push(`  images ${st.totalImages ?? '?'}: train ${st.trainImages ?? '?'}, val ${st.valImages ?? '?'}, test ${st.testImages ?? '?'}`);
    for (const c of st.classes) lines.push(`  ${c.name}  ${c.count}`);
  }
  return lines.join('\n');
}

async function upload(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, { name: { type: 'string' }, format: { type: 'string' }, description: { type: 'string' } }, usage);
  const file = path.resolve(oneId(positionals, usage));
  if (!values.name?.trim() || !values.format?.trim()) throw new UsageError(usage);
  const d = await withKit(values, io, (k) =>
    k.service.uploadDataset(
      file,
      { name: values.name!, format: values.format!, description: values.description },
      io.interactive && !values.json ? (p) => io.err(progressLine(p.totalBytes ? p.sentBytes / p.totalBytes : 0, `uploading ${p.sentBytes}/${p.totalBytes} bytes`)) : undefined,
      io.signal,
    ),
  );
  if (io.interactive && !values.json) io.err('\n');
  io.out(values.json ? JSON.stringify(d) : `Uploaded ${path.basename(file)} as ${d.datasetId} (${d.status ?? 'status unknown'}).`);
  return 0;
}

async function list(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, { page: { type: 'string' }, limit: { type: 'string' } }, usage);
  if (positionals.length) throw new UsageError(usage);
  const r = await withKit(values, io, (k) => k.service.listDatasets({ page: wholeNumber(values.page, '--page', 1, 100_000), limit: wholeNumber(values.limit, '--limit', 1, 100) }));
  if (values.json) io.out(JSON.stringify(r));
  else if (r.datasets.length === 0) io.out('No datasets on the platform yet (kraken dataset upload <file.zip> …).');
  else io.out(r.datasets.map((d) => datasetText({ ...d, statistics: null })).join('\n'));
  return 0;
}

async function show(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, {}, usage);
  const id = oneId(positionals, usage);
  const d = await withKit(values, io, (k) => k.service.getDataset(id));
  io.out(values.json ? JSON.stringify(d) : datasetText(d));
  return 0;
}

function validationText(v: VisionValidation): string {
  const order = ['error', 'warning', 'info'];
  const lines = [`${v.datasetId}: ${v.valid ? 'valid' : 'NOT valid'}`];
  for (const i of [...v.issues].sort((a, b) => order.indexOf(a.severity) - order.indexOf(b.severity))) {
    lines.push(`${i.severity.toUpperCase()} ${i.message}${i.details ? ` ${JSON.stringify(i.details)}` : ''}`);
  }
  for (const r of v.recommendations) lines.push(`recommended: ${r}`);
  return lines.join('\n');
}

async function validate(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, { classes: { type: 'string' }, format: { type: 'string' } }, usage);
  const id = oneId(positionals, usage);
  const classes = wholeNumber(values.classes, '--classes', 1, 100_000);
  const v = await withKit(values, io, (k) => k.service.validateDataset(id, { expectedClasses: classes, expectedFormat: values.format }));
  io.out(values.json ? JSON.stringify(v) : validationText(v));
  return v.valid ? 0 : 1;
}
