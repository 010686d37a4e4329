/** Pure helpers of the Contribute page (their tests need no DOM): reasons as i18n keys, ages, chart series, lists. */
import type { ContributorLedgerDay, NetworkJob } from '../../../../main/common/contract';

export { reasonKey } from '../../../../main/common/contributor-reasons';

/** Whole seconds from `iso` to `now` (ms), never negative; null without a time. */
export function ageSeconds(iso: string | null, now: number): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? Math.max(0, Math.round((now - t) / 1000)) : null;
}

/** "2 h 5 min", "4 min", "35 s". */
export function duration(seconds: number): { key: 'h' | 'min' | 's'; h?: number; m?: number; s?: number } {
  if (seconds >= 3600) return { key: 'h', h: Math.floor(seconds / 3600), m: Math.floor((seconds % 3600) / 60) };
  if (seconds >= 60) return { key: 'min', m: Math.round(seconds / 60) };
  return { key: 's', s: Math.round(seconds) };
}

/** Days (YYYY-MM-DD) → [x (unix seconds, oldest first), credit earned, credit spent] for uPlot; every day of either list. */
export function earnSpendSeries(days: readonly ContributorLedgerDay[], spent: readonly { day: string; credit: number }[]): [number[], number[], number[]] {
  const all = new Map<string, { earned: number; spent: number }>();
  for (const d of days) all.set(d.day, { earned: (all.get(d.day)?.earned ?? 0) + d.grantedCredit, spent: all.get(d.day)?.spent ?? 0 });
  for (const d of spent) all.set(d.day, { earned: all.get(d.day)?.earned ?? 0, spent: (all.get(d.day)?.spent ?? 0) + d.credit });
  const sorted = [...all.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return [sorted.map(([d]) => Date.parse(`${d}T12:00:00Z`) / 1000), sorted.map(([, v]) => v.earned), sorted.map(([, v]) => v.spent)];
}

/** A text area's program list: one per line or comma-separated, trimmed, without duplicates (case-insensitive). */
export function parsePrograms(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of text.split(/[\n,]/)) {
    const p = raw.trim();
    if (!p || seen.has(p.toLowerCase())) continue;
    seen.add(p.toLowerCase());
    out.push(p);
  }
  return out;
}

/** A number field's value in [min, max], or null when it is not one. */
export function numberIn(text: string, min: number, max: number, integer = true): number | null {
  if (!/^\s*\d+(\.\d+)?\s*$/.test(text)) return null;
  const n = Number(text);
  if (integer && !Number.isInteger(n)) return null;
  return n >= min && n <= max ? n : null;
}

export const OPEN_JOB_STATES: readonly NetworkJob['state'][] = ['uploading', 'queued', 'running', 'validating'];

/** Fraction for a network job's progress bar: uploads first, then inputs done; null while nothing is known. */
export function jobFraction(j: NetworkJob): number | null {
  if (j.state === 'uploading') return j.toUpload ? j.uploaded / j.toUpload : null;
  if (j.state === 'done') return 1;
  return j.total ? j.done / j.total : null;
}
