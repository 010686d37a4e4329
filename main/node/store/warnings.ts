/**
 * Where the empty-library warning goes in a shell that has no page to show it: the CLI's entry listens, and every
 * library a command opens through openDatabase is reported once. No imports (but a type), so the CLI can set the
 * listener without loading SQLite for commands that never open the library.
 */
import type { LibraryWarning } from './library-warning';

let listener: ((warning: LibraryWarning) => void) | null = null;

/** Sets (or with null, clears) the process-wide listener. */
export function onLibraryWarning(fn: ((warning: LibraryWarning) => void) | null): void {
  listener = fn;
}

export function reportLibraryWarning(warning: LibraryWarning): void {
  listener?.(warning);
}

export function hasLibraryWarningListener(): boolean {
  return listener !== null;
}
