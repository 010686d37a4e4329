import { describe, expect, it } from 'vitest';
import type { MediaSource } from '../../../../main/common/contract';
import { accountErrorKey, checkPassword, defaultName, deleteErrorKey, emailOk, formatLatency, formatRate, formProblems, mediaFor, parseEpoch, passwordOk, resultKind, urlOk, type JobForm } from './cloud-rules';

const form = (patch: Partial<JobForm> = {}): JobForm => ({ model: 'gs3d', mediaId: 1, imageMediaId: null, name: 'room', epoch: '30', resize: false, deviceType: 'android', ...patch });

describe('password rule', () => {
  it('reports each part on its own', () => {
    expect(checkPassword('')).toEqual({ length: false, upper: false, lower: false, digit: false, special: false });
    expect(checkPassword('abcdefghij')).toEqual({ length: true, upper: false, lower: true, digit: false, special: false });
    expect(checkPassword('ABCDEFGHI1')).toEqual({ length: true, upper: true, lower: false, digit: true, special: false });
    expect(checkPassword('Short1!')).toEqual({ length: false, upper: true, lower: true, digit: true, special: true });
  });
  it('accepts a password with every part and refuses one missing any', () => {
    expect(passwordOk('Abcdefgh1!')).toBe(true);
    expect(passwordOk('Abcdefgh12')).toBe(false); // no special
    expect(passwordOk('abcdefgh1!')).toBe(false); // no upper
    expect(passwordOk('ABCDEFGH1!')).toBe(false); // no lower
    expect(passwordOk('Abcdefghi!')).toBe(false); // no digit
    expect(passwordOk('Abcdef1!')).toBe(false); // 8 characters
  });
  it('does not count white space as the special character', () => {
    expect(checkPassword('Abcdefgh1 ').special).toBe(false);
  });
});

describe('emailOk', () => {
  it('wants something@domain.tld', () => {
    expect(emailOk('me@example.com')).toBe(true);
    expect(emailOk(' me@example.com ')).toBe(true);
    expect(emailOk('me@example')).toBe(false);
    expect(emailOk('me example.com')).toBe(false);
    expect(emailOk('')).toBe(false);
  });
});

describe('job form', () => {
  it('passes a complete gs3d form', () => {
    expect(formProblems(form())).toEqual([]);
  });
  it('wants a media source, a name and an epoch in 1–100', () => {
    expect(formProblems(form({ mediaId: null }))).toEqual(['media']);
    expect(formProblems(form({ name: '   ' }))).toEqual(['name']);
    expect(formProblems(form({ name: 'x'.repeat(101) }))).toEqual(['name']);
    expect(formProblems(form({ epoch: '0' }))).toEqual(['epoch']);
    expect(formProblems(form({ epoch: '101' }))).toEqual(['epoch']);
    expect(formProblems(form({ epoch: '2.5' }))).toEqual(['epoch']);
    expect(formProblems(form({ epoch: '' }))).toEqual(['epoch']);
  });
  it('wants MusePose reference image and ignores the epoch for Decal', () => {
    expect(formProblems(form({ model: 'musepose' }))).toEqual(['image']);
    expect(formProblems(form({ model: 'musepose', imageMediaId: 2 }))).toEqual([]);
    expect(formProblems(form({ model: 'decal', epoch: '' }))).toEqual([]);
  });
  it('parses epochs at the limits', () => {
    expect(parseEpoch('1')).toBe(1);
    expect(parseEpoch(' 100 ')).toBe(100);
    expect(parseEpoch('-1')).toBeNull();
    expect(parseEpoch('1e2')).toBeNull();
  });
});

describe('mediaFor', () => {
  const m = (id: number, kind: 'video' | 'image') => ({ id, kind }) as MediaSource;
  it('offers videos to the video models and images to InstantMesh', () => {
    const media = [m(1, 'video'), m(2, 'image'), m(3, 'video')];
    expect(mediaFor('gs3d', media).map((x) => x.id)).toEqual([1, 3]);
    expect(mediaFor('musepose', media).map((x) => x.id)).toEqual([1, 3]);
    expect(mediaFor('instant-mesh', media).map((x) => x.id)).toEqual([2]);
  });
});

describe('formatting', () => {
  it('names a default item after the file', () => {
    expect(defaultName('/a/b/living room.mp4')).toBe('living room');
    expect(defaultName('C:\\x\\.hidden')).toBe('.hidden');
  });
  it('formats latency and rates', () => {
    expect(formatLatency(12.4)).toBe('12 ms');
    expect(formatLatency(1250)).toBe('1.3 s');
    expect(formatRate(512)).toBe('512 B/s');
    expect(formatRate(3_400_000)).toBe('3.4 MB/s');
    expect(formatRate(250_000)).toBe('250 KB/s');
  });
  it('sorts results into what the viewer opens, images and archives', () => {
    expect(resultKind('a/b/out.PLY')).toBe('model');
    expect(resultKind('x.glb')).toBe('model');
    expect(resultKind('x.obj')).toBe('model');
    expect(resultKind('turn.gif')).toBe('image');
    expect(resultKind('bundle.tar.gz')).toBe('archive');
    expect(resultKind('log.txt')).toBe('other');
  });
});

describe('account errors', () => {
  it('gives sign-in its three sentences', () => {
    expect(accountErrorKey('signIn', 'UNAUTHORIZED')).toBe('wrongPassword');
    expect(accountErrorKey('signIn', 'FORBIDDEN')).toBe('notConfirmed');
    expect(accountErrorKey('signIn', 'CONFLICT')).toBe('google');
  });
  it('says when Atlas cannot be reached, whatever the action', () => {
    expect(accountErrorKey('signIn', 'NETWORK')).toBe('unreachable');
    expect(accountErrorKey('signUp', 'NETWORK')).toBe('unreachable');
  });
  it('maps sign-up 409 and reset 404, and falls back to the service sentence', () => {
    expect(accountErrorKey('signUp', 'CONFLICT')).toBe('emailTaken');
    expect(accountErrorKey('reset', 'NOT_FOUND')).toBe('noSuchUser');
    expect(accountErrorKey('signUp', 'INVALID_INPUT')).toBe('other');
    expect(accountErrorKey('changePassword', 'CONFLICT')).toBe('other');
  });
  it('names the delete refusals', () => {
    expect(deleteErrorKey('FORBIDDEN')).toBe('notYours');
    expect(deleteErrorKey('NOT_FOUND')).toBe('notFound');
    expect(deleteErrorKey('REMOTE')).toBeNull();
  });
});

describe('urlOk', () => {
  it('takes http and https roots only', () => {
    expect(urlOk('http://127.0.0.1:4010')).toBe(true);
    expect(urlOk(' https://atlas.example.com/ ')).toBe(true);
    expect(urlOk('ftp://x')).toBe(false);
    expect(urlOk('atlas.example.com')).toBe(false);
    expect(urlOk('')).toBe(false);
  });
});
