import { useTranslation } from 'react-i18next';
import { useNav } from '../../stores/nav-store';
import { useCurrentProject } from '../../stores/project-store';
import { EmptyState } from '../../ui/empty-state';

export function MediaPage() {
  const { t } = useTranslation('media');
  const project = useCurrentProject();
  const navigate = useNav((s) => s.navigate);
  if (!project) {
    return (
      <div className="page" data-testid="media-page">
        <EmptyState
          icon="film"
          title={t('noProject.title')}
          testId="media-no-project"
          actions={
            <button type="button" className="button primary" onClick={() => navigate('projects')}>
              {t('noProject.action')}
            </button>
          }
        >
          {t('noProject.text')}
        </EmptyState>
      </div>
    );
  }
  return (
    <div className="page" data-testid="media-page">
      <h1>{project.name}</h1>
    </div>
  );
}
