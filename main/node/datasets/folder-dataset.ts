/**
 * A dataset as a folder on disk (`kraken dataset check|pack <dir>`): class sub-folders (`<dir>/<class>/*.jpg`), or
 * already split (`<dir>/train/<class>/…`, `val/…`, `test/…`). An unsplit folder is split the way a studio dataset is
 * (split.ts, duplicates kept together), so the check sees the same split the package will carry.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../common/app-error';
import { say } from '../../common/messages';
import type { CheckOptions, HealthReport } from '../../common/contract/datasets';
import { checkDataset } from './health-check';
import { IMAGE_EXTENSIONS, inspectImage, type ImageInfo } from './image-info';
import { packDataset, type PackResult } from './pack';
import { DEFAULT_RATIOS, DEFAULT_SEED, splitDataset, type SplitName, type SplitRatios } from './split';

const SPLIT_DIRS: Record<string, SplitName> = { train: 'train', training: 'train', val: 'val', valid: 'val', validation: 'val', test: 'test', testing: 'test' };

export interface FolderEntry {
  abs: string;
  /** Relative to the folder, with forward slashes. */
  rel: string;
  className: string;
  split: SplitName | null;
}

export interface FolderScan {
  entries: FolderEntry[];
  classes: string[];
  /** True when the folder was already split into train/val/test. */
  presplit: boolean;
  /** Files that are not images by name (skipped), relative. */
  skipped: string[];
}

const visible = (name: string) => !name.startsWith('.') && name !== '__MACOSX';

function subdirs(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && visible(d.name))
    .map((d) => d.name)
    .sort();
}

/** Lists the images of a class folder tree (every level below the class folder counts for that class). */
function walk(dir: string, base: string, out: { files: string[]; skipped: string[] }): void {
  for (const d of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!visible(d.name)) continue;
    const abs = path.join(dir, d.name);
    if (d.isDirectory()) walk(abs, base, out);
    else if (d.isFile()) (IMAGE_EXTENSIONS.test(d.name) ? out.files : out.skipped).push(abs);
  }
}

/** Reads the folder's layout; refuses a folder with no class sub-folder. */
export function scanFolder(dir: string): FolderScan {
  let top: string[];
  try {
    if (!fs.statSync(dir).isDirectory()) throw new AppError('INVALID_INPUT', say('dataset.not_a_folder', { path: dir }));
    top = subdirs(dir);
  } catch (err) {
    throw AppError.from(err);
  }
  const rel = (abs: string) => path.relative(dir, abs).split(path.sep).join('/');
  const entries: FolderEntry[] = [];
  const skipped: string[] = [];
  const presplit = top.length > 0 && top.every((t) => SPLIT_DIRS[t.toLowerCase()] !== undefined);
  const addClass = (classDir: string, className: string, split: SplitName | null) => {
    const found = { files: [] as string[], skipped: [] as string[] };
    walk(classDir, classDir, found);
    for (const f of found.files) entries.push({ abs: f, rel: rel(f), className: className.normalize('NFC'), split });
    skipped.push(...found.skipped.map(rel));
  };
  if (presplit) {
    for (const s of top) for (const c of subdirs(path.join(dir, s))) addClass(path.join(dir, s, c), c, SPLIT_DIRS[s.toLowerCase()]!);
  } else {
    for (const c of top) addClass(path.join(dir, c), c, null);
  }
  for (const d of fs.readdirSync(dir, { withFileTypes: true })) if (d.isFile() && visible(d.name)) skipped.push(d.name);
  if (top.length === 0) throw new AppError('INVALID_INPUT', say('dataset.no_class_folders', { path: dir }));
  const classes = [...new Set(entries.map((e) => e.className))];
  // Empty class folders still count as declared classes (the check names them).
  const declared = presplit ? [...new Set(top.flatMap((s) => subdirs(path.join(dir, s)).map((c) => c.normalize('NFC'))))] : top.map((c) => c.normalize('NFC'));
  return { entries, classes: [...new Set([...declared, ...classes])], presplit, skipped };
}

export interface FolderCheck {
  scan: FolderScan;
  infos: ImageInfo[];
  /** Each entry's split (given by the folder, or computed). */
  splits: SplitName[];
  report: HealthReport;
}

export interface FolderOptions {
  check?: Partial<CheckOptions>;
  ratios?: SplitRatios;
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** Scans, inspects every image, splits an unsplit folder and runs the health check. */
export async function checkFolder(dir: string, options: FolderOptions = {}): Promise<FolderCheck> {
  const scan = scanFolder(dir);
  const infos: ImageInfo[] = [];
  for (const e of scan.entries) {
    if (options.signal?.aborted) throw new AppError('CANCELLED', say('error.cancelled', {}));
    infos.push(await inspectImage(e.abs));
    options.onProgress?.(infos.length, scan.entries.length);
  }
  let splits: SplitName[];
  if (scan.presplit) splits = scan.entries.map((e) => e.split!);
  else {
    const m = splitDataset(
      scan.entries.map((e, i) => ({ key: e.rel, className: e.className, group: infos[i]!.sha256 ? `sha:${infos[i]!.sha256}` : undefined })),
      { ratios: options.ratios ?? DEFAULT_RATIOS, seed: options.seed ?? DEFAULT_SEED },
    );
    splits = scan.entries.map((e) => m.get(e.rel)!);
  }
  const report = checkDataset({
    entries: scan.entries.map((e, i) => ({ key: e.rel, file: e.rel, className: e.className, split: splits[i]!, info: infos[i]! })),
    classes: scan.classes,
    options: options.check,
  });
  return { scan, infos, splits, report };
}

/** Checks the folder and packs its readable images as an imagefolder zip; refused when the check has errors unless forced. */
export async function packFolder(dir: string, out: string, options: FolderOptions & { force?: boolean; name?: string; checked?: FolderCheck } = {}): Promise<{ check: FolderCheck; pack: PackResult }> {
  if (fs.existsSync(out)) throw new AppError('CONFLICT', say('dataset.file_exists', { path: out }));
  const check = options.checked ?? (await checkFolder(dir, options));
  if (!check.report.ok && !options.force) {
    throw new AppError('CONFLICT', say('dataset.check_errors_force', { count: check.report.counts.error }), { errors: check.report.counts.error });
  }
  const items = check.scan.entries
    .map((e, i) => ({ e, i }))
    .filter(({ i }) => check.infos[i]!.ok)
    .map(({ e, i }) => {
      const info = check.infos[i]!;
      return { abs: e.abs, className: e.className, split: check.splits[i]!, name: path.basename(e.abs), width: info.ok ? info.width : null, height: info.ok ? info.height : null };
    });
  const classes = check.scan.classes.filter((c) => items.some((it) => it.className === c));
  const pack = await packDataset(items, out, { format: 'imagefolder', classes, name: options.name ?? path.basename(path.resolve(dir)), seed: check.scan.presplit ? undefined : (options.seed ?? DEFAULT_SEED), signal: options.signal });
  return { check, pack };
}
