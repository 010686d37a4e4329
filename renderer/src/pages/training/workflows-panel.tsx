import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FrameSet, MediaSource, VisionWorkflow } from '../../../../main/common/contract';
import { api } from '../../api';
import { useCurrentProject } from '../../stores/project-store';
import { showError } from '../../stores/toast-store';
import { useTraining, type WorkflowFilter } from '../../stores/training-store';
import { EmptyState } from '../../ui/empty-state';
import { Icon } from '../../ui/icon';
import { ProgressBar } from '../../ui/progress-bar';
import { Segmented } from '../../ui/segmented';
import { JobBar } from './dataset-builder';
import { MetricsChart } from './metrics-chart';
import { workflowFraction } from './training-rules';

const FILTERS: readonly WorkflowFilter[] = ['all', 'pending', 'training', 'completed', 'failed', 'cancelled'];
const LOSS = ['loss', 'val_loss'];
const ACC = ['accuracy', 'val_accuracy'];
/** One empty list for every selector: a new [] per call would make zustand re-render forever. */
const NO_POINTS: never[] = [];

function Detail({ w }: { w: VisionWorkflow }) {
  const { t } = useTranslation('training');
  const ids = useId();
  const project = useCurrentProject();
  const points = useTraining((s) => s.points[w.workflowId] ?? NO_POINTS);
  const logs = useTraining((s) => s.logs);
  const cancel = useTraining((s) => s.cancelWorkflow);
  const pull = useTraining((s) => s.pull);
  const pulled = useTraining((s) => s.pulled[w.workflowId] ?? w.localModelId);
  const noExport = useTraining((s) => s.noExport[w.workflowId] ?? false);
  const runLocally = useTraining((s) => s.runLocally);
  const runInCloud = useTraining((s) => s.runInCloud);
  const runId = useTraining((s) => s.runs[w.workflowId]);
  const allJobs = useTraining((s) => s.jobs);
  const jobs = allJobs.filter((j) => j.kind === 'pull' || j.kind === 'run');
  const [sets, setSets] = useState<FrameSet[]>([]);
  const [media, setMedia] = useState<MediaSource[]>([]);
  const [setId, setSetId] = useState<number | null>(null);
  const projectId = project?.id ?? null;
  useEffect(() => {
    if (projectId === null) return;
    void Promise.all([api.frames.listSets({ projectId }), api.media.list({ projectId })])
      .then(([s, m]) => {
        const done = s.filter((x) => x.status === 'complete');
        setSets(done);
        setMedia(m);
        setSetId((cur) => cur ?? done[0]?.id ?? null);
      })
      .catch(showError);
  }, [projectId, w.state]);
  const live = w.state === 'pending' || w.state === 'training';
  const last = points.at(-1);
  return (
    <section className="panel training-detail" data-testid="training-workflow-detail" data-workflow-id={w.workflowId} data-state={w.state} data-live={w.live}>
      <div className="panel-title">
        <span>{w.name}</span>
        <span className={`badge ${w.state}`} data-testid="training-workflow-state">
          {t(`state.${w.state}`)}
        </span>
      </div>
      <ProgressBar fraction={workflowFraction(w)} label={t('workflow.progress')} testId="training-workflow-progress" />
      <div className="training-facts">
        <span data-testid="training-epoch">{t('workflow.epoch', { current: w.currentEpoch ?? last?.epoch ?? 0, total: w.totalEpochs ?? '?' })}</span>
        {live && (w.etaMinutes ?? last?.etaMinutes) != null && <span data-testid="training-eta">{t('workflow.eta', { minutes: w.etaMinutes ?? last?.etaMinutes })}</span>}
        {(w.gpuUtilization ?? last?.gpuUtilization) != null && <span data-testid="training-gpu">{t('workflow.gpu', { pct: w.gpuUtilization ?? last?.gpuUtilization })}</span>}
        {(w.memoryUsageGb ?? last?.memoryUsageGb) != null && <span>{t('workflow.memory', { gb: w.memoryUsageGb ?? last?.memoryUsageGb })}</span>}
        {w.queuePosition != null && w.state === 'pending' && <span>{t('workflow.queue', { n: w.queuePosition })}</span>}
        <span className="faint">{t(`live.${w.live}`)}</span>
      </div>
      {w.error && (
        <div className="cloud-error" role="alert" data-testid="training-workflow-error">
          <Icon name="alert" size={15} /> {w.error}
        </div>
      )}
      {points.length === 0 ? (
        <div className="faint">{t('workflow.noPoints')}</div>
      ) : (
        <div className="training-charts">
          <MetricsChart points={points} names={LOSS} title={t('chart.loss')} testId="training-chart-loss" />
          <MetricsChart points={points} names={ACC} title={t('chart.accuracy')} testId="training-chart-accuracy" />
        </div>
      )}
      <div className="cloud-row-actions">
        {live && (
          <button type="button" className="button" onClick={() => void cancel(w.workflowId)} data-testid="training-cancel-workflow">
            <Icon name="stop" size={14} /> {t('workflow.cancel')}
          </button>
        )}
        {w.state === 'completed' && !pulled && (
          <button type="button" className="button primary" onClick={() => void pull(w.workflowId)} disabled={jobs.some((j) => j.kind === 'pull')} data-testid="training-pull">
            <Icon name="download" size={14} /> {t('workflow.pull')}
          </button>
        )}
      </div>
      {pulled && (
        <div className="training-inline" data-testid="training-pulled" data-model-id={pulled}>
          <Icon name="check" size={14} /> {t('workflow.pulled', { id: pulled })}
        </div>
      )}
      {noExport && (
        <div className="muted" role="status" data-testid="training-no-export">
          {t('workflow.noExport')}
        </div>
      )}
      {w.state === 'completed' && (pulled || noExport) && sets.length > 0 && (
        <div className="training-inline">
          <label htmlFor={`${ids}-set`}>{t('workflow.onSet')}</label>
          <select id={`${ids}-set`} className="input small" value={setId ?? ''} onChange={(e) => setSetId(Number(e.target.value))} data-testid="training-run-set">
            {sets.map((s) => (
              <option key={s.id} value={s.id}>
                {media.find((m) => m.id === s.mediaId)?.name ?? s.id} · {t('builder.frames', { count: s.frameCount })}
              </option>
            ))}
          </select>
          {pulled ? (
            <button type="button" className="button primary" disabled={setId === null || !projectId} onClick={() => void runLocally(w.workflowId, projectId!, setId!)} data-testid="training-run-local">
              <Icon name="play" size={14} /> {t('workflow.runLocal')}
            </button>
          ) : (
            <button type="button" className="button primary" disabled={setId === null || !projectId} onClick={() => void runInCloud(w.workflowId, projectId!, setId!)} data-testid="training-run-cloud">
              <Icon name="cloud" size={14} /> {t('workflow.runCloud')}
            </button>
          )}
        </div>
      )}
      {runId && (
        <div className="faint" data-testid="training-run" data-run-id={runId}>
          {t('workflow.run', { id: runId })}
        </div>
      )}
      {jobs.map((j) => (
        <JobBar key={j.jobId} job={j} />
      ))}
      <details className="training-logs">
        <summary>{t('workflow.logs')}</summary>
        <pre className="mono" data-testid="training-logs">
          {logs.map((l) => `${l.timestamp ?? ''} ${l.level ?? ''} ${l.message}`).join('\n')}
        </pre>
      </details>
    </section>
  );
}

