/**
 * The local health check of a dataset, before any upload: images per class and balance, exact duplicates (SHA-256)
 * and near duplicates (dHash), unreadable files, images below the model's input size, classes with too few images,
 * and leakage between train and val/test. Pure over the inspected files (image-info.ts does the reading), so every
 * finding is testable without a disk. Each issue is a code with params; the page translates, the CLI uses
 * health-text.ts.
 */
import type { CheckOptions, HealthIssue, HealthReport, HealthSeverity } from '../../common/contract/datasets';
import { hashWords, type ImageInfo } from './image-info';
import type { SplitName } from './split';

export interface CheckEntry {
  key: string;
  /** How the file is named in the report (relative path). */
  file: string;
  className: string;
  split: SplitName | null;
  info: ImageInfo;
}

export interface CheckInput {
  entries: readonly CheckEntry[];
  /** Every class the creator declared, also those left empty. */
  classes?: readonly string[];
  task?: 'classification' | 'detection';
  options?: Partial<CheckOptions>;
  now?: () => Date;
}

export const DEFAULT_CHECK: CheckOptions = { minInputSize: null, minPerClass: 2, recommendedPerClass: 10, imbalanceRatio: 1.5, nearThreshold: 5 };
const MAX_FILES = 50;

function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

class UnionFind {
  private readonly parent: number[];
  constructor(n: number) {
    this.parent = Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]!]!;
      i = this.parent[i]!;
    }
    return i;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

const files = (list: readonly CheckEntry[]): string[] => list.slice(0, MAX_FILES).map((e) => e.file);

