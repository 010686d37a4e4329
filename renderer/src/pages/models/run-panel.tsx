import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { sayText } from '../../i18n/say';
import type { TFunction } from 'i18next';
import type { ExtractMode, ModelRun, RunPlan } from '../../../../main/common/contract';
import { isActive, useJobs } from '../../stores/job-store';
import { placeOf, usePlace } from '../../stores/place-store';
import { formatDate, formatEta, formatNumber } from '../../ui/format';
import { Icon } from '../../ui/icon';
import { ProgressBar } from '../../ui/progress-bar';
import { Segmented } from '../../ui/segmented';
import { useModels } from './models-store';

const RUN_MODES = ['remaining', 'all'] as const;

/** How a frame set was made, in a few words ("2 fps", "100 frames spread evenly"). */
function modeSummary(mode: ExtractMode, t: TFunction): string {
  return t(`media:modes.summary.${mode.kind}`, mode.kind === 'fps' ? { fps: mode.fps } : mode.kind === 'every' ? { n: mode.n } : mode.kind === 'scene' ? { threshold: mode.threshold } : mode.kind === 'count' ? { count: mode.count } : {});
}

/** Choose a model and a frame set, and run it: "process remaining" by default. */
export function RunForm({ projectId }: { projectId: number }) {
  const { t } = useTranslation('models');
  const models = useModels((s) => s.models);
  const frameSets = useModels((s) => s.frameSets);
  const mediaNames = useModels((s) => s.mediaNames);
  const startRun = useModels((s) => s.startRun);
  const planRun = useModels((s) => s.planRun);
  // Any change to the runs (one started, finished, cancelled, deleted) can change what remains.
  const runsKey = useModels((s) => s.runs.map((r) => `${r.id}:${r.status}:${r.done}:${r.failed}`).join(','));
  // the model and images chosen last in this project come back after a reload; gone ones fall back quietly
  const [modelId, setModelIdState] = useState(() => placeOf(projectId).modelId ?? '');
  const [setId, setSetIdState] = useState<string>(() => placeOf(projectId).runImages ?? '');
  const setModelId = (id: string) => {
    setModelIdState(id);
    usePlace.getState().remember(projectId, { modelId: id });
  };
  const setSetId = (id: string) => {
    setSetIdState(id);
    usePlace.getState().remember(projectId, { runImages: id });
  };
  const [mode, setMode] = useState<(typeof RUN_MODES)[number]>('remaining');
  const [busy, setBusy] = useState(false);
  const [plan, setPlan] = useState<{ key: string; plan: RunPlan } | null>(null);
  const chosenModel = (models.some((m) => m.id === modelId) ? modelId : '') || models.find((m) => m.task !== 'ocr-rec')?.id || '';
  const completeSets = frameSets.filter((s) => s.status === 'complete');
  const chosenSet = (setId === 'all' || completeSets.some((s) => String(s.id) === setId) ? setId : '') || (completeSets[0] ? String(completeSets[0].id) : 'all');
  const setsKey = completeSets.map((s) => `${s.id}:${s.frameCount}`).join(',');
  const planKey = `${projectId}|${chosenModel}|${chosenSet}|${mode}|${runsKey}|${setsKey}`;
  const current = plan?.key === planKey ? plan.plan : null;

  useEffect(() => {
    if (!chosenModel) return;
    let live = true;
    void planRun({ projectId, modelId: chosenModel, frameSetId: chosenSet === 'all' ? undefined : Number(chosenSet), mode }).then((p) => {
      if (live && p) setPlan({ key: planKey, plan: p });
    });
    return () => {
      live = false;
    };
    // planKey carries every input that changes the answer.
  }, [planKey]);

  const run = async () => {
    if (!chosenModel) return;
    setBusy(true);
    await startRun({ projectId, modelId: chosenModel, frameSetId: chosenSet === 'all' ? undefined : Number(chosenSet), mode });
    setBusy(false);
  };
  return (
    <section className="panel run-form" data-testid="run-form">
      <div className="panel-title">
        <span>
          <Icon name="play" size={14} /> {t('run.title')}
        </span>
      </div>
      <div className="run-form-grid">
        <div className="field">
          <label className="field-label" htmlFor="run-model">
            {t('run.model')}
          </label>
          <select
            id="run-model"
            className="select"
            value={chosenModel}
            onChange={(e) => setModelId(e.target.value)}
            title={models.find((m) => m.id === chosenModel)?.name}
            data-testid="run-model"
          >
            {/* grouped by task, so each option is the model's name alone and fits the field */}
            {[...new Set(models.map((m) => m.task))].map((task) => (
              <optgroup key={task} label={t(`task.${task}`)}>
                {models
                  .filter((m) => m.task === task)
                  .map((m) => (
                    <option key={m.id} value={m.id}>
                      {m.name}
                    </option>
                  ))}
              </optgroup>
            ))}
          </select>
        </div>
        <div className="field">
          <label className="field-label" htmlFor="run-set">
            {t('run.images')}
          </label>
          <select id="run-set" className="select" value={chosenSet} onChange={(e) => setSetId(e.target.value)} data-testid="run-set">
            {completeSets.map((s) => (
              <option key={s.id} value={s.id}>
                {t('run.frameSetNamed', { media: mediaNames[s.mediaId] ?? t('run.unknownMedia'), mode: modeSummary(s.params.mode, t), count: s.frameCount })}
              </option>
            ))}
            <option value="all">{t('run.allImages')}</option>
          </select>
        </div>
        <div className="field">
          <span className="field-label">{t('run.mode')}</span>
          <Segmented options={RUN_MODES} value={mode} onChange={setMode} render={(m) => t(`run.modes.${m}`)} label={t('run.mode')} testId={(m) => `run-mode-${m}`} />
        </div>
        <button
          type="button"
          className="button primary run-button"
          onClick={() => void run()}
          disabled={busy || !chosenModel || !current || current.toProcess === 0}
          data-testid="run-start"
        >
          <Icon name="play" size={14} /> {current && current.toProcess > 0 ? t('run.startCount', { count: current.toProcess }) : t('run.start')}
        </button>
      </div>
      <p className="field-hint">{t(`run.modeHint.${mode}`)}</p>
      <p
        className={current?.toProcess === 0 ? 'run-plan warning-text' : 'run-plan'}
        data-testid="run-plan"
        data-ready={current ? 'true' : 'false'}
        data-in-scope={current?.inScope}
        data-with-result={current?.withResult}
        data-in-progress={current?.inProgress}
        data-to-process={current?.toProcess}
      >
        {!current
          ? t('plan.counting')
          : current.inScope === 0
            ? t('plan.empty')
            : current.toProcess === 0
              ? t(current.inProgress > 0 ? 'plan.noneBusy' : 'plan.none')
              : [
                  t(`plan.${mode}`, { count: current.toProcess, inScope: current.inScope, withResult: current.withResult }),
                  current.inProgress > 0 && mode === 'remaining' ? t('plan.inProgress', { count: current.inProgress }) : null,
                ]
                  .filter(Boolean)
                  .join(' ')}
      </p>
    </section>
  );
}

