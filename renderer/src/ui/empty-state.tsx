import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useNav } from '../stores/nav-store';
import { Icon, type IconName } from './icon';

/** A centred placeholder that says what the area is for and what to do next. */
export function EmptyState({
  icon,
  title,
  children,
  actions,
  testId,
}: {
  icon: IconName;
  title: ReactNode;
  children?: ReactNode;
  actions?: ReactNode;
  testId?: string;
}) {
  return (
    <div className="empty-state" data-testid={testId}>
      <div className="empty-state-icon">
        <Icon name={icon} size={30} />
      </div>
      <h2>{title}</h2>
      {children && <div className="empty-state-text">{children}</div>}
      {actions && <div className="empty-state-actions">{actions}</div>}
    </div>
  );
}

/**
 * A page that works inside a project, opened with none: says so (the page's own `noProject.*` strings)
 * and offers the way to the project list.
 */
export function NoProjectState({ namespace, icon, testId }: { namespace: string; icon: IconName; testId: string }) {
  const { t } = useTranslation(namespace);
  const navigate = useNav((s) => s.navigate);
  return (
    <EmptyState
      icon={icon}
      title={t('noProject.title')}
      testId={testId}
      actions={
        <button type="button" className="button primary" onClick={() => navigate('projects')}>
          <Icon name="folder" size={16} /> {t('noProject.action')}
        </button>
      }
    >
      {t('noProject.text')}
    </EmptyState>
  );
}
