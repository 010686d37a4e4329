/**
 * Text a creator reads (a fallback reason, a device note) names files by their name, never by where they sit on
 * this machine: an install folder or a node_modules path says nothing they can act on. The full text goes to a
 * `detail` field for the CLI's --json and bug reports.
 */
import type { ProviderAttempt } from '../../common/contract/inference';
import type { Said } from '../../common/messages';

// A POSIX absolute path or a node_modules path, and a Windows path (whose folders may hold spaces: "Program Files"):
// each kept as its last segment.
const PATH = /(?:\/|\.{0,2}[\\/]?node_modules[\\/])(?:[^\s'"`()[\]<>,;\\/]+[\\/])+([^\s'"`()[\]<>,;\\/]+)/g;
const WINDOWS_PATH = /[A-Za-z]:[\\/](?:[^'"`<>|\r\n\\/]+[\\/])+([^\s'"`()[\]<>,;|\\/]+)/g;

export function withoutPaths(text: string): string {
  return text.replace(WINDOWS_PATH, (_m, base: string) => base).replace(PATH, (_m, base: string) => base);
}

/** True when the text holds a path or a node_modules folder (what withoutPaths removes). */
export function hasPath(text: string): boolean {
  return withoutPaths(text) !== text || /node_modules/.test(text);
}

/** A reason as a provider attempt carries it: the English sentence and, for the UI, its code and parameters. */
export function attemptReason(said: Said | null): Pick<ProviderAttempt, 'reason' | 'reasonCode' | 'reasonParams'> {
  return said ? { reason: said.message, reasonCode: said.messageCode, reasonParams: said.messageParams } : { reason: null };
}
