import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ComputeClusterId } from '../../../../../main/common/contract';
import { useConnection } from '../../../api';
import { sayText } from '../../../i18n/say';
import { useCompute } from '../../../stores/compute-store';
import { ConfirmDialog } from '../../../ui/dialog';
import { EmptyState } from '../../../ui/empty-state';
import { Icon } from '../../../ui/icon';
import { ProgressBar } from '../../../ui/progress-bar';
import { ServiceConnectionPanel } from '../connection-panel';
import { GpuNewSession } from './gpu-new-session';
import { GpuRegister } from './gpu-register';
import { isLive, quotaLine, splitMinutes } from './gpu-rules';
import { GpuSessionCard } from './gpu-session-card';
import { useNow } from './use-now';
import './gpu.css';

const CLUSTERS: readonly ComputeClusterId[] = ['gpu', 'cpu'];
/** How often the tab re-reads status and quota while shown (the core streams session changes in between). */
const REFRESH_MS = 30_000;

function Minutes({ value }: { value: number }) {
  const { t } = useTranslation('cloud');
  const { hours, minutes } = splitMinutes(value);
  return <>{hours > 0 ? t('gpu.usage.hoursMinutes', { hours, minutes }) : t('gpu.usage.minutes', { count: minutes })}</>;
}

/** The quota per cluster (used of the limit, as a meter) and the usage minutes per cluster. */
function QuotaPanel() {
  const { t, i18n } = useTranslation('cloud');
  const quota = useCompute((s) => s.quota);
  const usage = useCompute((s) => s.usage);
  const statusError = useCompute((s) => s.statusError);
  const refreshing = useCompute((s) => s.refreshing);
  const refresh = useCompute((s) => s.refresh);
  return (
    <section className="panel gpu-quota" data-testid="compute-quota" aria-labelledby="compute-quota-title">
      <div className="panel-title">
        <span id="compute-quota-title">
          <Icon name="cpu" size={14} /> {t('gpu.quota.title')}
        </span>
        <button type="button" className="button ghost small" onClick={() => void refresh()} disabled={refreshing} aria-label={t('gpu.quota.refresh')} data-testid="compute-refresh">
          {refreshing ? <span className="spinner small" /> : <Icon name="refresh" size={14} />}
        </button>
      </div>
      {quota?.localSchoolId != null && <div className="faint gpu-campus">{t('gpu.quota.campus', { id: quota.localSchoolId })}</div>}
      <ul className="gpu-quota-list">
        {CLUSTERS.map((c) => {
          const line = quotaLine(quota, c);
          return (
            <li key={c} data-testid={`compute-quota-${c}`} data-used={line.used} data-limit={line.limit ?? ''} data-full={line.full}>
              <div className="gpu-quota-row">
                <span className={`gpu-cluster-chip ${c}`}>{t(`gpu.clusters.${c}`)}</span>
                <span className={line.full ? 'gpu-quota-figure full' : 'gpu-quota-figure'}>
                  {line.limit === null ? t('gpu.quota.unknown') : t('gpu.quota.figure', { used: line.used, limit: line.limit })}
                </span>
              </div>
              <ProgressBar fraction={line.fraction ?? 0} label={t('gpu.quota.meter', { cluster: t(`gpu.clusters.${c}`) })} />
              {usage && (
                <div className="faint gpu-usage" data-testid={`compute-usage-${c}`} data-minutes={usage[c]}>
                  {t('gpu.usage.used')} <Minutes value={usage[c]} />
                </div>
              )}
            </li>
          );
        })}
      </ul>
      {statusError && (
        <div className="cloud-notice warning gpu-status-error" role="status" data-testid="compute-status-error">
          <Icon name="alert" size={15} />
          <span>{t('gpu.quota.error', { message: sayText(i18n, statusError) })}</span>
        </div>
      )}
    </section>
  );
}

