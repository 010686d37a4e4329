import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { sayText } from '../../i18n/say';
import type { CloudJob, CloudResult } from '../../../../main/common/contract';
import { fileUrl } from '../../api';
import { useCloud } from '../../stores/cloud-store';
import { useMedia } from '../../stores/media-store';
import { EmptyState } from '../../ui/empty-state';
import { formatBytes, formatDate, formatEta } from '../../ui/format';
import { Icon } from '../../ui/icon';
import { ProgressBar } from '../../ui/progress-bar';
import { openModelPath } from '../viewer/open-model';
import { formatRate, resultKind } from './cloud-rules';

const stateBadge: Record<CloudJob['state'], string> = {
  queued: 'warning',
  uploading: 'accent',
  processing: 'accent',
  downloading: 'accent',
  done: 'success',
  failed: 'danger',
  cancelled: '',
};

function UploadBar({ job }: { job: CloudJob }) {
  const { t, i18n } = useTranslation('cloud');
  const up = job.upload;
  const fraction = up && up.totalBytes > 0 ? up.sentBytes / up.totalBytes : null;
  const parts: string[] = [];
  if (up) parts.push(t('jobs.uploadText', { sent: formatBytes(up.sentBytes, i18n.language), total: formatBytes(up.totalBytes, i18n.language) }));
  if (up?.rateBytesPerSec) parts.push(formatRate(up.rateBytesPerSec));
  if (up?.etaSec != null && fraction !== null && fraction < 1) parts.push(t('jobs.eta', { time: formatEta(up.etaSec) }));
  return (
    <div className="cloud-progress" data-testid="cloud-upload">
      <ProgressBar fraction={fraction} label={t('jobs.upload')} testId="cloud-upload-bar" />
      <div className="cloud-progress-text">
        <span className="muted">
          {t('jobs.upload')}
          {fraction !== null && ` · ${Math.floor(fraction * 100)}%`}
        </span>
        <span className="muted" data-testid="cloud-upload-text">
          {parts.join(' · ')}
        </span>
      </div>
    </div>
  );
}

function DownloadBar({ job }: { job: CloudJob }) {
  const { t, i18n } = useTranslation('cloud');
  const d = job.download;
  const fraction = d && d.totalBytes ? d.sentBytes / d.totalBytes : null;
  return (
    <div className="cloud-progress" data-testid="cloud-download">
      <ProgressBar fraction={fraction} label={t('jobs.download')} testId="cloud-download-bar" />
      <div className="cloud-progress-text">
        <span className="muted">{t('jobs.download')}</span>
        {d && <span className="muted">{d.totalBytes ? t('jobs.uploadText', { sent: formatBytes(d.sentBytes, i18n.language), total: formatBytes(d.totalBytes, i18n.language) }) : formatBytes(d.sentBytes, i18n.language)}</span>}
      </div>
    </div>
  );
}

function ResultRow({ result }: { result: CloudResult }) {
  const { t, i18n } = useTranslation('cloud');
  const [shown, setShown] = useState(false);
  const kind = result.kind === 'gif' ? 'image' : result.kind === 'tar.gz' ? 'archive' : resultKind(result.file);
  const name = result.file.split('/').pop() ?? result.file;
  return (
    <li className="cloud-result" data-testid="cloud-result" data-kind={result.kind} data-file={result.file}>
      <div className="cloud-result-row">
        <Icon name={kind === 'model' ? 'cube' : kind === 'image' ? 'image' : 'layers'} size={16} className="cloud-result-icon" />
        <div className="cloud-result-text">
          <span className="cloud-result-name">{name}</span>
          <span className="faint">
            {result.label} · {formatBytes(result.bytes, i18n.language)}
          </span>
        </div>
        {kind === 'model' && (
          <button type="button" className="button small primary" onClick={() => void openModelPath(result.file)} data-testid="cloud-open-3d">
            <Icon name="cube" size={14} /> {t('jobs.open3d')}
          </button>
        )}
        {kind === 'image' && (
          <button type="button" className="button small" onClick={() => setShown((s) => !s)} aria-expanded={shown} data-testid="cloud-show-image">
            <Icon name="image" size={14} /> {shown ? t('jobs.hideImage') : t('jobs.showImage')}
          </button>
        )}
      </div>
      {kind === 'image' && shown && <img className="cloud-result-image" src={fileUrl(result.file)} alt={name} data-testid="cloud-result-image" />}
      {kind === 'archive' && result.entries && (
        <details className="cloud-archive" data-testid="cloud-archive">
          <summary className="muted">{t('jobs.entries', { count: result.entries.length })}</summary>
          <ul>
            {result.entries.map((e) => (
              <li key={e} className="mono">
                {e}
              </li>
            ))}
          </ul>
        </details>
      )}
    </li>
  );
}

