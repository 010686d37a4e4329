/** Lamports as SOL text, exact (no float rounding): 92625000000 → "92.625". */
export function sol(lamports: number): string {
  const neg = lamports < 0;
  const v = BigInt(Math.abs(Math.trunc(lamports)));
  const whole = v / 1_000_000_000n;
  const frac = (v % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

/** A long base58 value shortened for a table cell: first 4 … last 4. */
export function short(s: string): string {
  return s.length > 12 ? `${s.slice(0, 4)}…${s.slice(-4)}` : s;
}

/** Whole lamports from text, or null. */
export function parseLamports(text: string): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : null;
}
