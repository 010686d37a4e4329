import { useTranslation } from 'react-i18next';
import { EmptyState } from './empty-state';
import type { IconName } from './icon';

/**
 * A page whose feature is not in this release yet: it says what the page will do, so the navigation
 * already shows the whole studio. Strings: `<ns>:title`, `<ns>:subtitle`, `<ns>:preview.title|text|points[]`.
 */
export function PreviewPage({ ns, icon }: { ns: string; icon: IconName }) {
  const { t } = useTranslation(ns);
  const points = t('preview.points', { returnObjects: true }) as unknown;
  return (
    <div className="page" data-testid={`${ns}-page`}>
      <header className="page-header">
        <div className="page-header-text">
          <h1>{t('title')}</h1>
          <p className="page-subtitle">{t('subtitle')}</p>
        </div>
      </header>
      <div className="panel">
        <EmptyState icon={icon} title={t('preview.title')} testId={`${ns}-empty`}>
          <p>{t('preview.text')}</p>
          {Array.isArray(points) && (
            <ul>
              {points.map((p) => (
                <li key={String(p)}>{String(p)}</li>
              ))}
            </ul>
          )}
          <p className="faint" style={{ marginTop: 14 }}>
            {t('common:comingSoon')}
          </p>
        </EmptyState>
      </div>
    </div>
  );
}
