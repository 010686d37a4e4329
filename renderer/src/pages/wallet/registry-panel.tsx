import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LineageTreeNode, RoyaltyDistribution, RoyaltyPayment } from '../../../../main/common/contract';
import { useSay } from '../../i18n/say';
import { useWallet } from '../../stores/wallet-store';
import { Dialog } from '../../ui/dialog';
import { EmptyState } from '../../ui/empty-state';
import { Icon } from '../../ui/icon';
import { ProgressBar } from '../../ui/progress-bar';
import { short, sol } from './format';

/** The seed's `distribution` as a table: platform fee, the model's developer, each ancestor by depth. */
export function DistributionTable({ d, testId }: { d: RoyaltyDistribution; testId: string }) {
  const { t } = useTranslation('wallet');
  return (
    <table className="wallet-table distribution" data-testid={testId}>
      <thead>
        <tr>
          <th>{t('royalty.who')}</th>
          <th>{t('royalty.recipient')}</th>
          <th className="num">{t('royalty.amount')}</th>
          <th className="num">%</th>
        </tr>
      </thead>
      <tbody>
        <tr data-testid={`${testId}-platform`} data-lamports={d.platformFee}>
          <td>{t('royalty.platform')}</td>
          <td />
          <td className="num">{sol(d.platformFee)} SOL</td>
          <td className="num">{d.platformFeePercentage}</td>
        </tr>
        {d.distributions.map((p) => {
          const key = p.role === 'current_model_developer' ? 'developer' : `depth-${p.depth}`;
          return (
            <tr key={key} data-testid={`${testId}-${key}`} data-lamports={p.amount}>
              <td>{p.role === 'current_model_developer' ? t('royalty.developer') : t('royalty.ancestor', { depth: p.depth })}</td>
              <td>
                <code title={p.recipient}>{short(p.recipient)}</code>
              </td>
              <td className="num">{sol(p.amount)} SOL</td>
              <td className="num">{p.percentage}</td>
            </tr>
          );
        })}
      </tbody>
      <tfoot>
        <tr>
          <td>{t('royalty.total')}</td>
          <td />
          <td className="num" data-testid={`${testId}-total`}>
            {sol(d.totalAmount)} SOL
          </td>
          <td />
        </tr>
      </tfoot>
    </table>
  );
}

function Tree({ nodes }: { nodes: LineageTreeNode[] }) {
  const { t } = useTranslation('wallet');
  return (
    <ul className="lineage-tree">
      {nodes.map((n) => (
        <li key={n.modelPda} data-testid={`tree-${n.modelPda}`}>
          <span className="lineage-node">
            <strong>{n.name}</strong> {n.relationship && <span className="badge">{t(`relationship.${n.relationship}`)}</span>} <code title={n.modelPda}>{short(n.modelPda)}</code>
            {!n.known && <span className="muted"> {t('registry.elsewhere')}</span>}
          </span>
          {n.children.length > 0 && <Tree nodes={n.children} />}
        </li>
      ))}
    </ul>
  );
}

function Backend() {
  const { t } = useTranslation('wallet');
  const backend = useWallet((s) => s.backend);
  const setBackend = useWallet((s) => s.setBackend);
  const [url, setUrl] = useState('');
  const id = useId();
  useEffect(() => setUrl(backend?.baseUrl ?? ''), [backend?.baseUrl]);
  return (
    <form
      className="wallet-inline wallet-backend"
      onSubmit={(e) => {
        e.preventDefault();
        void setBackend(url.trim() || null);
      }}
    >
      <label htmlFor={`${id}-api`}>{t('registry.backend')}</label>
      <input id={`${id}-api`} value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://…/api" data-testid="registry-backend-input" />
      <button type="submit" className="button small">
        {t('registry.save')}
      </button>
      {backend?.emulator && <span className="badge accent">{t('registry.emulator')}</span>}
      {!backend?.baseUrl && <span className="field-error">{t('registry.noBackend')}</span>}
    </form>
  );
}

