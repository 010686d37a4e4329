import { describe, expect, it, vi } from 'vitest';
import { eventNames } from '../../../main/common/contract';
import { createElectronTransport, type KrakenBridge } from './transport-electron';

describe('createElectronTransport', () => {
  it('calls the named action of the bridge and passes its envelope through', async () => {
    const list = vi.fn(async () => ({ ok: true as const, value: [1] }));
    const bridge: KrakenBridge = { projects: { list }, events: { on: () => () => {} } };
    const t = createElectronTransport(bridge);
    await expect(t.call('projects.list', {})).resolves.toEqual({ ok: true, value: [1] });
    expect(list).toHaveBeenCalledWith({});
  });

  it('answers UNSUPPORTED for an action the shell lacks, and INTERNAL when the bridge throws', async () => {
    const bridge: KrakenBridge = {
      projects: {
        list: async () => {
          throw new Error('boom');
        },
      },
      events: { on: () => () => {} },
    };
    const t = createElectronTransport(bridge);
    await expect(t.call('media.list', { projectId: 1 })).resolves.toMatchObject({ ok: false, error: { code: 'UNSUPPORTED' } });
    await expect(t.call('projects.list', {})).resolves.toEqual({ ok: false, error: { code: 'INTERNAL', message: 'boom' } });
  });

  it('subscribes to every event of the contract and unsubscribes all', () => {
    const offs: string[] = [];
    const handlers = new Map<string, (p: unknown) => void>();
    const bridge: KrakenBridge = {
      events: {
        on: (name, cb) => {
          handlers.set(name, cb);
          return () => offs.push(name);
        },
      },
    };
    const seen: unknown[] = [];
    const off = createElectronTransport(bridge).subscribe((name, p) => seen.push([name, p]));
    expect([...handlers.keys()].sort()).toEqual([...eventNames].sort());
    expect(eventNames).toEqual(expect.arrayContaining(['job.progress', 'job.updated', 'cloud.jobUpdated']));
    handlers.get('job.progress')!({ jobId: 'a' });
    expect(seen).toEqual([['job.progress', { jobId: 'a' }]]);
    off();
    expect(offs.sort()).toEqual([...eventNames].sort());
  });
});
