import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { descriptionText, sayText } from '../../i18n/say';
import { ModelTask, type ModelManifest } from '../../../../main/common/contract';
import { isBrowserHost } from '../../api';
import { uploadFile } from '../../api/upload';
import { isActive, useJobs } from '../../stores/job-store';
import { showError } from '../../stores/toast-store';
import { formatBytes } from '../../ui/format';
import { Icon } from '../../ui/icon';
import { ProgressBar } from '../../ui/progress-bar';
import { useModels } from './models-store';

function ModelRow({ m }: { m: ModelManifest }) {
  const { t, i18n } = useTranslation('models');
  const remove = useModels((s) => s.removeModel);
  return (
    <li className="model-row" data-testid="model-row" data-model-id={m.id}>
      <div className="model-main">
        <span className="model-name" translate="no">
          {m.name}
        </span>
        <span className="model-meta muted">
          {t(`task.${m.task}`)} · {m.runtime === 'onnx' ? 'ONNX' : 'TF.js'} · {m.inputSize ? `${m.inputSize.width}×${m.inputSize.height}` : t('library.anySize')} · {formatBytes(m.sizeBytes, i18n.language)}
        </span>
        <span className="model-licence faint" title={m.sha256}>
          {t(`source.${m.source}`)} · {m.licence}
        </span>
      </div>
      {m.source !== 'bundled' && (
        <button type="button" className="icon-button" onClick={() => void remove(m.id)} aria-label={t('library.remove')} title={t('library.remove')}>
          <Icon name="trash" size={16} />
        </button>
      )}
    </li>
  );
}

/** The host a catalogue model comes from, to name it while connecting. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function CatalogueRow({ id }: { id: string }) {
  const { t, i18n } = useTranslation('models');
  const entry = useModels((s) => s.catalogue.find((c) => c.id === id)!);
  const download = useModels((s) => s.download);
  const jobId = useModels((s) => s.downloads[id]);
  const job = useJobs((s) => (jobId ? s.jobs[jobId] : undefined));
  const progress = useJobs((s) => (jobId ? s.progress[jobId] : undefined));
  // Between the click and the job's first progress the row already says it is connecting (no empty 0 % bar).
  const [starting, setStarting] = useState(false);
  const running = starting || (job ? isActive(job.status) : Boolean(jobId));
  const connecting = running && (!progress || (progress.stage === 'connecting' && !progress.done));
  const start = async () => {
    setStarting(true);
    try {
      await download(id);
    } finally {
      setStarting(false);
    }
  };
  return (
    <li className="model-row" data-testid="catalogue-row" data-model-id={id}>
      <div className="model-main">
        <span className="model-name" translate="no">
          {entry.name}
        </span>
        <span className="model-meta muted">
          {t(`task.${entry.task}`)} · {formatBytes(entry.sizeBytes, i18n.language)} · {entry.licence}
        </span>
        <span className="model-licence faint">{descriptionText(i18n, entry)}</span>
        {running && <ProgressBar fraction={connecting ? null : (progress?.fraction ?? null)} label={t(connecting ? 'library.connecting' : 'library.downloading', { host: hostOf(entry.url) })} testId="download-progress" />}
        {connecting && (
          <span className="muted" data-testid="download-connecting">
            {t('library.connecting', { host: hostOf(entry.url) })}
          </span>
        )}
        {job?.status === 'failed' && job.error && <span className="field-error">{sayText(i18n, job.error)}</span>}
      </div>
      {entry.installed ? (
        <span className="badge success">{t('library.installed')}</span>
      ) : (
        <button type="button" className="button small" disabled={running} onClick={() => void start()} data-testid="download-model">
          <Icon name="download" size={14} /> {job?.status === 'failed' || job?.status === 'cancelled' ? t('library.retry') : t('library.download')}
        </button>
      )}
    </li>
  );
}

function ImportForm() {
  const { t } = useTranslation('models');
  const importModel = useModels((s) => s.importModel);
  const [path, setPath] = useState('');
  const [task, setTask] = useState<ModelTask>('classification');
  const [labels, setLabels] = useState('');
  const [busy, setBusy] = useState<number | null | false>(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const browser = isBrowserHost();
  const labelList = () => labels.split(/[,\n]/).map((l) => l.trim()).filter(Boolean);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!path.trim()) return;
    setBusy(null);
    if (await importModel(path.trim(), task, labelList())) setPath('');
    setBusy(false);
  };
  const pick = async (file: File | undefined) => {
    if (!file) return;
    setBusy(0);
    try {
      const uploaded = await uploadFile(file, (f) => setBusy(f));
      await importModel(uploaded, task, labelList());
    } catch (err) {
      showError(err);
    } finally {
      setBusy(false);
      if (fileInput.current) fileInput.current.value = '';
    }
  };
  return (
    <form className="import-form" onSubmit={(e) => void submit(e)} data-testid="import-form">
      <div className="field">
        <label className="field-label" htmlFor="import-task">
          {t('import.task')}
        </label>
        <select id="import-task" className="select" value={task} onChange={(e) => setTask(e.target.value as ModelTask)}>
          {ModelTask.options.map((k) => (
            <option key={k} value={k}>
              {t(`task.${k}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label className="field-label" htmlFor="import-labels">
          {t('import.labels')}
        </label>
        <input id="import-labels" className="input" value={labels} onChange={(e) => setLabels(e.target.value)} placeholder={t('import.labelsHint')} />
      </div>
      {browser ? (
        <>
          <input ref={fileInput} type="file" accept=".onnx" hidden onChange={(e) => void pick(e.target.files?.[0])} data-testid="import-file" />
          <button type="button" className="button" disabled={busy !== false} onClick={() => fileInput.current?.click()}>
            <Icon name="upload" size={14} /> {t('import.choose')}
          </button>
        </>
      ) : (
        <div className="field">
          <label className="field-label" htmlFor="import-path">
            {t('import.path')}
          </label>
          <div className="import-path-row">
            <input id="import-path" className="input mono" value={path} onChange={(e) => setPath(e.target.value)} placeholder="/path/to/model.onnx" />
            <button type="submit" className="button" disabled={busy !== false || !path.trim()}>
              {t('import.submit')}
            </button>
          </div>
        </div>
      )}
      {busy !== false && <ProgressBar fraction={busy} label={t('import.uploading')} />}
      <p className="field-hint">{t('import.hint')}</p>
    </form>
  );
}

/** Installed models, the download catalogue and the import form. */
export function LibraryPanel() {
  const { t } = useTranslation('models');
  const models = useModels((s) => s.models);
  const catalogueIds = useModels((s) => s.catalogue.filter((c) => !c.installed).map((c) => c.id).join(','));
  return (
    <section className="panel library-panel" data-testid="library-panel">
      <div className="panel-title">
        <span>
          <Icon name="layers" size={14} /> {t('library.title', { count: models.length })}
        </span>
      </div>
      <ul className="model-list">
        {models.map((m) => (
          <ModelRow key={m.id} m={m} />
        ))}
      </ul>
      {catalogueIds && (
        <>
          <h3 className="devices-sub">{t('library.catalogue')}</h3>
          <ul className="model-list">
            {catalogueIds.split(',').map((id) => (
              <CatalogueRow key={id} id={id} />
            ))}
          </ul>
        </>
      )}
      <h3 className="devices-sub">{t('import.title')}</h3>
      <ImportForm />
    </section>
  );
}