/** The user id in use, its campus and storage, and unregister (containers and storage go, the record stays). */
function UserPanel() {
  const { t, i18n } = useTranslation('cloud');
  const user = useCompute((s) => s.user)!;
  const counts = useCompute((s) => s.counts);
  const busy = useCompute((s) => s.busy);
  const error = useCompute((s) => s.error);
  const unregister = useCompute((s) => s.unregister);
  const [open, setOpen] = useState(false);
  return (
    <section className="panel gpu-user" data-testid="compute-user" aria-labelledby="compute-user-title">
      <div className="panel-title">
        <span id="compute-user-title">
          <Icon name="folder" size={14} /> {t('gpu.user.title')}
        </span>
      </div>
      <dl className="gpu-user-facts">
        <dt>{t('gpu.register.userId')}</dt>
        <dd className="mono" data-testid="compute-user-value">
          {user.userId}
        </dd>
        {user.localSchoolId !== null && (
          <>
            <dt>{t('gpu.register.school')}</dt>
            <dd>{user.localSchoolId}</dd>
          </>
        )}
        {user.storageGb !== null && (
          <>
            <dt>{t('gpu.user.storage')}</dt>
            <dd>{t('gpu.user.gb', { count: user.storageGb })}</dd>
          </>
        )}
        {counts && (
          <>
            <dt>{t('gpu.user.containers')}</dt>
            <dd data-testid="compute-counts">{t('gpu.user.counts', { running: counts.runningContainerCnt, total: counts.useContainerCnt })}</dd>
          </>
        )}
      </dl>
      {error?.action === 'unregister' && (
        <div className="cloud-error" role="alert" data-testid="compute-unregister-error">
          <Icon name="alert" size={15} />
          <span>{sayText(i18n, error)}</span>
        </div>
      )}
      <div className="account-danger">
        <button type="button" className="button ghost small danger-text" onClick={() => setOpen(true)} data-testid="compute-unregister">
          <Icon name="trash" size={14} /> {t('gpu.user.unregister')}
        </button>
      </div>
      <ConfirmDialog
        open={open}
        title={t('gpu.user.unregisterTitle', { user: user.userId })}
        message={t('gpu.user.unregisterText', { user: user.userId })}
        confirmLabel={t('gpu.user.unregisterConfirm')}
        danger
        busy={busy}
        onCancel={() => setOpen(false)}
        onConfirm={() => void unregister(user.userId).then((ok) => ok && setOpen(false))}
        testId="compute-unregister-dialog"
      />
    </section>
  );
}

/** Live sessions first (each counting down), then the ended, stopped and failed ones of this studio. */
function SessionsList() {
  const { t } = useTranslation('cloud');
  const sessions = useCompute((s) => s.sessions);
  const live = sessions.filter(isLive);
  const past = sessions.filter((s) => !isLive(s));
  const now = useNow(live.length > 0);
  return (
    <section className="panel gpu-sessions" data-testid="compute-sessions" aria-labelledby="compute-sessions-title">
      <div className="panel-title">
        <span id="compute-sessions-title">
          <Icon name="layers" size={14} /> {t('gpu.sessions.title')}
        </span>
        {live.length > 0 && <span className="badge accent">{t('gpu.sessions.live', { count: live.length })}</span>}
      </div>
      {sessions.length === 0 ? (
        <EmptyState icon="cpu" title={t('gpu.sessions.empty')} testId="compute-sessions-empty">
          {t('gpu.sessions.emptyHint')}
        </EmptyState>
      ) : (
        <>
          {live.length > 0 && (
            <ul className="gpu-session-list">
              {live.map((s) => (
                <GpuSessionCard key={s.containerId} session={s} now={now} />
              ))}
            </ul>
          )}
          {past.length > 0 && (
            <details className="gpu-past" open={live.length === 0} data-testid="compute-past">
              <summary className="muted">{t('gpu.sessions.past', { count: past.length })}</summary>
              <ul className="gpu-session-list">
                {past.map((s) => (
                  <GpuSessionCard key={s.containerId} session={s} now={now} />
                ))}
              </ul>
            </details>
          )}
        </>
      )}
    </section>
  );
}

/** The "GPU sessions" tab: register once, the quota, a new session, and every session with its clock. */
export function GpuSessionsTab() {
  const { t } = useTranslation('cloud');
  const connection = useCompute((s) => s.connection);
  const reach = useCompute((s) => s.reach);
  const checking = useCompute((s) => s.checking);
  const checkConnection = useCompute((s) => s.checkConnection);
  const setConnection = useCompute((s) => s.setConnection);
  const loadConnection = useCompute((s) => s.loadConnection);
  const loadUser = useCompute((s) => s.loadUser);
  const refresh = useCompute((s) => s.refresh);
  const user = useCompute((s) => s.user);
  const userLoaded = useCompute((s) => s.userLoaded);
  const generation = useConnection((s) => s.generation);

  // On open (and after a reconnect to the studio): where the service is, who the studio is there, and what runs.
  useEffect(() => {
    void loadConnection();
    void loadUser().then(() => useCompute.getState().refresh());
  }, [loadConnection, loadUser, generation]);
  // Re-read status and quota now and then while the tab is shown (usage minutes grow; sessions end elsewhere).
  useEffect(() => {
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  return (
    <div className="cloud-layout" data-testid="compute-tab">
      <div className="cloud-main">
        {!userLoaded ? (
          <section className="panel">
            <span className="spinner" />
          </section>
        ) : user ? (
          <GpuNewSession />
        ) : (
          <GpuRegister />
        )}
        <SessionsList />
      </div>
      <aside className="cloud-side">
        <ServiceConnectionPanel
          connection={connection}
          reach={reach ? { ...reach, version: null } : null}
          checking={checking}
          onCheck={checkConnection}
          onSave={setConnection}
          serviceName={t('gpu.connection.service')}
          sourceText={(source) => t(`gpu.connection.source.${source}`)}
          urlHint={t('gpu.connection.urlHint')}
          testIdPrefix="compute"
        />
        <QuotaPanel />
        {user && <UserPanel />}
      </aside>
    </div>
  );
}