function Outcome({ p }: { p: RoyaltyPayment }) {
  const { t } = useTranslation('wallet');
  return (
    <div className={`wallet-outcome ${p.state}`} data-testid="royalty-outcome" data-state={p.state}>
      <div className="wallet-outcome-head">
        <strong data-testid="royalty-outcome-state">{t(`outcome.${p.state}`)}</strong>
        <code title={p.signature}>{short(p.signature)}</code>
        {p.matchesPreview === true && (
          <span className="badge success" data-testid="royalty-matches">
            <Icon name="check" size={12} /> {t('outcome.matches')}
          </span>
        )}
        {p.matchesPreview === false && (
          <span className="badge danger" data-testid="royalty-differs">
            {t('outcome.differs')}
          </span>
        )}
      </div>
      {p.reason && <p className="muted">{p.reason}</p>}
      {p.violations.map((v) => (
        <p key={v} className="field-error">
          {v}
        </p>
      ))}
      {p.mismatches.map((m) => (
        <p key={m.what} className="field-error">
          {t('outcome.mismatch', { what: m.what, expected: m.expected, actual: m.actual })}
        </p>
      ))}
      {p.lineageTrace && (
        <p className="muted" data-testid="royalty-outcome-lineage">
          {p.lineageTrace.lineage.map((e) => e.modelName).join(' ← ')}
        </p>
      )}
      {p.distribution && <DistributionTable d={p.distribution} testId="royalty-outcome-table" />}
    </div>
  );
}

function PayDialog() {
  const { t } = useTranslation('wallet');
  const paying = useWallet((s) => s.paying);
  const cancel = useWallet((s) => s.cancelPay);
  const pay = useWallet((s) => s.pay);
  const busy = useWallet((s) => s.busy.pay);
  const balance = useWallet((s) => s.balance);
  const price = paying ? paying.model.pricing[paying.tier]!.price : 0;
  const short_ = balance !== null && balance.lamports < price;
  return (
    <Dialog
      open={!!paying}
      title={paying ? t('pay.title', { name: paying.model.name, tier: paying.tier }) : ''}
      onClose={() => !busy && cancel()}
      testId="royalty-pay-dialog"
      width={620}
      footer={
        <>
          <button type="button" className="button" onClick={cancel} disabled={busy} data-autofocus>
            {t('pay.cancel')}
          </button>
          <button type="button" className="button primary" disabled={busy || !paying?.preview?.distribution || short_} onClick={() => void pay()} data-testid="royalty-pay-confirm">
            {busy ? t('pay.paying') : t('pay.confirm', { sol: sol(price) })}
          </button>
        </>
      }
    >
      {!paying?.preview ? (
        <p className="muted">{t('pay.previewing')}</p>
      ) : (
        <>
          <p>{t('pay.intro', { sol: sol(price) })}</p>
          {paying.preview.lineageTrace && <p className="muted">{paying.preview.lineageTrace.lineage.map((e) => e.modelName).join(' ← ')}</p>}
          {paying.preview.unknownParent && <p className="field-hint">{t('pay.unknownParent', { pda: paying.preview.unknownParent })}</p>}
          {paying.preview.lineageTrace?.violations.map((v) => (
            <p key={v} className="field-error">
              {v}
            </p>
          ))}
          {paying.preview.distribution && <DistributionTable d={paying.preview.distribution} testId="royalty-preview-table" />}
          {short_ && <p className="field-error">{t('pay.notEnough')}</p>}
          {busy && <ProgressBar fraction={null} label={t('pay.paying')} testId="royalty-paying" />}
        </>
      )}
    </Dialog>
  );
}

