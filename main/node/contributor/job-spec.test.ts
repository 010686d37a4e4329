/** The JobSpec refuses before anything runs: a path, a URL, an unknown kind/task/format, a bad hash, limits. */
import { describe, expect, it } from 'vitest';
import { checkJobSpec, placeKind } from './job-spec';

const H = 'ab'.repeat(32);
const good = () => ({
  jobId: 'j_1',
  replica: 0,
  kind: 'inference',
  cluster: 'gpu',
  model: { sha256: H, bytes: 100, format: 'onnx', task: 'classification', inputSize: [224, 224], labels: ['cat', 'dog/wolf'] },
  inputs: [{ sha256: 'cd'.repeat(32), bytes: 10, mediaType: 'image/png' }],
  batchSize: 8,
  maxDurationMinutes: 30,
  creditPerInput: 1,
});

describe('checkJobSpec', () => {
  it('accepts the protocol example (labels are free text)', () => {
    expect(checkJobSpec(good())).toMatchObject({ ok: true });
  });

  it('refuses a field naming a path or URL, and says which', () => {
    const withPath = { ...good(), model: { ...good().model, path: '/home/me/.ssh/id_ed25519' } };
    expect(checkJobSpec(withPath)).toEqual({ ok: false, message: 'refused: the field model.path names a path; a job is data only' });
    const withUrl = { ...good(), script: 'https://evil.example/x.js' };
    expect(checkJobSpec(withUrl)).toEqual({ ok: false, message: 'refused: the field script names a URL; a job is data only' });
    const inInput = { ...good(), inputs: [{ ...good().inputs[0], file: '../../etc/passwd' }] };
    expect(checkJobSpec(inInput)).toMatchObject({ ok: false, message: expect.stringMatching(/inputs\.0\.file names a path/) });
    expect(checkJobSpec({ ...good(), extra: 1 })).toEqual({ ok: false, message: 'refused: unknown field extra' });
    expect(placeKind('C:\\Windows')).toBe('path');
    expect(placeKind('file:///etc')).toBe('URL');
    expect(placeKind('cat')).toBeNull();
  });

  it('refuses an unknown kind, task or format', () => {
    expect(checkJobSpec({ ...good(), kind: 'shell' })).toEqual({ ok: false, message: 'refused: unknown kind "shell"' });
    expect(checkJobSpec({ ...good(), model: { ...good().model, task: 'train' } })).toEqual({ ok: false, message: 'refused: unknown model.task "train"' });
    expect(checkJobSpec({ ...good(), model: { ...good().model, format: 'pickle' } })).toEqual({ ok: false, message: 'refused: unknown model.format "pickle"' });
    expect(checkJobSpec({ ...good(), kind: 'embeddings' })).toMatchObject({ ok: false, message: expect.stringMatching(/embedding model/) });
  });

  it('refuses a malformed hash, too many inputs, a batch size outside 1–256, a job id that could be a path', () => {
    expect(checkJobSpec({ ...good(), model: { ...good().model, sha256: 'XYZ' } })).toMatchObject({ ok: false, message: expect.stringMatching(/model\.sha256: a sha256 is 64 lowercase hex/) });
    const many = Array.from({ length: 10_001 }, () => good().inputs[0]);
    expect(checkJobSpec({ ...good(), inputs: many })).toMatchObject({ ok: false, message: expect.stringMatching(/^refused: inputs:/) });
    expect(checkJobSpec({ ...good(), batchSize: 0 }).ok).toBe(false);
    expect(checkJobSpec({ ...good(), batchSize: 257 }).ok).toBe(false);
    expect(checkJobSpec({ ...good(), jobId: '../x' })).toMatchObject({ ok: false, message: expect.stringMatching(/^refused: jobId/) });
    expect(checkJobSpec(null)).toMatchObject({ ok: false });
  });
});
