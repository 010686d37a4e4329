/**
 * Whether a focused control needs a key press for itself, so an app or page shortcut must leave it alone.
 * Only text entry takes every key. Other controls keep focus after a click (a slider, a preset picker, a
 * checkbox), and blocking shortcuts for them made every shortcut stop working until the canvas was clicked;
 * they take only the keys they act on: arrows and Home/End/Page keys for sliders and pickers, Space/Enter for
 * buttons and boxes. Letter keys on a closed picker go to the shortcut (its type-ahead is not worth losing them).
 */
export interface KeyTarget {
  tagName: string;
  type?: string;
  isContentEditable?: boolean;
}

const TEXT_INPUT_TYPES = new Set(['', 'text', 'search', 'email', 'url', 'tel', 'password', 'number', 'date', 'time', 'datetime-local', 'month', 'week']);
const NAVIGATION_KEYS = new Set(['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End', 'PageUp', 'PageDown']);
const PRESS_KEYS = new Set([' ', 'Enter']);

/** True while a text field has focus: every key is typing. */
export function isTextEntry(el: KeyTarget | null | undefined): boolean {
  if (!el) return false;
  if (el.isContentEditable) return true;
  const tag = el.tagName.toUpperCase();
  if (tag === 'TEXTAREA') return true;
  return tag === 'INPUT' && TEXT_INPUT_TYPES.has((el.type ?? '').toLowerCase());
}

/** True when `key` pressed on `el` is the control's own (typing, moving a slider, pressing a button). */
export function controlOwnsKey(el: KeyTarget | null | undefined, key: string): boolean {
  if (!el) return false;
  if (isTextEntry(el)) return true;
  const tag = el.tagName.toUpperCase();
  const type = (el.type ?? '').toLowerCase();
  if (tag === 'SELECT' || (tag === 'INPUT' && type === 'range')) return NAVIGATION_KEYS.has(key) || (tag === 'SELECT' && PRESS_KEYS.has(key));
  if (tag === 'BUTTON' || tag === 'SUMMARY' || tag === 'A' || (tag === 'INPUT' && ['checkbox', 'radio', 'button', 'submit', 'reset', 'color', 'file'].includes(type))) return PRESS_KEYS.has(key);
  return false;
}

/** For keyboard events: whether the event's target keeps this key. */
export function targetOwnsKey(e: Pick<KeyboardEvent, 'key' | 'target'>): boolean {
  return controlOwnsKey(e.target as unknown as KeyTarget | null, e.key);
}
