/** powerMonitor's signals reach the contributor policy's shell source; the tray menu offers pause/finish/resume by state, in the studio's language. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ContributorReasonCode, type ContributorStatus } from '../common/contract/contributor';
import { ShellSignals } from '../node/contributor/sources/shell-signals';
import { trayMenu, trayState, wireContributorTray, wirePowerMonitor, type PowerMonitorLike } from './contributor-shell';

const root = path.resolve(__dirname, '..', '..');

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
  it('the built Electron main finds the locale files it imports (the renderer build empties dist/renderer, so it runs first)', () => {
    const built = path.join(root, 'dist', 'main', 'electron-main', 'contributor-shell.js');
    if (!fs.existsSync(built)) return void console.log('[skip] built tray check: no dist/ (npm test builds first)');
    for (const lang of ['en', 'ko']) expect(fs.existsSync(path.join(root, 'dist', 'renderer', 'src', 'i18n', 'locales', lang, 'contribute.json')), lang).toBe(true);
  });

  it('offers Pause now and Finish this job while running; Resume after a command; off says so', () => {
    const a = { pauseNow: vi.fn(), finishThenStop: vi.fn(), resume: vi.fn(), open: vi.fn() };
    const running = trayMenu(status(), a);
    expect(running.map((i) => i.label)).toEqual(['Working: the computer is idle.', 'Job 3/10', '', 'Pause now', 'Finish this job, then stop', '', 'Open the Contribute page']);
    running.find((i) => i.label === 'Pause now')!.click!();
    expect(a.pauseNow).toHaveBeenCalled();
    const paused = trayMenu(status({ state: 'pause', command: 'pause_now', reason: { code: 'paused_by_user', params: {} } }), a);
    expect(paused.find((i) => i.label === 'Pause now')!.enabled).toBe(false);
    expect(paused.some((i) => i.label === 'Resume')).toBe(true);
    expect(trayMenu(status({ optedIn: false, job: null }), a).map((i) => i.label)).toEqual(['Donating is off', '', 'Open the Contribute page']);
  });

  it('speaks Korean when the studio does, with the same words as the Contribute page (and English for an unknown language)', () => {
    const a = { pauseNow: vi.fn(), finishThenStop: vi.fn(), resume: vi.fn(), open: vi.fn() };
    const gpu = status({ state: 'pause', command: 'pause_now', reason: { code: 'gpu_busy', params: { program: 'blender.exe', pid: 7 } } });
    expect(trayMenu(gpu, a, 'ko').map((i) => i.label)).toEqual(['일시 정지: GPU를 사용 중입니다(blender.exe).', '작업 3/10', '', '지금 일시 정지', '이 작업을 마치고 멈추기', '다시 시작', '', '기여하기 페이지 열기']);
    expect(trayState(status({ state: 'waiting', reason: { code: 'user_active', params: { idleSeconds: 30, needSeconds: 180 } } }), 'ko')).toBe('대기 중: 컴퓨터를 사용 중입니다(유휴 3분 더 지나면 시작).');
    expect(trayState(status({ state: 'pause', reason: { code: 'own_work', params: { kind: 'viewer' } } }), 'ko')).toBe('일시 정지: 3D 뷰어를 사용 중입니다.');
    expect(trayState(status({ optedIn: false }), 'ko')).toBe('기여가 꺼져 있습니다');
    expect(trayState(status(), 'fr')).toBe('Working: the computer is idle.');
    // every reason code has a text in both languages (the tray never shows a bare key)
    for (const code of ContributorReasonCode.options) for (const lang of ['en', 'ko']) expect(trayState(status({ reason: { code, params: {} } }), lang), `${lang} ${code}`).not.toMatch(/^reasons\./);
  });

  it('follows the state events and the language setting (tooltip and menu)', () => {
    const tray = { setToolTip: vi.fn(), setContextMenu: vi.fn() };
    let push: (s: ContributorStatus) => void = () => {};
    let relang: () => void = () => {};
    let locale = 'en';
    const svc = { status: () => status(), pauseNow: vi.fn(), finishThenStop: vi.fn(), resume: vi.fn() };
    wireContributorTray(tray, (items) => items, svc as never, (l) => ((push = l), () => {}), () => {}, { locale: () => locale, onChange: (l) => ((relang = l), () => {}) });
    expect(tray.setToolTip).toHaveBeenLastCalledWith('Kraken Studio — Working: the computer is idle.');
    push(status({ state: 'pause', reason: { code: 'gpu_busy', params: { program: 'blender.exe', pid: 7 } } }));
    expect(tray.setToolTip).toHaveBeenLastCalledWith('Kraken Studio — Paused: you are using the GPU (blender.exe).');
    locale = 'ko';
    relang();
    expect(tray.setToolTip).toHaveBeenLastCalledWith('Kraken Studio — 일시 정지: GPU를 사용 중입니다(blender.exe).');
    expect((tray.setContextMenu.mock.lastCall![0] as { label: string }[])[0]!.label).toBe('일시 정지: GPU를 사용 중입니다(blender.exe).');
  });
});