/** Runs every check and returns the report (ok = no error). */
export function checkDataset(input: CheckInput): HealthReport {
  const opt: CheckOptions = { ...DEFAULT_CHECK, ...input.options };
  const task = input.task ?? 'classification';
  const issues: HealthIssue[] = [];
  const add = (severity: HealthSeverity, code: HealthIssue['code'], params: HealthIssue['params'], list: string[] = []) => issues.push({ severity, code, params, files: list.slice(0, MAX_FILES) });

  const entries = input.entries;
  const good = entries.filter((e): e is CheckEntry & { info: Extract<ImageInfo, { ok: true }> } => e.info.ok);
  const bad = entries.filter((e) => !e.info.ok);

  // Classes in the order declared, then any others found, each with its counts.
  const classNames = [...new Set([...(input.classes ?? []), ...entries.map((e) => e.className)])];
  const classes = classNames.map((name) => {
    const mine = good.filter((e) => e.className === name);
    return {
      name,
      total: mine.length,
      train: mine.filter((e) => e.split === 'train').length,
      val: mine.filter((e) => e.split === 'val').length,
      test: mine.filter((e) => e.split === 'test').length,
      unreadable: bad.filter((e) => e.className === name).length,
    };
  });

  for (const e of bad) add('error', 'CORRUPT_IMAGE', { file: e.file, className: e.className, reason: e.info.ok ? '' : e.info.reason }, [e.file]);

  if (good.length === 0) add('error', 'NO_IMAGES', { unreadable: bad.length });
  if (task === 'classification' && classes.filter((c) => c.total > 0).length < 2) add('error', 'TOO_FEW_CLASSES', { count: classes.filter((c) => c.total > 0).length, min: 2 });

  for (const c of classes) {
    if (c.total < opt.minPerClass) add('error', 'CLASS_TOO_FEW_IMAGES', { className: c.name, count: c.total, min: opt.minPerClass }, files(good.filter((e) => e.className === c.name)));
    else if (c.total < opt.recommendedPerClass) add('warning', 'CLASS_FEW_IMAGES', { className: c.name, count: c.total, recommended: opt.recommendedPerClass });
  }

  const sized = classes.filter((c) => c.total > 0);
  if (sized.length >= 2) {
    const largest = sized.reduce((a, b) => (b.total > a.total ? b : a));
    const smallest = sized.reduce((a, b) => (b.total < a.total ? b : a));
    const ratio = largest.total / smallest.total;
    if (ratio > opt.imbalanceRatio) {
      add('warning', 'CLASS_IMBALANCE', { largest: largest.name, largestCount: largest.total, smallest: smallest.name, smallestCount: smallest.total, ratio: Number(ratio.toFixed(2)), limit: opt.imbalanceRatio });
    }
  }

  // Exact duplicates: the same bytes more than once.
  const bySha = new Map<string, (typeof good)[number][]>();
  for (const e of good) {
    const list = bySha.get(e.info.sha256);
    if (list) list.push(e);
    else bySha.set(e.info.sha256, [e]);
  }
  const dupGroups = [...bySha.values()].filter((g) => g.length > 1);
  const sameClassDups = dupGroups.filter((g) => new Set(g.map((e) => e.className)).size === 1);
  if (sameClassDups.length > 0) {
    add('warning', 'EXACT_DUPLICATES', { groups: sameClassDups.length, images: sameClassDups.reduce((s, g) => s + g.length, 0) }, sameClassDups.flatMap((g) => g.map((e) => e.file)));
  }
  for (const g of dupGroups.filter((x) => new Set(x.map((e) => e.className)).size > 1)) {
    add('error', 'DUPLICATE_ACROSS_CLASSES', { file: g[0]!.file, classes: [...new Set(g.map((e) => e.className))].join(', '), images: g.length }, g.map((e) => e.file));
  }

  // Near duplicates: every pair within the threshold, files of different bytes (exact ones are reported above).
  const words = good.map((e) => hashWords(e.info.dhash));
  const uf = new UnionFind(good.length);
  const nearPairs: [number, number][] = [];
  for (let i = 0; i < good.length; i++) {
    const [a1, a2] = words[i]!;
    for (let j = i + 1; j < good.length; j++) {
      const [b1, b2] = words[j]!;
      const d = popcount32((a1 ^ b1) >>> 0) + popcount32((a2 ^ b2) >>> 0);
      if (d <= opt.nearThreshold && good[i]!.info.sha256 !== good[j]!.info.sha256) {
        uf.union(i, j);
        nearPairs.push([i, j]);
      }
    }
  }
  if (nearPairs.length > 0) {
    const groups = new Map<number, number[]>();
    for (const [i, j] of nearPairs) {
      for (const k of [i, j]) {
        const r = uf.find(k);
        const g = groups.get(r) ?? [];
        if (!g.includes(k)) g.push(k);
        groups.set(r, g);
      }
    }
    const members = [...groups.values()];
    add('info', 'NEAR_DUPLICATES', { groups: members.length, images: members.reduce((s, g) => s + g.length, 0), threshold: opt.nearThreshold }, members.flatMap((g) => g.map((k) => good[k]!.file)));
  }

  if (opt.minInputSize) {
    const { width, height } = opt.minInputSize;
    const small = good.filter((e) => e.info.width < width || e.info.height < height);
    if (small.length > 0) {
      const smallest = small.reduce((a, b) => (b.info.width * b.info.height < a.info.width * a.info.height ? b : a));
      add('warning', 'IMAGE_TOO_SMALL', { count: small.length, minWidth: width, minHeight: height, smallestWidth: smallest.info.width, smallestHeight: smallest.info.height }, files(small));
    }
  }

  const split = good.some((e) => e.split !== null);
  if (split) {
    for (const c of classes) {
      if (c.total >= opt.minPerClass && c.val === 0) add('warning', 'CLASS_MISSING_FROM_SPLIT', { className: c.name, split: 'val' });
    }
    // Leakage: the same bytes, or a near-identical picture, on the training side and on a held-out side.
    const exact = dupGroups.filter((g) => g.some((e) => e.split === 'train') && g.some((e) => e.split === 'val' || e.split === 'test'));
    if (exact.length > 0) {
      const held = exact.flatMap((g) => g.filter((e) => e.split !== 'train'));
      add('error', 'LEAKAGE_EXACT', { count: held.length }, held.map((e) => e.file));
    }
    const nearHeld = new Set<number>();
    for (const [i, j] of nearPairs) {
      const si = good[i]!.split;
      const sj = good[j]!.split;
      if (si === 'train' && (sj === 'val' || sj === 'test')) nearHeld.add(j);
      if (sj === 'train' && (si === 'val' || si === 'test')) nearHeld.add(i);
    }
    if (nearHeld.size > 0) {
      const held = [...nearHeld].sort((a, b) => a - b).map((k) => good[k]!);
      add('warning', 'LEAKAGE_NEAR', { count: held.length, heldOut: good.filter((e) => e.split === 'val' || e.split === 'test').length, threshold: opt.nearThreshold }, held.map((e) => e.file));
    }
  }

  const rank: Record<HealthSeverity, number> = { error: 0, warning: 1, info: 2 };
  issues.sort((a, b) => rank[a.severity] - rank[b.severity]);
  const counts = { error: 0, warning: 0, info: 0 };
  for (const i of issues) counts[i.severity]++;
  return {
    ok: counts.error === 0,
    checkedAt: (input.now?.() ?? new Date()).toISOString(),
    images: good.length,
    unreadable: bad.length,
    classes,
    minInputSize: opt.minInputSize,
    issues,
    counts,
  };
}
