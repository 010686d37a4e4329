/**
 * Train/val/test split of a labelled dataset: stratified (each class split on its own, so every class keeps the
 * same proportions), seeded (the same items, ratios and seed give the same split on every machine), and by group
 * (items sharing a group key, e.g. byte-identical files, always land on the same side so they cannot leak).
 * Pure: no files, no clock, no Math.random.
 */

export type SplitName = 'train' | 'val' | 'test';
export const SPLITS: readonly SplitName[] = ['train', 'val', 'test'];

export interface SplitRatios {
  train: number;
  val: number;
  test: number;
}

export const DEFAULT_RATIOS: SplitRatios = { train: 0.8, val: 0.1, test: 0.1 };
export const DEFAULT_SEED = 42;

export interface SplitItem {
  /** Unique key of the item (an image id, a relative path). */
  key: string;
  className: string;
  /** Items with the same group key go to the same split (exact duplicates); defaults to the item's own key. */
  group?: string;
}

export interface SplitOptions {
  ratios?: SplitRatios;
  seed?: number;
}

/** mulberry32: a small, well-mixed 32-bit generator (deterministic across platforms). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a of a string: mixes the class name into the seed so each class is shuffled differently. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Refuses ratios that are negative, not finite, or do not sum to 1 (within 1e-6); train must be above 0. */
export function checkRatios(r: SplitRatios): string | null {
  for (const k of SPLITS) if (!Number.isFinite(r[k]) || r[k] < 0 || r[k] > 1) return `The ${k} share must be between 0 and 1 (got ${r[k]}).`;
  if (r.train <= 0) return 'The train share must be above 0.';
  const sum = r.train + r.val + r.test;
  if (Math.abs(sum - 1) > 1e-6) return `The train, val and test shares must add up to 1 (they add up to ${Number(sum.toFixed(6))}).`;
  return null;
}

/**
 * How many of `n` items of one class go to each split: val and test rounded from their shares, each at least one
 * when the class has enough items for train to keep at least one as well, and train the rest (never below one).
 */
export function splitCounts(n: number, r: SplitRatios): Record<SplitName, number> {
  if (n <= 0) return { train: 0, val: 0, test: 0 };
  let val = Math.round(n * r.val);
  let test = Math.round(n * r.test);
  // A class too small for its shares still gets one validation (then one test) image when train keeps one.
  if (r.val > 0 && val === 0 && n - test >= 2) val = 1;
  if (r.test > 0 && test === 0 && n - val >= 2) test = 1;
  while (n - val - test < 1) {
    if (test >= val && test > 0) test--;
    else if (val > 0) val--;
    else break;
  }
  return { train: n - val - test, val, test };
}

/** Fisher–Yates shuffle with the given generator (a copy; the input is left alone). */
function shuffled<T>(items: readonly T[], rand: () => number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Assigns each item to train, val or test. Within each class the groups are shuffled with a generator seeded by
 * (seed, class) and handed out to the split furthest below its target count, so singletons meet the targets exactly
 * and a group is never cut in two. A group whose items carry several classes follows its first item's class.
 */
export function splitDataset(items: readonly SplitItem[], options: SplitOptions = {}): Map<string, SplitName> {
  const ratios = options.ratios ?? DEFAULT_RATIOS;
  const problem = checkRatios(ratios);
  if (problem) throw new RangeError(problem);
  const seed = options.seed ?? DEFAULT_SEED;
  const keys = new Set<string>();
  // class → group → keys, in first-seen order (the order is then shuffled, so input order does not leak in).
  const byClass = new Map<string, Map<string, string[]>>();
  const groupClass = new Map<string, string>();
  for (const it of items) {
    if (keys.has(it.key)) throw new RangeError(`The item ${it.key} is listed twice.`);
    keys.add(it.key);
    const group = it.group ?? `key:${it.key}`;
    const cls = groupClass.get(group) ?? it.className;
    groupClass.set(group, cls);
    let groups = byClass.get(cls);
    if (!groups) byClass.set(cls, (groups = new Map()));
    const members = groups.get(group);
    if (members) members.push(it.key);
    else groups.set(group, [it.key]);
  }
  const out = new Map<string, SplitName>();
  for (const cls of [...byClass.keys()].sort()) {
    const groups = byClass.get(cls)!;
    const n = [...groups.values()].reduce((s, g) => s + g.length, 0);
    const target = splitCounts(n, ratios);
    const filled: Record<SplitName, number> = { train: 0, val: 0, test: 0 };
    // Sorted before shuffling: the result depends on the set of groups, not on the order they were listed in.
    const order = shuffled([...groups.keys()].sort(), seededRandom((seed ^ hashString(cls)) >>> 0));
    for (const g of order) {
      const members = groups.get(g)!;
      // The split with the largest share of its target still missing; ties go to train, then val, then test.
      let best: SplitName = 'train';
      let bestNeed = -Infinity;
      for (const s of SPLITS) {
        const need = target[s] === 0 ? -Infinity : (target[s] - filled[s]) / target[s];
        if (need > bestNeed) {
          best = s;
          bestNeed = need;
        }
      }
      filled[best] += members.length;
      for (const k of members) out.set(k, best);
    }
  }
  return out;
}
