import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useToasts, type Toast } from '../stores/toast-store';
import { Icon } from '../ui/icon';

function ToastView({ toast }: { toast: Toast }) {
  const { t } = useTranslation();
  const dismiss = useToasts((s) => s.dismiss);
  useEffect(() => {
    // Errors stay until read; good news leaves by itself.
    if (toast.kind === 'error') return;
    const timer = setTimeout(() => dismiss(toast.id), 5000);
    return () => clearTimeout(timer);
  }, [toast, dismiss]);
  const title =
    toast.kind === 'error'
      ? t(`errors.${toast.code ?? 'UNKNOWN'}`, { defaultValue: t('errors.UNKNOWN') })
      : toast.titleKey
        ? t(toast.titleKey, toast.titleValues)
        : '';
  return (
    <div className={`toast toast-${toast.kind}`} role={toast.kind === 'error' ? 'alert' : 'status'} data-testid={`toast-${toast.kind}`} data-code={toast.code}>
      <Icon name={toast.kind === 'error' ? 'alert' : toast.kind === 'success' ? 'check' : 'info'} className="toast-icon" />
      <div className="toast-text">
        <div className="toast-title">{title}</div>
        {toast.message && <div className="toast-message">{toast.message}</div>}
      </div>
      <button type="button" className="icon-button" onClick={() => dismiss(toast.id)} aria-label={t('actions.dismiss')}>
        <Icon name="x" size={16} />
      </button>
    </div>
  );
}

export function Toasts() {
  const toasts = useToasts((s) => s.toasts);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <ToastView key={t.id} toast={t} />
      ))}
    </div>
  );
}
