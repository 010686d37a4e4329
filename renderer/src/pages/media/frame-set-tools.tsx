import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ContactSheet, FrameSet, FrameSetExport, FrameSetExportFormat, ImageItem } from '../../../../main/common/contract';
import { api, fileUrl, isBrowserHost } from '../../api';
import { useFrames } from '../../stores/frames-store';
import { showError, useToasts } from '../../stores/toast-store';
import { Icon } from '../../ui/icon';
import { PAGE_SIZE, useImagePages } from './use-image-pages';
import './media-tools.css';

const exportFormats: FrameSetExportFormat[] = ['folder', 'zip'];

/** What drop-blurry decided for a set. */
function BlurReport({ set }: { set: FrameSet }) {
  const { t } = useTranslation('media');
  const r = set.report?.dropBlurry;
  if (!r) return null;
  return (
    <p className="muted set-report" data-testid="set-blur-report">
      {t('tools.blurReport', { kept: r.kept, candidates: r.candidates, dropped: r.dropped.length, median: r.medianSharpness !== null ? Math.round(r.medianSharpness) : '–' })}
    </p>
  );
}

/**
 * Tools for a finished frame set: a scrubber over its frames (source time, sharpness), marking frames
 * to delete or to keep, a contact sheet and an export to a folder or a zip.
 */
