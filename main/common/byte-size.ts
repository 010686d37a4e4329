/**
 * File sizes in one unit system, for every place the studio prints one (renderer panels, pre-flight sentences):
 * decimal SI units, 1 KB = 1000 bytes and 1 MB = 10^6 bytes — the reading of the cloud seeds' limits ("300MB"),
 * so a size beside a limit is in the limit's own unit. Bytes and kilobytes are whole ("46 KB", never "0.0 MB");
 * MB and larger keep one decimal, so 300.4 MB does not read as "300 MB" beside "at most 300 MB".
 */
const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** Bytes in one kilobyte, as the studio and the cloud limits count them. */
export const BYTES_PER_KB = 1000;

export function formatBytes(bytes: number, locale = 'en'): string {
  let v = Number.isFinite(bytes) ? Math.max(0, bytes) : 0;
  let i = 0;
  while (i < UNITS.length - 1) {
    // Choose the unit after rounding: 999_999 B is "1.0 MB", not "1000 KB".
    const digits = i >= 2 ? 1 : 0;
    const shown = Math.round(v * 10 ** digits) / 10 ** digits;
    if (shown < BYTES_PER_KB) break;
    v /= BYTES_PER_KB;
    i++;
  }
  const digits = i >= 2 ? 1 : 0;
  return `${new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(v)} ${UNITS[i]}`;
}
