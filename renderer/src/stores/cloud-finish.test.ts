import { describe, expect, it } from 'vitest';
import type { CloudJob } from '../../../main/common/contract';
import { createFinishTracker, finishToast } from './cloud-finish';

const job = (state: CloudJob['state'], patch: Partial<CloudJob> = {}): CloudJob =>
  ({
    id: 'j1',
    projectId: 1,
    service: 'atlas',
    model: 'gs3d',
    mediaId: 1,
    imageMediaId: null,
    fields: { itemName: 'chair', epoch: 30, resize: null, deviceType: null },
    state,
    note: null,
    upload: null,
    download: null,
    requestId: 'r1',
    cloudStatus: null,
    results: [],
    error: null,
    outboxId: null,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    finishedAt: null,
    ...patch,
  }) as CloudJob;

describe('finish tracker', () => {
  it('announces a job once when it reaches done, not on later updates', () => {
    const t = createFinishTracker();
    expect(t.see(job('uploading'))).toBeNull();
    expect(t.see(job('processing'))).toBeNull();
    expect(t.see(job('downloading'))).toBeNull();
    expect(t.see(job('done'))).toBe('done');
    expect(t.see(job('done', { updatedAt: '2026-01-01T00:00:09Z' }))).toBeNull();
  });
  it('announces a failure, and again when a retry fails again', () => {
    const t = createFinishTracker();
    expect(t.see(job('uploading'))).toBeNull();
    expect(t.see(job('failed'))).toBe('failed');
    expect(t.see(job('uploading'))).toBeNull();
    expect(t.see(job('failed'))).toBe('failed');
  });
  it('announces a job first seen finished (its events are sent on change only)', () => {
    expect(createFinishTracker().see(job('done'))).toBe('done');
  });
  it('does not announce jobs it already knew finished', () => {
    const t = createFinishTracker();
    t.know([job('done')]);
    expect(t.see(job('done'))).toBeNull();
  });
  it('never announces queued or cancelled', () => {
    const t = createFinishTracker();
    expect(t.see(job('queued'))).toBeNull();
    expect(t.see(job('cancelled'))).toBeNull();
  });
});

describe('finishToast', () => {
  it('names the item on success', () => {
    expect(finishToast(job('done'), 'done')).toEqual({ kind: 'success', titleKey: 'cloud:notify.done', titleValues: { name: 'chair' } });
  });
  it("carries the cloud's code and sentence on failure", () => {
    const t = finishToast(job('failed', { error: { code: 'REMOTE', message: 'Atlas could not train this capture (NG).' } }), 'failed');
    expect(t).toEqual({ kind: 'error', code: 'REMOTE', message: 'chair: Atlas could not train this capture (NG).' });
  });
  it('a coded failure keeps its code, shown after the item name in the creator\'s language', () => {
    const error = { code: 'REMOTE' as const, message: 'Atlas could not generate the model (status NG). Check the input and submit it again.', messageCode: 'atlas.failed_ng', messageParams: {} };
    expect(finishToast(job('failed', { error }), 'failed')).toEqual({
      kind: 'error',
      code: 'REMOTE',
      message: `chair: ${error.message}`,
      coded: { messageCode: 'atlas.failed_ng', messageParams: {}, context: 'chair' },
    });
  });
});
