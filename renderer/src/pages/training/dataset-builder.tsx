import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FrameSet, HealthIssue, HealthReport, ImageItem, MediaSource, VisionDataset } from '../../../../main/common/contract';
import { api, fileUrl } from '../../api';
import { useJobs } from '../../stores/job-store';
import { useCurrentProject } from '../../stores/project-store';
import { showError } from '../../stores/toast-store';
import { useTraining, type TrainingJob } from '../../stores/training-store';
import { NoProjectState } from '../../ui/empty-state';
import { Icon } from '../../ui/icon';
import { ProgressBar } from '../../ui/progress-bar';
import { assignToBin, binProblems, type ClassBin } from './training-rules';

/** A running job with its bar and cancel button. */
export function JobBar({ job }: { job: TrainingJob }) {
  const { t } = useTranslation('training');
  const progress = useJobs((s) => s.progress[job.jobId]);
  const cancel = useTraining((s) => s.cancelJob);
  return (
    <div className="training-job" data-testid={`training-job-${job.kind}`} data-fraction={progress?.fraction ?? 0}>
      <span>{t(`job.${job.kind}`)}</span>
      <ProgressBar fraction={progress?.fraction ?? null} label={t(`job.${job.kind}`)} testId={`training-job-${job.kind}-bar`} />
      {progress?.done != null && progress.total != null && <span className="faint">{t('job.count', { done: progress.done, total: progress.total })}</span>}
      <button type="button" className="button ghost small" onClick={() => void cancel(job.jobId)} data-testid={`training-job-${job.kind}-cancel`}>
        <Icon name="x" size={13} /> {t('job.cancel')}
      </button>
    </div>
  );
}