function JobCard({ job }: { job: CloudJob }) {
  const { t, i18n } = useTranslation('cloud');
  const retry = useCloud((s) => s.retryJob);
  const cancel = useCloud((s) => s.cancelJob);
  const outbox = useCloud((s) => (job.outboxId ? s.outbox.find((o) => o.id === job.outboxId) : undefined));
  const mediaName = useMedia((s) => s.media.find((m) => m.id === job.mediaId)?.name ?? null);
  const active = job.state === 'queued' || job.state === 'uploading' || job.state === 'processing' || job.state === 'downloading';
  const canRetry = job.state === 'failed' || job.state === 'cancelled';
  return (
    <li className="cloud-job" data-testid="cloud-job" data-job-id={job.id} data-request-id={job.requestId ?? ''} data-state={job.state} data-cloud-status={job.cloudStatus ?? ''} data-model={job.model}>
      <div className="cloud-job-head">
        <div className="cloud-job-title">
          <span className="cloud-job-name">{job.fields.itemName}</span>
          <span className="badge">{t(`models.${job.model}`)}</span>
          <span className={`badge ${stateBadge[job.state]}`} data-testid="cloud-job-state">
            {(job.state === 'uploading' || job.state === 'processing' || job.state === 'downloading') && <span className="spinner small" />}
            {t(`jobs.states.${job.state}`)}
          </span>
          {job.cloudStatus && (
            <span className="faint" data-testid="cloud-job-status">
              {t(`jobs.cloudStatus.${job.cloudStatus}`)}
            </span>
          )}
        </div>
        <div className="cloud-job-actions">
          {active && (
            <button type="button" className="button ghost small" onClick={() => void cancel(job.id)} data-testid="cloud-job-cancel">
              <Icon name="stop" size={14} /> {t('jobs.cancel')}
            </button>
          )}
          {canRetry && (
            <button type="button" className="button small" onClick={() => void retry(job.id)} data-testid="cloud-job-retry">
              <Icon name="refresh" size={14} /> {t('jobs.retry')}
            </button>
          )}
        </div>
      </div>
      <div className="cloud-job-meta faint">
        {mediaName && <span>{t('jobs.media', { name: mediaName })}</span>}
        <span>{t('jobs.created', { time: formatDate(job.createdAt, i18n.language) })}</span>
        {job.requestId && <span className="mono">{t('jobs.request', { id: job.requestId })}</span>}
      </div>
      {job.state === 'uploading' && <UploadBar job={job} />}
      {job.state === 'processing' && (
        <div className="cloud-progress" data-testid="cloud-processing">
          <ProgressBar fraction={null} label={t('jobs.states.processing')} />
        </div>
      )}
      {job.state === 'downloading' && <DownloadBar job={job} />}
      {job.state === 'queued' && (
        <div className="cloud-notice warning" data-testid="cloud-job-queued">
          <Icon name="info" size={15} />
          <span>
            {t('jobs.queuedText')}
            {outbox && outbox.attempts > 0 && <span className="faint"> · {t('jobs.attempts', { count: outbox.attempts })}</span>}
          </span>
        </div>
      )}
      {job.note && job.state !== 'failed' && job.state !== 'queued' && (
        <div className="muted cloud-job-note" data-testid="cloud-job-note">
          {job.note}
        </div>
      )}
      {job.state === 'failed' && (
        <div className="cloud-error" role="alert" data-testid="cloud-job-error" data-code={job.error?.code}>
          <Icon name="alert" size={15} />
          <span>
            {job.error && <strong>{t(`common:errors.${job.error.code}`, { defaultValue: t('common:errors.UNKNOWN') })}</strong>}
            {job.error ? ` — ${sayText(i18n, job.error)}` : (job.note ?? '')}
          </span>
        </div>
      )}
      {job.results.length > 0 && (
        <ul className="cloud-results" aria-label={t('jobs.results')}>
          {job.results.map((r) => (
            <ResultRow key={`${r.code}:${r.file}`} result={r} />
          ))}
        </ul>
      )}
    </li>
  );
}

/** The open project's cloud jobs, live: upload bar, cloud status, queued and failed with retry, results. */
export function JobsList() {
  const { t } = useTranslation('cloud');
  const jobs = useCloud((s) => s.jobs);
  const loaded = useCloud((s) => s.jobsLoaded);
  return (
    <section className="panel cloud-jobs" data-testid="cloud-jobs" aria-labelledby="cloud-jobs-title">
      <div className="panel-title">
        <span id="cloud-jobs-title">
          <Icon name="layers" size={14} /> {t('jobs.title')}
        </span>
        {jobs.length > 0 && <span className="badge">{jobs.length}</span>}
      </div>
      {!loaded ? (
        <span className="spinner" />
      ) : jobs.length === 0 ? (
        <EmptyState icon="cloud" title={t('jobs.empty')} testId="cloud-jobs-empty">
          {t('jobs.emptyHint')}
        </EmptyState>
      ) : (
        <ul className="cloud-job-list">
          {jobs.map((j) => (
            <JobCard key={j.id} job={j} />
          ))}
        </ul>
      )}
    </section>
  );
}
