import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useConnection } from '../../api';
import { useCloud } from '../../stores/cloud-store';
import { useNav } from '../../stores/nav-store';
import { useCurrentProject } from '../../stores/project-store';
import { EmptyState, NoProjectState } from '../../ui/empty-state';
import type { IconName } from '../../ui/icon';
import { TabRow } from '../../ui/tab-row';
import { AccountPanel } from './account-panel';
import { ConnectionPanel } from './connection-panel';
import { GpuSessionsTab } from './gpu/gpu-sessions';
import { JobFormPanel } from './job-form';
import { JobsList } from './jobs-list';
import { MyItems } from './my-items';

const TABS = ['generate', 'training', 'gpu'] as const;
type Tab = (typeof TABS)[number];
const TAB_ICONS: Record<Tab, IconName> = { generate: 'cube', training: 'sparkles', gpu: 'cpu' };

/** The tab row (WAI-ARIA tabs: arrow keys move between tabs, Home/End to the ends). */
function Tabs({ value, onChange }: { value: Tab; onChange: (t: Tab) => void }) {
  const { t } = useTranslation('cloud');
  return (
    <TabRow
      tabs={TABS}
      value={value}
      onChange={onChange}
      prefix="cloud"
      label={t('tabs.label')}
      icons={TAB_ICONS}
      text={(tab) => t(`tabs.${tab}`)}
    />
  );
}

function Generate() {
  const project = useCurrentProject();
  const loadJobs = useCloud((s) => s.loadJobs);
  const generation = useConnection((s) => s.generation);
  const projectId = project?.id ?? null;
  useEffect(() => {
    void loadJobs(projectId);
  }, [projectId, loadJobs, generation]);
  return (
    <div className="cloud-layout">
      <div className="cloud-main">
        {project ? (
          <JobFormPanel projectId={project.id} />
        ) : (
          <section className="panel">
            <NoProjectState namespace="cloud" icon="cloud" testId="cloud-no-project" />
          </section>
        )}
        <JobsList />
      </div>
      <aside className="cloud-side">
        <ConnectionPanel />
        <AccountPanel />
        <MyItems />
      </aside>
    </div>
  );
}

/** Cloud training has a page of its own (chat, datasets, live charts, the model brought home): this tab leads there. */
function TrainingTab() {
  const { t } = useTranslation('cloud');
  const navigate = useNav((s) => s.navigate);
  return (
    <section className="panel">
      <EmptyState icon={TAB_ICONS.training} title={t('trainingTab.title')} testId="cloud-training-tab">
        <p>{t('trainingTab.text')}</p>
        <button type="button" className="button primary" onClick={() => navigate('training')} data-testid="cloud-open-training">
          {t('trainingTab.open')}
        </button>
      </EmptyState>
    </section>
  );
}

/** The Kraken cloud: 3D generation (connection, account, new job, jobs, My items), GPU sessions, and the way to training. */
export function CloudPage() {
  const { t } = useTranslation('cloud');
  const project = useCurrentProject();
  const [tab, setTab] = useState<Tab>('generate');
  const loadConnection = useCloud((s) => s.loadConnection);
  const loadAccount = useCloud((s) => s.loadAccount);
  const generation = useConnection((s) => s.generation);
  // On open (and after a reconnect): where Atlas is, whether it answers, and who is signed in.
  useEffect(() => {
    void loadConnection();
    void loadAccount(true);
  }, [loadConnection, loadAccount, generation]);
  return (
    <div className="page" data-testid="cloud-page">
      <header className="page-header">
        <div className="page-header-text">
          <h1>{t('title')}</h1>
          <p className="page-subtitle">{project ? t('subtitleProject', { name: project.name }) : t('subtitle')}</p>
        </div>
      </header>
      <Tabs value={tab} onChange={setTab} />
      <div role="tabpanel" id={`cloud-panel-${tab}`} aria-labelledby={`cloud-tab-${tab}`} className="cloud-tabpanel">
        {tab === 'generate' ? <Generate /> : tab === 'gpu' ? <GpuSessionsTab /> : <TrainingTab />}
      </div>
    </div>
  );
}
