import { useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from './icon';

interface DialogProps {
  open: boolean;
  title: ReactNode;
  onClose(): void;
  children: ReactNode;
  footer?: ReactNode;
  testId?: string;
  width?: number;
}

const FIELDS = '[data-autofocus], input:not([type="hidden"]):not([disabled]), select:not([disabled]), textarea:not([disabled]), [contenteditable="true"]';

/**
 * Where a dialog puts the focus when it opens: its first field; without one, the footer button marked
 * `data-autofocus` (a confirm dialog's safe choice) or the footer's first button. The browser's own choice is
 * the first focusable element — the header's Close button — which made every dialog start on "close".
 */
export function initialFocus(dialog: ParentNode): HTMLElement | null {
  return (
    dialog.querySelector<HTMLElement>(`.dialog-content :is(${FIELDS})`) ??
    dialog.querySelector<HTMLElement>('.dialog-footer [data-autofocus]:not([disabled])') ??
    dialog.querySelector<HTMLElement>('.dialog-footer button:not([disabled])') ??
    dialog.querySelector<HTMLElement>('.dialog-content :is(button, a[href])')
  );
}

/** A modal on the native <dialog>: focus trap, Esc and the backdrop come from the browser. */
export function Dialog({ open, title, onClose, children, footer, testId, width = 460 }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  /** What had the focus before the dialog opened: it gets it back on close (Esc, Cancel, done). */
  const returnTo = useRef<HTMLElement | null>(null);
  const { t } = useTranslation();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      const before = document.activeElement;
      returnTo.current = before instanceof HTMLElement && before !== document.body ? before : null;
      d.showModal();
      initialFocus(d)?.focus();
    }
    if (!open && d.open) {
      d.close();
      const back = returnTo.current;
      returnTo.current = null;
      // the control may be gone (a deleted row's button): then the focus stays where the browser puts it
      if (back?.isConnected) back.focus({ preventScroll: true });
    }
  }, [open]);
  // a dialog mounted only while open (the project dialog) is closed by unmounting: give the focus back then too
  useEffect(
    () => () => {
      const back = returnTo.current;
      returnTo.current = null;
      if (back?.isConnected) back.focus({ preventScroll: true });
    },
    [],
  );
  return (
    <dialog
      ref={ref}
      className="dialog"
      style={{ width }}
      data-testid={testId}
      onCancel={(e) => {
        e.preventDefault(); // React owns `open`; Esc asks, the parent decides
        onClose();
      }}
      onMouseDown={(e) => {
        if (e.target === ref.current) onClose(); // a click on the backdrop
      }}
    >
      {open && (
        <div className="dialog-body">
          <header className="dialog-header">
            <h2>{title}</h2>
            <button type="button" className="icon-button" onClick={onClose} aria-label={t('actions.close')}>
              <Icon name="x" />
            </button>
          </header>
          <div className="dialog-content">{children}</div>
          {footer && <footer className="dialog-footer">{footer}</footer>}
        </div>
      )}
    </dialog>
  );
}

interface ConfirmProps {
  open: boolean;
  title: ReactNode;
  message: ReactNode;
  confirmLabel: ReactNode;
  danger?: boolean;
  busy?: boolean;
  onConfirm(): void;
  onCancel(): void;
  testId?: string;
}

export function ConfirmDialog({ open, title, message, confirmLabel, danger, busy, onConfirm, onCancel, testId }: ConfirmProps) {
  const { t } = useTranslation();
  return (
    <Dialog
      open={open}
      title={title}
      onClose={onCancel}
      testId={testId}
      footer={
        <>
          {/* a destructive choice is never the one Enter presses by default */}
          <button type="button" className="button ghost" onClick={onCancel} data-autofocus={danger ? '' : undefined} data-testid="cancel-button">
            {t('actions.cancel')}
          </button>
          <button
            type="button"
            className={danger ? 'button danger' : 'button primary'}
            onClick={onConfirm}
            disabled={busy}
            data-testid="confirm-button"
            data-autofocus={danger ? undefined : ''}
          >
            {confirmLabel}
          </button>
        </>
      }
    >
      <p className="dialog-message">{message}</p>
    </Dialog>
  );
}
