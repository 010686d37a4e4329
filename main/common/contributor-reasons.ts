/**
 * A contributor reason as an i18n key with its parameters (`reasons.gpu_busy` with {program}) in the namespace of
 * renderer/src/i18n/locales/<lang>/contribute.json — shared by the Contribute page and the Electron tray, which reads
 * the same locale files, so both say the same words in the creator's language.
 */
import type { ContributorReason } from './contract/contributor';

/** The i18n key and parameters of a reason code (`contribute:reasons.gpu_busy` with {program}). */
const OWN_WORK = ['viewer', 'extraction', 'inference'];

export function reasonKey(reason: ContributorReason): { key: string; params: Record<string, string | number> } {
  const params: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(reason.params)) if (v !== null && typeof v !== 'boolean') params[k] = v;
  if (reason.code === 'user_active' && typeof reason.params.needSeconds === 'number' && typeof reason.params.idleSeconds === 'number')
    params.minutesLeft = Math.max(1, Math.ceil((reason.params.needSeconds - reason.params.idleSeconds) / 60));
  if (reason.code === 'quiet_period' && typeof reason.params.secondsLeft === 'number') params.secondsLeft = Math.ceil(reason.params.secondsLeft);
  if (reason.code === 'gpu_busy' && !params.program) params.program = '?';
  // own work names its kind in words of its own (a sentence per kind, not the code inside a sentence)
  if (reason.code === 'own_work' && typeof reason.params.kind === 'string' && OWN_WORK.includes(reason.params.kind)) return { key: `reasons.own_work_${reason.params.kind}`, params };
  return { key: `reasons.${reason.code}`, params };
}