/** The health report: the class table, then every issue by severity in the creator's language. */
export function HealthReportView({ report }: { report: HealthReport }) {
  const { t } = useTranslation('training');
  return (
    <div className="training-report" data-testid="training-report" data-ok={report.ok} data-errors={report.counts.error} data-warnings={report.counts.warning}>
      <div className={report.ok ? 'training-report-ok' : 'training-report-bad'} role="status">
        <Icon name={report.ok ? 'check' : 'alert'} size={15} /> {report.ok ? t('report.ok', { images: report.images }) : t('report.bad', { count: report.counts.error })}
      </div>
      <table className="training-table" data-testid="training-report-classes">
        <thead>
          <tr>
            <th>{t('report.class')}</th>
            <th>{t('report.total')}</th>
            <th>{t('report.train')}</th>
            <th>{t('report.val')}</th>
            <th>{t('report.test')}</th>
          </tr>
        </thead>
        <tbody>
          {report.classes.map((c) => (
            <tr key={c.name} data-testid="training-report-class" data-class={c.name} data-total={c.total}>
              <td>{c.name}</td>
              <td>{c.total}</td>
              <td>{c.train}</td>
              <td>{c.val}</td>
              <td>{c.test}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {report.issues.length > 0 && (
        <ul className="training-issues">
          {report.issues.map((i, k) => (
            <IssueLine key={k} issue={i} />
          ))}
        </ul>
      )}
    </div>
  );
}

function IssueLine({ issue }: { issue: HealthIssue }) {
  const { t } = useTranslation('training');
  return (
    <li className={`training-issue ${issue.severity}`} data-testid="training-issue" data-code={issue.code} data-severity={issue.severity}>
      <span className={`badge ${issue.severity}`}>{t(`severity.${issue.severity}`)}</span> {t(`issue.${issue.code}`, issue.params)}
      {issue.files.length > 0 && issue.code !== 'CORRUPT_IMAGE' && (
        <details>
          <summary>{t('report.files', { count: issue.files.length })}</summary>
          <ul className="mono faint">
            {issue.files.slice(0, 10).map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
        </details>
      )}
    </li>
  );
}

/** What the platform says of the upload: statistics, class counts, and the validate issues with recommendations. */
function RemoteView({ remote }: { remote: VisionDataset }) {
  const { t } = useTranslation('training');
  const validate = useTraining((s) => s.validate);
  const v = remote.validation;
  const st = remote.statistics;
  const order = ['error', 'warning', 'info'];
  return (
    <div className="training-remote" data-testid="training-remote" data-dataset-id={remote.datasetId} data-status={remote.status ?? ''}>
      <div className="training-inline">
        <strong>{t('remote.title')}</strong> <code data-testid="training-remote-id">{remote.datasetId}</code> <span className="badge">{remote.status ?? '?'}</span>
        <button type="button" className="button ghost small" onClick={() => void validate()} data-testid="training-validate">
          <Icon name="refresh" size={13} /> {t('remote.validate')}
        </button>
      </div>
      {st && (
        <div className="faint" data-testid="training-remote-stats">
          {t('remote.stats', { total: st.totalImages ?? '?', train: st.trainImages ?? '?', val: st.valImages ?? '?', test: st.testImages ?? '?' })}
          <ul className="training-class-counts">
            {st.classes.map((c) => (
              <li key={c.name} data-testid="training-remote-class" data-class={c.name} data-count={c.count}>
                {c.name}: {c.count}
              </li>
            ))}
          </ul>
        </div>
      )}
      {v && (
        <div data-testid="training-validation" data-valid={v.valid}>
          <div>{v.valid ? t('remote.valid') : t('remote.invalid')}</div>
          <ul className="training-issues">
            {[...v.issues]
              .sort((a, b) => order.indexOf(a.severity) - order.indexOf(b.severity))
              .map((i, k) => (
                <li key={k} className={`training-issue ${i.severity}`} data-testid="training-validation-issue" data-severity={i.severity}>
                  <span className={`badge ${i.severity}`}>{t(`severity.${i.severity}`, { defaultValue: i.severity })}</span> {i.message}
                </li>
              ))}
          </ul>
          {v.recommendations.length > 0 && (
            <>
              <div className="faint">{t('remote.recommendations')}</div>
              <ul data-testid="training-recommendations">
                {v.recommendations.map((r) => (
                  <li key={r}>{r}</li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </div>
  );
}

/** Build a dataset from the project's frame sets: class bins (drag, or choose a class per set), split, check, upload. */
export function DatasetBuilder() {
  const { t } = useTranslation('training');
  const project = useCurrentProject();
  const bins = useTraining((s) => s.bins);
  const setBins = useTraining((s) => s.setBins);
  const dataset = useTraining((s) => s.dataset);
  const remote = useTraining((s) => s.remote);
  const jobs = useTraining((s) => s.jobs);
  const build = useTraining((s) => s.build);
  const check = useTraining((s) => s.check);
  const upload = useTraining((s) => s.packAndUpload);
  const modelName = useTraining((s) => s.config?.modelName ?? null);
  const ids = useId();
  const [sets, setSets] = useState<FrameSet[]>([]);
  const [media, setMedia] = useState<MediaSource[]>([]);
  /** The project's imported pictures (not frames): each goes into a class on its own. */
  const [pictures, setPictures] = useState<ImageItem[]>([]);
  const [name, setName] = useState('');
  const [split, setSplit] = useState({ train: 80, val: 10, test: 10 });
  const [seed, setSeed] = useState(42);
  const [inputSize, setInputSize] = useState<{ width: number; height: number } | null>(null);
  const [force, setForce] = useState(false);
  const [dragOver, setDragOver] = useState<number | null>(null);
  const projectId = project?.id ?? null;

  useEffect(() => {
    if (projectId === null) return;
    void Promise.all([api.frames.listSets({ projectId }), api.media.list({ projectId }), api.frames.listImages({ projectId, offset: 0, limit: 1000 })])
      .then(([s, m, imgs]) => {
        setSets(s.filter((x) => x.status === 'complete'));
        setMedia(m);
        setPictures(imgs.items.filter((i) => i.kind === 'imported'));
      })
      .catch(showError);
  }, [projectId]);

  // The chosen model's input size (from the catalogue) is what "too small" means in the check.
  useEffect(() => {
    if (!modelName) return;
    void api.vision
      .model({ modelId: modelName })
      .then((m) => setInputSize(m.inputSize && m.inputSize.length >= 2 ? { height: m.inputSize[0]!, width: m.inputSize[1]! } : null))
      .catch(() => setInputSize(null));
  }, [modelName]);

  if (!project) return <NoProjectState namespace="training" icon="layers" testId="training-no-project" />;

  const setLabel = (s: FrameSet) => `${media.find((m) => m.id === s.mediaId)?.name ?? t('builder.set', { id: s.id })} · ${t('builder.frames', { count: s.frameCount })}`;
  const binOf = (setId: number) => bins.findIndex((b) => b.frameSetIds.includes(setId));
  const binOfImage = (imageId: number) => bins.findIndex((b) => b.imageIds.includes(imageId));
  const moveImage = (imageId: number, target: number) => {
    if (target < 0) setBins(bins.map((b) => ({ ...b, imageIds: b.imageIds.filter((id) => id !== imageId) })));
    else setBins(assignToBin(bins, target, { imageId }));
  };
  const problems = binProblems(bins);
  const splitOk = split.train > 0 && split.train + split.val + split.test === 100;
  const busy = jobs.some((j) => ['build', 'check', 'pack', 'upload'].includes(j.kind));
  const stem = (n: string) => n.replace(/\.[^.]+$/, '');

  const onePerSet = () => setBins(sets.map((s) => ({ name: stem(media.find((m) => m.id === s.mediaId)?.name ?? `set-${s.id}`), frameSetIds: [s.id], imageIds: [] })));
  const move = (setId: number, target: number) => {
    if (target < 0) setBins(bins.map((b) => ({ ...b, frameSetIds: b.frameSetIds.filter((id) => id !== setId) })));
    else setBins(assignToBin(bins, target, { frameSetId: setId }));
  };

  return (
    <div className="training-builder" data-testid="training-builder">
      <section className="panel">
        <div className="panel-title">
          <span>{t('builder.sources')}</span>
          <button type="button" className="button ghost small" onClick={onePerSet} disabled={sets.length === 0} data-testid="training-one-per-set">
            {t('builder.onePerSet')}
          </button>
        </div>
        {sets.length === 0 ? (
          <div className="faint" data-testid="training-no-sets">
            {t('builder.noSets')}
          </div>
        ) : (
          <ul className="training-sets">
            {sets.map((s) => (
              <li key={s.id} draggable onDragStart={(e) => e.dataTransfer.setData('text/x-kraken-set', String(s.id))} className="training-set" data-testid="training-set" data-set-id={s.id}>
                <Icon name="film" size={14} /> <span>{setLabel(s)}</span>
                <label className="sr-only" htmlFor={`${ids}-set-${s.id}`}>
                  {t('builder.classOf')}
                </label>
                <select id={`${ids}-set-${s.id}`} className="input small" value={binOf(s.id)} onChange={(e) => move(s.id, Number(e.target.value))} data-testid="training-set-class">
                  <option value={-1}>{t('builder.unassigned')}</option>
                  {bins.map((b, i) => (
                    <option key={i} value={i}>
                      {b.name || t('builder.unnamed', { n: i + 1 })}
                    </option>
                  ))}
                </select>
              </li>
            ))}
          </ul>
        )}
        {pictures.length > 0 && (
          <>
            <div className="faint training-pictures-title">{t('builder.pictures', { count: pictures.length })}</div>
            <ul className="training-pictures">
              {pictures.map((img) => (
                <li key={img.id} draggable onDragStart={(e) => e.dataTransfer.setData('text/x-kraken-image', String(img.id))} className="training-picture" data-testid="training-picture" data-image-id={img.id}>
                  <img src={fileUrl(img.file, { thumb: 96 })} alt="" width={48} height={48} loading="lazy" />
                  <label className="sr-only" htmlFor={`${ids}-img-${img.id}`}>
                    {t('builder.classOfPicture')}
                  </label>
                  <select id={`${ids}-img-${img.id}`} className="input small" value={binOfImage(img.id)} onChange={(e) => moveImage(img.id, Number(e.target.value))} data-testid="training-picture-class">
                    <option value={-1}>{t('builder.unassigned')}</option>
                    {bins.map((b, i) => (
                      <option key={i} value={i}>
                        {b.name || t('builder.unnamed', { n: i + 1 })}
                      </option>
                    ))}
                  </select>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>

      <section className="panel">
        <div className="panel-title">
          <span>{t('builder.classes')}</span>
          <button type="button" className="button ghost small" onClick={() => setBins([...bins, { name: '', frameSetIds: [], imageIds: [] }])} data-testid="training-add-class">
            <Icon name="plus" size={14} /> {t('builder.addClass')}
          </button>
        </div>
        {bins.length === 0 && <div className="faint">{t('builder.noClasses')}</div>}
        <div className="training-bins">
          {bins.map((b, i) => (
            <div
              key={i}
              className={dragOver === i ? 'training-bin over' : 'training-bin'}
              data-testid="training-bin"
              data-class={b.name}
              onDragOver={(e) => {
                e.preventDefault();
                setDragOver(i);
              }}
              onDragLeave={() => setDragOver(null)}
              onDrop={(e) => {
                e.preventDefault();
                setDragOver(null);
                const id = Number(e.dataTransfer.getData('text/x-kraken-set'));
                if (id) move(id, i);
                const img = Number(e.dataTransfer.getData('text/x-kraken-image'));
                if (img) moveImage(img, i);
              }}
            >
              <input
                className="input"
                value={b.name}
                aria-label={t('builder.className', { n: i + 1 })}
                placeholder={t('builder.classPlaceholder')}
                onChange={(e) => setBins(bins.map((x, k) => (k === i ? { ...x, name: e.target.value } : x)))}
                data-testid="training-bin-name"
              />
              <ul className="faint">
                {b.frameSetIds.map((id) => {
                  const s = sets.find((x) => x.id === id);
                  return <li key={id}>{s ? setLabel(s) : id}</li>;
                })}
                {b.imageIds.length > 0 && <li>{t('builder.picturesIn', { count: b.imageIds.length })}</li>}
              </ul>
              <button type="button" className="button ghost small" onClick={() => setBins(bins.filter((_, k) => k !== i))} aria-label={t('builder.removeClass')}>
                <Icon name="trash" size={13} />
              </button>
            </div>
          ))}
        </div>
        {problems.length > 0 && bins.length > 0 && (
          <ul className="training-problems" data-testid="training-bin-problems">
            {problems.map((p, k) => (
              <li key={k} data-code={p.code}>
                {t(`builder.problem.${p.code}`, { n: (p.bin ?? 0) + 1 })}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="panel">
        <div className="panel-title">
          <span>{t('builder.splitTitle')}</span>
        </div>
        <div className="training-config-grid">
          <div className="field">
            <label htmlFor={`${ids}-name`}>{t('builder.name')}</label>
            <input id={`${ids}-name`} className="input" value={name} onChange={(e) => setName(e.target.value)} placeholder={project.name} data-testid="training-dataset-name" />
          </div>
          {(['train', 'val', 'test'] as const).map((k) => (
            <div className="field" key={k}>
              <label htmlFor={`${ids}-${k}`}>{t(`report.${k}`)} %</label>
              <input id={`${ids}-${k}`} className="input" type="number" min={0} max={100} value={split[k]} onChange={(e) => setSplit({ ...split, [k]: Number(e.target.value) })} data-testid={`training-split-${k}`} />
            </div>
          ))}
          <div className="field">
            <label htmlFor={`${ids}-seed`}>{t('builder.seed')}</label>
            <input id={`${ids}-seed`} className="input" type="number" min={0} value={seed} onChange={(e) => setSeed(Number(e.target.value))} />
          </div>
        </div>
        {!splitOk && <div className="field-error">{t('builder.splitInvalid')}</div>}
        {inputSize && <div className="faint" data-testid="training-input-size">{t('builder.inputSize', { model: modelName, width: inputSize.width, height: inputSize.height })}</div>}
        <div className="cloud-row-actions">
          <button
            type="button"
            className="button primary"
            disabled={busy || problems.length > 0 || !splitOk}
            onClick={() => void build({ projectId: project.id, name: name.trim() || project.name, ratios: { train: split.train / 100, val: split.val / 100, test: split.test / 100 }, seed, minInputSize: inputSize })}
            data-testid="training-build"
          >
            <Icon name="check" size={15} /> {t('builder.build')}
          </button>
          {dataset && (
            <button type="button" className="button" disabled={busy} onClick={() => void check(inputSize)} data-testid="training-recheck">
              <Icon name="refresh" size={15} /> {t('builder.recheck')}
            </button>
          )}
        </div>
        {jobs.map((j) => (
          <JobBar key={j.jobId} job={j} />
        ))}
      </section>

      {dataset?.report && (
        <section className="panel" data-testid="training-dataset" data-dataset-id={dataset.id}>
          <div className="panel-title">
            <span>{t('report.title', { name: dataset.name })}</span>
          </div>
          <HealthReportView report={dataset.report} />
          <div className="cloud-row-actions">
            {!dataset.report.ok && (
              <label className="training-inline">
                <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} data-testid="training-force" /> {t('builder.force')}
              </label>
            )}
            <button type="button" className="button primary" disabled={busy || (!dataset.report.ok && !force)} onClick={() => void upload({ force })} data-testid="training-upload">
              <Icon name="upload" size={15} /> {t('builder.upload')}
            </button>
          </div>
          {remote && <RemoteView remote={remote} />}
        </section>
      )}
    </div>
  );
}

export type { ClassBin };
