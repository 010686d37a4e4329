import { describe, expect, it } from 'vitest';
import type { ComputeQuota, ComputeSession } from '../../../../../main/common/contract';
import { formatCountdown, isLive, parseMinutes, parseWhole, quotaLine, quotaReason, remainingMs, sessionPhase, sortSessions, splitMinutes, userIdProblems } from './gpu-rules';

const session = (patch: Partial<ComputeSession> = {}): ComputeSession => ({
  containerId: 'c1',
  userId: 'mina',
  clusterId: 'gpu',
  projectId: null,
  startedHere: true,
  state: 'running',
  creationStatus: 'success',
  serviceStatus: 'success',
  imagePath: null,
  storagePath: null,
  nodeId: null,
  maxDuration: 120,
  remainingTime: 60,
  endsAt: null,
  observedAt: null,
  endpoint: { jupyter: null, shell: null },
  createdAt: '2026-12-02T10:00:00.000Z',
  startedAt: null,
  error: null,
  updatedAt: '2026-12-02T10:00:00.000Z',
  endedAt: null,
  ...patch,
});

const quota = (patch: Partial<ComputeQuota> = {}): ComputeQuota => ({
  localSchoolId: 1,
  maxQuota: { cpu: 2, gpu: 1 },
  maxQuotaSchool: null,
  limit: { cpu: 2, gpu: 1 },
  used: { cpu: 0, gpu: 0 },
  blocked: { cpu: null, gpu: null },
  ...patch,
});

describe('user id (seed 003: any characters but . # $ [ ])', () => {
  it('accepts ids with spaces, Hangul, @ and dashes', () => {
    for (const id of ['mina', 'mina kim', '김민아', 'mina@campus-1', 'a/b_c!']) expect(userIdProblems(id), id).toEqual([]);
  });
  it('names each forbidden character found', () => {
    expect(userIdProblems('a.b#c')).toEqual([{ kind: 'forbidden', chars: ['.', '#'] }]);
    expect(userIdProblems('$[x]')).toEqual([{ kind: 'forbidden', chars: ['$', '[', ']'] }]);
  });
  it('refuses an empty and an overlong id', () => {
    expect(userIdProblems('')).toEqual([{ kind: 'empty' }]);
    expect(userIdProblems('x'.repeat(257))).toEqual([{ kind: 'tooLong', max: 256 }]);
  });
});

describe('typed numbers', () => {
  it('minutes are whole, at least 1, within a leap year', () => {
    expect(parseMinutes(' 90 ')).toBe(90);
    for (const bad of ['', '0', '-5', '1.5', '30m', 'abc', String(60 * 24 * 366 + 1)]) expect(parseMinutes(bad), bad).toBeNull();
  });
  it('whole numbers with a minimum', () => {
    expect(parseWhole('0', 0)).toBe(0);
    expect(parseWhole('0', 1)).toBeNull();
    expect(parseWhole('2.5', 1)).toBeNull();
    expect(parseWhole('99999999999999999999', 1)).toBeNull();
  });
});

describe('session phase and countdown', () => {
  it('splits creation into pending and creating', () => {
    expect(sessionPhase(session({ state: 'creating', creationStatus: 'pending' }))).toBe('pending');
    expect(sessionPhase(session({ state: 'creating', creationStatus: null }))).toBe('pending');
    expect(sessionPhase(session({ state: 'creating', creationStatus: 'createContainer' }))).toBe('creating');
    expect(sessionPhase(session({ state: 'failed', creationStatus: 'failed' }))).toBe('failed');
    expect(isLive(session({ state: 'unknown' }))).toBe(true);
    expect(isLive(session({ state: 'stopped' }))).toBe(false);
  });
  it('-1 is no limit; endsAt counts down; else the minutes as said', () => {
    const now = Date.parse('2026-12-02T10:00:00.000Z');
    expect(remainingMs(session({ remainingTime: -1, maxDuration: null }), now)).toBe('none');
    expect(remainingMs(session({ endsAt: '2026-12-02T10:01:30.000Z' }), now)).toBe(90_000);
    expect(remainingMs(session({ endsAt: '2026-12-02T09:00:00.000Z' }), now)).toBe(0);
    expect(remainingMs(session({ remainingTime: 5, endsAt: null }), now)).toBe(300_000);
    expect(remainingMs(session({ remainingTime: null, endsAt: null }), now)).toBeNull();
  });
  it('formats the countdown, rounding seconds up', () => {
    expect(formatCountdown(0)).toBe('0:00');
    expect(formatCountdown(1)).toBe('0:01');
    expect(formatCountdown(59_001)).toBe('1:00');
    expect(formatCountdown(2 * 3600_000 + 5 * 60_000)).toBe('2:05:00');
  });
  it('usage minutes split into hours and minutes', () => {
    expect(splitMinutes(125)).toEqual({ hours: 2, minutes: 5 });
    expect(splitMinutes(-3)).toEqual({ hours: 0, minutes: 0 });
  });
  it('lists live sessions first, newest first', () => {
    const a = session({ containerId: 'a', state: 'stopped', createdAt: '2026-12-02T12:00:00.000Z' });
    const b = session({ containerId: 'b', createdAt: '2026-12-02T10:00:00.000Z' });
    const c = session({ containerId: 'c', createdAt: '2026-12-02T11:00:00.000Z' });
    expect(sortSessions([a, b, c]).map((s) => s.containerId)).toEqual(['c', 'b', 'a']);
  });
});

describe('quota', () => {
  it('is open below the limit and blocked at it, with the service reason when it gives one', () => {
    expect(quotaReason(quota(), 'gpu')).toBeNull();
    expect(quotaReason(quota({ used: { cpu: 0, gpu: 1 } }), 'gpu')).toEqual({ used: 1, limit: 1, message: null });
    expect(quotaReason(quota({ used: { cpu: 0, gpu: 1 }, blocked: { cpu: null, gpu: 'GPU quota reached (1 of 1)' } }), 'gpu')?.message).toBe('GPU quota reached (1 of 1)');
    expect(quotaReason(quota({ used: { cpu: 0, gpu: 1 } }), 'cpu')).toBeNull();
    expect(quotaReason(null, 'gpu')).toBeNull();
  });
  it('a zero limit is a full meter', () => {
    const line = quotaLine(quota({ limit: { cpu: 0, gpu: 1 } }), 'cpu');
    expect(line).toEqual({ used: 0, limit: 0, fraction: 1, full: true });
    expect(quotaLine(quota({ limit: null }), 'gpu')).toEqual({ used: 0, limit: null, fraction: null, full: false });
  });
});
