/**
 * `kraken infer --model <id> --frame-set <id> [--remaining] [--force-cpu] [--batch <n>] [--json]`
 * Runs a library model over a studio frame set through the studio's own inference service: the same
 * persisted job, worker and run store as the Models page, so the run and its results show up there.
 */
import { AppError } from '../../common/app-error';
import type { RunPlan, RunSummary } from '../../common/contract/inference';
import { progressLine, UsageError, type CliIo } from '../cli-io';
import { withService } from './models';

export interface SetRunOptions {
  dataDir: string;
  model: string;
  frameSetId: number;
  remaining: boolean;
  /** Undefined: the studio's saved preference. */
  forceCpu?: boolean;
  batch?: number;
  json: boolean;
}

/** Runs the model over the frame set and waits for it; returns the exit code (1 when any image failed). */
export function runInferOnSet(o: SetRunOptions, io: CliIo): Promise<number> {
  return withService(
    o.dataDir,
    async (s, { jobs, bus }) => {
      const set = s.runs.frameSets().find((f) => f.id === o.frameSetId);
      if (!set) throw new AppError('NOT_FOUND', `No frame set ${o.frameSetId} in ${o.dataDir}; \`kraken sets\` lists them.`);
      if (set.images === 0) throw new AppError('INVALID_INPUT', `Frame set ${o.frameSetId} has no frames (its extraction is ${set.status}).`);
      const model = await s.getModel(o.model);
      const forceCpu = s.forceCpu();
      const mode = o.remaining ? 'remaining' : 'all';
      const request = { projectId: set.projectId, modelId: model.id, frameSetId: set.id, mode } as const;
      const plan = await s.planRun(request);
      const head = {
        dataDir: o.dataDir,
        projectId: set.projectId,
        frameSetId: set.id,
        mode,
        model: { id: model.id, name: model.name, task: model.task, runtime: model.runtime, source: model.source, sha256: model.sha256, licence: model.licence },
        forceCpu,
        plan,
      };
      if (plan.toProcess === 0) {
        if (o.json) io.out(JSON.stringify({ ...head, runId: null, provider: null, attempts: [], fallbackReasons: [], summary: null }, null, 2));
        else io.out(nothingToDo(plan, model.id, set.id));
        return 0;
      }

      const { jobId, runId } = await s.startRun({ ...request, batchSize: o.batch });
      const showProgress = io.interactive && !o.json;
      const offProgress = bus.on('job.progress', (p) => {
        if (showProgress && p.jobId === jobId && p.total) {
          io.err(progressLine(p.fraction, `${p.done ?? 0}/${p.total} images${p.rate ? `, ${p.rate.toFixed(1)}/s` : ''} (${p.stage})`.padEnd(48)));
        }
      });
      // Ctrl+C cancels the run as the Models page's Cancel does: finished results stay, the rest remains.
      const onAbort = () => void jobs.cancel(jobId);
      io.signal.addEventListener('abort', onAbort, { once: true });
      if (io.signal.aborted) onAbort();
      try {
        await jobs.idle();
      } finally {
        io.signal.removeEventListener('abort', onAbort);
        offProgress();
        if (showProgress) io.err('\n');
      }

      const job = jobs.get(jobId);
      const run = s.runs.get(runId);
      if (job.status === 'cancelled') {
        throw new AppError(
          'CANCELLED',
          `Cancelled after ${run.done + run.failed} of ${run.total} images; their results are kept in run ${runId}. \`kraken infer --model ${model.id} --frame-set ${set.id} --remaining\` does the rest.`,
        );
      }
      if (job.status !== 'completed') {
        const e = job.error ?? { code: 'INTERNAL' as const, message: `The run ended ${job.status}.` };
        throw new AppError(e.code, `Run ${runId} failed: ${e.message}`, e.details);
      }
      const summary = s.summary(runId);
      if (o.json) {
        io.out(
          JSON.stringify(
            {
              ...head,
              runId,
              /** The execution provider or backend that ran, and every one considered: used / failed / skipped, with the reason. */
              provider: run.provider,
              attempts: run.attempts,
              fallbackReasons: run.attempts.filter((a) => a.status === 'failed' || a.status === 'skipped').map((a) => `${a.name}: ${a.reason}`),
              summary,
            },
            null,
            2,
          ),
        );
      } else {
        for (const n of run.notices) io.err(n);
        for (const l of describeRun(summary)) io.out(l);
      }
      return run.failed > 0 ? 1 : 0;
    },
    { forceCpu: o.forceCpu },
  );
}

/** Parses `--frame-set`: a positive whole number. */
export function parseSetId(value: string): number {
  const id = Number(value);
  if (!Number.isInteger(id) || id < 1) throw new UsageError('--frame-set takes a frame set id (a number; `kraken sets` lists them).');
  return id;
}

function nothingToDo(plan: RunPlan, modelId: string, setId: number): string {
  const busy = plan.inProgress ? `, ${plan.inProgress} being done by a running run` : '';
  return `Nothing to do: ${plan.withResult} of ${plan.inScope} images of frame set ${setId} already have a result from ${modelId}${busy}.`;
}

/** A few lines a person can read; the Models page shows the rest. */
function describeRun(s: RunSummary): string[] {
  const r = s.run;
  const rate = s.imagesPerSecond ? ` (${s.imagesPerSecond.toFixed(1)} images/s)` : '';
  const lines = [
    `run ${r.id}: ${r.done} of ${r.total} images done${r.failed ? `, ${r.failed} failed` : ''}${r.skipped ? `, ${r.skipped} skipped (already had a result)` : ''} in ${r.seconds.toFixed(2)} s on ${r.provider ?? 'nothing'}${rate}`,
  ];
  if (s.classCounts.length) lines.push(`found: ${s.classCounts.map((c) => `${c.label} ${c.count}`).join(', ')}`);
  else if (r.task === 'pose' || r.task === 'ocr-det') lines.push(`${r.task === 'pose' ? 'people' : 'text lines'} found: ${s.objectCount}`);
  for (const e of s.errors) lines.push(`${e.count} × ${e.code}: ${e.example}`);
  return lines;
}
