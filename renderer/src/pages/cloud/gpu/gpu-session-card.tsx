import { useId, useState, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ComputeSession } from '../../../../../main/common/contract';
import { api, isBrowserHost } from '../../../api';
import { useCompute } from '../../../stores/compute-store';
import { useProjects } from '../../../stores/project-store';
import { showError, useToasts } from '../../../stores/toast-store';
import { ConfirmDialog, Dialog } from '../../../ui/dialog';
import { formatDate } from '../../../ui/format';
import { Icon } from '../../../ui/icon';
import { ProgressBar } from '../../../ui/progress-bar';
import { ENDING_SOON_MS, formatCountdown, isLive, parseMinutes, remainingMs, sessionPhase, type SessionPhase } from './gpu-rules';

const phaseBadge: Record<SessionPhase, string> = {
  pending: 'warning',
  creating: 'accent',
  running: 'success',
  failed: 'danger',
  stopped: '',
  ended: '',
  unknown: 'warning',
};

/** The time left, counting down each second (the tab's clock is passed in, so every row ticks together). */
function Remaining({ session, now }: { session: ComputeSession; now: number }) {
  const { t } = useTranslation('cloud');
  const left = remainingMs(session, now);
  const soon = typeof left === 'number' && left <= ENDING_SOON_MS;
  return (
    <div className={soon ? 'gpu-remaining soon' : 'gpu-remaining'} data-testid="compute-remaining" data-ms={typeof left === 'number' ? left : left ?? ''} data-soon={soon}>
      <span className="gpu-remaining-label faint">{t('gpu.session.remaining')}</span>
      <span className="gpu-remaining-value" role="timer" aria-live="off">
        {left === 'none' ? t('gpu.session.noLimit') : left === null ? '—' : formatCountdown(left)}
      </span>
      {session.maxDuration !== null && <span className="faint gpu-remaining-max">{t('gpu.session.of', { minutes: session.maxDuration })}</span>}
    </div>
  );
}

/** Jupyter in the system browser: a plain new-tab link in the browser host, the allow-listed shell call in Electron. */
function JupyterLink({ url }: { url: string }) {
  const { t } = useTranslation('cloud');
  const open = (e: MouseEvent) => {
    if (isBrowserHost()) return; // the browser opens target=_blank itself
    e.preventDefault();
    api.shell.openExternal({ url }).then(
      (r) => {
        if (!r.opened) useToasts.getState().push({ kind: 'error', code: 'FORBIDDEN', message: t('gpu.session.notOpened', { url }) });
      },
      (err: unknown) => showError(err),
    );
  };
  return (
    <a className="button small primary" href={url} target="_blank" rel="noopener noreferrer" onClick={open} data-testid="compute-jupyter">
      <Icon name="globe" size={14} /> {t('gpu.session.jupyter')}
    </a>
  );
}

function ShellEndpoint({ value }: { value: string }) {
  const { t } = useTranslation('cloud');
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch (err) {
      showError(err);
    }
  };
  return (
    <div className="gpu-shell">
      <span className="faint gpu-shell-label">{t('gpu.session.shell')}</span>
      <code className="cloud-url" title={value} data-testid="compute-shell">
        {value}
      </code>
      <button type="button" className="button ghost small" onClick={() => void copy()} aria-label={t('gpu.session.copyShell')} data-testid="compute-shell-copy" data-copied={copied}>
        <Icon name={copied ? 'check' : 'layers'} size={14} /> {copied ? t('gpu.session.copied') : t('gpu.session.copy')}
      </button>
    </div>
  );
}

