/** Cursor pagination: ask the store for limit + 1 rows after the cursor; the extra row says whether there is more. */
export interface Page<T> {
  items: T[];
  hasNextItem: boolean;
  nextCursor: string | null;
}

/**
 * `fetch(n)` returns up to n rows already ordered and already past the cursor; `cursorOf` turns the last row
 * shown into the next cursor.
 */
export function cursorPage<R, T>(fetch: (n: number) => R[], limit: number, cursorOf: (row: R) => string, map: (row: R) => T): Page<T> {
  const rows = fetch(limit + 1);
  const hasNextItem = rows.length > limit;
  const shown = rows.slice(0, limit);
  const last = shown[shown.length - 1];
  return { items: shown.map(map), hasNextItem, nextCursor: hasNextItem && last !== undefined ? cursorOf(last) : null };
}

/**
 * A page size from a query value: missing → `def`, above `max` → `max` (clamped, not refused), anything that is
 * not a whole number ≥ 1 → null (the caller answers 400).
 */
export function pageLimit(value: string | null, def: number, max: number): number | null {
  if (value === null || value === '') return def;
  if (!/^\d+$/.test(value.trim())) return null;
  const n = Number(value);
  if (n < 1) return null;
  return Math.min(n, max);
}
