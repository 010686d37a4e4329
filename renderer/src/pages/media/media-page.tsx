import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useConnection } from '../../api';
import { setsOfMedia } from '../../stores/frame-set-selection';
import { useFrames } from '../../stores/frames-store';
import { useMedia } from '../../stores/media-store';
import { useCurrentProject } from '../../stores/project-store';
import { useUi } from '../../stores/ui-store';
import { EmptyState, NoProjectState } from '../../ui/empty-state';
import { Icon } from '../../ui/icon';
import { ProgressBar } from '../../ui/progress-bar';
import { ExtractForm } from './extract-form';
import { FrameGrid } from './frame-grid';
import { FrameSetTools } from './frame-set-tools';
import { FrameSets } from './frame-sets';
import { MediaDetails } from './media-details';
import { MediaList } from './media-list';
import { PreflightPanel } from './preflight-panel';
import { useImport } from './use-import';

function UploadStrip() {
  const { t } = useTranslation('media');
  const upload = useMedia((s) => s.upload);
  const busy = useMedia((s) => s.busy);
  if (!upload && !busy) return null;
  return (
    <div className="upload-strip panel" data-testid="import-progress">
      <span className="spinner" />
      <span className="upload-text">
        {upload ? t('import.uploading', { name: upload.name, index: upload.index + 1, count: upload.count }) : t('import.probing')}
      </span>
      {upload && <ProgressBar fraction={upload.fraction} label={t('import.uploadingLabel')} />}
    </div>
  );
}

function SelectedSet() {
  const { t } = useTranslation('media');
  const set = useFrames((s) => s.sets.find((x) => x.id === s.selectedSetId) ?? null);
  if (!set) return null;
  if (set.status !== 'complete') {
    return (
      <div className="frame-grid-pending muted" data-testid="grid-pending">
        <Icon name="image" size={18} /> {t(set.status === 'running' || set.status === 'pending' ? 'grid.pending' : 'grid.incomplete')}
      </div>
    );
  }
  return (
    <>
      <FrameSetTools set={set} />
      <FrameGrid set={set} />
    </>
  );
}

function NoProject() {
  return (
    <div className="page" data-testid="media-page">
      <div className="panel">
        <NoProjectState namespace="media" icon="film" testId="media-no-project" />
      </div>
    </div>
  );
}

export function MediaPage() {
  const project = useCurrentProject();
  return project ? <ProjectMedia projectId={project.id} projectName={project.name} /> : <NoProject />;
}

function ProjectMedia({ projectId, projectName }: { projectId: number; projectName: string }) {
  const { t } = useTranslation('media');
  const media = useMedia((s) => s.media);
  const loadedFor = useMedia((s) => s.projectId);
  const loading = useMedia((s) => s.loading);
  const selected = useMedia((s) => s.media.find((m) => m.id === s.selectedId) ?? null);
  const busy = useMedia((s) => s.busy);
  const loadMedia = useMedia((s) => s.load);
  const importSample = useMedia((s) => s.importSample);
  const loadSets = useFrames((s) => s.load);
  const setCount = useFrames((s) => setsOfMedia(s.sets, s.mediaId).length);
  const selectedId = selected?.id ?? null;
  const pendingImport = useUi((s) => s.pendingImport);
  const generation = useConnection((s) => s.generation);
  const { pick, input } = useImport(projectId);

  useEffect(() => {
    void loadMedia(projectId);
    void loadSets(projectId);
  }, [projectId, generation, loadMedia, loadSets]);

  // The frame-set panel follows the selected media: its sets, one of them selected.
  useEffect(() => {
    useFrames.getState().follow(selectedId);
  }, [selectedId]);

  // Ctrl/Cmd+O from anywhere leaves a request for this page.
  useEffect(() => {
    if (pendingImport && useUi.getState().consumeImport()) void pick();
  }, [pendingImport, pick]);

  const sampleButton = (
    <button type="button" className="button" onClick={() => void importSample(projectId)} disabled={busy} data-testid="import-sample">
      <Icon name="sparkles" size={16} /> {t('import.sample')}
    </button>
  );
  const importButton = (
    <button type="button" className="button primary" onClick={() => void pick()} disabled={busy} data-testid="import-media">
      <Icon name="upload" size={16} /> {t('import.button')}
    </button>
  );
  const ready = loadedFor === projectId && !(loading && media.length === 0);

  return (
    <div className="page media-page" data-testid="media-page">
      {input}
      <header className="page-header">
        <div className="page-header-text">
          <span className="eyebrow">{t('title')}</span>
          <h1 data-testid="media-project-name">{projectName}</h1>
        </div>
        <div className="page-actions">
          {sampleButton}
          {importButton}
        </div>
      </header>
      <UploadStrip />

      {ready && media.length === 0 ? (
        <div className="panel drop-zone" data-testid="media-empty">
          <EmptyState icon="upload" title={t('empty.title')} actions={<>{sampleButton}{importButton}</>}>
            {t('empty.text')}
          </EmptyState>
        </div>
      ) : (
        <div className="media-layout">
          <aside className="media-sidebar">
            <div className="panel-title side-title">
              <span>{t('list.title', { count: media.length })}</span>
            </div>
            <MediaList />
          </aside>
          <div className="media-main">
            {selected && (
              <>
                <MediaDetails media={selected} />
                {selected.kind === 'video' ? (
                  <ExtractForm key={selected.id} media={selected} />
                ) : (
                  <p className="panel muted">{t('extract.imageNote')}</p>
                )}
                <PreflightPanel key={`preflight-${selected.id}`} media={selected} />
              </>
            )}
            <section className="panel" data-testid="frame-sets-panel">
              <div className="panel-title">
                <span>{t('sets.title', { count: setCount })}</span>
              </div>
              <FrameSets />
              <SelectedSet />
            </section>
          </div>
        </div>
      )}
    </div>
  );
}
