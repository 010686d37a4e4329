/** The donation policy with a fake clock and fake sources: every rule, its default, and the reason it reports. */
import { describe, expect, it } from 'vitest';
import { ContributorPolicy } from '../../common/contract/contributor';
import { decide, DEFAULT_POLICY, GPU_DUTY_PERIOD_MS, gpuDutyPhase, inWindow, jobThreads, localClock, minutesToNextWindow, programKey, type PolicyInputs } from './policy';

// Wednesday 2026-12-02 14:00 local time.
const NOW = new Date(2026, 11, 2, 14, 0, 0).getTime();

function inputs(patch: Partial<PolicyInputs> = {}): PolicyInputs {
  const now = patch.now ?? NOW;
  return {
    now,
    local: localClock(new Date(now)),
    optedIn: true,
    command: 'none',
    hasJob: false,
    idleSeconds: 3600,
    power: 'ac',
    gpu: { available: true, processes: [] },
    ownPids: [4242],
    programs: [],
    ownWork: { extraction: 0, inference: 0, viewer: 0 },
    todayMinutes: 0,
    lastBlockedAt: null,
    ...patch,
  };
}
const rules = (patch: Partial<ContributorPolicy> = {}): ContributorPolicy => ContributorPolicy.parse({ ...DEFAULT_POLICY, ...patch });

describe('defaults', () => {
  it('follow BOINC where it has one and pass the contract schema', () => {
    expect(ContributorPolicy.parse(DEFAULT_POLICY)).toEqual(DEFAULT_POLICY);
    expect(DEFAULT_POLICY).toMatchObject({ idleMinutes: 3, runOnBattery: false, cpuSharePercent: 100, gpuSharePercent: 100, memorySharePercent: 90, dailyMaxMinutes: null, schedule: [], pausePrograms: [] });
    expect(DEFAULT_POLICY.pauseOnGpuProcess).toBe(true);
    expect(DEFAULT_POLICY.pauseOnOwnWork).toBe(true);
  });

  it('an idle machine on AC with nothing else on the GPU runs', () => {
    expect(decide(inputs(), DEFAULT_POLICY)).toEqual({ state: 'run', reason: { code: 'idle', params: { idleSeconds: 3600 } }, quietTrigger: false });
  });
});

