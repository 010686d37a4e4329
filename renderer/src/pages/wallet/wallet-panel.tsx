import QRCode from 'qrcode';
import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SolanaCluster } from '../../../../main/common/contract';
import { useSay } from '../../i18n/say';
import { useWallet } from '../../stores/wallet-store';
import { Dialog } from '../../ui/dialog';
import { EmptyState } from '../../ui/empty-state';
import { Icon } from '../../ui/icon';
import { Segmented } from '../../ui/segmented';
import { short, sol } from './format';

const CLUSTERS: readonly SolanaCluster[] = ['emulator', 'devnet', 'mainnet-beta', 'custom'];

/** The address as a QR code (for a phone wallet to scan), drawn by the qrcode package. */
function AddressQr({ address }: { address: string }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    QRCode.toDataURL(`solana:${address}`, { margin: 1, width: 148, color: { dark: '#000000', light: '#ffffff' } }).then(
      (url) => live && setSrc(url),
      () => live && setSrc(null),
    );
    return () => {
      live = false;
    };
  }, [address]);
  const { t } = useTranslation('wallet');
  return src ? <img className="wallet-qr" src={src} alt={t('wallet.qrAlt')} data-testid="wallet-qr" width={148} height={148} /> : null;
}

function ClusterChoice() {
  const { t } = useTranslation('wallet');
  const info = useWallet((s) => s.info);
  const setCluster = useWallet((s) => s.setCluster);
  const [custom, setCustom] = useState('');
  const id = useId();
  const current = info?.cluster.cluster ?? 'emulator';
  return (
    <div className="wallet-cluster">
      <Segmented
        options={CLUSTERS}
        value={current}
        onChange={(c) => {
          if (c !== 'custom') void setCluster(c);
          else if (custom.trim()) void setCluster('custom', custom.trim());
          else useWallet.setState((s) => (s.info ? { info: { ...s.info, cluster: { ...s.info.cluster, cluster: 'custom' } } } : {}));
        }}
        render={(c) => t(`cluster.${c}`)}
        label={t('cluster.label')}
        testId={(c) => `wallet-cluster-${c}`}
      />
      {current === 'custom' && (
        <form
          className="wallet-inline"
          onSubmit={(e) => {
            e.preventDefault();
            void setCluster('custom', custom.trim());
          }}
        >
          <label htmlFor={`${id}-rpc`} className="sr-only">
            {t('cluster.rpcUrl')}
          </label>
          <input id={`${id}-rpc`} value={custom} placeholder="https://…" onChange={(e) => setCustom(e.target.value)} data-testid="wallet-rpc-input" />
          <button type="submit" className="button small" disabled={!custom.trim()}>
            {t('cluster.use')}
          </button>
        </form>
      )}
      <div className="muted wallet-rpc" data-testid="wallet-rpc">
        {info?.cluster.rpcUrl ? t('cluster.at', { url: info.cluster.rpcUrl }) : t('cluster.none')}
      </div>
    </div>
  );
}