function ExtendDialog({ open, onClose, session }: { open: boolean; onClose(): void; session: ComputeSession }) {
  const { t } = useTranslation('cloud');
  const extend = useCompute((s) => s.extend);
  const busy = useCompute((s) => s.pending[session.containerId] === true);
  const [text, setText] = useState('90');
  const id = useId();
  const minutes = parseMinutes(text);
  const submit = async () => {
    if (minutes === null) return;
    if (await extend(session.containerId, minutes)) onClose();
  };
  return (
    <Dialog
      open={open}
      title={t('gpu.extend.title')}
      onClose={onClose}
      testId="compute-extend-dialog"
      footer={
        <>
          <button type="button" className="button ghost" onClick={onClose}>
            {t('connection.cancel')}
          </button>
          <button type="button" className="button primary" disabled={minutes === null || busy} onClick={() => void submit()} data-testid="compute-extend-confirm">
            {t('gpu.extend.confirm', { count: minutes ?? 0 })}
          </button>
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="field">
          <label htmlFor={id}>{t('gpu.extend.minutes')}</label>
          <div className="gpu-unit-input">
            <input id={id} className="input" inputMode="numeric" value={text} onChange={(e) => setText(e.target.value)} aria-invalid={minutes === null} data-testid="compute-extend-minutes" />
            <span className="faint">{t('gpu.min')}</span>
          </div>
          <div className={minutes === null ? 'field-error' : 'field-hint'}>{minutes === null ? t('gpu.minutesInvalid') : t('gpu.extend.hint')}</div>
        </div>
      </form>
    </Dialog>
  );
}

function EditDialog({ open, onClose, session }: { open: boolean; onClose(): void; session: ComputeSession }) {
  const { t } = useTranslation('cloud');
  const edit = useCompute((s) => s.edit);
  const busy = useCompute((s) => s.pending[session.containerId] === true);
  const [image, setImage] = useState(session.imagePath ?? '');
  const [storagePath, setStoragePath] = useState(session.storagePath ?? '');
  const ids = useId();
  const imageChanged = image.trim() !== '' && image.trim() !== (session.imagePath ?? '');
  const storageChanged = storagePath.trim() !== '' && storagePath.trim() !== (session.storagePath ?? '');
  const submit = async () => {
    if (!imageChanged && !storageChanged) return;
    const ok = await edit(session.containerId, { ...(imageChanged ? { imagePath: image.trim() } : {}), ...(storageChanged ? { storagePath: storagePath.trim() } : {}) });
    if (ok) onClose();
  };
  return (
    <Dialog
      open={open}
      title={t('gpu.edit.title')}
      onClose={onClose}
      testId="compute-edit-dialog"
      footer={
        <>
          <button type="button" className="button ghost" onClick={onClose}>
            {t('connection.cancel')}
          </button>
          <button type="button" className="button primary" disabled={(!imageChanged && !storageChanged) || busy} onClick={() => void submit()} data-testid="compute-edit-confirm">
            {t('gpu.edit.confirm')}
          </button>
        </>
      }
    >
      <p className="dialog-message muted">{t('gpu.edit.text')}</p>
      <div className="field">
        <label htmlFor={`${ids}-image`}>{t('gpu.new.image')}</label>
        <input id={`${ids}-image`} className="input mono" value={image} onChange={(e) => setImage(e.target.value)} spellCheck={false} data-testid="compute-edit-image" />
      </div>
      <div className="field">
        <label htmlFor={`${ids}-storage`}>{t('gpu.new.storagePath')}</label>
        <input id={`${ids}-storage`} className="input mono" value={storagePath} onChange={(e) => setStoragePath(e.target.value)} spellCheck={false} data-testid="compute-edit-storage" />
      </div>
    </Dialog>
  );
}

/** One session: status, started time, the countdown, Jupyter and the shell, extend, change image, stop. */
export function GpuSessionCard({ session, now }: { session: ComputeSession; now: number }) {
  const { t, i18n } = useTranslation('cloud');
  const extend = useCompute((s) => s.extend);
  const stop = useCompute((s) => s.stop);
  const busy = useCompute((s) => s.pending[session.containerId] === true);
  const projectName = useProjects((s) => (session.projectId === null ? null : (s.projects.find((p) => p.id === session.projectId)?.name ?? null)));
  const [dialog, setDialog] = useState<'extend' | 'edit' | 'stop' | null>(null);
  const phase = sessionPhase(session);
  const live = isLive(session);
  const running = session.state === 'running';
  const started = session.startedAt ?? session.createdAt;
  return (
    <li className={`gpu-session ${live ? 'live' : 'done'}`} data-testid="compute-session" data-container-id={session.containerId} data-phase={phase} data-state={session.state} data-cluster={session.clusterId}>
      <div className="gpu-session-head">
        <div className="gpu-session-title">
          <span className={`gpu-cluster-chip ${session.clusterId}`}>{t(`gpu.clusters.${session.clusterId}`)}</span>
          <span className="mono gpu-session-id" title={session.containerId}>
            {session.containerId}
          </span>
          <span className={`badge ${phaseBadge[phase]}`} data-testid="compute-session-phase">
            {(phase === 'pending' || phase === 'creating') && <span className="spinner small" />}
            {t(`gpu.phase.${phase}`)}
          </span>
        </div>
        {live && <Remaining session={session} now={now} />}
      </div>
      <div className="gpu-session-meta faint">
        <span className="mono">{session.imagePath ?? t('gpu.session.defaultImage')}</span>
        {started && <span>{t(session.startedAt ? 'gpu.session.started' : 'gpu.session.requested', { time: formatDate(started, i18n.language) })}</span>}
        {session.storagePath && <span className="mono">{t('gpu.session.storage', { path: session.storagePath })}</span>}
        {projectName && <span data-testid="compute-session-project">{t('gpu.session.project', { name: projectName })}</span>}
        {!session.startedHere && <span>{t('gpu.session.foundElsewhere')}</span>}
      </div>
      {(phase === 'pending' || phase === 'creating') && (
        <div className="cloud-progress" data-testid="compute-creating">
          <ProgressBar fraction={null} label={t(`gpu.phase.${phase}`)} />
          <div className="cloud-progress-text">
            <span className="muted">{t(`gpu.phaseText.${phase}`)}</span>
          </div>
        </div>
      )}
      {phase === 'unknown' && (
        <div className="cloud-notice warning" data-testid="compute-session-unknown">
          <Icon name="info" size={15} />
          <span>{t('gpu.session.unknown')}</span>
        </div>
      )}
      {session.state === 'failed' && (
        <div className="cloud-error" role="alert" data-testid="compute-session-error">
          <Icon name="alert" size={15} />
          <span>
            <strong>{t('gpu.session.failed')}</strong>
            {session.error ? ` — ${session.error}` : ''}
          </span>
        </div>
      )}
      {running && (session.endpoint.jupyter || session.endpoint.shell) && (
        <div className="gpu-endpoints">
          {session.endpoint.jupyter && <JupyterLink url={session.endpoint.jupyter} />}
          {session.endpoint.shell && <ShellEndpoint value={session.endpoint.shell} />}
        </div>
      )}
      {live && (
        <div className="gpu-session-actions">
          <div className="gpu-extend" role="group" aria-label={t('gpu.extend.label')}>
            <span className="faint">{t('gpu.extend.label')}</span>
            <button type="button" className="button small" disabled={busy || !running} onClick={() => void extend(session.containerId, 30)} data-testid="compute-extend-30">
              <Icon name="plus" size={13} /> {t('gpu.extend.plus30')}
            </button>
            <button type="button" className="button small" disabled={busy || !running} onClick={() => void extend(session.containerId, 60)} data-testid="compute-extend-60">
              <Icon name="plus" size={13} /> {t('gpu.extend.plus60')}
            </button>
            <button type="button" className="button small ghost" disabled={busy || !running} onClick={() => setDialog('extend')} data-testid="compute-extend-custom">
              {t('gpu.extend.custom')}
            </button>
          </div>
          <div className="cloud-row-actions">
            <button type="button" className="button small ghost" disabled={busy || !running} onClick={() => setDialog('edit')} data-testid="compute-edit">
              <Icon name="edit" size={14} /> {t('gpu.edit.open')}
            </button>
            <button type="button" className="button small danger" disabled={busy} onClick={() => setDialog('stop')} data-testid="compute-stop">
              <Icon name="stop" size={14} /> {t('gpu.stop.open')}
            </button>
          </div>
        </div>
      )}
      {dialog === 'extend' && <ExtendDialog open onClose={() => setDialog(null)} session={session} />}
      {dialog === 'edit' && <EditDialog open onClose={() => setDialog(null)} session={session} />}
      <ConfirmDialog
        open={dialog === 'stop'}
        title={t('gpu.stop.title')}
        message={t('gpu.stop.text', { id: session.containerId, cluster: t(`gpu.clusters.${session.clusterId}`) })}
        confirmLabel={t('gpu.stop.confirm')}
        danger
        busy={busy}
        onCancel={() => setDialog(null)}
        onConfirm={() => void stop(session.containerId).then((ok) => ok && setDialog(null))}
        testId="compute-stop-dialog"
      />
    </li>
  );
}