describe('each rule', () => {
  it('off until opted in', () => {
    expect(decide(inputs({ optedIn: false }), DEFAULT_POLICY)).toMatchObject({ state: 'off', reason: { code: 'not_opted_in' } });
  });

  it('idle time: 3 minutes by default; before that the computer is in use (waiting, or pause with a job)', () => {
    expect(decide(inputs({ idleSeconds: 179 }), DEFAULT_POLICY)).toEqual({ state: 'waiting', reason: { code: 'user_active', params: { idleSeconds: 179, needSeconds: 180 } }, quietTrigger: false });
    expect(decide(inputs({ idleSeconds: 180 }), DEFAULT_POLICY).state).toBe('run');
    expect(decide(inputs({ idleSeconds: 5, hasJob: true }), DEFAULT_POLICY).state).toBe('pause');
    expect(decide(inputs({ idleSeconds: 5 }), rules({ idleMinutes: 0 })).state).toBe('run');
    expect(decide(inputs({ idleSeconds: 599 }), rules({ idleMinutes: 10 })).reason).toEqual({ code: 'user_active', params: { idleSeconds: 599, needSeconds: 600 } });
  });

  it('a headless rig (no input device) and a locked screen count as idle', () => {
    expect(decide(inputs({ idleSeconds: null }), DEFAULT_POLICY)).toMatchObject({ state: 'run', reason: { code: 'idle', params: { idleSeconds: null } } });
    expect(decide(inputs({ idleSeconds: 2, locked: true }), DEFAULT_POLICY).state).toBe('run');
  });

  it('never on battery by default; allowed when the creator says so; unknown power does not block', () => {
    expect(decide(inputs({ power: 'battery' }), DEFAULT_POLICY)).toMatchObject({ state: 'waiting', reason: { code: 'on_battery', params: {} } });
    expect(decide(inputs({ power: 'battery' }), rules({ runOnBattery: true })).state).toBe('run');
    expect(decide(inputs({ power: 'unknown' }), DEFAULT_POLICY).state).toBe('run');
  });

  it('another process on the GPU pauses (its name and pid), the agent and its job do not; off by rule; unavailable does not block', () => {
    const gpu = { available: true as const, processes: [{ pid: 4242, name: '/usr/bin/node' }, { pid: 777, name: 'C:\\Program Files\\Blender\\blender.exe', usedMemoryMb: 900 }] };
    expect(decide(inputs({ gpu, hasJob: true }), DEFAULT_POLICY)).toEqual({ state: 'pause', reason: { code: 'gpu_busy', params: { program: 'blender.exe', pid: 777 } }, quietTrigger: true });
    expect(decide(inputs({ gpu: { available: true, processes: [{ pid: 4242, name: 'node' }] } }), DEFAULT_POLICY).state).toBe('run');
    expect(decide(inputs({ gpu }), rules({ pauseOnGpuProcess: false })).state).toBe('run');
    expect(decide(inputs({ gpu: { available: false, why: 'nvidia-smi is not installed' } }), DEFAULT_POLICY).state).toBe('run');
  });

  it("the creator's own studio work pauses: extraction, a local model run, a viewer session; off by rule", () => {
    expect(decide(inputs({ ownWork: { extraction: 1, inference: 0, viewer: 0 } }), DEFAULT_POLICY)).toEqual({ state: 'waiting', reason: { code: 'own_work', params: { kind: 'extraction', count: 1 } }, quietTrigger: true });
    expect(decide(inputs({ ownWork: { extraction: 0, inference: 2, viewer: 0 } }), DEFAULT_POLICY).reason).toEqual({ code: 'own_work', params: { kind: 'inference', count: 2 } });
    expect(decide(inputs({ ownWork: { extraction: 0, inference: 0, viewer: 1 }, hasJob: true }), DEFAULT_POLICY)).toMatchObject({ state: 'pause', reason: { code: 'own_work', params: { kind: 'viewer' } } });
    expect(decide(inputs({ ownWork: { extraction: 1, inference: 0, viewer: 0 } }), rules({ pauseOnOwnWork: false })).state).toBe('run');
  });

  it('a listed program pauses, matched without case, path or .exe; none listed by default', () => {
    const programs = ['bash', '/opt/blender/Blender', 'steam.exe'];
    expect(decide(inputs({ programs }), DEFAULT_POLICY).state).toBe('run');
    expect(decide(inputs({ programs }), rules({ pausePrograms: ['blender.exe'] }))).toEqual({ state: 'waiting', reason: { code: 'program_running', params: { program: 'Blender' } }, quietTrigger: true });
    expect(decide(inputs({ programs }), rules({ pausePrograms: ['STEAM'] })).reason).toEqual({ code: 'program_running', params: { program: 'steam.exe' } });
    expect(decide(inputs({ programs: null }), rules({ pausePrograms: ['steam'] })).state).toBe('run');
    expect(programKey('C:\\Games\\Game.EXE')).toBe('game');
  });

  it('schedule windows per weekday (local time), overnight windows, the next start; none = any time', () => {
    const weekdays9to17 = [{ days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }];
    expect(decide(inputs(), rules({ schedule: weekdays9to17 })).state).toBe('run');
    const evening = new Date(2026, 11, 2, 18, 30).getTime();
    const d = decide(inputs({ now: evening }), rules({ schedule: weekdays9to17 }));
    expect(d).toMatchObject({ state: 'waiting', reason: { code: 'outside_schedule' } });
    expect(d.reason.params.nextStart).toBe(new Date(2026, 11, 3, 9, 0).toISOString());
    const night = [{ days: [3], start: '22:00', end: '06:00' }];
    expect(inWindow(night[0]!, { weekday: 3, minute: 23 * 60 })).toBe(true);
    expect(inWindow(night[0]!, { weekday: 4, minute: 5 * 60 })).toBe(true); // Thursday morning, from Wednesday's window
    expect(inWindow(night[0]!, { weekday: 4, minute: 7 * 60 })).toBe(false);
    expect(inWindow({ days: [0], start: '00:00', end: '00:00' }, { weekday: 0, minute: 700 })).toBe(true); // whole day
    expect(minutesToNextWindow(night, { weekday: 3, minute: 21 * 60 })).toBe(60);
  });

  it("a daily maximum (none by default): today's minutes at the maximum wait", () => {
    expect(decide(inputs({ todayMinutes: 10_000 }), DEFAULT_POLICY).state).toBe('run');
    expect(decide(inputs({ todayMinutes: 120 }), rules({ dailyMaxMinutes: 120 }))).toMatchObject({ state: 'waiting', reason: { code: 'daily_max_reached', params: { minutes: 120, max: 120 } } });
    expect(decide(inputs({ todayMinutes: 119.5 }), rules({ dailyMaxMinutes: 120 })).state).toBe('run');
  });

  it('resumes only after the quiet period (1 minute by default) since the last GPU/program/own-work block', () => {
    const d = decide(inputs({ lastBlockedAt: NOW - 20_000 }), DEFAULT_POLICY);
    expect(d).toEqual({ state: 'waiting', reason: { code: 'quiet_period', params: { secondsLeft: 40 } }, quietTrigger: false });
    expect(decide(inputs({ lastBlockedAt: NOW - 60_000 }), DEFAULT_POLICY).state).toBe('run');
    expect(decide(inputs({ lastBlockedAt: NOW - 1000 }), rules({ quietMinutes: 0 })).state).toBe('run');
  });

  it('"pause now" pauses whatever the rules say, until resume', () => {
    expect(decide(inputs({ command: 'pause_now', hasJob: true }), DEFAULT_POLICY)).toMatchObject({ state: 'pause', reason: { code: 'paused_by_user' } });
    expect(decide(inputs({ command: 'pause_now' }), DEFAULT_POLICY)).toMatchObject({ state: 'waiting', reason: { code: 'paused_by_user' } });
  });

  it('"finish this job, then stop": runs the job (the rules still pause it), then off', () => {
    expect(decide(inputs({ command: 'finish_then_stop', hasJob: true }), DEFAULT_POLICY)).toMatchObject({ state: 'run', reason: { code: 'finishing_then_stop' } });
    expect(decide(inputs({ command: 'finish_then_stop', hasJob: true, idleSeconds: 1 }), DEFAULT_POLICY)).toMatchObject({ state: 'pause', reason: { code: 'user_active' } });
    expect(decide(inputs({ command: 'finish_then_stop', hasJob: false }), DEFAULT_POLICY)).toMatchObject({ state: 'off', reason: { code: 'stopped' } });
  });

  it('suspend pauses', () => {
    expect(decide(inputs({ suspended: true, hasJob: true }), DEFAULT_POLICY)).toMatchObject({ state: 'pause', reason: { code: 'system_suspended' } });
  });
});

