import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../common/app-error';
import { Job as JobShape, type JobProgress } from '../../common/contract';
import { EventBus } from '../event-bus';
import { openDatabase, type Db } from '../store/database';
import { networkError } from '../cloud/errors';
import { JobRunner } from './job-runner';

const open: Db[] = [];
function setup(file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-jobs-')), 'studio.db')) {
  const db = openDatabase(file);
  open.push(db);
  const bus = new EventBus();
  return { db, bus, runner: new JobRunner(db, bus), file };
}
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
});

describe('JobRunner', () => {
  it('returns a running job at once, streams progress and stores the result', async () => {
    const { runner, bus } = setup();
    const seen: JobProgress[] = [];
    bus.on('job.progress', (p) => seen.push(p));
    runner.register<{ n: number }, { doubled: number }>('double', {
      async run(params, ctx) {
        ctx.progress({ fraction: 0.5, stage: 'half', done: 1, total: 2, unit: 'steps' });
        await new Promise((r) => setTimeout(r, 5));
        ctx.progress({ fraction: 1, stage: 'done', done: 2, total: 2, unit: 'steps' });
        return { doubled: params.n * 2 };
      },
    });
    const job = runner.start('double', { n: 21 });
    expect(job.status).toBe('running');
    await runner.idle();
    const done = runner.get(job.id);
    expect(done.status).toBe('completed');
    expect(done.result).toEqual({ doubled: 42 });
    expect(done.progress).toBe(1);
    expect(seen.at(-1)).toMatchObject({ jobId: job.id, fraction: 1, stage: 'done', done: 2, total: 2 });
  });

  it('cancels: the handler sees the abort and the job ends cancelled', async () => {
    const { runner } = setup();
    let sawAbort = false;
    runner.register('wait', {
      run: (_p, ctx) =>
        new Promise((_, reject) => {
          ctx.signal.addEventListener('abort', () => {
            sawAbort = true;
            reject(new AppError('CANCELLED', 'Cancelled'));
          });
        }),
    });
    const job = runner.start('wait', {});
    const cancelled = await runner.cancel(job.id);
    expect(sawAbort).toBe(true);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.finishedAt).not.toBeNull();
  });

  it('records a failure with its error code and calls onSettled', async () => {
    const { runner } = setup();
    const settled: string[] = [];
    runner.register('boom', {
      run: async () => {
        throw new AppError('MEDIA_UNREADABLE', 'bad video');
      },
      onSettled: (j) => settled.push(j.status),
    });
    const job = runner.start('boom', {});
    await runner.idle();
    expect(runner.get(job.id)).toMatchObject({ status: 'failed', error: { code: 'MEDIA_UNREADABLE', message: 'bad video' } });
    expect(settled).toEqual(['failed']);
  });

  it("a failed job keeps its error's code and parameters (stored and read back), so the UI shows it in the creator's language", async () => {
    const { runner, db, file } = setup();
    runner.register('offline', {
      run: async () => {
        throw networkError('atlas', 'unreachable', { origin: 'http://127.0.0.1:3000' });
      },
    });
    const job = runner.start('offline', {});
    await runner.idle();
    const expected = {
      code: 'NETWORK',
      message: 'The Atlas service cannot be reached at http://127.0.0.1:3000. Check the connection and the service address in Settings.',
      messageCode: 'cloud.unreachable_at',
      messageParams: { service: 'atlas', label: 'Atlas service', origin: 'http://127.0.0.1:3000' },
    };
    expect(runner.get(job.id)).toMatchObject({ status: 'failed', error: expected });
    expect(JobShape.parse(runner.get(job.id)).error).toMatchObject(expected);
    db.close();
    expect(setup(file).runner.get(job.id).error).toMatchObject(expected);
  });

  it('after a crash, marks running jobs interrupted, and resume runs them again with resuming=true', async () => {
    const first = setup();
    first.runner.register('slow', { run: () => new Promise(() => undefined) });
    const job = first.runner.start('slow', { step: 3 });
    first.db.close(); // the process "dies" with the job running

    const second = setup(first.file);
    const interrupted: string[] = [];
    let resumedWith: { params: unknown; resuming: boolean } | null = null;
    second.runner.register('slow', {
      run: async (params, ctx) => {
        resumedWith = { params, resuming: ctx.resuming };
        return 'ok';
      },
      onInterrupted: (j) => interrupted.push(j.id),
    });
    const recovered = second.runner.recoverInterrupted();
    expect(recovered.map((j) => j.id)).toEqual([job.id]);
    expect(interrupted).toEqual([job.id]);
    expect(second.runner.get(job.id).status).toBe('interrupted');
    second.runner.resume(job.id);
    await second.runner.idle();
    expect(resumedWith).toEqual({ params: { step: 3 }, resuming: true });
    expect(second.runner.get(job.id).status).toBe('completed');
    expect(() => second.runner.resume(job.id)).toThrow(/already completed/);
  });

  it('lists by project and status, newest first', async () => {
    const { runner, db } = setup();
    const now = new Date().toISOString();
    db.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (7, 'p', ?, ?)`).run(now, now);
    runner.register('noop', { run: async () => null });
    const a = runner.start('noop', {}, 7);
    const b = runner.start('noop', {}, null);
    await runner.idle();
    expect(runner.list({ projectId: 7 }).map((j) => j.id)).toEqual([a.id]);
    expect(runner.list({ status: ['completed'] }).map((j) => j.id)).toEqual([b.id, a.id]);
  });
});

describe('JobRunner.cancel on an interrupted job', () => {
  it('marks it cancelled and lets the kind settle its rows', async () => {
    const first = setup();
    first.runner.register('slow', { run: () => new Promise(() => undefined) });
    const job = first.runner.start('slow', {});
    first.db.close();
    const second = setup(first.file);
    const settled: string[] = [];
    second.runner.register('slow', { run: async () => null, onSettled: (j) => settled.push(j.status) });
    second.runner.recoverInterrupted();
    expect((await second.runner.cancel(job.id)).status).toBe('cancelled');
    expect(settled).toEqual(['cancelled']);
  });
});
