import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PageModule } from '../../app/page-module';
import { useContribute, wireContributeEvents } from '../../stores/contribute-store';
import { Icon } from '../../ui/icon';
import { ConsentPanel } from './consent-panel';
import { LedgerPanel } from './ledger-panel';
import { NetworkPanel } from './network-panel';
import { PolicyEditor } from './policy-editor';
import { StatusPanel } from './status-panel';
import './contribute.css';

/**
 * Contribute: donating idle time (off by default; a consent screen first), the agent's state and its reason at every
 * moment, the current job, pause now / finish then stop, the rules, the ledger with an earnings chart, and the
 * credit spent on the creator's own network jobs (earn → spend) with "run on the network".
 */
function ContributePage() {
  const { t } = useTranslation('contribute');
  const load = useContribute((s) => s.load);
  const loaded = useContribute((s) => s.loaded);
  const status = useContribute((s) => s.status);
  const refreshNetwork = useContribute((s) => s.refreshNetwork);
  const [consenting, setConsenting] = useState(false);

  useEffect(() => {
    wireContributeEvents();
    void load();
    const timer = setInterval(() => {
      void refreshNetwork();
      void useContribute.getState().load();
    }, 3000);
    return () => clearInterval(timer);
  }, [load, refreshNetwork]);

  return (
    <div className="page contribute-page" data-testid="contribute-page">
      <header className="page-header">
        <h1>
          <Icon name="heart" /> {t('title')}
        </h1>
        <p className="muted">{t('subtitle')}</p>
      </header>
      {!loaded && <div className="spinner" aria-label={t('loading')} />}
      {loaded && status && !status.optedIn && <ConsentPanel open={consenting} onOpen={() => setConsenting(true)} onClose={() => setConsenting(false)} />}
      {loaded && status?.optedIn && <StatusPanel />}
      {loaded && status && <PolicyEditor />}
      {loaded && <LedgerPanel />}
      {loaded && <NetworkPanel />}
    </div>
  );
}

const page: PageModule = { id: 'contribute', order: 60, titleKey: 'contribute:title', icon: <Icon name="heart" />, Component: ContributePage };
export default page;
