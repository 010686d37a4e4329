/** The code registry and how a coded sentence crosses IPC (AppError → envelope → RemoteError), additively. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RemoteError } from './api-client';
import { AppError } from './app-error';
import { AppErrorShape, PreflightProblem, ProviderAttempt, QualityHint } from './contract';
import { isMessageCode, MESSAGE_CODES, MESSAGES, say } from './messages';

describe('say', () => {
  it('returns the code, the parameters and the English sentence', () => {
    expect(say('preflight.too_long_max', { label: 'MusePose', actual: '240.0 s', max: 180 })).toEqual({
      messageCode: 'preflight.too_long_max',
      messageParams: { label: 'MusePose', actual: '240.0 s', max: 180 },
      message: 'The video is 240.0 s long; MusePose takes at most 180 s. Trim it.',
    });
  });

  it('every example renders a sentence with no unfilled parameter', () => {
    for (const code of MESSAGE_CODES) {
      const text = say(code, MESSAGES[code].example as never).message;
      expect(text.length, code).toBeGreaterThan(0);
      expect(text, code).not.toMatch(/undefined|\[object/);
    }
    expect(isMessageCode('provider.no_nvidia')).toBe(true);
    expect(isMessageCode('toString')).toBe(false);
  });

  it('every code the core passes to say() is in the registry (source scan of main/)', () => {
    const root = path.join(__dirname, '..');
    const used = new Set<string>();
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name)) for (const m of fs.readFileSync(p, 'utf8').matchAll(/\bsay\('([^']+)'/g)) used.add(m[1]!);
      }
    };
    walk(root);
    expect(used.size).toBeGreaterThan(20);
    expect([...used].filter((c) => !isMessageCode(c))).toEqual([]);
  });
});

describe('AppError carries the code across IPC', () => {
  it('toShape adds messageCode/messageParams for a coded sentence, and nothing for a plain one', () => {
    const coded = new AppError('MEDIA_UNREADABLE', say('media.unreadable', {}), { file: '/x.mp4' });
    expect(coded.message).toBe('ffmpeg cannot read this file: it is damaged, truncated or not a video or image.');
    const shape = coded.toShape();
    expect(shape).toEqual({ code: 'MEDIA_UNREADABLE', message: coded.message, details: { file: '/x.mp4' }, messageCode: 'media.unreadable', messageParams: {} });
    expect(AppErrorShape.parse(shape)).toEqual(shape);
    expect(new AppError('INTERNAL', 'plain').toShape()).toEqual({ code: 'INTERNAL', message: 'plain' });
  });

  it('errors from the file system are coded too', () => {
    const full = AppError.from(Object.assign(new Error('x'), { code: 'ENOSPC', path: '/d' }));
    expect(full.messageCode).toBe('error.disk_full');
    const ro = AppError.from(Object.assign(new Error('x'), { code: 'EACCES', path: '/d/f' }));
    expect(ro.toShape()).toMatchObject({ code: 'IO_ERROR', messageCode: 'error.read_only', messageParams: { path: '/d/f' }, message: 'Cannot write to /d/f: it is read-only or access is denied. Choose another folder.' });
    expect(AppError.from(Object.assign(new Error('x'), { code: 'ENOENT', path: '/gone' })).toShape()).toMatchObject({ code: 'NOT_FOUND', messageCode: 'error.file_not_found', message: 'File not found: /gone' });
  });

  it('RemoteError keeps the code and parameters for the renderer', () => {
    const e = new RemoteError(AppErrorShape.parse(new AppError('IO_ERROR', say('error.read_only', { path: '/p' })).toShape()));
    expect(e.messageCode).toBe('error.read_only');
    expect(e.messageParams).toEqual({ path: '/p' });
    expect(e.message).toMatch(/^Cannot write to \/p/);
  });
});

describe('contract: the code fields are additive', () => {
  it('old payloads without codes still parse; bad code fields are refused', () => {
    expect(AppErrorShape.safeParse({ code: 'INTERNAL', message: 'm' }).success).toBe(true);
    expect(AppErrorShape.safeParse({ code: 'INTERNAL', message: 'm', messageCode: '', messageParams: {} }).success).toBe(false);
    expect(AppErrorShape.safeParse({ code: 'INTERNAL', message: 'm', messageCode: 'x.y', messageParams: { a: { nested: 1 } } }).success).toBe(false);
    const problem = { code: 'TOO_LONG', severity: 'error', subject: 'video', message: 'm', limit: null, actual: null, fixes: [] };
    expect(PreflightProblem.safeParse(problem).success).toBe(true);
    expect(PreflightProblem.parse({ ...problem, messageCode: 'preflight.too_long_max', messageParams: { max: 180 } }).messageParams).toEqual({ max: 180 });
    expect(ProviderAttempt.safeParse({ name: 'cpu', label: 'CPU', status: 'used', reason: null }).success).toBe(true);
    expect(ProviderAttempt.parse({ name: 'dml', label: 'DirectML', status: 'skipped', reason: 'r', reasonCode: 'provider.dml_windows_only', reasonParams: {} }).reasonCode).toBe('provider.dml_windows_only');
    const hint = { samples: 1, blurryShare: 0, motionCoverage: 1, medianSharpness: 1, level: 'good', advice: ['a'] };
    expect(QualityHint.safeParse(hint).success).toBe(true);
    expect(QualityHint.parse({ ...hint, adviceCodes: [{ code: 'quality.good', params: {} }] }).adviceCodes).toHaveLength(1);
  });
});