function RunProgress({ run }: { run: ModelRun }) {
  const { t, i18n } = useTranslation('models');
  const progress = useJobs((s) => (run.jobId ? s.progress[run.jobId] : undefined));
  const done = progress?.done ?? run.done + run.failed;
  const total = progress?.total ?? run.total;
  const parts = [t('run.doneOf', { done, total })];
  if (progress?.rate) parts.push(t('run.rate', { rate: formatNumber(progress.rate, i18n.language, 1) }));
  if (progress?.etaSeconds != null) parts.push(t('run.eta', { time: formatEta(progress.etaSeconds) }));
  return (
    <div className="run-progress" data-testid="run-progress">
      <ProgressBar fraction={progress?.fraction ?? (total ? done / total : null)} label={t('run.progress')} testId="run-progress-bar" />
      <span className="muted" data-testid="run-progress-text">
        {parts.join(' · ')}
      </span>
    </div>
  );
}

/** Runs of the project, newest first, each with status, device, progress and actions. */
export function RunList() {
  const { t, i18n } = useTranslation('models');
  const runs = useModels((s) => s.runs);
  const selected = useModels((s) => s.selectedRunId);
  const select = useModels((s) => s.selectRun);
  const cancel = useModels((s) => s.cancelRun);
  const resume = useModels((s) => s.resumeRun);
  const remove = useModels((s) => s.deleteRun);
  const jobs = useJobs((s) => s.jobs);
  if (runs.length === 0) return <p className="muted run-empty">{t('run.none')}</p>;
  return (
    <ul className="run-list" data-testid="run-list">
      {runs.map((r) => {
        const job = r.jobId ? jobs[r.jobId] : undefined;
        const running = job ? isActive(job.status) : r.status === 'running';
        const status = running ? 'running' : r.status;
        return (
          <li
            key={r.id}
            className={r.id === selected ? 'run-item selected' : 'run-item'}
            data-testid="run-item"
            data-run-id={r.id}
            data-model-id={r.modelId}
            data-status={status}
            data-total={r.total}
            data-done={r.done}
            data-failed={r.failed}
            data-skipped={r.skipped}
            aria-current={r.id === selected ? 'true' : undefined}
          >
            <button type="button" className="run-item-main" onClick={() => void select(r.id)}>
              <span className="run-title">
                <strong>{r.modelName}</strong>
                <span className={`badge ${status === 'completed' ? 'success' : status === 'failed' ? 'danger' : status === 'running' ? 'accent' : 'warning'}`}>{t(`run.status.${status}`)}</span>
                {r.provider && <span className="badge" data-testid="run-provider">{r.provider}</span>}
              </span>
              <span className="muted">
                {t('run.counts', { done: r.done, total: r.total, failed: r.failed, skipped: r.skipped })} · {formatDate(r.createdAt, i18n.language)}
              </span>
              {r.notices.map((n, i) => (
                <span key={i} className="run-notice" data-testid="run-notice">
                  <Icon name="alert" size={12} /> {n}
                </span>
              ))}
              {r.error && !running && <span className="field-error">{sayText(i18n, r.error)}</span>}
            </button>
            {running && <RunProgress run={r} />}
            <div className="run-actions">
              {running ? (
                <button type="button" className="button small" onClick={() => void cancel(r)} data-testid="run-cancel">
                  <Icon name="stop" size={14} /> {t('common:actions.cancel')}
                </button>
              ) : (
                r.status !== 'completed' && (
                  <button type="button" className="button small" onClick={() => void resume(r)} data-testid="run-resume">
                    <Icon name="refresh" size={14} /> {t('common:actions.resume')}
                  </button>
                )
              )}
              {!running && (
                <button type="button" className="icon-button" onClick={() => void remove(r)} aria-label={t('common:actions.delete')} title={t('common:actions.delete')} data-testid="run-delete">
                  <Icon name="trash" size={16} />
                </button>
              )}
            </div>
          </li>
        );
      })}
    </ul>
  );
}
