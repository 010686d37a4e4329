import { Suspense, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useConnection } from '../api';
import { useCurrentProject, useProjects } from '../stores/project-store';
import { useNav } from '../stores/nav-store';
import { useSettings } from '../stores/settings-store';
import { useUi } from '../stores/ui-store';
import { wireJobEvents } from '../stores/job-store';
import { wireCloudEvents } from '../stores/cloud-notifier';
import { Icon } from '../ui/icon';
import { pages } from './pages';
import { ShortcutSheet } from './shortcut-sheet';
import { useGlobalShortcuts, isMac } from './shortcuts';
import { Toasts } from './toasts';
import { DropImport } from './drop-import';
import { LibraryWarningBanner } from '../pages/settings/database-panel';

function ConnectionBanner() {
  const status = useConnection((s) => s.status);
  const { t } = useTranslation();
  if (status === 'open') return null;
  return (
    <div className="connection-banner" role="status" data-testid="connection-banner">
      <span className="spinner" /> {t(`connection.${status}`)}
    </div>
  );
}

function Navigation() {
  const { t } = useTranslation();
  const current = useNav((s) => s.page);
  const navigate = useNav((s) => s.navigate);
  const project = useCurrentProject();
  const openSheet = useUi((s) => s.setShortcutsOpen);
  return (
    <nav className="sidebar" aria-label={t('nav.label')}>
      <div className="brand">
        <div className="brand-mark" aria-hidden="true">
          <svg viewBox="0 0 32 32" width="28" height="28">
            <defs>
              <linearGradient id="kg" x1="0" y1="0" x2="1" y2="1">
                <stop offset="0" stopColor="#7c9cff" />
                <stop offset="1" stopColor="#38d9c0" />
              </linearGradient>
            </defs>
            <path
              fill="url(#kg)"
              d="M16 3c6 0 10 4.3 10 10 0 3.2-1.4 5.6-3.4 7.2.9 2.6 2.6 4.4 4.9 5.3-3 .9-5.9-.3-7.5-2.6-.3 2.4-1.6 4.5-4 6.1-2.4-1.6-3.7-3.7-4-6.1-1.6 2.3-4.5 3.5-7.5 2.6 2.3-.9 4-2.7 4.9-5.3C7.4 18.6 6 16.2 6 13 6 7.3 10 3 16 3z"
            />
            <circle cx="12.5" cy="12.5" r="1.8" fill="#0f1117" />
            <circle cx="19.5" cy="12.5" r="1.8" fill="#0f1117" />
          </svg>
        </div>
        <div className="brand-name">Kraken Studio</div>
      </div>
      <ul className="nav-list">
        {pages.map((p, i) => (
          <li key={p.id}>
            <button
              type="button"
              className={p.id === current ? 'nav-item active' : 'nav-item'}
              aria-current={p.id === current ? 'page' : undefined}
              onClick={() => navigate(p.id)}
              title={`${t(p.titleKey)} (${isMac ? '⌘' : 'Ctrl+'}${i + 1})`}
              data-testid={`nav-${p.id}`}
            >
              <span className="nav-icon">{p.icon}</span>
              <span className="nav-label">{t(p.titleKey)}</span>
            </button>
          </li>
        ))}
      </ul>
      <div className="sidebar-footer">
        <div className="current-project" data-testid="current-project">
          <span className="current-project-label">{t('nav.currentProject')}</span>
          <span className="current-project-name">{project ? project.name : t('nav.noProject')}</span>
        </div>
        <button type="button" className="nav-item subtle" onClick={() => openSheet(true)} data-testid="open-shortcuts">
          <span className="nav-icon">
            <Icon name="keyboard" />
          </span>
          <span className="nav-label">{t('shortcuts.button')}</span>
          <kbd>?</kbd>
        </button>
      </div>
    </nav>
  );
}

export function AppShell() {
  const { t } = useTranslation();
  const pageId = useNav((s) => s.page);
  const generation = useConnection((s) => s.generation);
  const loadProjects = useProjects((s) => s.load);
  const loadSettings = useSettings((s) => s.load);
  useGlobalShortcuts(pages);

  useEffect(() => {
    wireJobEvents();
    wireCloudEvents(); // a finished cloud job is announced on every page
  }, []);
  useEffect(() => {
    // Initial load, and again after a reconnect: the host may have changed while we were away.
    void loadProjects();
    void loadSettings();
  }, [generation, loadProjects, loadSettings]);

  const page = pages.find((p) => p.id === pageId) ?? pages[0];
  useEffect(() => {
    if (page) document.title = `${t(page.titleKey)} · Kraken Studio`;
  }, [page, t]);

  return (
    <div className="app">
      <Navigation />
      <main className="content" data-testid={`page-${page?.id ?? 'none'}`}>
        <ConnectionBanner />
        <LibraryWarningBanner />
        <Suspense fallback={<div className="page-loading"><span className="spinner" /></div>}>
          {page ? <page.Component key={page.id} /> : null}
        </Suspense>
      </main>
      <DropImport />
      <Toasts />
      <ShortcutSheet />
    </div>
  );
}
