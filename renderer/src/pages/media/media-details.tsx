import { useTranslation } from 'react-i18next';
import type { MediaSource } from '../../../../main/common/contract';
import { fileUrl } from '../../api';
import { formatBytes, formatDuration, formatNumber } from '../../ui/format';
import { Icon } from '../../ui/icon';
import { containerName } from './media-format';

/** What ffprobe found in a media file, in words a creator reads. */
export function MediaDetails({ media }: { media: MediaSource }) {
  const { t, i18n } = useTranslation('media');
  const lng = i18n.language;
  const { probe } = media;
  const v = probe.video;
  const rows: { key: string; label: string; value: string; title?: string }[] = [];
  if (probe.durationSeconds !== null) rows.push({ key: 'duration', label: t('meta.duration'), value: formatDuration(probe.durationSeconds) });
  // a cut-short file: the duration above is what its index promises; say where the picture really stops
  if (probe.damage) rows.push({ key: 'damaged', label: t('meta.damaged'), value: t('meta.damagedValue', { readable: formatDuration(probe.damage.readableSeconds), index: formatDuration(probe.damage.indexSeconds) }) });
  rows.push({ key: 'size', label: t('meta.displaySize'), value: `${v.displayWidth} × ${v.displayHeight}` });
  if (v.rotation !== 0 || v.width !== v.displayWidth) rows.push({ key: 'coded', label: t('meta.codedSize'), value: `${v.width} × ${v.height}` });
  rows.push({ key: 'rotation', label: t('meta.rotation'), value: v.rotation === 0 ? t('meta.noRotation') : `${v.rotation}°` });
  if (probe.kind === 'video') {
    rows.push({
      key: 'fps',
      label: t('meta.fps'),
      value: `${formatNumber(v.fps, lng, 3)}${v.variableFrameRate ? ` (${t('meta.vfr')})` : ''}`,
    });
    if (v.frameCount !== null) rows.push({ key: 'frames', label: t('meta.frames'), value: formatNumber(v.frameCount, lng) });
  }
  rows.push({ key: 'codec', label: t('meta.codec'), value: [v.codec, v.profile, v.pixelFormat].filter(Boolean).join(' · ') });
  if (probe.kind === 'video') {
    const a = probe.audio;
    rows.push({
      key: 'audio',
      label: t('meta.audio'),
      value: a
        ? [a.codec, a.channels ? t('meta.channels', { count: a.channels }) : null, a.sampleRate ? `${formatNumber(a.sampleRate / 1000, lng, 1)} kHz` : null]
            .filter(Boolean)
            .join(' · ')
        : t('meta.noAudio'),
    });
  }
  rows.push({ key: 'container', label: t('meta.container'), value: containerName(probe.container, media.name) });
  rows.push({ key: 'filesize', label: t('meta.fileSize'), value: formatBytes(probe.sizeBytes, lng), title: t('meta.fileSizeExact', { bytes: formatNumber(probe.sizeBytes, lng) }) });
  if (probe.bitRate) rows.push({ key: 'bitrate', label: t('meta.bitRate'), value: `${formatNumber(probe.bitRate / 1_000_000, lng, 1)} Mb/s` });

  return (
    <section className="panel media-details" data-testid="media-metadata">
      <div className="media-details-poster">
        {media.poster ? (
          <img src={fileUrl(media.poster)} alt={media.name} data-testid="media-poster-large" />
        ) : (
          <div className="poster-placeholder">
            <Icon name={media.kind === 'video' ? 'film' : 'image'} size={36} />
          </div>
        )}
      </div>
      <div className="media-details-info">
        <h2 className="media-details-name" title={media.path} data-testid="media-details-name" data-media-id={media.id} data-kind={media.kind}>
          {media.name}
        </h2>
        <dl className="meta-list">
          {rows.map((r) => (
            <div className="meta-row" key={r.key} data-testid={`meta-${r.key}`}>
              <dt>{r.label}</dt>
              <dd title={r.title}>{r.value}</dd>
            </div>
          ))}
        </dl>
      </div>
    </section>
  );
}

