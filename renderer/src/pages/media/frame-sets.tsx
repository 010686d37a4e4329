import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSay } from '../../i18n/say';
import type { FrameSet } from '../../../../main/common/contract';
import { api } from '../../api';
import { useFrames } from '../../stores/frames-store';
import { isActive, useJobs } from '../../stores/job-store';
import { useMedia } from '../../stores/media-store';
import { ConfirmDialog } from '../../ui/dialog';
import { formatDate } from '../../ui/format';
import { Icon } from '../../ui/icon';
import { JobProgressView } from './job-progress';
import { setsOfMedia } from '../../stores/frame-set-selection';
import { describeParams, runsOfSet } from './set-summary';

const statusTone: Record<FrameSet['status'], string> = {
  pending: '',
  running: 'accent',
  complete: 'success',
  failed: 'danger',
  cancelled: 'warning',
  interrupted: 'warning',
};

function FrameSetRow({ set, selected, onDelete }: { set: FrameSet; selected: boolean; onDelete(): void }) {
  const { t, i18n } = useTranslation('media');
  const say = useSay();
  const select = useFrames((s) => s.select);
  const cancel = useFrames((s) => s.cancel);
  const resume = useFrames((s) => s.resume);
  const job = useJobs((s) => (set.jobId ? s.jobs[set.jobId] : undefined));
  const mediaName = useMedia((s) => s.media.find((m) => m.id === set.mediaId)?.name);
  // a cut-short source fails the same way again: offer removing it (or its pre-flight trim), not Resume
  const damage = useMedia((s) => s.media.find((m) => m.id === set.mediaId)?.probe.damage ?? null);
  const [removing, setRemoving] = useState(false);
  const [busy, setBusy] = useState(false);
  const running = set.status === 'running' || set.status === 'pending' || isActive(job?.status);
  const stopped = !running && (set.status === 'failed' || set.status === 'cancelled' || set.status === 'interrupted');
  const sourceDamaged = stopped && set.status === 'failed' && damage !== null;
  const act = async (fn: () => Promise<void>) => {
    setBusy(true);
    await fn();
    setBusy(false);
  };

  return (
    <li
      className={selected ? 'frame-set selected' : 'frame-set'}
      data-testid="frame-set"
      data-status={set.status}
      data-frame-count={set.frameCount}
      data-set-id={set.id}
    >
      <button type="button" className="frame-set-main" onClick={() => select(set.id)} aria-pressed={selected}>
        <div className="frame-set-title">
          <span className={`badge ${statusTone[set.status]}`} data-testid="frame-set-status">
            {t(`sets.status.${set.status}`)}
          </span>
          <span className="frame-set-name">{mediaName ?? t('sets.unknownMedia')}</span>
        </div>
        <div className="frame-set-meta muted">
          <span>{describeParams(set.params, t)}</span>
          {set.status === 'complete' && (
            <span className="frame-set-count" data-testid="frame-set-count">
              {t('sets.frames', { count: set.frameCount })}
            </span>
          )}
          <span className="faint">{formatDate(set.createdAt, i18n.language)}</span>
        </div>
      </button>
      {running && set.jobId && (
        <div className="frame-set-progress">
          <JobProgressView jobId={set.jobId} fallback={job} />
        </div>
      )}
      {stopped && (
        <div className="frame-set-error" role={set.status === 'failed' ? 'alert' : undefined} data-testid="frame-set-error">
          <Icon name="alert" size={15} />
          <span>
            {sourceDamaged ? (
              <span data-testid="frame-set-damaged">{t('sets.damaged', { readable: damage.readableSeconds.toFixed(1), index: damage.indexSeconds.toFixed(1) })}</span>
            ) : job?.error && job.error.code !== 'CANCELLED' ? (
              <>
                <strong>{t(`common:errors.${job.error.code}`)}</strong> — {say(job.error)}
              </>
            ) : (
              t(`sets.stopped.${set.status}`)
            )}
          </span>
        </div>
      )}
      <div className="frame-set-actions">
        {running && set.jobId && (
          <button type="button" className="button small" onClick={() => act(() => cancel(set))} disabled={busy} data-testid="cancel-extraction">
            <Icon name="stop" size={14} /> {t('common:actions.cancel')}
          </button>
        )}
        {sourceDamaged && (
          <button type="button" className="button small danger" onClick={() => setRemoving(true)} disabled={busy} data-testid="remove-damaged-media">
            <Icon name="trash" size={14} /> {t('sets.removeDamaged')}
          </button>
        )}
        {stopped && set.jobId && !sourceDamaged && (
          <button type="button" className="button small primary" onClick={() => act(() => resume(set))} disabled={busy} data-testid="resume-extraction">
            <Icon name="refresh" size={14} /> {t('common:actions.resume')}
          </button>
        )}
        <ConfirmDialog
          open={removing}
          title={t('list.removeTitle')}
          message={t('list.removeMessage', { name: mediaName ?? '' })}
          confirmLabel={t('list.remove')}
          danger
          testId="remove-damaged-dialog"
          onCancel={() => setRemoving(false)}
          onConfirm={async () => {
            await useMedia.getState().remove(set.mediaId);
            setRemoving(false);
          }}
        />
        {!running && (
          <button type="button" className="icon-button" onClick={onDelete} aria-label={t('sets.delete')} title={t('sets.delete')} data-testid="delete-frame-set">
            <Icon name="trash" size={16} />
          </button>
        )}
      </div>
    </li>
  );
}