describe('precedence: the first rule that blocks is the reason shown', () => {
  it('battery before schedule before daily max before own work before programs before GPU before idle', () => {
    const all = inputs({
      power: 'battery',
      now: new Date(2026, 11, 2, 3, 0).getTime(),
      todayMinutes: 500,
      ownWork: { extraction: 1, inference: 0, viewer: 0 },
      programs: ['steam'],
      gpu: { available: true, processes: [{ pid: 9, name: 'game' }] },
      idleSeconds: 1,
    });
    const r = rules({ schedule: [{ days: [3], start: '09:00', end: '17:00' }], dailyMaxMinutes: 60, pausePrograms: ['steam'] });
    const order: string[] = [];
    let i = { ...all, local: localClock(new Date(all.now)) };
    const peel: Array<(x: PolicyInputs) => PolicyInputs> = [
      (x) => ({ ...x, power: 'ac' }),
      (x) => ({ ...x, now: NOW, local: localClock(new Date(NOW)) }),
      (x) => ({ ...x, todayMinutes: 0 }),
      (x) => ({ ...x, ownWork: { extraction: 0, inference: 0, viewer: 0 } }),
      (x) => ({ ...x, programs: [] }),
      (x) => ({ ...x, gpu: { available: true, processes: [] } }),
      (x) => ({ ...x, idleSeconds: 999 }),
    ];
    for (const p of peel) {
      order.push(decide(i, r).reason.code);
      i = p(i) as typeof i;
    }
    order.push(decide(i, r).reason.code);
    expect(order).toEqual(['on_battery', 'outside_schedule', 'daily_max_reached', 'own_work', 'program_running', 'gpu_busy', 'user_active', 'idle']);
  });
});

describe('share caps', () => {
  it('CPU share gives the job its threads (at least one)', () => {
    expect(jobThreads(DEFAULT_POLICY, 16)).toBe(16);
    expect(jobThreads(rules({ cpuSharePercent: 25 }), 16)).toBe(4);
    expect(jobThreads(rules({ cpuSharePercent: 1 }), 2)).toBe(1);
  });

  it('GPU share is a duty cycle: 100 % always runs; 25 % runs the first quarter of each 2 s period and rests the rest', () => {
    expect(gpuDutyPhase(100, 12_345)).toEqual({ run: true, changeInMs: Infinity });
    expect(gpuDutyPhase(25, 0)).toEqual({ run: true, changeInMs: 500 });
    expect(gpuDutyPhase(25, 499)).toEqual({ run: true, changeInMs: 1 });
    expect(gpuDutyPhase(25, 500)).toEqual({ run: false, changeInMs: 1500 });
    expect(gpuDutyPhase(25, 1999)).toEqual({ run: false, changeInMs: 1 });
    expect(gpuDutyPhase(25, 2000)).toEqual({ run: true, changeInMs: 500 });
    // over whole periods the time run is the share (at least 50 ms a period, so 1 % still makes progress)
    for (const share of [1, 10, 33, 50, 90]) {
      let ran = 0;
      for (let t = 0; t < 10 * GPU_DUTY_PERIOD_MS; t++) if (gpuDutyPhase(share, t).run) ran++;
      expect(ran / (10 * GPU_DUTY_PERIOD_MS)).toBeCloseTo(Math.max(share / 100, 50 / GPU_DUTY_PERIOD_MS), 3);
    }
  });
});
