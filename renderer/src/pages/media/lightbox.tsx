import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { ImageItem } from '../../../../main/common/contract';
import { fileUrl } from '../../api';
import { Icon } from '../../ui/icon';
import { PAGE_SIZE } from './use-image-pages';

interface Props {
  index: number;
  total: number;
  get(index: number): ImageItem | undefined;
  ensure(pages: number[]): void;
  onIndex(index: number): void;
  onClose(): void;
}

/** Large preview of one frame: ←/→ step through the set, Esc closes. */
export function Lightbox({ index, total, get, ensure, onIndex, onClose }: Props) {
  const { t } = useTranslation('media');
  const item = get(index);

  useEffect(() => {
    // The neighbours' pages too, so stepping never waits at a page edge.
    const pages = new Set([index - 1, index, index + 1].filter((i) => i >= 0 && i < total).map((i) => Math.floor(i / PAGE_SIZE)));
    ensure([...pages]);
  }, [index, total, ensure]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        onClose();
      } else if (e.key === 'ArrowRight') {
        e.preventDefault();
        onIndex(Math.min(total - 1, index + 1));
      } else if (e.key === 'ArrowLeft') {
        e.preventDefault();
        onIndex(Math.max(0, index - 1));
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [index, total, onIndex, onClose]);

  return (
    <div className="lightbox" role="dialog" aria-modal="true" aria-label={t('preview.label')} data-testid="lightbox" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <button type="button" className="lightbox-close icon-button" onClick={onClose} aria-label={t('common:actions.close')}>
        <Icon name="x" size={22} />
      </button>
      <button type="button" className="lightbox-nav prev" onClick={() => onIndex(Math.max(0, index - 1))} disabled={index === 0} aria-label={t('preview.previous')}>
        <Icon name="chevronLeft" size={28} />
      </button>
      <figure className="lightbox-figure">
        {item ? <img src={fileUrl(item.file)} alt={t('grid.frameLabel', { index: item.frameIndex ?? index + 1 })} data-testid="lightbox-image" /> : <span className="spinner" />}
        <figcaption>
          <span data-testid="lightbox-position">{t('preview.position', { index: index + 1, total })}</span>
          {item?.timestampSeconds != null && <span>{t('preview.time', { seconds: item.timestampSeconds.toFixed(2) })}</span>}
          {item?.width && item.height ? (
            <span>
              {item.width} × {item.height}
            </span>
          ) : null}
        </figcaption>
      </figure>
      <button type="button" className="lightbox-nav next" onClick={() => onIndex(Math.min(total - 1, index + 1))} disabled={index >= total - 1} aria-label={t('preview.next')}>
        <Icon name="chevronRight" size={28} />
      </button>
    </div>
  );
}