export function FrameSets() {
  const { t } = useTranslation('media');
  const all = useFrames((s) => s.sets);
  const mediaId = useFrames((s) => s.mediaId);
  const sets = useMemo(() => setsOfMedia(all, mediaId), [all, mediaId]);
  const elsewhere = all.length - sets.length;
  const selectedSetId = useFrames((s) => s.selectedSetId);
  const remove = useFrames((s) => s.remove);
  const [deleting, setDeleting] = useState<FrameSet | null>(null);
  // model runs made on the set: their results go with its frames (the runs stay, without a frame set)
  const [runCount, setRunCount] = useState<number | null>(null);
  useEffect(() => {
    setRunCount(null);
    if (!deleting) return;
    let live = true;
    api.inference
      .runs({ projectId: deleting.projectId })
      .then((runs) => live && setRunCount(runsOfSet(runs, deleting.id)))
      .catch(() => live && setRunCount(null));
    return () => {
      live = false;
    };
  }, [deleting]);

  const others = elsewhere > 0 && (
    <p className="faint frame-sets-elsewhere" data-testid="frame-sets-elsewhere" data-count={elsewhere}>
      {t('sets.elsewhere', { count: elsewhere })}
    </p>
  );
  if (sets.length === 0) {
    return (
      <>
        <p className="muted frame-sets-empty" data-testid="frame-sets-empty">
          {t(all.length === 0 ? 'sets.empty' : 'sets.emptyForMedia')}
        </p>
        {others}
      </>
    );
  }
  return (
    <>
      <ul className="frame-sets" data-testid="frame-sets">
        {sets.map((s) => (
          <FrameSetRow key={s.id} set={s} selected={s.id === selectedSetId} onDelete={() => setDeleting(s)} />
        ))}
      </ul>
      {others}
      <ConfirmDialog
        open={deleting !== null}
        title={t('sets.deleteTitle')}
        message={
          <>
            {t('sets.deleteMessage', { count: deleting?.frameCount ?? 0 })}{' '}
            <span data-testid="delete-set-runs" data-count={runCount ?? ''}>
              {runCount === null ? t('sets.deleteRunsCounting') : t('sets.deleteRuns', { count: runCount })}
            </span>
          </>
        }
        confirmLabel={t('sets.delete')}
        danger
        testId="delete-set-dialog"
        onCancel={() => setDeleting(null)}
        onConfirm={async () => {
          if (deleting) await remove(deleting);
          setDeleting(null);
        }}
      />
    </>
  );
}
