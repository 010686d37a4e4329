/**
 * The desktop shell's part of the contributor node: powerMonitor's idle time, battery, suspend/resume and lock are
 * forwarded to the core's ShellSignals (the policy reads them there), and a tray menu keeps "Pause now" and
 * "Finish this job, then stop" one click away with the current state. Electron stays in this folder; the logic is
 * plain and takes its Electron parts as arguments so it can be checked without the Electron binary.
 */
import type { ContributorStatus } from '../common/contract/contributor';
import type { ContributorService } from '../node/contributor/service';
import { reasonSentence } from '../node/contributor/reasons';
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

/** The tray menu for a state (English; the tray has no i18n of its own yet). */
export function trayMenu(s: ContributorStatus, actions: { pauseNow(): void; finishThenStop(): void; resume(): void; open(): void }): TrayMenuItem[] {
  const items: TrayMenuItem[] = [{ label: s.optedIn ? reasonSentence(s.reason) : 'Donating is off', enabled: false }];
  if (s.job) items.push({ label: `Job ${s.job.done}/${s.job.total}`, enabled: false });
  items.push({ type: 'separator', label: '' });
  if (s.optedIn) {
    items.push({ label: 'Pause now', enabled: s.command !== 'pause_now', click: actions.pauseNow });
    items.push({ label: 'Finish this job, then stop', enabled: s.command !== 'finish_then_stop' && s.job !== null, click: actions.finishThenStop });
    if (s.command !== 'none') items.push({ label: 'Resume', click: actions.resume });
    items.push({ type: 'separator', label: '' });
  }
  items.push({ label: 'Open Contribute page', click: actions.open });
  return items;
}

export interface TrayLike {
  setToolTip(text: string): void;
  setContextMenu(menu: unknown): void;
}

/** Keeps a tray's menu and tooltip in step with the contributor's state. */
export function wireContributorTray(
  tray: TrayLike,
  buildMenu: (items: TrayMenuItem[]) => unknown,
  contributor: Pick<ContributorService, 'status' | 'pauseNow' | 'finishThenStop' | 'resume'>,
  onState: (listener: (s: ContributorStatus) => void) => () => void,
  open: () => void,
): () => void {
  const render = (s: ContributorStatus) => {
    tray.setToolTip(`Kraken Studio — ${s.optedIn ? reasonSentence(s.reason) : 'donating is off'}`);
    tray.setContextMenu(
      buildMenu(
        trayMenu(s, {
          pauseNow: () => contributor.pauseNow(),
          finishThenStop: () => contributor.finishThenStop(),
          resume: () => contributor.resume(),
          open,
        }),
      ),
    );
  };
  render(contributor.status());
  return onState(render);
}
