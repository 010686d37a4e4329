import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSay } from '../../i18n/say';
import { FRAMES_EXPORT_JOB, FrameSetExport, type ContactSheet, type FrameSet, type FrameSetExportFormat, type ImageItem, type Job } from '../../../../main/common/contract';
import { api, fileUrl, isBrowserHost } from '../../api';
import { useFrames } from '../../stores/frames-store';
import { placeOf, usePlace } from '../../stores/place-store';
import { isActive, useJobs } from '../../stores/job-store';
import { showError, useToasts } from '../../stores/toast-store';
import { Icon } from '../../ui/icon';
import { Segmented } from '../../ui/segmented';
import { JobProgressView } from './job-progress';
import { PAGE_SIZE, useImagePages } from './use-image-pages';
import './media-tools.css';

const exportFormats: FrameSetExportFormat[] = ['folder', 'zip'];

/**
 * The newest export job of a set among the jobs the store knows: those started here, and the project's saved
 * jobs loaded with its sets, so after a reload or a restart the last export (running, interrupted, done) shows again.
 */
function useLatestExportJob(setId: number): Job | undefined {
  return useJobs((s) => {
    let latest: Job | undefined;
    for (const j of Object.values(s.jobs)) {
      if (j.kind !== FRAMES_EXPORT_JOB || (j.params as { frameSetId?: unknown } | null)?.frameSetId !== setId) continue;
      if (!latest || j.createdAt > latest.createdAt) latest = j;
    }
    return latest;
  });
}

/** The export job's state: progress with cancel while it runs, then where it went, or why it stopped. */
function ExportStatus({ job }: { job: Job }) {
  const { t } = useTranslation('media');
  const say = useSay();
  const [acting, setActing] = useState(false);
  const act = async (fn: () => Promise<Job>) => {
    setActing(true);
    try {
      useJobs.getState().setJob(await fn());
    } catch (err) {
      showError(err);
    } finally {
      setActing(false);
    }
  };
  if (isActive(job.status)) {
    return (
      <div className="export-progress" data-testid="export-progress" data-job-id={job.id}>
        <JobProgressView jobId={job.id} fallback={job} label={t('tools.exportProgress')} />
        <button type="button" className="button small" onClick={() => void act(() => api.jobs.cancel({ id: job.id }))} disabled={acting} data-testid="export-cancel">
          <Icon name="stop" size={14} /> {t('tools.cancelExport')}
        </button>
      </div>
    );
  }
  if (job.status === 'completed') {
    const r = FrameSetExport.safeParse(job.result);
    if (!r.success) return null;
    return (
      <p className="muted export-result" data-testid="export-result" data-format={r.data.format} data-files={r.data.files} data-relative={r.data.relative ?? ''}>
        {t(`tools.exported.${r.data.format}`, { files: r.data.files })} — <span className="export-path">{r.data.path}</span>
      </p>
    );
  }
  const status = job.status as 'cancelled' | 'interrupted' | 'failed';
  return (
    <div className="export-stopped" data-testid="export-stopped" data-status={status} role={status === 'failed' ? 'alert' : undefined}>
      <Icon name="alert" size={15} />
      <span>
        {t(`tools.exportStopped.${status}`)}
        {status === 'failed' && job.error && (
          <>
            {' '}
            <strong>{t(`common:errors.${job.error.code}`)}</strong> — {say(job.error)}
          </>
        )}
      </span>
      {status !== 'cancelled' && (
        <button type="button" className="button small primary" onClick={() => void act(() => api.jobs.resume({ id: job.id }))} disabled={acting} data-testid="export-resume">
          <Icon name="refresh" size={14} /> {t(status === 'failed' ? 'common:actions.retry' : 'common:actions.resume')}
        </button>
      )}
    </div>
  );
}

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
  // the scrubber comes back where it was in this set (a reload, another set and back)
  const [pos, setPosState] = useState(() => placeOf(set.projectId).scrub?.[String(set.id)] ?? 0);
  const setPos = (p: number) => {
    setPosState(p);
    usePlace.getState().rememberScrub(set.projectId, set.id, p);
  };
  const [marked, setMarked] = useState<Set<number>>(new Set());
  const [sheet, setSheet] = useState<ContactSheet | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [exportFormat, setExportFormat] = useState<FrameSetExportFormat>('folder');
  const exportJob = useLatestExportJob(set.id);
  const exporting = isActive(exportJob?.status);
  // Only an export started on this page says so in a toast; one found after a reload just shows its line.
  const startedHere = useRef<string | null>(null);
  const count = total ?? 0;
  const item: ImageItem | undefined = get(Math.min(pos, Math.max(0, count - 1)));

  useEffect(() => {
    setPosState(placeOf(set.projectId).scrub?.[String(set.id)] ?? 0);
    setMarked(new Set());
    setSheet(null);
  }, [set.id]);
  useEffect(() => {
    if (!exportJob || exportJob.id !== startedHere.current || exportJob.status !== 'completed') return;
    startedHere.current = null;
    const r = FrameSetExport.safeParse(exportJob.result);
    if (r.success) useToasts.getState().push({ kind: 'success', titleKey: `media:tools.exported.${r.data.format}`, titleValues: { files: r.data.files }, message: r.data.path });
  }, [exportJob]);
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
        <Segmented
          options={exportFormats}
          value={exportFormat}
          onChange={setExportFormat}
          render={(f) => t(`tools.exportFormats.${f}`)}
          label={t('tools.exportFormat')}
          className="export-format"
          testId={(f) => `export-format-${f}`}
        />
        <button
          type="button"
          className="button small"
          disabled={busy !== null || count === 0 || exporting}
          onClick={() =>
            void run('export', async () => {
              const { jobId } = await api.frames.export({ frameSetId: set.id, format: exportFormat });
              startedHere.current = jobId;
              // Into the store at once, so the bar shows before the first progress event.
              useJobs.getState().setJob(await api.jobs.get({ id: jobId }));
            })
          }
          data-testid="export-set"
          title={t(`tools.exportHint.${exportFormat}`)}
        >
          {busy === 'export' ? <span className="spinner" /> : <Icon name={exportFormat === 'zip' ? 'layers' : 'folder'} size={14} />} {t(`tools.export.${exportFormat}`)}
        </button>
        {isBrowserHost() && <span className="faint">{t(`tools.exportWhere.${exportFormat}`)}</span>}
      </div>
      {exportJob && <ExportStatus job={exportJob} />}
      {sheet && (
        <figure className="contact-sheet" data-testid="contact-sheet">
          <img src={`${fileUrl(sheet.file)}?v=${Date.now()}`} alt={t('tools.contactSheet')} width={sheet.width} height={sheet.height} />
          <figcaption className="faint">{t('tools.sheetCaption', { frames: sheet.frames, columns: sheet.columns, rows: sheet.rows })}</figcaption>
        </figure>
      )}
    </div>
  );
}
