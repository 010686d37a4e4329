/** powerMonitor's signals reach the contributor policy's shell source; the tray menu offers pause/finish/resume by state. */
import { describe, expect, it, vi } from 'vitest';
import type { ContributorStatus } from '../common/contract/contributor';
import { ShellSignals } from '../node/contributor/sources/shell-signals';
import { trayMenu, wireContributorTray, wirePowerMonitor, type PowerMonitorLike } from './contributor-shell';

function fakePowerMonitor() {
  const handlers = new Map<string, () => void>();
  let idle = 0;
  const pm: PowerMonitorLike = { getSystemIdleTime: () => idle, isOnBatteryPower: () => false, on: (e, l) => handlers.set(e, l) };
  return { pm, fire: (e: string) => handlers.get(e)!(), setIdle: (s: number) => (idle = s) };
}

const status = (patch: Partial<ContributorStatus> = {}): ContributorStatus => ({
  optedIn: true,
  consentedAt: null,
  state: 'run',
  reason: { code: 'idle', params: { idleSeconds: 400 } },
  command: 'none',
  nodeId: 'n',
  networkUrl: 'http://x',
  job: { jobId: 'j', replica: 0, leaseId: 'l', kind: 'inference', cluster: 'gpu', done: 3, total: 10, deadline: '', leaseExpiresAt: null, lastCheckpointAt: null, remainingSeconds: null, startedAt: '' },
  todayMinutes: 0,
  sources: { gpuProcesses: { available: true, why: null }, idle: { available: true, why: null }, power: { available: true, why: null } },
  confinement: 'x',
  updatedAt: '',
  ...patch,
});

describe('powerMonitor → ShellSignals', () => {
  it('idle time, battery, suspend/resume and lock are what the policy reads; each change notifies', () => {
    const s = new ShellSignals();
    const changed = vi.fn();
    s.changed.subscribe(changed);
    const f = fakePowerMonitor();
    wirePowerMonitor(f.pm, s);
    f.setIdle(42);
    expect(s.idleSeconds()).toBe(42);
    expect(s.power()).toBe('ac');
    f.fire('on-battery');
    expect(s.power()).toBe('battery');
    f.fire('suspend');
    expect(s.suspended()).toBe(true);
    f.fire('resume');
    expect(s.suspended()).toBe(false);
    f.fire('lock-screen');
    expect(s.locked()).toBe(true);
    f.fire('user-did-become-active');
    expect(changed.mock.calls.length).toBeGreaterThanOrEqual(7);
    expect(s.info()).toEqual({ available: true, why: null });
  });
});

describe('tray menu', () => {
  it('offers Pause now and Finish this job while running; Resume after a command; off says so', () => {
    const a = { pauseNow: vi.fn(), finishThenStop: vi.fn(), resume: vi.fn(), open: vi.fn() };
    const running = trayMenu(status(), a);
    expect(running.map((i) => i.label)).toEqual(['Running: the computer is idle.', 'Job 3/10', '', 'Pause now', 'Finish this job, then stop', '', 'Open Contribute page']);
    running.find((i) => i.label === 'Pause now')!.click!();
    expect(a.pauseNow).toHaveBeenCalled();
    const paused = trayMenu(status({ state: 'pause', command: 'pause_now', reason: { code: 'paused_by_user', params: {} } }), a);
    expect(paused.find((i) => i.label === 'Pause now')!.enabled).toBe(false);
    expect(paused.some((i) => i.label === 'Resume')).toBe(true);
    expect(trayMenu(status({ optedIn: false, job: null }), a).map((i) => i.label)).toEqual(['Donating is off', '', 'Open Contribute page']);
  });

  it('follows the state events (tooltip and menu)', () => {
    const tray = { setToolTip: vi.fn(), setContextMenu: vi.fn() };
    let push: (s: ContributorStatus) => void = () => {};
    const svc = { status: () => status(), pauseNow: vi.fn(), finishThenStop: vi.fn(), resume: vi.fn() };
    wireContributorTray(tray, (items) => items, svc as never, (l) => ((push = l), () => {}), () => {});
    expect(tray.setToolTip).toHaveBeenLastCalledWith('Kraken Studio — Running: the computer is idle.');
    push(status({ state: 'pause', reason: { code: 'gpu_busy', params: { program: 'blender.exe', pid: 7 } } }));
    expect(tray.setToolTip).toHaveBeenLastCalledWith('Kraken Studio — Paused: another program is using the GPU (blender.exe, pid 7).');
  });
});
