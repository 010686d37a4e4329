import { z } from 'zod';
import { AppErrorShape, channel, Id, IsoTime } from './define';

export const JobStatus = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted']);
export type JobStatus = z.infer<typeof JobStatus>;

export const JobProgress = z.object({
  jobId: z.string(),
  /** 0..1 */
  fraction: z.number().min(0).max(1),
  stage: z.string(),
  /** Units per second (frames/s, images/s…), when known. */
  rate: z.number().nullable(),
  unit: z.string().nullable(),
  etaSeconds: z.number().nullable(),
  done: z.number().nullable(),
  total: z.number().nullable(),
});
export type JobProgress = z.infer<typeof JobProgress>;

export const Job = z.object({
  id: z.string(),
  kind: z.string(),
  projectId: Id.nullable(),
  status: JobStatus,
  params: z.unknown(),
  progress: z.number(),
  stage: z.string().nullable(),
  error: AppErrorShape.nullable(),
  result: z.unknown(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  finishedAt: IsoTime.nullable(),
});
export type Job = z.infer<typeof Job>;

const JobRef = z.object({ id: z.string().min(1) }).strict();

export const jobChannels = {
  'jobs.list': channel(
    'Jobs, newest first, optionally of one project or status.',
    z.object({ projectId: Id.optional(), status: z.array(JobStatus).optional(), limit: z.number().int().min(1).max(500).default(100) }).strict(),
    z.array(Job),
  ),
  'jobs.get': channel('One job.', JobRef, Job),
  'jobs.cancel': channel('Cancel a queued or running job.', JobRef, Job),
  'jobs.resume': channel('Resume an interrupted, failed or cancelled job where it stopped.', JobRef, Job),
};
