/** Formatting helpers shared by pages; all locale-aware through Intl. */

/** File sizes: one formatter for the whole studio (decimal units, 1 MB = 10^6 bytes, like the cloud limits). */
export { BYTES_PER_KB, formatBytes } from '../../../main/common/byte-size';

/**
 * Media durations below this show tenths. Every cloud-model duration limit (20, 60, 180 s) lies under it, and a
 * whole-second figure there can land on the wrong side of one: 19.6 s as "0:20" beside "< 20 s", 180.4 s as
 * "3:00" beside "at most 180 s". Above it a tenth tells a creator nothing.
 */
export const DURATION_TENTHS_BELOW_SECONDS = 600;

/** Whole seconds as "m:ss" or "h:mm:ss". */
function clock(wholeSeconds: number): string {
  const h = Math.floor(wholeSeconds / 3600);
  const m = Math.floor((wholeSeconds % 3600) / 60);
  const sec = wholeSeconds % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(sec).padStart(2, '0')}`;
}

/**
 * A media length: 19.5 → "0:19.5", 75.4 → "1:15.4", 3725 → "1:02:05". Tenths under ten minutes, whole seconds
 * above. Always cut, never rounded up, so the figure is never past the real length: a clip under a limit never
 * reads as at or over it, and one at or over a limit (in tenths) never reads as under it.
 */
export function formatDuration(seconds: number): string {
  const s = Number.isFinite(seconds) ? Math.max(0, seconds) : 0;
  if (s >= DURATION_TENTHS_BELOW_SECONDS) return clock(Math.floor(s));
  // The epsilon keeps float noise (x.1 * 10 = 10x.999…) from cutting a tenth off a value that has it exactly.
  const tenths = Math.floor(s * 10 + 1e-9);
  return `${clock(Math.floor(tenths / 10))}.${tenths % 10}`;
}

/** Time left of a running job, in whole seconds rounded up (a countdown never says 0:00 while work remains): 75.4 → "1:16". */
export function formatEta(seconds: number): string {
  return clock(Number.isFinite(seconds) ? Math.max(0, Math.ceil(seconds)) : 0);
}

export function formatNumber(n: number, locale: string, maxFractionDigits = 2): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: maxFractionDigits }).format(n);
}

export function formatDate(iso: string, locale: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}
