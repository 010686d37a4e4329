/** What a CLI command may touch: its streams and a way to fail with one clear line. */
import { AppError } from '../common/app-error';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal (progress bars only then). */
  interactive: boolean;
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
}

export class UsageError extends AppError {
  constructor(message: string) {
    super('INVALID_INPUT', message);
  }
}

/** A one-line progress bar for terminals. */
export function progressLine(fraction: number, label: string): string {
  const width = 28;
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${label}`;
}
