import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useConnection } from '../../api';
import { useCurrentProject } from '../../stores/project-store';
import { NoProjectState } from '../../ui/empty-state';
import { Icon } from '../../ui/icon';
import { DevicesPanel } from './devices-panel';
import { LibraryPanel } from './library-panel';
import { useModels, wireModelJobs } from './models-store';
import { ResultsPanel } from './results-panel';
import { RunForm, RunList } from './run-panel';

function ProjectRuns({ projectId }: { projectId: number }) {
  const { t } = useTranslation('models');
  const loadProject = useModels((s) => s.loadProject);
  const generation = useConnection((s) => s.generation);
  useEffect(() => {
    void loadProject(projectId);
  }, [projectId, loadProject, generation]);
  return (
    <>
      <RunForm projectId={projectId} />
      <section className="panel" data-testid="runs-panel">
        <div className="panel-title">
          <span>
            <Icon name="layers" size={14} /> {t('run.history')}
          </span>
        </div>
        <RunList />
      </section>
      <ResultsPanel />
    </>
  );
}

function NoProject() {
  return (
    <section className="panel">
      <NoProjectState namespace="models" icon="cpu" testId="models-no-project" />
    </section>
  );
}

/** Local models: library and devices on the side, runs over the open project's frames in the middle. */
export function ModelsPage() {
  const { t } = useTranslation('models');
  const project = useCurrentProject();
  const loadLibrary = useModels((s) => s.loadLibrary);
  const loadProviders = useModels((s) => s.loadProviders);
  const generation = useConnection((s) => s.generation);
  useEffect(() => {
    wireModelJobs();
    void loadLibrary();
    void loadProviders();
  }, [loadLibrary, loadProviders, generation]);
  return (
    <div className="page" data-testid="models-page">
      <header className="page-header">
        <div className="page-header-text">
          <h1>{t('title')}</h1>
          <p className="page-subtitle">{project ? t('subtitleProject', { name: project.name }) : t('subtitle')}</p>
        </div>
      </header>
      <div className="models-layout">
        <div className="models-main">{project ? <ProjectRuns projectId={project.id} /> : <NoProject />}</div>
        <aside className="models-side">
          <DevicesPanel />
          <LibraryPanel />
        </aside>
      </div>
    </div>
  );
}
