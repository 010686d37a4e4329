/**
 * The GPU sessions tab's rules, pure so the tab and its tests agree: the user id check (seed 003: any characters
 * but `. # $ [ ]`), what a session's badge says, the countdown from the service's remaining time, the minutes a
 * creator types, and why "New session" is off.
 */
import { COMPUTE_USER_ID_FORBIDDEN, COMPUTE_USER_ID_MAX, type ComputeClusterId, type ComputeQuota, type ComputeSession } from '../../../../../main/common/contract/compute';

export type UserIdProblem = { kind: 'empty' } | { kind: 'tooLong'; max: number } | { kind: 'forbidden'; chars: string[] };

/** What is wrong with a user id, for the form to say live while it is typed (empty list: it may be sent). */
export function userIdProblems(userId: string): UserIdProblem[] {
  const out: UserIdProblem[] = [];
  if (userId.length === 0) out.push({ kind: 'empty' });
  if (userId.length > COMPUTE_USER_ID_MAX) out.push({ kind: 'tooLong', max: COMPUTE_USER_ID_MAX });
  const chars = COMPUTE_USER_ID_FORBIDDEN.filter((c) => userId.includes(c));
  if (chars.length) out.push({ kind: 'forbidden', chars: [...chars] });
  return out;
}

/** The most minutes a field takes (the contract's limit: a leap year). */
export const MAX_MINUTES = 60 * 24 * 366;

/** A whole number of minutes typed by the creator, or null when it is not one (blank, 0, fractions, text, too many). */
export function parseMinutes(text: string): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return n >= 1 && n <= MAX_MINUTES ? n : null;
}

/** A positive whole number typed in a field (storage GB, campus number allows 0). */
export function parseWhole(text: string, min: number): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return Number.isSafeInteger(n) && n >= min ? n : null;
}

/** The badge a session wears: the creation steps apart (pending → creating), then running, failed or gone. */
export type SessionPhase = 'pending' | 'creating' | 'running' | 'failed' | 'stopped' | 'ended' | 'unknown';

export function sessionPhase(s: Pick<ComputeSession, 'state' | 'creationStatus'>): SessionPhase {
  if (s.state === 'creating') return s.creationStatus === 'createContainer' ? 'creating' : 'pending';
  return s.state;
}

/** Still costing or about to: shown in "Sessions", counted against the quota, offered extend and stop. */
export function isLive(s: Pick<ComputeSession, 'state'>): boolean {
  return s.state === 'creating' || s.state === 'running' || s.state === 'unknown';
}

/**
 * Milliseconds left at `now`: from `endsAt` (the service's remaining minutes and when they were read), else from
 * `remainingTime` itself; `'none'` for no limit (-1, or a session without a maximum), null when not known yet.
 */
export function remainingMs(s: Pick<ComputeSession, 'remainingTime' | 'endsAt' | 'maxDuration'>, now: number): number | 'none' | null {
  if (s.remainingTime === -1) return 'none';
  if (s.endsAt) {
    const end = Date.parse(s.endsAt);
    if (Number.isFinite(end)) return Math.max(0, end - now);
  }
  if (s.remainingTime !== null) return Math.max(0, s.remainingTime * 60_000);
  return null;
}

/** "h:mm:ss" / "m:ss", whole seconds rounded up (a countdown never says 0:00 while time remains). */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

/** Ten minutes: the warning before a session ends (the service event says so; the row turns amber too). */
export const ENDING_SOON_MS = 10 * 60_000;

/** Why a new session on `cluster` cannot start, from the quota: null when it can (or the quota is not known). */
export function quotaReason(quota: ComputeQuota | null, cluster: ComputeClusterId): { used: number; limit: number; message: string | null } | null {
  if (!quota) return null;
  const limit = quota.limit?.[cluster];
  const used = quota.used?.[cluster] ?? 0;
  const message = quota.blocked[cluster];
  if (message) return { used, limit: limit ?? used, message };
  if (limit !== undefined && used >= limit) return { used, limit, message: null };
  return null;
}

/** Used / limit per cluster for the quota meter (limit null: the service did not say). */
export function quotaLine(quota: ComputeQuota | null, cluster: ComputeClusterId): { used: number; limit: number | null; fraction: number | null; full: boolean } {
  const limit = quota?.limit?.[cluster] ?? null;
  const used = quota?.used?.[cluster] ?? 0;
  return { used, limit, fraction: limit ? Math.min(1, used / limit) : limit === 0 ? 1 : null, full: quotaReason(quota, cluster) !== null };
}

/** Usage minutes as "2 h 05 min" / "45 min" (locale-free digits; the words come from i18n). */
export function splitMinutes(minutes: number): { hours: number; minutes: number } {
  const m = Math.max(0, Math.round(minutes));
  return { hours: Math.floor(m / 60), minutes: m % 60 };
}

/** Newest first; live ones before ended ones. */
export function sortSessions(list: readonly ComputeSession[]): ComputeSession[] {
  const key = (s: ComputeSession) => s.createdAt ?? s.startedAt ?? s.updatedAt;
  return [...list].sort((a, b) => Number(isLive(b)) - Number(isLive(a)) || key(b).localeCompare(key(a)) || b.containerId.localeCompare(a.containerId));
}