function ImportKey({ onDone }: { onDone(): void }) {
  const { t } = useTranslation('wallet');
  const importKey = useWallet((s) => s.importKey);
  const busy = useWallet((s) => s.busy.import);
  const [key, setKey] = useState('');
  const id = useId();
  return (
    <form
      className="wallet-import"
      onSubmit={(e) => {
        e.preventDefault();
        void importKey(key).then((ok) => {
          if (ok) {
            setKey('');
            onDone();
          }
        });
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-key`}>{t('wallet.importLabel')}</label>
        <textarea id={`${id}-key`} rows={3} value={key} onChange={(e) => setKey(e.target.value)} autoComplete="off" spellCheck={false} data-testid="wallet-import-input" />
        <div className="field-hint">{t('wallet.importHint')}</div>
      </div>
      <button type="submit" className="button" disabled={!key.trim() || busy} data-testid="wallet-import-submit">
        {t('wallet.import')}
      </button>
    </form>
  );
}

function ExportKey() {
  const { t } = useTranslation('wallet');
  const exported = useWallet((s) => s.exported);
  const exportKey = useWallet((s) => s.exportKey);
  const clear = useWallet((s) => s.clearExport);
  const [open, setOpen] = useState(false);
  const [sure, setSure] = useState(false);
  const close = () => {
    setOpen(false);
    setSure(false);
    clear();
  };
  return (
    <>
      <button type="button" className="button small ghost" onClick={() => setOpen(true)} data-testid="wallet-export">
        {t('wallet.export')}
      </button>
      <Dialog
        open={open}
        title={t('export.title')}
        onClose={close}
        testId="wallet-export-dialog"
        footer={
          exported ? (
            <button type="button" className="button" onClick={close} data-autofocus>
              {t('export.done')}
            </button>
          ) : (
            <>
              <button type="button" className="button" onClick={close} data-autofocus>
                {t('export.cancel')}
              </button>
              <button type="button" className="button danger" disabled={!sure} onClick={() => void exportKey()} data-testid="wallet-export-confirm">
                {t('export.show')}
              </button>
            </>
          )
        }
      >
        {exported ? (
          <div className="field">
            <label>{t('export.secret')}</label>
            <textarea readOnly rows={3} value={exported.secretKey} data-testid="wallet-export-secret" spellCheck={false} />
            <div className="field-hint">{t('export.keep')}</div>
          </div>
        ) : (
          <>
            <p>{t('export.warning')}</p>
            <label className="checkbox">
              <input type="checkbox" checked={sure} onChange={(e) => setSure(e.target.checked)} data-testid="wallet-export-sure" /> {t('export.sure')}
            </label>
          </>
        )}
      </Dialog>
    </>
  );
}

/** The wallet: create or import, address with copy and QR, balance, airdrop, recent transactions, cluster, export. */
export function WalletPanel() {
  const { t } = useTranslation('wallet');
  const info = useWallet((s) => s.info);
  const balance = useWallet((s) => s.balance);
  const balanceError = useWallet((s) => s.balanceError);
  const say = useSay();
  const txs = useWallet((s) => s.transactions);
  const busy = useWallet((s) => s.busy);
  const create = useWallet((s) => s.create);
  const refresh = useWallet((s) => s.refreshBalance);
  const airdrop = useWallet((s) => s.airdrop);
  const [importing, setImporting] = useState(false);
  const [copied, setCopied] = useState(false);
  const [drop, setDrop] = useState('1');

  if (!info) return <section className="panel" aria-busy="true" />;
  return (
    <section className="panel wallet-panel" data-testid="wallet-panel">
      <div className="panel-title">
        <span>
          <Icon name="wallet" size={14} /> {t('wallet.title')}
        </span>
      </div>
      <ClusterChoice />
      {!info.address ? (
        <EmptyState
          icon="wallet"
          title={t('wallet.emptyTitle')}
          testId="wallet-empty"
          actions={
            <>
              <button type="button" className="button primary" onClick={() => void create()} disabled={busy.create} data-testid="wallet-create">
                <Icon name="plus" size={16} /> {t('wallet.create')}
              </button>
              <button type="button" className="button" onClick={() => setImporting((v) => !v)} data-testid="wallet-import-open">
                {t('wallet.importOpen')}
              </button>
            </>
          }
        >
          {t('wallet.emptyText')}
          {importing && <ImportKey onDone={() => setImporting(false)} />}
        </EmptyState>
      ) : (
        <div className="wallet-body">
          <div className="wallet-address-row">
            <AddressQr address={info.address} />
            <div className="wallet-address-text">
              <div className="field-label">{t('wallet.address')}</div>
              <code data-testid="wallet-address">{info.address}</code>
              <div className="wallet-actions">
                <button
                  type="button"
                  className="button small"
                  onClick={() => {
                    void navigator.clipboard?.writeText(info.address!).then(() => setCopied(true), () => setCopied(false));
                  }}
                  data-testid="wallet-copy"
                >
                  <Icon name={copied ? 'check' : 'layers'} size={14} /> {copied ? t('wallet.copied') : t('wallet.copy')}
                </button>
                <ExportKey />
              </div>
              <div className="muted">{t(`wallet.vault.${info.vault === 'file' ? 'file' : 'keychain'}`)}</div>
            </div>
          </div>
          <div className="wallet-balance">
            <div className="field-label">{t('wallet.balance')}</div>
            {balance ? (
              <strong data-testid="wallet-balance" data-lamports={balance.lamports}>
                {sol(balance.lamports)} SOL
              </strong>
            ) : (
              <span className="muted" data-testid="wallet-balance-unknown">
                {balanceError ? t('wallet.balanceError', { message: say(balanceError) }) : '—'}
              </span>
            )}
            <button type="button" className="button small ghost" onClick={() => void refresh()} disabled={busy.balance} aria-label={t('wallet.refresh')} data-testid="wallet-refresh">
              <Icon name="refresh" size={14} />
            </button>
            {info.cluster.airdrop && (
              <form
                className="wallet-inline"
                onSubmit={(e) => {
                  e.preventDefault();
                  const n = Number(drop);
                  if (n > 0) void airdrop(n);
                }}
              >
                <input aria-label={t('wallet.airdropAmount')} value={drop} onChange={(e) => setDrop(e.target.value)} inputMode="decimal" size={5} data-testid="wallet-airdrop-amount" />
                <button type="submit" className="button small" disabled={busy.airdrop || !(Number(drop) > 0)} data-testid="wallet-airdrop">
                  {busy.airdrop ? t('wallet.airdropping') : t('wallet.airdrop')}
                </button>
              </form>
            )}
          </div>
          <div className="wallet-txs">
            <div className="field-label">{t('wallet.recent')}</div>
            {txs.length === 0 ? (
              <div className="muted" data-testid="wallet-txs-empty">
                {t('wallet.noTransactions')}
              </div>
            ) : (
              <table className="wallet-table" data-testid="wallet-txs">
                <tbody>
                  {txs.map((x) => (
                    <tr key={x.signature}>
                      <td>
                        <code title={x.signature}>{short(x.signature)}</code>
                      </td>
                      <td>{x.blockTime ? new Date(x.blockTime).toLocaleString() : '—'}</td>
                      <td className={x.change !== null && x.change < 0 ? 'wallet-out' : 'wallet-in'}>{x.change === null ? '—' : `${x.change > 0 ? '+' : ''}${sol(x.change)} SOL`}</td>
                      <td>{x.counterparty ? <code title={x.counterparty}>{short(x.counterparty)}</code> : ''}</td>
                      <td>{x.err ? <span className="badge danger">{t('wallet.failed')}</span> : null}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        </div>
      )}
    </section>
  );
}
