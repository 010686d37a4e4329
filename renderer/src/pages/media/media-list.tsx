import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MediaSource } from '../../../../main/common/contract';
import { fileUrl } from '../../api';
import { useMedia } from '../../stores/media-store';
import { ConfirmDialog } from '../../ui/dialog';
import { formatDuration } from '../../ui/format';
import { Icon } from '../../ui/icon';

function MediaItem({ media, onRemove }: { media: MediaSource; onRemove(): void }) {
  const { t } = useTranslation('media');
  const selected = useMedia((s) => s.selectedId === media.id);
  const select = useMedia((s) => s.select);
  const v = media.probe.video;
  return (
    <li className={selected ? 'media-item selected' : 'media-item'} data-testid="media-item" data-media-id={media.id}>
      <button type="button" className="media-item-main" onClick={() => select(media.id)} aria-pressed={selected} data-testid="media-select">
        <div className="media-thumb">
          {media.poster ? (
            <img src={fileUrl(media.poster)} alt="" loading="lazy" data-testid="media-poster" />
          ) : (
            <Icon name={media.kind === 'video' ? 'film' : 'image'} size={22} />
          )}
          {media.probe.durationSeconds !== null && <span className="media-duration">{formatDuration(media.probe.durationSeconds)}</span>}
        </div>
        <div className="media-item-text">
          <span className="media-name" title={media.name} data-testid="media-name">
            {media.name}
          </span>
          <span className="faint">
            {t(`kind.${media.kind}`)} · {v.displayWidth}×{v.displayHeight}
          </span>
        </div>
      </button>
      <button type="button" className="icon-button media-remove" onClick={onRemove} aria-label={t('list.remove')} title={t('list.remove')} data-testid="media-remove">
        <Icon name="trash" size={15} />
      </button>
    </li>
  );
}

export function MediaList() {
  const { t } = useTranslation('media');
  const media = useMedia((s) => s.media);
  const remove = useMedia((s) => s.remove);
  const [removing, setRemoving] = useState<MediaSource | null>(null);
  return (
    <>
      <ul className="media-list" data-testid="media-list">
        {media.map((m) => (
          <MediaItem key={m.id} media={m} onRemove={() => setRemoving(m)} />
        ))}
      </ul>
      <ConfirmDialog
        open={removing !== null}
        title={t('list.removeTitle')}
        message={t('list.removeMessage', { name: removing?.name ?? '' })}
        confirmLabel={t('list.remove')}
        danger
        onCancel={() => setRemoving(null)}
        onConfirm={async () => {
          if (removing) await remove(removing.id);
          setRemoving(null);
        }}
      />
    </>
  );
}
