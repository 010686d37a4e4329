import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCloud } from '../../stores/cloud-store';
import { Icon } from '../../ui/icon';
import { formatLatency, urlOk } from './cloud-rules';

/** Where Atlas is, whether it is the local emulator, and whether it answers now (checked on open and on demand). */
export function ConnectionPanel() {
  const { t } = useTranslation('cloud');
  const connection = useCloud((s) => s.connection);
  const reach = useCloud((s) => s.reach);
  const checking = useCloud((s) => s.checking);
  const check = useCloud((s) => s.checkConnection);
  const save = useCloud((s) => s.setConnection);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  const [touched, setTouched] = useState(false);

  const state = checking ? 'checking' : reach === null ? 'unknown' : reach.reachable ? 'reachable' : 'unreachable';
  const invalid = touched && !urlOk(draft);

  const startEdit = () => {
    setDraft(connection?.baseUrl ?? '');
    setTouched(false);
    setEditing(true);
  };
  const submit = async () => {
    setTouched(true);
    if (!urlOk(draft)) return;
    if (await save(draft.trim())) setEditing(false);
  };

  return (
    <section className="panel cloud-connection" data-testid="cloud-connection" aria-labelledby="cloud-connection-title">
      <div className="panel-title">
        <span id="cloud-connection-title">
          <Icon name="globe" size={14} /> {t('connection.title')}
        </span>
        {connection && (
          <span className={`badge ${connection.emulator ? 'accent' : ''}`} data-testid="cloud-emulator-badge" data-emulator={connection.emulator}>
            {connection.emulator ? t('connection.emulator') : t('connection.remote')}
          </span>
        )}
      </div>
      <div className="cloud-service-name">{t('connection.service')}</div>
      {!editing ? (
        <div className="cloud-url-row">
          <code className="cloud-url" data-testid="cloud-url" title={connection?.baseUrl ?? undefined}>
            {connection?.baseUrl ?? t('connection.none')}
          </code>
          <button type="button" className="button ghost small" onClick={startEdit} data-testid="cloud-url-edit">
            <Icon name="edit" size={14} /> {t('connection.edit')}
          </button>
        </div>
      ) : (
        <form
          className="cloud-url-form"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <label className="field-label" htmlFor="cloud-url-input">
            {t('connection.url')}
          </label>
          <input
            id="cloud-url-input"
            className="input mono"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            onBlur={() => setTouched(true)}
            aria-invalid={invalid}
            aria-describedby="cloud-url-hint"
            spellCheck={false}
            autoFocus
            data-testid="cloud-url-input"
          />
          <div id="cloud-url-hint" className={invalid ? 'field-error' : 'field-hint'}>
            {invalid ? t('connection.urlInvalid') : t('connection.urlHint')}
          </div>
          <div className="cloud-row-actions">
            <button type="submit" className="button primary small" data-testid="cloud-url-save">
              {t('connection.save')}
            </button>
            <button type="button" className="button ghost small" onClick={() => setEditing(false)}>
              {t('connection.cancel')}
            </button>
            {connection?.source === 'setting' && (
              <button type="button" className="button ghost small" onClick={() => void save(null).then((ok) => ok && setEditing(false))} data-testid="cloud-url-reset">
                {t('connection.reset')}
              </button>
            )}
          </div>
        </form>
      )}
      {connection && !editing && <div className="faint cloud-source">{t(`connection.source.${connection.source}`)}</div>}

      <div className="cloud-reach" data-testid="cloud-reach" data-state={state} role="status">
        <span className={`status-dot ${state}`} aria-hidden="true" />
        <span className="cloud-reach-text">
          <strong>{t(`connection.${state}`)}</strong>
          {reach?.reachable && reach.latencyMs !== null && (
            <span className="muted" data-testid="cloud-latency">
              {' · '}
              {t('connection.latency', { latency: formatLatency(reach.latencyMs) })}
            </span>
          )}
          {reach?.reachable && reach.version && <span className="faint"> · {t('connection.version', { version: reach.version })}</span>}
        </span>
        <button type="button" className="button small" onClick={() => void check()} disabled={checking} data-testid="cloud-check">
          {checking ? <span className="spinner" /> : <Icon name="refresh" size={14} />} {t('connection.check')}
        </button>
      </div>
      {reach && !reach.reachable && !checking && (
        <div className="cloud-reach-message" data-testid="cloud-reach-message">
          {reach.message && <div className="muted">{reach.message}</div>}
          <div className="faint">{t('connection.offlineNote')}</div>
        </div>
      )}
    </section>
  );
}
