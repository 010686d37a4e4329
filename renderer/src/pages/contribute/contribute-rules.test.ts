import { describe, expect, it } from 'vitest';
import type { NetworkJob } from '../../../../main/common/contract';
import { ageSeconds, duration, earnSpendSeries, jobFraction, numberIn, parsePrograms, reasonKey } from './contribute-rules';

describe('contribute rules', () => {
  it('turns reasons into keys with their parameters', () => {
    expect(reasonKey({ code: 'gpu_busy', params: { program: 'blender.exe', pid: 42 } })).toEqual({ key: 'reasons.gpu_busy', params: { program: 'blender.exe', pid: 42 } });
    expect(reasonKey({ code: 'user_active', params: { idleSeconds: 30, needSeconds: 180 } }).params.minutesLeft).toBe(3);
    expect(reasonKey({ code: 'quiet_period', params: { secondsLeft: 4.2 } }).params.secondsLeft).toBe(5);
    expect(reasonKey({ code: 'idle', params: { idleSeconds: null } }).params).toEqual({});
  });

  it('ages and durations', () => {
    expect(ageSeconds('2026-12-02T00:00:00.000Z', Date.parse('2026-12-02T00:01:05.000Z'))).toBe(65);
    expect(ageSeconds(null, 0)).toBeNull();
    expect(ageSeconds('2026-12-02T00:00:10.000Z', Date.parse('2026-12-02T00:00:00.000Z'))).toBe(0);
    expect(duration(7500)).toEqual({ key: 'h', h: 2, m: 5 });
    expect(duration(240)).toEqual({ key: 'min', m: 4 });
    expect(duration(35)).toEqual({ key: 's', s: 35 });
  });

  it('merges earned and spent per day, oldest first', () => {
    const [x, earned, spent] = earnSpendSeries(
      [
        { day: '2026-12-02', jobs: 2, cpuMinutes: 3, gpuMinutes: 0, claimedCredit: 6, grantedCredit: 5 },
        { day: '2026-12-01', jobs: 1, cpuMinutes: 1, gpuMinutes: 0, claimedCredit: 2, grantedCredit: 2 },
      ],
      [{ day: '2026-11-30', credit: 4 }, { day: '2026-12-02', credit: 1 }],
    );
    expect(x.map((s) => new Date(s * 1000).toISOString().slice(0, 10))).toEqual(['2026-11-30', '2026-12-01', '2026-12-02']);
    expect(earned).toEqual([0, 2, 5]);
    expect(spent).toEqual([4, 0, 1]);
  });

  it('reads program lists and numbers', () => {
    expect(parsePrograms('blender.exe\n  Blender.EXE, obs64 ,\n\n')).toEqual(['blender.exe', 'obs64']);
    expect(numberIn('3', 0, 10)).toBe(3);
    expect(numberIn('3.5', 0, 10)).toBeNull();
    expect(numberIn('11', 0, 10)).toBeNull();
    expect(numberIn('x', 0, 10)).toBeNull();
  });

  it('progress of a network job: uploads, then inputs', () => {
    const j = { state: 'uploading', uploaded: 1, toUpload: 4, done: 0, total: 3 } as NetworkJob;
    expect(jobFraction(j)).toBe(0.25);
    expect(jobFraction({ ...j, state: 'running', done: 1 })).toBeCloseTo(1 / 3);
    expect(jobFraction({ ...j, state: 'done' })).toBe(1);
    expect(jobFraction({ ...j, toUpload: 0 })).toBeNull();
  });
});
