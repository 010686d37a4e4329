import { useTranslation } from 'react-i18next';
import { useContribute } from '../../stores/contribute-store';
import { Icon } from '../../ui/icon';

const POINTS = ['what', 'when', 'uses', 'never', 'earns', 'stop'] as const;

/** Off by default: what runs, when, what it may use and what it earns — and only then "Start contributing". */
export function ConsentPanel({ open, onOpen, onClose }: { open: boolean; onOpen: () => void; onClose: () => void }) {
  const { t } = useTranslation('contribute');
  const optIn = useContribute((s) => s.optIn);
  const busy = useContribute((s) => s.busy);
  const error = useContribute((s) => s.error);
  const confinement = useContribute((s) => s.status?.confinement ?? '');
  if (!open)
    return (
      <section className="panel contribute-off" data-testid="contribute-off">
        <div className="panel-title">
          <span>
            <Icon name="heart" size={14} /> {t('off.title')}
          </span>
          <span className="contribute-pill off" data-testid="contribute-state">
            {t('states.off')}
          </span>
        </div>
        <p className="muted">{t('off.text')}</p>
        <button className="button primary" data-testid="contribute-open-consent" onClick={onOpen}>
          {t('off.start')}
        </button>
      </section>
    );
  return (
    <section className="panel contribute-consent" data-testid="contribute-consent" aria-labelledby="contribute-consent-title">
      <div className="panel-title">
        <span id="contribute-consent-title">
          <Icon name="info" size={14} /> {t('consent.title')}
        </span>
      </div>
      <ul className="contribute-points">
        {POINTS.map((p) => (
          <li key={p} data-testid={`contribute-consent-${p}`}>
            <strong>{t(`consent.${p}.title`)}</strong> {t(`consent.${p}.text`)}
          </li>
        ))}
      </ul>
      {confinement && (
        <p className="faint" data-testid="contribute-confinement">
          {t('consent.confinement', { how: confinement })}
        </p>
      )}
      {error?.action === 'optIn' && (
        <p className="cloud-error" role="alert">
          {error.message}
        </p>
      )}
      <div className="cloud-row-actions">
        <button className="button primary" data-testid="contribute-agree" disabled={busy} onClick={() => void optIn().then((ok) => ok && onClose())}>
          {t('consent.agree')}
        </button>
        <button className="button ghost" data-testid="contribute-consent-cancel" onClick={onClose}>
          {t('consent.cancel')}
        </button>
      </div>
    </section>
  );
}
