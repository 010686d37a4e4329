import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useContribute } from '../../stores/contribute-store';
import { Icon } from '../../ui/icon';
import { ProgressBar } from '../../ui/progress-bar';
import { ageSeconds, duration, reasonKey } from './contribute-rules';

function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

/** On: the state and why (translated from its code), the current job with time left and checkpoint age, the controls. */
export function StatusPanel() {
  const { t } = useTranslation('contribute');
  const status = useContribute((s) => s.status)!;
  const busy = useContribute((s) => s.busy);
  const { pauseNow, finishThenStop, resume, optOut } = useContribute.getState();
  const now = useNow();
  const reason = reasonKey(status.reason);
  const job = status.job;
  const fmt = (sec: number | null) => {
    if (sec === null) return t('unknown');
    const d = duration(sec);
    return t(`duration.${d.key}`, d);
  };
  const held = status.command !== 'none';
  return (
    <section className="panel contribute-status" data-testid="contribute-status" data-state={status.state} data-reason={status.reason.code}>
      <div className="panel-title">
        <span>
          <Icon name="heart" size={14} /> {t('status.title')}
        </span>
        <span className={`contribute-pill ${status.state}`} data-testid="contribute-state">
          {t(`states.${status.state}`)}
        </span>
      </div>
      <p className="contribute-reason" data-testid="contribute-reason">
        {t(reason.key, reason.params)}
      </p>
      <p className="faint">
        {t('status.today', { minutes: Math.round(status.todayMinutes) })}
        {status.nodeId && (
          <>
            {' · '}
            <span className="mono" title={status.nodeId}>
              {t('status.node', { id: `${status.nodeId.slice(0, 6)}…${status.nodeId.slice(-4)}` })}
            </span>
          </>
        )}
      </p>
      {!status.sources.gpuProcesses.available && (
        <p className="cloud-notice warning" data-testid="contribute-gpu-source">
          {t('status.noGpuSource', { why: status.sources.gpuProcesses.why ?? '' })}
        </p>
      )}
      {job ? (
        <div className="contribute-job" data-testid="contribute-job">
          <div className="cloud-progress-text">
            {t('job.line', { kind: t(`job.kinds.${job.kind}`), cluster: t(`clusters.${job.cluster}`), done: job.done, total: job.total })}
          </div>
          <ProgressBar fraction={job.total ? job.done / job.total : null} label={t('job.progress')} testId="contribute-job-progress" />
          <div className="faint contribute-job-times">
            <span data-testid="contribute-job-remaining">{t('job.remaining', { time: fmt(job.remainingSeconds) })}</span>
            <span data-testid="contribute-job-checkpoint">{job.lastCheckpointAt ? t('job.checkpoint', { time: fmt(ageSeconds(job.lastCheckpointAt, now)) }) : t('job.noCheckpoint')}</span>
            <span>{t('job.deadline', { time: fmt(Math.max(0, Math.round((Date.parse(job.deadline) - now) / 1000))) })}</span>
          </div>
        </div>
      ) : (
        <p className="muted" data-testid="contribute-no-job">
          {t('job.none')}
        </p>
      )}
      <div className="cloud-row-actions">
        {held ? (
          <button className="button small" data-testid="contribute-resume" disabled={busy} onClick={() => void resume()}>
            <Icon name="play" size={14} /> {t('actions.resume')}
          </button>
        ) : (
          <>
            <button className="button small" data-testid="contribute-pause-now" disabled={busy} onClick={() => void pauseNow()}>
              <Icon name="stop" size={14} /> {t('actions.pauseNow')}
            </button>
            <button className="button ghost small" data-testid="contribute-finish-then-stop" disabled={busy} onClick={() => void finishThenStop()}>
              <Icon name="check" size={14} /> {t('actions.finishThenStop')}
            </button>
          </>
        )}
        <button className="button ghost small" data-testid="contribute-opt-out" disabled={busy} onClick={() => void optOut()}>
          <Icon name="x" size={14} /> {t('actions.optOut')}
        </button>
      </div>
    </section>
  );
}
