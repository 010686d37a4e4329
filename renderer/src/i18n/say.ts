/**
 * Sentences from the core in the creator's language: a message that carries a code of main/common/messages.ts is
 * translated as `messages:<code>` with its parameters; one without a code, or with a code this build has no text
 * for, is shown as the core's English sentence.
 */
import type { i18n as I18n, TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { MESSAGES, isMessageCode } from '../../../main/common/messages';

export interface CodedText {
  message?: string | null;
  messageCode?: string | null;
  messageParams?: Record<string, string | number> | null;
}

/** The i18n key of a message code. */
export const messageKey = (code: string) => `messages:${code}`;

/** The text to show for a coded sentence (English fallback: the sentence itself). */
export function sayText(i18n: Pick<I18n, 'exists' | 't'>, x: CodedText): string {
  const fallback = x.message ?? '';
  if (!x.messageCode || !i18n.exists(messageKey(x.messageCode))) return fallback;
  const params = x.messageParams ?? {};
  const t = i18n.t as TFunction;
  let text = t(messageKey(x.messageCode), { ...serviceLabelIn(i18n, params), defaultValue: fallback });
  // Notes a cloud platform adds after the sentence (main/node/cloud/vision/vision-http.ts): its reason, its request id.
  if (params.noteReason !== undefined) text = t(messageKey('cloud.note_reason'), { sentence: text.replace(/\.$/, ''), noteReason: params.noteReason });
  if (params.noteRequestId !== undefined) text = t(messageKey('cloud.note_request_id'), { sentence: text, noteRequestId: params.noteRequestId });
  return text;
}

/**
 * A cloud sentence names its service by key (`service: 'atlas'`) next to the English `label`: the label is shown as
 * `messages:cloud.service.<service>` in the language shown (main/node/cloud/errors.ts), so the particles after it fit.
 */
function serviceLabelIn(i18n: Pick<I18n, 'exists' | 't'>, params: Record<string, string | number>): Record<string, string | number> {
  const key = typeof params.service === 'string' ? messageKey(`cloud.service.${params.service}`) : null;
  if (!key || !i18n.exists(key)) return params;
  return { ...params, label: (i18n.t as TFunction)(key) };
}

/** A provider attempt's reason. */
export function reasonText(i18n: Pick<I18n, 'exists' | 't'>, a: { reason: string | null; reasonCode?: string; reasonParams?: Record<string, string | number> }): string {
  return sayText(i18n, { message: a.reason, messageCode: a.reasonCode, messageParams: a.reasonParams });
}

/**
 * A model's description: its `descriptionCode`, or for a model stored before codes existed the registry's
 * `model.<id>`, used only while the stored text is still that very sentence (a user's own text is never replaced).
 */
export function descriptionText(i18n: Pick<I18n, 'exists' | 't'>, m: { id: string; description: string; descriptionCode?: string }): string {
  let code = m.descriptionCode;
  if (!code) {
    const guess = `model.${m.id}`;
    if (isMessageCode(guess) && (MESSAGES[guess] as { en: (p: object) => string }).en({}) === m.description) code = guess;
  }
  return sayText(i18n, { message: m.description, messageCode: code });
}

/** In a component: `const say = useSay(); say(job.error)` (re-renders when the language changes). */
export function useSay(): (x: CodedText) => string {
  const { i18n } = useTranslation();
  return (x) => sayText(i18n, x);
}
