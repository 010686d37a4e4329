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
import { parseCloudArgs as parse, wholeNumber } from '../cloud-args';

const LOCAL = '[--min-size <W>x<H>] [--min-per-class <N>] [--seed <N>] [--json]';

export const DATASET_HELP: Record<string, string> = {
  check: `usage: kraken dataset check <dir> ${LOCAL}\n  The local health check of a folder of class sub-folders (<dir>/<class>/*.jpg, or <dir>/train|val|test/<class>/…):\n  images per class and balance, exact and near duplicates, unreadable files, images below --min-size (the model's\n  input, e.g. 224x224), classes with too few images, train/val leakage (an unsplit folder is split 80/10/10 with\n  --seed, as pack does). Exit 1 when it finds an error.`,
  pack: `usage: kraken dataset pack <dir> --out <file.zip> [--force] ${LOCAL}\n  Checks the folder, then writes an imagefolder zip (train/<class>/…, val/<class>/…, test/<class>/…, dataset.json)\n  of its readable images. Refused when the check finds an error, unless --force.`,
};

function groupHelp(): string {
  return [
    'usage: kraken dataset <command> [options]   (training datasets)',
    '',
    ...Object.values(DATASET_HELP).map((h) => '  ' + h.split('\n')[0]!.replace('usage: ', '')),
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
    default:
      return pack(rest, io, line);
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
