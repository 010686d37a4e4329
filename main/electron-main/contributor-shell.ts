/**
 * The desktop shell's part of the contributor node: powerMonitor's idle time, battery, suspend/resume and lock are
 * forwarded to the core's ShellSignals (the policy reads them there), and a tray menu keeps "Pause now" and
 * "Finish this job, then stop" one click away with the current state. Electron stays in this folder; the logic is
 * plain and takes its Electron parts as arguments so it can be checked without the Electron binary.
 */
import type { ContributorStatus } from '../common/contract/contributor';
import { reasonKey } from '../common/contributor-reasons';
import en from '../../renderer/src/i18n/locales/en/contribute.json';
import ko from '../../renderer/src/i18n/locales/ko/contribute.json';
import type { ContributorService } from '../node/contributor/service';
import type { ShellSignals } from '../node/contributor/sources/shell-signals';

/** The part of Electron's powerMonitor used here. */
export interface PowerMonitorLike {
  getSystemIdleTime(): number;
  isOnBatteryPower?(): boolean;
  on(event: 'on-ac' | 'on-battery' | 'suspend' | 'resume' | 'lock-screen' | 'unlock-screen' | 'user-did-become-active', listener: () => void): unknown;
}

/** Feeds powerMonitor's signals into the contributor's shell source. */
export function wirePowerMonitor(pm: PowerMonitorLike, signals: ShellSignals): void {
  signals.setIdleReader(() => pm.getSystemIdleTime());
  if (pm.isOnBatteryPower) signals.setOnBattery(pm.isOnBatteryPower());
  pm.on('on-ac', () => signals.setOnBattery(false));
  pm.on('on-battery', () => signals.setOnBattery(true));
  pm.on('suspend', () => signals.setSuspended(true));
  pm.on('resume', () => signals.setSuspended(false));
  pm.on('lock-screen', () => signals.setLocked(true));
  pm.on('unlock-screen', () => signals.setLocked(false));
  // macOS tells when the user comes back: decide at once instead of at the next idle poll.
  pm.on('user-did-become-active', () => signals.userActive());
}

export interface TrayMenuItem {
  label: string;
  enabled?: boolean;
  click?: () => void;
  type?: 'separator';
}

/** The Contribute page's texts, which the tray shares (renderer/src/i18n/locales/<lang>/contribute.json). */
const TEXTS: Record<string, unknown> = { en, ko };

/** The tray's words in a language (English where the language or a key is missing), `{{x}}` filled in. */
export function trayWords(locale: string): (key: string, params?: Record<string, string | number>) => string {
  const lang = TEXTS[locale.split('-')[0]!] ? locale.split('-')[0]! : 'en';
  const lookup = (texts: unknown, key: string): string | null => {
    let v: unknown = texts;
    for (const part of key.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
    return typeof v === 'string' ? v : null;
  };
  return (key, params = {}) => (lookup(TEXTS[lang], key) ?? lookup(TEXTS.en, key) ?? key).replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => String(params[k] ?? ''));
}

/** What the tray says of a state: the reason in words, as the Contribute page says it. */
export function trayState(s: ContributorStatus, locale: string): string {
  const w = trayWords(locale);
  if (!s.optedIn) return w('tray.off');
  const r = reasonKey(s.reason);
  return w(r.key, r.params);
}

/** The tray menu for a state, in the creator's language. */
export function trayMenu(s: ContributorStatus, actions: { pauseNow(): void; finishThenStop(): void; resume(): void; open(): void }, locale = 'en'): TrayMenuItem[] {
  const w = trayWords(locale);
  const items: TrayMenuItem[] = [{ label: trayState(s, locale), enabled: false }];
  if (s.job) items.push({ label: w('tray.job', { done: s.job.done, total: s.job.total }), enabled: false });
  items.push({ type: 'separator', label: '' });
  if (s.optedIn) {
    items.push({ label: w('actions.pauseNow'), enabled: s.command !== 'pause_now', click: actions.pauseNow });
    items.push({ label: w('actions.finishThenStop'), enabled: s.command !== 'finish_then_stop' && s.job !== null, click: actions.finishThenStop });
    if (s.command !== 'none') items.push({ label: w('actions.resume'), click: actions.resume });
    items.push({ type: 'separator', label: '' });
  }
  items.push({ label: w('tray.open'), click: actions.open });
  return items;
}

export interface TrayLike {
  setToolTip(text: string): void;
  setContextMenu(menu: unknown): void;
}

/** Keeps a tray's menu and tooltip in step with the contributor's state and the creator's language. */
export function wireContributorTray(
  tray: TrayLike,
  buildMenu: (items: TrayMenuItem[]) => unknown,
  contributor: Pick<ContributorService, 'status' | 'pauseNow' | 'finishThenStop' | 'resume'>,
  onState: (listener: (s: ContributorStatus) => void) => () => void,
  open: () => void,
  language: { locale(): string; onChange?(listener: () => void): () => void } = { locale: () => 'en' },
): () => void {
  let last: ContributorStatus | null = null;
  const render = (s: ContributorStatus) => {
    last = s;
    const locale = language.locale();
    tray.setToolTip(trayWords(locale)('tray.tooltip', { state: trayState(s, locale) }));
    tray.setContextMenu(
      buildMenu(
        trayMenu(
          s,
          {
            pauseNow: () => contributor.pauseNow(),
            finishThenStop: () => contributor.finishThenStop(),
            resume: () => contributor.resume(),
            open,
          },
          locale,
        ),
      ),
    );
  };
  render(contributor.status());
  const offState = onState(render);
  const offLocale = language.onChange?.(() => render(last ?? contributor.status()));
  return () => {
    offState();
    offLocale?.();
  };
}
