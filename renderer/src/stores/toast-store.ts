import { create } from 'zustand';
import type { ErrorCode } from '../../../main/common/contract';

export interface Toast {
  id: number;
  kind: 'error' | 'info' | 'success';
  /** For errors: the RemoteError code, translated as `common:errors.<CODE>`. */
  code?: ErrorCode | 'UNKNOWN';
  /** i18n key of the headline for info/success toasts. */
  titleKey?: string;
  titleValues?: Record<string, unknown>;
  /** The service's own message (shown under the translated headline), or free text. */
  message?: string;
  /** The service's message as a code of main/common/messages.ts (translated in place of `message`), and what it is about. */
  coded?: { messageCode: string; messageParams: Record<string, string | number>; context?: string };
  /** A button on the toast (e.g. "Open"): a toast that asks for an action stays until it is taken or closed. */
  action?: { labelKey: string; run(): void };
}

/** How long a toast stays by itself; errors a little longer, to be read. */
export const TOAST_LIFETIME_MS: Record<Toast['kind'], number> = { info: 5000, success: 5000, error: 8000 };

/**
 * Milliseconds before a toast leaves by itself, or null when it waits for the creator: only a toast with an
 * action stays. Errors used to stay until closed, piling up over the page's buttons.
 */
export function toastLifetime(t: Pick<Toast, 'kind' | 'action'>): number | null {
  return t.action ? null : TOAST_LIFETIME_MS[t.kind];
}

interface ToastState {
  toasts: Toast[];
  /** Error toasts shown since the page loaded (they leave by themselves; tests and diagnostics still see them). */
  errorsShown: number;
  push(t: Omit<Toast, 'id'>): number;
  /** Shows any thrown value: RemoteError by its code, anything else as UNKNOWN. */
  showError(err: unknown, context?: string): number;
  dismiss(id: number): void;
}

let nextId = 1;

export function errorToToast(err: unknown, context?: string): Omit<Toast, 'id'> {
  const e = err as { code?: unknown; message?: unknown; messageCode?: unknown; messageParams?: unknown } | null;
  const code = typeof e?.code === 'string' && /^[A-Z_]+$/.test(e.code) ? (e.code as ErrorCode) : 'UNKNOWN';
  const raw = typeof e?.message === 'string' ? e.message : String(err);
  const toast: Omit<Toast, 'id'> = { kind: 'error', code, message: context ? `${context}: ${raw}` : raw };
  if (typeof e?.messageCode === 'string') {
    const params = e.messageParams && typeof e.messageParams === 'object' ? (e.messageParams as Record<string, string | number>) : {};
    toast.coded = { messageCode: e.messageCode, messageParams: params, ...(context ? { context } : {}) };
  }
  return toast;
}

export const useToasts = create<ToastState>((set, get) => ({
  toasts: [],
  errorsShown: 0,
  push(t) {
    const id = nextId++;
    // Keep the stack short; the newest matter most.
    set((s) => ({ toasts: [...s.toasts.slice(-4), { ...t, id }], errorsShown: s.errorsShown + (t.kind === 'error' ? 1 : 0) }));
    return id;
  },
  showError(err, context) {
    console.error(err);
    return get().push(errorToToast(err, context));
  },
  dismiss(id) {
    set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
  },
}));

/** For code outside React: `showError(err)`. */
export const showError = (err: unknown, context?: string) => useToasts.getState().showError(err, context);
