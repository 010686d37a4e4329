import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Project } from '../../../../main/common/contract';
import { useNav } from '../../stores/nav-store';
import { useProjects } from '../../stores/project-store';
import { useUi } from '../../stores/ui-store';
import { ConfirmDialog } from '../../ui/dialog';
import { EmptyState } from '../../ui/empty-state';
import { formatDate } from '../../ui/format';
import { Icon } from '../../ui/icon';
import { ProjectDialog } from './project-dialog';

function ProjectCard({ project, onRename, onDelete }: { project: Project; onRename(): void; onDelete(): void }) {
  const { t, i18n } = useTranslation('projects');
  const isCurrent = useProjects((s) => s.currentId === project.id);
  const open = useProjects((s) => s.open);
  const navigate = useNav((s) => s.navigate);
  const openIt = () => {
    open(project.id);
    navigate('media');
  };
  return (
    <li className={isCurrent ? 'project-card card current' : 'project-card card'} data-testid="project-card" data-project-id={project.id}>
      <button type="button" className="project-card-main" onClick={openIt} data-testid="project-open">
        <div className="project-card-title">
          <span className="project-name" data-testid="project-name">
            {project.name}
          </span>
          {isCurrent && <span className="badge accent">{t('card.open')}</span>}
        </div>
        <p className={project.description ? 'project-description' : 'project-description faint'}>{project.description || t('card.noDescription')}</p>
        <div className="project-stats">
          <span>
            <Icon name="film" size={14} /> {t('card.media', { count: project.mediaCount })}
          </span>
          <span>
            <Icon name="image" size={14} /> {t('card.images', { count: project.imageCount })}
          </span>
        </div>
        <div className="project-date faint">{t('card.updated', { date: formatDate(project.updatedAt, i18n.language) })}</div>
      </button>
      <div className="project-card-actions">
        <button type="button" className="icon-button" onClick={onRename} aria-label={t('common:actions.rename')} title={t('common:actions.rename')} data-testid="project-rename">
          <Icon name="edit" size={16} />
        </button>
        <button type="button" className="icon-button" onClick={onDelete} aria-label={t('common:actions.delete')} title={t('common:actions.delete')} data-testid="project-delete">
          <Icon name="trash" size={16} />
        </button>
      </div>
    </li>
  );
}

export function ProjectsPage() {
  const { t } = useTranslation('projects');
  const projects = useProjects((s) => s.projects);
  const loaded = useProjects((s) => s.loaded);
  const create = useProjects((s) => s.create);
  const update = useProjects((s) => s.update);
  const remove = useProjects((s) => s.remove);
  const openProject = useProjects((s) => s.open);
  const navigate = useNav((s) => s.navigate);
  const pendingNewProject = useUi((s) => s.pendingNewProject);

  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Project | null>(null);
  const [deleting, setDeleting] = useState<Project | null>(null);
  const [deleteBusy, setDeleteBusy] = useState(false);

  // Ctrl/Cmd+N from anywhere: the shell navigates here and leaves a request for this page.
  useEffect(() => {
    if (pendingNewProject && useUi.getState().consumeNewProject()) setCreating(true);
  }, [pendingNewProject]);


  return (
    <div className="page" data-testid="projects-page">
      <header className="page-header">
        <div className="page-header-text">
          <h1>{t('title')}</h1>
          <p className="page-subtitle">{t('subtitle')}</p>
        </div>
        <div className="page-actions">
          <button type="button" className="button primary" onClick={() => setCreating(true)} data-testid="new-project">
            <Icon name="plus" size={16} /> {t('newProject')}
          </button>
        </div>
      </header>

      {loaded && projects.length === 0 ? (
        <div className="panel">
          <EmptyState
            icon="folder"
            title={t('empty.title')}
            testId="projects-empty"
            actions={
              <button type="button" className="button primary" onClick={() => setCreating(true)}>
                <Icon name="plus" size={16} /> {t('empty.action')}
              </button>
            }
          >
            {t('empty.text')}
          </EmptyState>
        </div>
      ) : (
        <ul className="project-grid" data-testid="project-list">
          {projects.map((p) => (
            <ProjectCard key={p.id} project={p} onRename={() => setEditing(p)} onDelete={() => setDeleting(p)} />
          ))}
        </ul>
      )}

      {/* Mounted only while open, so exactly one project dialog exists at a time. */}
      {creating && (
      <ProjectDialog
        open
        mode="create"
        onClose={() => setCreating(false)}
        onSubmit={async (values) => {
          const project = await create(values);
          if (!project) return false;
          openProject(project.id);
          navigate('media');
          return true;
        }}
      />
      )}
      {editing && (
      <ProjectDialog
        open
        mode="edit"
        initial={editing}
        onClose={() => setEditing(null)}
        onSubmit={(values) => update({ id: editing.id, ...values })}
      />
      )}
      <ConfirmDialog
        open={deleting !== null}
        title={t('delete.title')}
        message={t('delete.message', { name: deleting?.name ?? '' })}
        confirmLabel={t('delete.confirm')}
        danger
        busy={deleteBusy}
        testId="delete-project-dialog"
        onCancel={() => setDeleting(null)}
        onConfirm={async () => {
          if (!deleting) return;
          setDeleteBusy(true);
          await remove(deleting.id);
          setDeleteBusy(false);
          setDeleting(null);
        }}
      />
    </div>
  );
}
