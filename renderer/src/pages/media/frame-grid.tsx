import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FrameSet } from '../../../../main/common/contract';
import { fileUrl, thumbWidthFor } from '../../api';
import { Lightbox } from './lightbox';
import { gridLayout, pagesFor, visibleRange } from './grid-math';
import { PAGE_SIZE, useImagePages } from './use-image-pages';

const MIN_CELL = 150;
const GAP = 10;
const CAPTION = 24;

/** Thumbnails of one frame set: virtualised (only visible rows exist in the DOM), pages fetched as they scroll in. */
export function FrameGrid({ set }: { set: FrameSet }) {
  const { t } = useTranslation('media');
  const version = `${set.status}:${set.frameCount}`;
  const { total, get, ensure } = useImagePages(set.projectId, set.id, version);
  const scroller = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(800);
  const [viewport, setViewport] = useState(500);
  const [scrollTop, setScrollTop] = useState(0);
  const [preview, setPreview] = useState<number | null>(null);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => {
      setWidth(el.clientWidth - 2 * GAP);
      setViewport(el.clientHeight);
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    scroller.current?.scrollTo({ top: 0 });
    setScrollTop(0);
    setPreview(null);
  }, [set.id]);

  const aspect = 9 / 16;
  const layout = gridLayout(Math.max(MIN_CELL, width), MIN_CELL, GAP, aspect, CAPTION);
  const count = total ?? 0;
  const { start, end } = visibleRange(scrollTop, viewport, layout, count);
  useEffect(() => {
    ensure(pagesFor(start, end, PAGE_SIZE));
  }, [start, end, ensure]);

  const rows = Math.ceil(count / layout.columns);
  // Tiles get a cached thumbnail sized to the cell; the lightbox keeps the full frame.
  const thumb = thumbWidthFor(layout.cellWidth);
  const cells = [];
  for (let i = start; i < end; i++) {
    const item = get(i);
    const row = Math.floor(i / layout.columns);
    const col = i % layout.columns;
    cells.push(
      <button
        type="button"
        key={i}
        className="frame-cell"
        style={{ transform: `translate(${col * (layout.cellWidth + GAP)}px, ${row * layout.rowHeight}px)`, width: layout.cellWidth }}
        onClick={() => setPreview(i)}
        data-testid="frame-thumb"
        aria-label={t('grid.frameLabel', { index: (item?.frameIndex ?? i + 1) })}
      >
        <div className="frame-thumb" style={{ height: layout.cellWidth * aspect }}>
          {item ? <img src={fileUrl(item.file, { thumb })} alt="" loading="lazy" decoding="async" draggable={false} data-thumb={thumb} /> : <span className="frame-placeholder" />}
        </div>
        <div className="frame-caption">
          <span>#{item?.frameIndex ?? i + 1}</span>
          {item?.timestampSeconds != null && <span className="faint">{item.timestampSeconds.toFixed(2)} s</span>}
        </div>
      </button>,
    );
  }

  return (
    <div className="frame-grid-wrap">
      <div className="frame-grid-head">
        <span className="muted" data-testid="grid-count">
          {total === null ? t('grid.loading') : t('grid.count', { count: total })}
        </span>
        <span className="faint">{t('grid.hint')}</span>
      </div>
      <div ref={scroller} className="frame-grid-scroller" onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)} data-testid="frame-grid" data-format={set.params.format}>
        {total === 0 ? (
          <div className="frame-grid-empty muted">{t('grid.empty')}</div>
        ) : (
          <div className="frame-grid-canvas" style={{ height: rows * layout.rowHeight }}>
            {cells}
          </div>
        )}
      </div>
      {preview !== null && total !== null && total > 0 && (
        <Lightbox index={preview} total={total} get={get} ensure={ensure} onIndex={setPreview} onClose={() => setPreview(null)} />
      )}
    </div>
  );
}
