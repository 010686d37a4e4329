/**
 * The creator's own studio work: running extraction and local inference jobs (the job runner) and the viewer
 * sessions the renderer reports through `contributor.viewerSessionStart/Stop`.
 */
import { randomUUID } from 'node:crypto';
import type { EventBus } from '../../event-bus';
import type { JobRunner } from '../../jobs/job-runner';
import type { OwnWork } from '../policy';
import { ChangeSignal, type OwnWorkSource } from './types';

/** Job kinds that are the creator's own heavy work (others — exports, downloads — do not compete for the GPU). */
export function ownWorkKind(kind: string): keyof OwnWork | null {
  if (kind === 'frames.extract' || kind === 'media.fix' || kind.endsWith('.extract')) return 'extraction';
  if (kind === 'inference.run' || kind.startsWith('inference.')) return 'inference';
  return null;
}

export class StudioOwnWork implements OwnWorkSource {
  readonly changed = new ChangeSignal();
  private readonly viewers = new Set<string>();
  private readonly off: () => void;

  constructor(
    private readonly jobs: Pick<JobRunner, 'list'> | null,
    bus?: Pick<EventBus, 'on'>,
  ) {
    this.off = bus ? bus.on('job.updated', (job) => (ownWorkKind(job.kind) ? this.changed.fire() : undefined)) : () => {};
  }

  current(): OwnWork {
    const w: OwnWork = { extraction: 0, inference: 0, viewer: this.viewers.size, other: 0 };
    for (const job of this.jobs?.list({ status: ['running'] }) ?? []) {
      const k = ownWorkKind(job.kind);
      if (k) w[k] = (w[k] ?? 0) + 1;
    }
    return w;
  }

  viewerStart(): string {
    const id = randomUUID();
    this.viewers.add(id);
    this.changed.fire();
    return id;
  }

  viewerStop(id: string): number {
    if (this.viewers.delete(id)) this.changed.fire();
    return this.viewers.size;
  }

  close(): void {
    this.off();
  }
}
