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

/**
 * True when the command line asks for help (`--help` / `-h` anywhere before a `--`). Checked before the
 * options are parsed, so `kraken <command> --help` answers even when other required flags are missing.
 */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}
