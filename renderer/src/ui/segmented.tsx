import type { ReactNode } from 'react';

/**
 * A row of mutually exclusive buttons (`.segmented`): the pressed one is the value. Named by `label`
 * (aria-label) or by the id of a visible label (`labelledBy`).
 */
export function Segmented<T extends string>({
  options,
  value,
  onChange,
  render,
  label,
  labelledBy,
  className,
  testId,
  title,
  lang,
}: {
  options: readonly T[];
  value: T;
  onChange: (value: T) => void;
  render: (option: T) => ReactNode;
  label?: string;
  labelledBy?: string;
  className?: string;
  /** Each button's data-testid. */
  testId?: (option: T) => string;
  title?: (option: T) => string;
  /** Each button's language, for options written in their own language. */
  lang?: (option: T) => string;
}) {
  return (
    <div className={className ? `segmented ${className}` : 'segmented'} role="group" aria-label={label} aria-labelledby={labelledBy}>
      {options.map((o) => (
        <button key={o} type="button" aria-pressed={value === o} onClick={() => onChange(o)} data-testid={testId?.(o)} title={title?.(o)} lang={lang?.(o)}>
          {render(o)}
        </button>
      ))}
    </div>
  );
}
