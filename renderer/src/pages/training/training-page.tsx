import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useConnection } from '../../api';
import { useCurrentProject } from '../../stores/project-store';
import { useTraining } from '../../stores/training-store';
import { Icon, type IconName } from '../../ui/icon';
import { ProgressBar } from '../../ui/progress-bar';
import { TabRow } from '../../ui/tab-row';
import { ServiceConnectionPanel } from '../cloud/connection-panel';
import { ChatPanel } from './chat-panel';
import { DatasetBuilder } from './dataset-builder';
import { usageShare } from './training-rules';
import { WorkflowsPanel } from './workflows-panel';

const TABS = ['chat', 'dataset', 'workflows'] as const;
type Tab = (typeof TABS)[number];
const TAB_ICONS: Record<Tab, IconName> = { chat: 'sparkles', dataset: 'layers', workflows: 'cpu' };

function Tabs({ value, onChange }: { value: Tab; onChange: (t: Tab) => void }) {
  const { t } = useTranslation('training');
  return <TabRow tabs={TABS} value={value} onChange={onChange} prefix="training" label={t('tabs.label')} icons={TAB_ICONS} text={(tab) => t(`tabs.${tab}`)} />;
}

/** Sign in to the vision platform (e-mail and password; the tokens go to the studio's vault), or who is signed in. */
function AccountPanel() {
  const { t } = useTranslation('training');
  const account = useTraining((s) => s.account);
  const error = useTraining((s) => s.signInError);
  const signIn = useTraining((s) => s.signIn);
  const signOut = useTraining((s) => s.signOut);
  const ids = useId();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  if (account?.state === 'signedIn') {
    return (
      <section className="panel" data-testid="training-account" data-state="signedIn">
        <div className="panel-title">
          <span>{t('account.title')}</span>
        </div>
        <div className="training-account-row">
          <span data-testid="training-account-email">{account.email}</span>
          <button type="button" className="button ghost small" onClick={() => void signOut()} data-testid="training-sign-out">
            {t('account.signOut')}
          </button>
        </div>
      </section>
    );
  }
  return (
    <section className="panel" data-testid="training-account" data-state={account?.state ?? 'unknown'}>
      <div className="panel-title">
        <span>{t('account.title')}</span>
      </div>
      {account?.state === 'expired' && <div className="muted">{t('account.expired')}</div>}
      <form
        className="training-form"
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          void signIn(email.trim(), password).then((ok) => {
            setBusy(false);
            if (ok) setPassword('');
          });
        }}
      >
        <label htmlFor={`${ids}-email`}>{t('account.email')}</label>
        <input id={`${ids}-email`} className="input" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} data-testid="training-email" />
        <label htmlFor={`${ids}-password`}>{t('account.password')}</label>
        <input id={`${ids}-password`} className="input" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} data-testid="training-password" />
        {error && (
          <div className="cloud-error" role="alert" data-testid="training-sign-in-error" data-code={error}>
            <Icon name="alert" size={15} /> {t(`account.errors.${error}`, { defaultValue: t('account.errors.other') })}
          </div>
        )}
        <button type="submit" className="button primary" disabled={busy || !email.trim() || !password} data-testid="training-sign-in">
          {busy ? <span className="spinner" /> : null} {t('account.signIn')}
        </button>
      </form>
    </section>
  );
}

