import { useRef, type KeyboardEvent, type ReactNode } from 'react';
import { Icon, type IconName } from './icon';

interface TabRowProps<T extends string> {
  tabs: readonly T[];
  value: T;
  onChange(tab: T): void;
  /** Ids and test ids: `<prefix>-tab-<tab>`, panels `<prefix>-panel-<tab>`. */
  prefix: string;
  /** The row's accessible name. */
  label: string;
  icons: Record<T, IconName>;
  text(tab: T): string;
  /** Something after a tab's text (a "soon" badge). */
  extra?(tab: T): ReactNode;
}

/** A page's tab row (WAI-ARIA tabs: arrow keys move between tabs, Home/End to the ends; only the selected tab is in the tab order). */
export function TabRow<T extends string>({ tabs, value, onChange, prefix, label, icons, text, extra }: TabRowProps<T>) {
  const refs = useRef<Partial<Record<T, HTMLButtonElement | null>>>({});
  const onKey = (e: KeyboardEvent) => {
    const i = tabs.indexOf(value);
    const next = e.key === 'ArrowRight' ? tabs[(i + 1) % tabs.length] : e.key === 'ArrowLeft' ? tabs[(i - 1 + tabs.length) % tabs.length] : e.key === 'Home' ? tabs[0] : e.key === 'End' ? tabs[tabs.length - 1] : undefined;
    if (!next) return;
    e.preventDefault();
    onChange(next);
    refs.current[next]?.focus();
  };
  return (
    <div className="cloud-tabs" role="tablist" aria-label={label} onKeyDown={onKey}>
      {tabs.map((tab) => (
        <button
          key={tab}
          ref={(el) => {
            refs.current[tab] = el;
          }}
          type="button"
          role="tab"
          id={`${prefix}-tab-${tab}`}
          aria-selected={value === tab}
          aria-controls={`${prefix}-panel-${tab}`}
          tabIndex={value === tab ? 0 : -1}
          className={value === tab ? 'cloud-tab active' : 'cloud-tab'}
          onClick={() => onChange(tab)}
          data-testid={`${prefix}-tab-${tab}`}
        >
          <Icon name={icons[tab]} size={15} />
          {text(tab)}
          {extra?.(tab)}
        </button>
      ))}
    </div>
  );
}
