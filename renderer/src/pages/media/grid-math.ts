/** Layout arithmetic of the virtualised thumbnail grid (pure, unit-tested). */

export interface GridLayout {
  columns: number;
  cellWidth: number;
  rowHeight: number;
}

/** Fits as many columns of at least `minCell` px as the width allows. */
export function gridLayout(width: number, minCell: number, gap: number, aspect: number, captionHeight: number): GridLayout {
  const columns = Math.max(1, Math.floor((width + gap) / (minCell + gap)));
  const cellWidth = Math.max(1, (width - gap * (columns - 1)) / columns);
  return { columns, cellWidth, rowHeight: Math.round(cellWidth * aspect + captionHeight + gap) };
}

/** Index range [start, end) of items to render for a scroll position, with whole extra rows around it. */
export function visibleRange(scrollTop: number, viewportHeight: number, layout: GridLayout, total: number, overscanRows = 2): { start: number; end: number } {
  if (total <= 0) return { start: 0, end: 0 };
  const firstRow = Math.max(0, Math.floor(scrollTop / layout.rowHeight) - overscanRows);
  const lastRow = Math.ceil((scrollTop + viewportHeight) / layout.rowHeight) + overscanRows;
  return { start: Math.min(total, firstRow * layout.columns), end: Math.min(total, lastRow * layout.columns) };
}

/** Page numbers (of `pageSize` items) that hold the items in [start, end). */
export function pagesFor(start: number, end: number, pageSize: number): number[] {
  if (end <= start) return [];
  const pages: number[] = [];
  for (let p = Math.floor(start / pageSize); p <= Math.floor((end - 1) / pageSize); p++) pages.push(p);
  return pages;
}
