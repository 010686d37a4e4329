import { useTranslation } from 'react-i18next';
import { reasonText, sayText } from '../../i18n/say';
import type { ProviderAttempt } from '../../../../main/common/contract';
import { isActive, useJobs } from '../../stores/job-store';
import { Icon } from '../../ui/icon';
import { ProgressBar } from '../../ui/progress-bar';
import { useModels } from './models-store';

function Attempts({ attempts, testId }: { attempts: ProviderAttempt[]; testId: string }) {
  const { t, i18n } = useTranslation('models');
  return (
    <ul className="provider-list" data-testid={testId}>
      {attempts.map((a) => (
        <li key={a.name} className={`provider provider-${a.status}`} data-provider={a.name} data-status={a.status}>
          <span className={`badge ${a.status === 'used' ? 'success' : a.status === 'failed' ? 'danger' : a.status === 'available' ? 'accent' : ''}`}>{t(`devices.status.${a.status}`)}</span>
          <span className="provider-name" translate="no">
            {a.label}
          </span>
          {a.reason && (
            <span className="provider-reason muted" data-testid="provider-reason" title={a.detail ?? undefined}>
              {reasonText(i18n, a)}
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}

/** GPUs, providers and backends with the reason each one is or is not used, and the force-CPU switch. */
export function DevicesPanel() {
  const { t, i18n } = useTranslation('models');
  const report = useModels((s) => s.report);
  const prefs = useModels((s) => s.prefs);
  const setPrefs = useModels((s) => s.setPrefs);
  const reload = useModels((s) => s.loadProviders);
  const installCuda = useModels((s) => s.installCuda);
  const cudaJobId = useModels((s) => s.cudaJobId);
  const cudaJob = useJobs((s) => (cudaJobId ? s.jobs[cudaJobId] : undefined));
  const cudaProgress = useJobs((s) => (cudaJobId ? s.progress[cudaJobId] : undefined));

  return (
    <section className="panel devices-panel" data-testid="devices-panel">
      <div className="panel-title">
        <span>
          <Icon name="cpu" size={14} /> {t('devices.title')}
        </span>
        <button type="button" className="icon-button" onClick={() => void reload(true)} aria-label={t('devices.refresh')} title={t('devices.refresh')}>
          <Icon name="refresh" size={16} />
        </button>
      </div>
      {!report ? (
        <div className="muted">
          <span className="spinner" /> {t('devices.probing')}
        </div>
      ) : (
        <>
          <div className="gpu-list" data-testid="gpu-list">
            {report.gpus.length === 0 ? (
              // the probe's own words name the tools it ran: kept as a tooltip, not put in the sentence
              <p className="muted" data-testid="no-gpu" title={report.gpuProblem ?? undefined}>
                {t('devices.noGpu')}
              </p>
            ) : (
              report.gpus.map((g, i) => (
                <div key={i} className="gpu" title={g.source}>
                  <strong translate="no">{g.name}</strong>
                  <span className="muted">
                    {[g.memoryMiB ? t('devices.memory', { gib: (g.memoryMiB / 1024).toFixed(1) }) : null, g.driver ? t('devices.driver', { version: g.driver }) : null].filter(Boolean).join(' · ')}
                  </span>
                </div>
              ))
            )}
          </div>
          <label className="switch-row">
            <input
              type="checkbox"
              role="switch"
              checked={prefs?.forceCpu ?? false}
              onChange={(e) => void setPrefs({ forceCpu: e.target.checked })}
              data-testid="force-cpu"
            />
            <span>
              <strong>{t('devices.forceCpu')}</strong>
              <span className="muted"> — {t('devices.forceCpuHint')}</span>
            </span>
          </label>
          <h3 className="devices-sub">
            {t('devices.onnx', { version: report.onnx.version })} <span className="badge success" data-testid="onnx-selected">{report.onnx.selected ?? '—'}</span>
          </h3>
          <Attempts attempts={report.onnx.attempts} testId="onnx-providers" />
          <h3 className="devices-sub">
            {t('devices.tfjs', { version: report.tfjs.version })} <span className="badge accent">{report.tfjs.selected ?? '—'}</span>
          </h3>
          <Attempts attempts={report.tfjs.attempts} testId="tfjs-backends" />
          {report.cuda.hint && (
            <div className="cuda-offer">
              <p className="muted">{sayText(i18n, { message: report.cuda.hint, messageCode: report.cuda.hintCode })}</p>
              {cudaJob && isActive(cudaJob.status) ? (
                <ProgressBar fraction={cudaProgress?.fraction ?? null} label={t('devices.installCuda')} />
              ) : (
                <button type="button" className="button small" onClick={() => void installCuda()} disabled={!report.cuda.offered} data-testid="install-cuda">
                  <Icon name="upload" size={14} /> {t('devices.installCuda')}
                </button>
              )}
              {cudaJob?.status === 'failed' && cudaJob.error && <p className="field-error">{sayText(i18n, cudaJob.error)}</p>}
            </div>
          )}
        </>
      )}
    </section>
  );
}
