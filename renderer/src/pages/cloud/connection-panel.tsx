import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSay } from '../../i18n/say';
import { useCloud } from '../../stores/cloud-store';
import { Icon } from '../../ui/icon';
import { formatLatency, urlOk } from './cloud-rules';

/** What the panel shows of a service's connection (Atlas's and the compute service's contracts both fit). */
export interface PanelConnection {
  baseUrl: string | null;
  emulator: boolean;
  source: 'override' | 'setting' | 'env' | 'emulator' | 'none';
}
export interface PanelReach {
  reachable: boolean;
  latencyMs: number | null;
  version: string | null;
  message: string | null;
  /** `message` as a code of main/common/messages.ts (shown translated). */
  messageCode?: string;
  messageParams?: Record<string, string | number>;
}

/** Where Atlas is, whether it is the local emulator, and whether it answers now (checked on open and on demand). */
export function ConnectionPanel() {
  const { t } = useTranslation('cloud');
  const connection = useCloud((s) => s.connection);
  const reach = useCloud((s) => s.reach);
  const checking = useCloud((s) => s.checking);
  const check = useCloud((s) => s.checkConnection);
  const save = useCloud((s) => s.setConnection);
  return (
    <ServiceConnectionPanel
      connection={connection}
      reach={reach}
      checking={checking}
      onCheck={check}
      onSave={save}
      serviceName={t('connection.service')}
      sourceText={(source) => t(`connection.source.${source}`)}
      urlHint={t('connection.urlHint')}
      offlineNote={t('connection.offlineNote')}
    />
  );
}

/**
 * One cloud service's connection: its URL (changed or reset to the default here), the local-emulator label, and
 * whether it answers now. The service's store is passed in, so Atlas and the compute service share it; `testIdPrefix`
 * keeps their test ids apart ("cloud" for Atlas).
 */
export function ServiceConnectionPanel({
  connection,
  reach,
  checking,
  onCheck,
  onSave,
  serviceName,
  sourceText,
  urlHint,
  offlineNote,
  testIdPrefix = 'cloud',
}: {
  connection: PanelConnection | null;
  reach: PanelReach | null;
  checking: boolean;
  onCheck(): Promise<void> | void;
  onSave(baseUrl: string | null): Promise<boolean>;
  serviceName: string;
  sourceText(source: PanelConnection['source']): string;
  urlHint: string;
  offlineNote?: string;
  testIdPrefix?: string;
}) {
  const { t } = useTranslation('cloud');
  const say = useSay();
  const check = onCheck;
  const save = onSave;
  const ids = useId();
  const tid = (name: string) => `${testIdPrefix}-${name}`;
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
    <section className="panel cloud-connection" data-testid={tid('connection')} aria-labelledby={`${ids}-title`}>
      <div className="panel-title">
        <span id={`${ids}-title`}>
          <Icon name="globe" size={14} /> {t('connection.title')}
        </span>
        {connection && (
          <span className={`badge ${connection.emulator ? 'accent' : ''}`} data-testid={tid('emulator-badge')} data-emulator={connection.emulator}>
            {connection.emulator ? t('connection.emulator') : t('connection.remote')}
          </span>
        )}
      </div>
      <div className="cloud-service-name">{serviceName}</div>
      {!editing ? (
        <div className="cloud-url-row">
          <code className="cloud-url" data-testid={tid('url')} title={connection?.baseUrl ?? undefined}>
            {connection?.baseUrl ?? t('connection.none')}
          </code>
          <button type="button" className="button ghost small" onClick={startEdit} data-testid={tid('url-edit')}>
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
          <label className="field-label" htmlFor={`${ids}-url`}>
            {t('connection.url')}
          </label>
          <input
            id={`${ids}-url`}
            className="input mono"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            onBlur={() => setTouched(true)}
            aria-invalid={invalid}
            aria-describedby={`${ids}-hint`}
            spellCheck={false}
            autoFocus
            data-testid={tid('url-input')}
          />
          <div id={`${ids}-hint`} className={invalid ? 'field-error' : 'field-hint'}>
            {invalid ? t('connection.urlInvalid') : urlHint}
          </div>
          <div className="cloud-row-actions">
            <button type="submit" className="button primary small" data-testid={tid('url-save')}>
              {t('connection.save')}
            </button>
            <button type="button" className="button ghost small" onClick={() => setEditing(false)}>
              {t('connection.cancel')}
            </button>
            {connection?.source === 'setting' && (
              <button type="button" className="button ghost small" onClick={() => void save(null).then((ok) => ok && setEditing(false))} data-testid={tid('url-reset')}>
                {t('connection.reset')}
              </button>
            )}
          </div>
        </form>
      )}
      {connection && !editing && <div className="faint cloud-source">{sourceText(connection.source)}</div>}

      <div className="cloud-reach" data-testid={tid('reach')} data-state={state} role="status">
        <span className={`status-dot ${state}`} aria-hidden="true" />
        <span className="cloud-reach-text">
          <strong>{t(`connection.${state}`)}</strong>
          {reach?.reachable && reach.latencyMs !== null && (
            <span className="muted" data-testid={tid('latency')}>
              {' · '}
              {t('connection.latency', { latency: formatLatency(reach.latencyMs) })}
            </span>
          )}
          {reach?.reachable && reach.version && <span className="faint"> · {t('connection.version', { version: reach.version })}</span>}
        </span>
        <button type="button" className="button small" onClick={() => void check()} disabled={checking} data-testid={tid('check')}>
          {checking ? <span className="spinner" /> : <Icon name="refresh" size={14} />} {t('connection.check')}
        </button>
      </div>
      {reach && !reach.reachable && !checking && (
        <div className="cloud-reach-message" data-testid={tid('reach-message')}>
          {reach.message && <div className="muted">{connection && connection.baseUrl === null ? t('connection.noAddress', { service: serviceName }) : say(reach)}</div>}
          {offlineNote && <div className="faint">{offlineNote}</div>}
        </div>
      )}
    </section>
  );
}