/** The plan's limits before the creator hits them: GPU hours, storage, workflows running of the plan's allowance. */
function PlanPanel() {
  const { t, i18n } = useTranslation('training');
  const profile = useTraining((s) => s.profile);
  const waitingUntil = useTraining((s) => s.waitingUntil);
  if (!profile) return null;
  const u = profile.usage;
  const gpu = usageShare(u.gpuHoursUsed, u.gpuHoursLimit);
  const storage = usageShare(u.storageGbUsed, u.storageGbLimit);
  const waiting = waitingUntil && new Date(waitingUntil).getTime() > Date.now();
  return (
    <section className="panel" data-testid="training-plan" data-plan={profile.plan ?? ''}>
      <div className="panel-title">
        <span>{t('plan.title', { plan: profile.plan ?? '?' })}</span>
      </div>
      <div className="training-limit">
        <span>{t('plan.gpuHours', { used: u.gpuHoursUsed ?? '?', limit: u.gpuHoursLimit ?? '?' })}</span>
        <ProgressBar fraction={gpu} label={t('plan.gpuHoursLabel')} testId="training-plan-gpu" />
      </div>
      <div className="training-limit">
        <span>{t('plan.storage', { used: u.storageGbUsed ?? '?', limit: u.storageGbLimit ?? '?' })}</span>
        <ProgressBar fraction={storage} label={t('plan.storageLabel')} />
      </div>
      <div className="training-limit" data-testid="training-plan-workflows" data-active={profile.activeWorkflows} data-limit={profile.limits.concurrentWorkflows ?? ''}>
        {t('plan.workflows', { active: profile.activeWorkflows, limit: profile.limits.concurrentWorkflows ?? '?' })}
      </div>
      {profile.blocked && (
        <div className="cloud-error" role="status" data-testid="training-plan-blocked" data-problem={profile.blockedProblem ?? ''}>
          <Icon name="alert" size={15} /> {profile.blockedProblem ? t(`problem.${profile.blockedProblem}`, { defaultValue: profile.blocked }) : profile.blocked}
        </div>
      )}
      {waiting && (
        <div className="muted" role="status" data-testid="training-waiting">
          {t('plan.waiting', { time: new Date(waitingUntil!).toLocaleTimeString(i18n.language) })}
        </div>
      )}
    </section>
  );
}

/** Train a vision model from the project's own frames: chat to a config, build and check the dataset, watch it learn, bring it home. */
export function TrainingPage() {
  const { t } = useTranslation('training');
  const project = useCurrentProject();
  const [tab, setTab] = useState<Tab>('chat');
  const load = useTraining((s) => s.load);
  const connection = useTraining((s) => s.connection);
  const reach = useTraining((s) => s.reach);
  const checking = useTraining((s) => s.checking);
  const checkConnection = useTraining((s) => s.checkConnection);
  const setConnection = useTraining((s) => s.setConnection);
  const signedIn = useTraining((s) => s.account?.state === 'signedIn');
  const generation = useConnection((s) => s.generation);
  useEffect(() => {
    void load();
  }, [load, generation]);
  return (
    <div className="page" data-testid="training-page">
      <header className="page-header">
        <div className="page-header-text">
          <h1>{t('title')}</h1>
          <p className="page-subtitle">{project ? t('subtitleProject', { name: project.name }) : t('subtitle')}</p>
        </div>
      </header>
      <div className="cloud-layout">
        <div className="cloud-main">
          <Tabs value={tab} onChange={setTab} />
          <div role="tabpanel" id={`training-panel-${tab}`} aria-labelledby={`training-tab-${tab}`} className="cloud-tabpanel">
            {!signedIn ? (
              <section className="panel empty-state" data-testid="training-signed-out">
                <div className="empty-state-icon">
                  <Icon name="sparkles" size={30} />
                </div>
                <h2>{t('signedOut.title')}</h2>
                <div className="empty-state-text">{t('signedOut.text')}</div>
              </section>
            ) : tab === 'chat' ? (
              <ChatPanel onGoTo={setTab} />
            ) : tab === 'dataset' ? (
              <DatasetBuilder />
            ) : (
              <WorkflowsPanel />
            )}
          </div>
        </div>
        <aside className="cloud-side">
          <ServiceConnectionPanel
            connection={connection}
            reach={reach ? { reachable: reach.reachable, latencyMs: reach.latencyMs, version: null, message: reach.message, messageCode: reach.messageCode, messageParams: reach.messageParams } : null}
            checking={checking}
            onCheck={checkConnection}
            onSave={setConnection}
            serviceName={t('connection.service')}
            sourceText={(source) => t(`connection.source.${source}`)}
            urlHint={t('connection.urlHint')}
            testIdPrefix="training"
          />
          <AccountPanel />
          <PlanPanel />
        </aside>
      </div>
    </div>
  );
}
