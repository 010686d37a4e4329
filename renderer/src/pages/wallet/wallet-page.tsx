import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useConnection } from '../../api';
import { useWallet } from '../../stores/wallet-store';
import { RegisterForm } from './register-form';
import { PayoutPanel, RegistryPanel } from './registry-panel';
import { WalletPanel } from './wallet-panel';

/** The Wallet page: the wallet and payouts on the left, the registry (register, lineage, pay) on the right. */
export function WalletPage() {
  const { t } = useTranslation('wallet');
  const load = useWallet((s) => s.load);
  const generation = useConnection((s) => s.generation);
  useEffect(() => {
    void load();
  }, [load, generation]);
  return (
    <div className="page wallet-page" data-testid="wallet-page">
      <header className="page-header">
        <div className="page-header-text">
          <h1>{t('title')}</h1>
          <p className="page-subtitle">{t('subtitle')}</p>
        </div>
      </header>
      <div className="wallet-columns">
        <div className="wallet-col">
          <WalletPanel />
          <PayoutPanel />
        </div>
        <div className="wallet-col">
          <RegistryPanel />
          <RegisterForm />
        </div>
      </div>
    </div>
  );
}
