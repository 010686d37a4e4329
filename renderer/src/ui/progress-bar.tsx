/** A determinate bar (fraction 0..1) or an indeterminate one (fraction null). */
export function ProgressBar({ fraction, label, testId }: { fraction: number | null; label?: string; testId?: string }) {
  const pct = fraction === null ? null : Math.round(Math.max(0, Math.min(1, fraction)) * 1000) / 10;
  return (
    <div
      className={pct === null ? 'progress indeterminate' : 'progress'}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct ?? undefined}
      data-testid={testId}
    >
      <div className="progress-fill" style={pct === null ? undefined : { width: `${pct}%` }} />
    </div>
  );
}