/** Workflows: filter by status, page through, open one for its live charts, cancel, pull home and run locally. */
export function WorkflowsPanel() {
  const { t } = useTranslation('training');
  const workflows = useTraining((s) => s.workflows);
  const filter = useTraining((s) => s.filter);
  const setFilter = useTraining((s) => s.setFilter);
  const page = useTraining((s) => s.page);
  const hasNext = useTraining((s) => s.hasNext);
  const setPage = useTraining((s) => s.setPage);
  const selected = useTraining((s) => s.selected);
  const select = useTraining((s) => s.select);
  const load = useTraining((s) => s.loadWorkflows);
  useEffect(() => {
    void load();
  }, [load]);
  const shown = filter === 'all' ? workflows : workflows.filter((w) => w.state === filter);
  const open = workflows.find((w) => w.workflowId === selected) ?? null;
  return (
    <div className="training-workflows" data-testid="training-workflows">
      <section className="panel">
        <div className="panel-title">
          <span>{t('workflows.title')}</span>
          <button type="button" className="button ghost small" onClick={() => void load()} aria-label={t('workflows.refresh')}>
            <Icon name="refresh" size={14} />
          </button>
        </div>
        <Segmented options={FILTERS} value={filter} onChange={setFilter} render={(f) => t(f === 'all' ? 'workflows.all' : `state.${f}`)} label={t('workflows.filter')} testId={(f) => `training-filter-${f}`} />
        {shown.length === 0 ? (
          <EmptyState icon="cpu" title={t('workflows.empty')} testId="training-workflows-empty">
            {t('workflows.emptyText')}
          </EmptyState>
        ) : (
          <ul className="training-workflow-list">
            {shown.map((w) => (
              <li key={w.workflowId}>
                <button
                  type="button"
                  className={w.workflowId === selected ? 'training-workflow active' : 'training-workflow'}
                  onClick={() => void select(w.workflowId)}
                  aria-pressed={w.workflowId === selected}
                  data-testid="training-workflow"
                  data-workflow-id={w.workflowId}
                  data-state={w.state}
                >
                  <span>{w.name}</span>
                  <span className={`badge ${w.state}`}>{t(`state.${w.state}`)}</span>
                  <ProgressBar fraction={workflowFraction(w)} label={t('workflow.progress')} />
                </button>
              </li>
            ))}
          </ul>
        )}
        <div className="cloud-row-actions">
          <button type="button" className="button ghost small" disabled={page <= 1} onClick={() => setPage(page - 1)} data-testid="training-page-prev">
            {t('workflows.prev')}
          </button>
          <span className="faint">{t('workflows.page', { page })}</span>
          <button type="button" className="button ghost small" disabled={!hasNext} onClick={() => setPage(page + 1)} data-testid="training-page-next">
            {t('workflows.next')}
          </button>
        </div>
      </section>
      {open && <Detail w={open} />}
    </div>
  );
}