/** Registered models and their lineage tree; a paid tier previews its royalty split, then pays; the outcome. */
export function RegistryPanel() {
  const { t } = useTranslation('wallet');
  const models = useWallet((s) => s.models);
  const tree = useWallet((s) => s.tree);
  const outcome = useWallet((s) => s.outcome);
  const payments = useWallet((s) => s.payments);
  const startPay = useWallet((s) => s.startPay);
  const hasWallet = useWallet((s) => !!s.info?.address);
  return (
    <section className="panel wallet-registry" data-testid="registry-panel">
      <div className="panel-title">
        <span>
          <Icon name="layers" size={14} /> {t('registry.title')}
        </span>
      </div>
      <Backend />
      {models.length === 0 ? (
        <EmptyState icon="layers" title={t('registry.emptyTitle')} testId="registry-empty">
          {t('registry.emptyText')}
        </EmptyState>
      ) : (
        <>
          <div className="field-label">{t('registry.tree')}</div>
          <div data-testid="lineage-tree">
            <Tree nodes={tree} />
          </div>
          <table className="wallet-table" data-testid="registry-models">
            <tbody>
              {models.map((m) => (
                <tr key={m.modelPda} data-testid={`registry-model-${m.name}`}>
                  <td>
                    <strong>{m.name}</strong> <span className="badge">{t(`relationship.${m.relationship}`)}</span>
                    <div>
                      <code data-testid="registry-model-pda">{m.modelPda}</code>
                    </div>
                  </td>
                  <td>
                    {Object.entries(m.pricing).map(([tier, p]) => (
                      <div key={tier} className="wallet-tier">
                        {tier}: {p.price > 0 ? `${sol(p.price)} SOL` : t('billing.free')}{' '}
                        {p.price > 0 && (
                          <button type="button" className="button small" disabled={!hasWallet} onClick={() => void startPay({ model: m, tier })} data-testid={`pay-${m.name}-${tier}`}>
                            {t('pay.open')}
                          </button>
                        )}
                      </div>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {outcome && <Outcome p={outcome} />}
      {payments.length > 0 && (
        <>
          <div className="field-label">{t('registry.payments')}</div>
          <table className="wallet-table" data-testid="royalty-payments">
            <tbody>
              {payments.map((p) => (
                <tr key={p.id}>
                  <td>
                    <code title={p.signature}>{short(p.signature)}</code>
                  </td>
                  <td>{models.find((m) => m.modelPda === p.modelPda)?.name ?? (p.modelPda ? short(p.modelPda) : '—')}</td>
                  <td className="num">{sol(p.lamports)} SOL</td>
                  <td>{t(`outcome.${p.state}`)}</td>
                  <td>{p.matchesPreview === true ? <Icon name="check" size={14} /> : p.matchesPreview === false ? <Icon name="alert" size={14} /> : null}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <PayDialog />
    </section>
  );
}

/** The contributor node's credit beside the wallet, and its payout where the network offers one. */
export function PayoutPanel() {
  const { t } = useTranslation('wallet');
  const say = useSay();
  const credit = useWallet((s) => s.credit);
  const payout = useWallet((s) => s.payout);
  const busy = useWallet((s) => s.busy.payout);
  const hasWallet = useWallet((s) => !!s.info?.address);
  return (
    <section className="panel wallet-payouts" data-testid="payout-panel">
      <div className="panel-title">
        <span>
          <Icon name="heart" size={14} /> {t('payouts.title')}
        </span>
      </div>
      {!credit || !credit.available ? (
        <p className="muted" data-testid="payout-unavailable">
          {t('payouts.unavailable')} {credit ? say(credit) : ''}
        </p>
      ) : (
        <div className="wallet-credit">
          <div>
            {t('payouts.earned')} <strong data-testid="payout-earned">{credit.earned}</strong>
          </div>
          <div>
            {t('payouts.spent')} {credit.spent}
          </div>
          <div>
            {t('payouts.balance')} <strong data-testid="payout-balance">{credit.balance}</strong>
          </div>
          {credit.payable !== null && (
            <div title={t('payouts.payableHint')}>
              {t('payouts.payable')} <strong data-testid="payout-payable">{credit.payable}</strong>
            </div>
          )}
          {credit.payoutOffered ? (
            <button type="button" className="button" disabled={busy || !hasWallet || (credit.payable ?? credit.balance ?? 0) < 1} onClick={() => void payout()} data-testid="payout-submit">
              {t('payouts.payOut')}
            </button>
          ) : (
            <span className="muted">{t('payouts.notOffered')}</span>
          )}
        </div>
      )}
    </section>
  );
}
