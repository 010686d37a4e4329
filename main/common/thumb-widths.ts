/**
 * Thumbnail widths the studio makes. Requests snap up to one of these (and down to the largest), so a
 * cache holds at most three sizes per image whatever the tile or screen asks for.
 */
export const THUMB_WIDTHS = [160, 320, 640] as const;
export type ThumbWidth = (typeof THUMB_WIDTHS)[number];

/** The smallest thumbnail width at least `width` pixels wide, or the largest one. */
export function snapThumbWidth(width: number): ThumbWidth {
  for (const w of THUMB_WIDTHS) if (width <= w) return w;
  return THUMB_WIDTHS[THUMB_WIDTHS.length - 1]!;
}
