/**
 * Settings → Library: the library database's health, its backups (time, schema, size), "Back up now", and
 * "Restore…" behind a confirmation that says what happens. The core restores into the open database and keeps the
 * replaced one (library-service.ts); the page then reloads, because every view holds rows of the old library.
 *
 * Also the banner the app shell shows on every page while the library is empty but project folders are on disk.
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Backup, DbStatus } from '../../../../main/common/contract';
import { api, useConnection } from '../../api';
import { useNav } from '../../stores/nav-store';
import { showError, useToasts } from '../../stores/toast-store';
import { ConfirmDialog } from '../../ui/dialog';
import { formatBytes, formatDate } from '../../ui/format';
import { Icon } from '../../ui/icon';

/** The status and backups, read again after each reconnect and on `reload()`. */
function useLibrary() {
  const generation = useConnection((s) => s.generation);
  const [status, setStatus] = useState<DbStatus | null>(null);
  const [backups, setBackups] = useState<Backup[]>([]);
  const reload = useCallback(async () => {
    try {
      const [s, b] = await Promise.all([api.db.status({ check: true }), api.db.backups({})]);
      setStatus(s);
      setBackups(b);
    } catch (err) {
      showError(err);
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload, generation]);
  return { status, backups, reload };
}

/** App-wide: an emptied library next to project folders, with the way back where a backup exists. */
export function LibraryWarningBanner() {
  const { t } = useTranslation('settings');
  const generation = useConnection((s) => s.generation);
  const page = useNav((s) => s.page);
  const navigate = useNav((s) => s.navigate);
  const [status, setStatus] = useState<DbStatus | null>(null);
  useEffect(() => {
    // Without a new quick_check (that reads every page): only the warning matters here. Quietly: a dropped
    // connection is not worth a toast.
    api.db.status({}).then(setStatus, () => setStatus(null));
  }, [generation, page]);
  const warning = status?.libraryWarning;
  if (!warning || page === 'settings') return null;
  return (
    <div className="callout warning" role="alert" data-testid="library-warning-banner" style={{ margin: '16px 32px 0', alignItems: 'center' }}>
      <Icon name="alert" size={16} />
      <span>{t('library.emptyWarning', { count: warning.projectFolders })}</span>
      {warning.backupAvailable && (
        <button type="button" className="button" onClick={() => navigate('settings')} data-testid="library-warning-restore">
          {t('library.restoreBackup')}
        </button>
      )}
    </div>
  );
}

export function DatabasePanel() {
  const { t, i18n } = useTranslation('settings');
  const { status, backups, reload } = useLibrary();
  const [busy, setBusy] = useState<'backup' | 'restore' | null>(null);
  const [confirm, setConfirm] = useState<Backup | null>(null);

  const backUp = async () => {
    setBusy('backup');
    try {
      const b = await api.db.backup({});
      useToasts.getState().push({ kind: 'success', titleKey: 'settings:library.backedUp', titleValues: { date: formatDate(b.createdAt, i18n.language) } });
      await reload();
    } catch (err) {
      showError(err);
    } finally {
      setBusy(null);
    }
  };

  const restore = async (b: Backup) => {
    setBusy('restore');
    try {
      await api.db.restore({ name: b.name });
      location.reload();
    } catch (err) {
      showError(err);
      setBusy(null);
      setConfirm(null);
    }
  };

  const rows: [string, string][] = status
    ? [
        [t('library.file'), status.file],
        [t('library.schema'), String(status.schemaVersion)],
        [t('library.size'), formatBytes(status.sizeBytes, i18n.language)],
        [t('library.backupsDir'), status.backupsDir],
      ]
    : [];

  return (
    <section className="panel settings-section" data-testid="database-panel">
      <div className="panel-title">
        <span>
          <Icon name="layers" size={14} /> {t('library.title')}
        </span>
        {status && (
          <span className={status.healthy ? 'badge success' : 'badge danger'} data-testid="library-health">
            {status.healthy ? t('library.healthy') : t('library.damaged')}
          </span>
        )}
      </div>
      {status?.libraryWarning && (
        <div className="callout warning" role="alert" data-testid="library-warning">
          <Icon name="alert" size={16} />
          <span>
            {t('library.emptyWarning', { count: status.libraryWarning.projectFolders })}{' '}
            {status.libraryWarning.backupAvailable ? t('library.emptyWarningRestore') : t('library.emptyWarningNoBackup')}
          </span>
        </div>
      )}
      {status && !status.healthy && (
        <div className="callout danger" role="alert">
          <Icon name="alert" size={16} />
          <span>
            {t('library.damagedText')} <span className="mono">{status.problems[0]}</span>
          </span>
        </div>
      )}
      {status?.backupError && (
        <div className="callout warning" role="status">
          <Icon name="alert" size={16} />
          <span>{t('library.backupFailed', { message: status.backupError })}</span>
        </div>
      )}
      <dl className="info-list">
        {rows.map(([k, v]) => (
          <div key={k} className="info-row">
            <dt>{k}</dt>
            <dd className="mono">{v}</dd>
          </div>
        ))}
      </dl>
      <p className="muted settings-text">{t('library.text')}</p>
      {backups.length === 0 ? (
        <p className="muted settings-text" data-testid="no-backups">
          {t('library.none')}
        </p>
      ) : (
        <ul className="tool-list" data-testid="backup-list" style={{ listStyle: 'none', padding: 0 }}>
          {backups.map((b) => (
            <li key={b.name} className="tool-row" style={{ gridTemplateColumns: '1fr auto auto' }} data-testid="backup-row">
              <div title={b.name}>
                {formatDate(b.createdAt, i18n.language)}
                <div className="tool-path mono">{b.name}</div>
              </div>
              <div className="tool-version">
                {b.schemaVersion !== null && <span className="badge">{t('library.schemaBadge', { version: b.schemaVersion })}</span>}
                {b.kind !== 'backup' && <span className={b.kind === 'damaged' ? 'badge danger' : 'badge'}>{t(`library.kind.${b.kind}`)}</span>}
                <span className="badge">{formatBytes(b.sizeBytes, i18n.language)}</span>
              </div>
              <button type="button" className="button ghost" disabled={busy !== null || b.kind === 'damaged'} onClick={() => setConfirm(b)} data-testid="restore-backup">
                {t('library.restore')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="form-actions">
        <button type="button" className="button primary" disabled={busy !== null || status?.healthy === false} onClick={() => void backUp()} data-testid="back-up-now">
          {busy === 'backup' ? <span className="spinner" /> : <Icon name="upload" size={14} />} {t('library.backUpNow')}
        </button>
      </div>
      <ConfirmDialog
        open={confirm !== null}
        title={t('library.restoreTitle')}
        message={confirm ? t('library.restoreMessage', { date: formatDate(confirm.createdAt, i18n.language), version: confirm.schemaVersion ?? '?' }) : ''}
        confirmLabel={t('library.restoreConfirm')}
        danger
        busy={busy === 'restore'}
        onConfirm={() => confirm && void restore(confirm)}
        onCancel={() => setConfirm(null)}
        testId="restore-dialog"
      />
    </section>
  );
}