export function FrameSetTools({ set }: { set: FrameSet }) {
  const { t } = useTranslation('media');
  const reload = useFrames((s) => s.load);
  const { total, get, ensure } = useImagePages(set.projectId, set.id, `${set.status}:${set.frameCount}`);
  const [pos, setPos] = useState(0);
  const [marked, setMarked] = useState<Set<number>>(new Set());
  const [sheet, setSheet] = useState<ContactSheet | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [exportFormat, setExportFormat] = useState<FrameSetExportFormat>('folder');
  const [exported, setExported] = useState<FrameSetExport | null>(null);
  const count = total ?? 0;
  const item: ImageItem | undefined = get(Math.min(pos, Math.max(0, count - 1)));

  useEffect(() => {
    setPos(0);
    setMarked(new Set());
    setSheet(null);
    setExported(null);
  }, [set.id]);
  useEffect(() => {
    if (count > 0) ensure([Math.floor(Math.min(pos, count - 1) / PAGE_SIZE)]);
  }, [pos, count, ensure]);

  const run = async (what: string, fn: () => Promise<void>) => {
    setBusy(what);
    try {
      await fn();
    } catch (err) {
      showError(err);
    } finally {
      setBusy(null);
    }
  };
  const toggle = () => {
    if (!item) return;
    const next = new Set(marked);
    if (next.has(item.id)) next.delete(item.id);
    else next.add(item.id);
    setMarked(next);
  };
  const removeMarked = (keep: boolean) =>
    run(keep ? 'keep' : 'delete', async () => {
      const ids = [...marked];
      const r = keep ? await api.frames.keepImages({ frameSetId: set.id, imageIds: ids }) : await api.frames.deleteImages({ frameSetId: set.id, imageIds: ids });
      useToasts.getState().push({ kind: 'success', titleKey: 'media:tools.removed', titleValues: { deleted: r.deleted, left: r.frameCount } });
      setMarked(new Set());
      setPos(0);
      setSheet(null);
      await reload(set.projectId);
    });

  if (set.status !== 'complete') return null;
  return (
    <div className="set-tools" data-testid="set-tools">
      <BlurReport set={set} />
      {count > 0 && (
        <div className="scrubber" data-testid="scrubber">
          <div className="scrubber-frame">
            {item ? <img src={fileUrl(item.file)} alt={t('grid.frameLabel', { index: item.frameIndex ?? pos + 1 })} data-testid="scrubber-image" /> : <span className="spinner" />}
            {item && marked.has(item.id) && <span className="scrubber-mark badge warning">{t('tools.marked')}</span>}
          </div>
          <input
            className="range scrubber-range"
            type="range"
            min={0}
            max={Math.max(0, count - 1)}
            value={Math.min(pos, count - 1)}
            onChange={(e) => setPos(Number(e.target.value))}
            aria-label={t('tools.scrub')}
            data-testid="scrubber-range"
          />
          <div className="scrubber-info">
            <span data-testid="scrubber-position">{t('preview.position', { index: Math.min(pos, count - 1) + 1, total: count })}</span>
            {item?.timestampSeconds != null && <span data-testid="scrubber-time">{t('preview.time', { seconds: item.timestampSeconds.toFixed(3) })}</span>}
            {item?.sharpness != null && <span className="faint">{t('tools.sharpness', { value: Math.round(item.sharpness) })}</span>}
            <button type="button" className="button small" onClick={toggle} disabled={!item} data-testid="scrubber-mark">
              <Icon name={item && marked.has(item.id) ? 'x' : 'check'} size={14} /> {t(item && marked.has(item.id) ? 'tools.unmark' : 'tools.mark')}
            </button>
          </div>
          <div className="set-tools-actions">
            <span className="muted" data-testid="marked-count">
              {t('tools.markedCount', { count: marked.size })}
            </span>
            <button type="button" className="button small" onClick={() => void removeMarked(false)} disabled={marked.size === 0 || busy !== null} data-testid="delete-marked">
              <Icon name="trash" size={14} /> {t('tools.deleteMarked')}
            </button>
            <button type="button" className="button small" onClick={() => void removeMarked(true)} disabled={marked.size === 0 || busy !== null} data-testid="keep-marked">
              <Icon name="check" size={14} /> {t('tools.keepMarked')}
            </button>
          </div>
        </div>
      )}
      <div className="set-tools-actions">
        <button
          type="button"
          className="button small"
          disabled={busy !== null || count === 0}
          onClick={() => void run('sheet', async () => setSheet(await api.frames.contactSheet({ frameSetId: set.id })))}
          data-testid="make-contact-sheet"
        >
          {busy === 'sheet' ? <span className="spinner" /> : <Icon name="image" size={14} />} {t('tools.contactSheet')}
        </button>
        <div className="segmented export-format" role="group" aria-label={t('tools.exportFormat')}>
          {exportFormats.map((f) => (
            <button key={f} type="button" aria-pressed={exportFormat === f} onClick={() => setExportFormat(f)} data-testid={`export-format-${f}`}>
              {t(`tools.exportFormats.${f}`)}
            </button>
          ))}
        </div>
        <button
          type="button"
          className="button small"
          disabled={busy !== null || count === 0}
          onClick={() =>
            void run('export', async () => {
              const r = await api.frames.export({ frameSetId: set.id, format: exportFormat });
              setExported(r);
              useToasts.getState().push({ kind: 'success', titleKey: `media:tools.exported.${r.format}`, titleValues: { files: r.files }, message: r.path });
            })
          }
          data-testid="export-set"
          title={t(`tools.exportHint.${exportFormat}`)}
        >
          {busy === 'export' ? <span className="spinner" /> : <Icon name={exportFormat === 'zip' ? 'layers' : 'folder'} size={14} />} {t(`tools.export.${exportFormat}`)}
        </button>
        {isBrowserHost() && <span className="faint">{t(`tools.exportWhere.${exportFormat}`)}</span>}
      </div>
      {exported && (
        <p className="muted export-result" data-testid="export-result" data-format={exported.format} data-files={exported.files} data-relative={exported.relative ?? ''}>
          {t(`tools.exported.${exported.format}`, { files: exported.files })} — <span className="export-path">{exported.path}</span>
        </p>
      )}
      {sheet && (
        <figure className="contact-sheet" data-testid="contact-sheet">
          <img src={`${fileUrl(sheet.file)}?v=${Date.now()}`} alt={t('tools.contactSheet')} width={sheet.width} height={sheet.height} />
          <figcaption className="faint">{t('tools.sheetCaption', { frames: sheet.frames, columns: sheet.columns, rows: sheet.rows })}</figcaption>
        </figure>
      )}
    </div>
  );
}
