import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { messageKey, sayText } from '../i18n/say';
import { toastLifetime, useToasts, type Toast } from '../stores/toast-store';
import { Icon } from '../ui/icon';
import './toasts.css';

/** The service's sentence in the UI's language where it came with a code (the English one otherwise). */
function messageOf(toast: Toast, i18n: Parameters<typeof sayText>[0]): string {
  if (!toast.coded || !i18n.exists(messageKey(toast.coded.messageCode))) return toast.message ?? '';
  const text = sayText(i18n, { message: toast.message, ...toast.coded });
  return toast.coded.context ? `${toast.coded.context}: ${text}` : text;
}

function ToastView({ toast }: { toast: Toast }) {
  const { t, i18n } = useTranslation();
  const dismiss = useToasts((s) => s.dismiss);
  // held while the pointer or the focus is on it, so a toast being read does not leave under the reader
  const [held, setHeld] = useState(false);
  const lifetime = toastLifetime(toast);
  useEffect(() => {
    if (lifetime === null || held) return;
    const timer = setTimeout(() => dismiss(toast.id), lifetime);
    return () => clearTimeout(timer);
  }, [toast.id, lifetime, held, dismiss]);
  const title =
    toast.kind === 'error'
      ? t(`errors.${toast.code ?? 'UNKNOWN'}`, { defaultValue: t('errors.UNKNOWN') })
      : toast.titleKey
        ? t(toast.titleKey, toast.titleValues)
        : '';
  return (
    <div
      className={`toast toast-${toast.kind}`}
      role={toast.kind === 'error' ? 'alert' : 'status'}
      data-testid={`toast-${toast.kind}`}
      data-code={toast.code}
      data-lifetime={lifetime ?? 'until-closed'}
      onMouseEnter={() => setHeld(true)}
      onMouseLeave={() => setHeld(false)}
      onFocus={() => setHeld(true)}
      onBlur={() => setHeld(false)}
    >
      <Icon name={toast.kind === 'error' ? 'alert' : toast.kind === 'success' ? 'check' : 'info'} className="toast-icon" />
      <div className="toast-text">
        <div className="toast-title">{title}</div>
        {toast.message && <div className="toast-message">{messageOf(toast, i18n)}</div>}
        {toast.action && (
          <button
            type="button"
            className="button small toast-action"
            onClick={() => {
              toast.action!.run();
              dismiss(toast.id);
            }}
            data-testid="toast-action"
          >
            {t(toast.action.labelKey)}
          </button>
        )}
      </div>
      <button type="button" className="icon-button" onClick={() => dismiss(toast.id)} aria-label={t('actions.dismiss')}>
        <Icon name="x" size={16} />
      </button>
    </div>
  );
}

export function Toasts() {
  const toasts = useToasts((s) => s.toasts);
  const errorsShown = useToasts((s) => s.errorsShown);
  return (
    <div className="toasts toasts-start" aria-live="polite" data-testid="toasts" data-errors-shown={errorsShown}>
      {toasts.map((t) => (
        <ToastView key={t.id} toast={t} />
      ))}
    </div>
  );
}
