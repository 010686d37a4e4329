import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FrameSet, ModelManifest } from '../../../../main/common/contract';
import { api } from '../../api';
import { useContribute } from '../../stores/contribute-store';
import { useCurrentProject } from '../../stores/project-store';
import { EmptyState } from '../../ui/empty-state';
import { Icon } from '../../ui/icon';
import { ProgressBar } from '../../ui/progress-bar';
import { jobFraction, OPEN_JOB_STATES } from './contribute-rules';

/** Spend: the network credit (earned here, spent on the creator's own jobs), "run on the network", the jobs. */
export function NetworkPanel() {
  const { t } = useTranslation('contribute');
  const account = useContribute((s) => s.account);
  const jobs = useContribute((s) => s.jobs);
  const busy = useContribute((s) => s.busy);
  const error = useContribute((s) => s.error);
  const { submit, cancel } = useContribute.getState();
  const project = useCurrentProject();
  const [sets, setSets] = useState<FrameSet[]>([]);
  const [models, setModels] = useState<ModelManifest[]>([]);
  const [frameSetId, setFrameSetId] = useState<number | null>(null);
  const [modelId, setModelId] = useState('');
  const [redundancy, setRedundancy] = useState(2);

  useEffect(() => {
    if (!project) return;
    void api.frames.listSets({ projectId: project.id }).then((s) => {
      setSets(s);
      setFrameSetId((cur) => cur ?? s[0]?.id ?? null);
    });
  }, [project?.id]);
  useEffect(() => {
    void api.models.list().then((m) => {
      const ok = m.filter((x) => x.runtime === 'onnx' && (x.task === 'classification' || x.task === 'detection'));
      setModels(ok);
      setModelId((cur) => cur || ok[0]?.id || '');
    });
  }, []);

  const credit = account?.credit;
  const submitError = error?.action === 'submit' ? error : null;
  const creditError = (e: { details?: Record<string, unknown> }) => e.details?.serviceCode === 'INSUFFICIENT_CREDIT';
  const errText = (e: { message: string; details?: Record<string, unknown> }) =>
    creditError(e) ? t('network.noCredit', { cost: String(e.details?.cost ?? '?'), balance: String(e.details?.balance ?? '?') }) : e.message;

  return (
    <section className="panel contribute-network" data-testid="contribute-network">
      <div className="panel-title">
        <span>
          <Icon name="globe" size={14} /> {t('network.title')}
        </span>
        {account?.emulator && <span className="faint">{t('network.emulator')}</span>}
      </div>
      {!account?.networkUrl ? (
        <p className="muted" data-testid="contribute-network-none">
          {t('network.notConfigured')}
        </p>
      ) : credit ? (
        <div className="contribute-totals" data-testid="contribute-credit" data-balance={credit.balance}>
          <div>
            <strong>{credit.earned}</strong> <span className="faint">{t('network.earned')}</span>
          </div>
          <div data-testid="contribute-credit-spent">
            <strong>{credit.spent}</strong> <span className="faint">{t('network.spent')}</span>
          </div>
          <div>
            <strong>{credit.reserved}</strong> <span className="faint">{t('network.reserved')}</span>
          </div>
          <div data-testid="contribute-credit-balance">
            <strong>{credit.balance}</strong> <span className="faint">{t('network.balance')}</span>
          </div>
        </div>
      ) : (
        account.error && <p className="cloud-error">{account.error.message}</p>
      )}
      <div className="contribute-run" data-testid="contribute-run">
        <h3>{t('network.runTitle')}</h3>
        {!project ? (
          <p className="muted">{t('network.noProject')}</p>
        ) : sets.length === 0 ? (
          <p className="muted" data-testid="contribute-run-no-sets">
            {t('network.noSets')}
          </p>
        ) : models.length === 0 ? (
          <p className="muted" data-testid="contribute-run-no-models">
            {t('network.noModels')}
          </p>
        ) : (
          <form
            className="gpu-form-row"
            onSubmit={(e) => {
              e.preventDefault();
              if (frameSetId !== null && modelId) void submit({ frameSetId, modelId, redundancy });
            }}
          >
            <label className="field">
              <span className="field-label">{t('network.frameSet')}</span>
              <select className="select" data-testid="contribute-run-set" value={frameSetId ?? ''} onChange={(e) => setFrameSetId(Number(e.target.value))}>
                {sets.map((s) => (
                  <option key={s.id} value={s.id}>
                    {t('network.setOption', { id: s.id, frames: s.frameCount })}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span className="field-label">{t('network.model')}</span>
              <select className="select" data-testid="contribute-run-model" value={modelId} onChange={(e) => setModelId(e.target.value)}>
                {models.map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.name}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span className="field-label">{t('network.redundancy')}</span>
              <select className="select" data-testid="contribute-run-redundancy" value={redundancy} onChange={(e) => setRedundancy(Number(e.target.value))}>
                {[1, 2, 3].map((n) => (
                  <option key={n} value={n}>
                    {t('network.replicas', { count: n })}
                  </option>
                ))}
              </select>
            </label>
            <button className="button primary" data-testid="contribute-run-submit" disabled={busy || !account?.networkUrl}>
              <Icon name="upload" size={14} /> {t('network.submit')}
            </button>
          </form>
        )}
        {submitError && (
          <p className="cloud-error" role="alert" data-testid="contribute-run-error">
            {errText(submitError)}
          </p>
        )}
      </div>
      {jobs.length === 0 ? (
        <EmptyState icon="globe" title={t('network.emptyTitle')} testId="contribute-jobs-empty">
          {t('network.empty')}
        </EmptyState>
      ) : (
        <ul className="contribute-jobs" data-testid="contribute-jobs">
          {jobs.map((j) => (
            <li key={j.id} data-testid={`contribute-netjob-${j.id}`} data-state={j.state}>
              <div className="contribute-job-head">
                <strong>{j.modelName}</strong>
                <span className="faint">{t('network.jobLine', { set: j.frameSetId ?? '–', count: j.redundancy })}</span>
                <span className={`contribute-pill ${j.state}`}>{t(`network.states.${j.state}`)}</span>
                {OPEN_JOB_STATES.includes(j.state) && (
                  <button className="button ghost small" data-testid={`contribute-netjob-cancel-${j.id}`} onClick={() => void cancel(j.id)}>
                    {t('network.cancel')}
                  </button>
                )}
              </div>
              {OPEN_JOB_STATES.includes(j.state) && <ProgressBar fraction={jobFraction(j)} label={t(`network.states.${j.state}`)} />}
              <div className="faint">
                {j.state === 'uploading' ? t('network.uploaded', { done: j.uploaded, total: j.toUpload }) : t('network.inputs', { done: j.done, total: j.total })}
                {j.spent !== null ? ` · ${t('network.spentOn', { credit: j.spent })}` : j.cost !== null ? ` · ${t('network.reservedOn', { credit: j.cost })}` : ''}
                {j.runId !== null && ` · ${t('network.inProject', { run: j.runId })}`}
              </div>
              {j.error && <p className="cloud-error">{errText(j.error)}</p>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
