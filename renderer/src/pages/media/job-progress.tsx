import { useTranslation } from 'react-i18next';
import type { Job } from '../../../../main/common/contract';
import { useJobs } from '../../stores/job-store';
import { formatEta, formatNumber } from '../../ui/format';
import { ProgressBar } from '../../ui/progress-bar';

/** Progress of a running job from its live events: bar, percent, rate, items done and time left. */
export function JobProgressView({ jobId, fallback, label }: { jobId: string; fallback?: Job; label?: string }) {
  const { t, i18n } = useTranslation('media');
  const progress = useJobs((s) => s.progress[jobId]);
  const fraction = progress?.fraction ?? fallback?.progress ?? null;
  const stage = progress?.stage ?? fallback?.stage ?? null;
  const parts: string[] = [];
  if (fraction !== null) parts.push(`${Math.floor(fraction * 100)}%`);
  if (progress?.done != null && progress.total != null) parts.push(t('progress.done', { done: progress.done, total: progress.total }));
  if (progress?.rate != null && progress.rate > 0) parts.push(t('progress.rate', { rate: formatNumber(progress.rate, i18n.language, 1), unit: progress.unit ? t(`progress.units.${progress.unit}`, { defaultValue: progress.unit }) : '' }));
  if (progress?.etaSeconds != null && fraction !== null && fraction < 1) parts.push(t('progress.eta', { time: formatEta(progress.etaSeconds) }));
  return (
    <div className="job-progress" data-testid="job-progress">
      <ProgressBar fraction={fraction !== null && fraction > 0 ? fraction : null} label={label ?? t('progress.label')} testId="progress-bar" />
      <div className="job-progress-text">
        <span className="muted">{stage ? t(`progress.stage.${stage}`, { defaultValue: stage }) : t('progress.starting')}</span>
        <span className="muted" data-testid="progress-text">
          {parts.join(' · ')}
        </span>
      </div>
    </div>
  );
}
