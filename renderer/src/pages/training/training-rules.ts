/**
 * The Training page's pure rules (tested without a browser): answers to the chat's questions as the next message,
 * which required questions are still open, the class bins of the dataset builder as the core's sources, the metric
 * series the chart draws, 422 field errors by field, and small formatting helpers.
 */
import type { DatasetSources, VisionMetricPoint, VisionQuestion, VisionTrainingConfig, VisionWorkflow } from '../../../../main/common/contract';

/** The required questions with no answer yet (an answer of spaces is none). */
export function missingRequired(questions: readonly VisionQuestion[], answers: Record<string, string>): VisionQuestion[] {
  return questions.filter((q) => q.required && !(answers[q.id] ?? '').trim());
}

/**
 * The answers as the next chat message: one `field: answer` line per answered question, in the questions' order
 * (the platform's parser reads the field names; a person reading the session reads the same lines).
 */
export function composeAnswers(questions: readonly VisionQuestion[], answers: Record<string, string>): string {
  return questions
    .map((q) => ({ q, a: (answers[q.id] ?? '').trim() }))
    .filter((x) => x.a)
    .map((x) => `${x.q.field}: ${x.a}`)
    .join('\n');
}

/**
 * The answers as the message's `context` too, for a platform that reads structure: `class_names` as a list, a
 * dataset answer also as `dataset_id`, whole numbers as numbers, anything else as typed.
 */
export function answersContext(questions: readonly VisionQuestion[], answers: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const q of questions) {
    const a = (answers[q.id] ?? '').trim();
    if (!a) continue;
    if (q.field === 'class_names') out[q.field] = parseClassList(a);
    else if (/^\d+$/.test(a)) out[q.field] = Number(a);
    else out[q.field] = a;
    if (q.field === 'dataset') out.dataset_id = a;
  }
  return out;
}

/** Class names typed as a list ("치즈, 나비; 츄르" or one per line): trimmed, empty and repeated ones dropped. */
export function parseClassList(text: string): string[] {
  return [...new Set(text.split(/[,;\n、，]/).map((s) => s.trim()).filter(Boolean))];
}

/** What the edited config still lacks before it can start (codes the page translates). */
export function configProblems(c: Pick<VisionTrainingConfig, 'taskType' | 'modelName' | 'classNames' | 'datasetId' | 'hyperparameters'>): string[] {
  const out: string[] = [];
  if (!c.taskType) out.push('task');
  if (!c.modelName?.trim()) out.push('model');
  if (c.classNames.length === 0) out.push('classes');
  if (!c.datasetId?.trim()) out.push('dataset');
  const h = c.hyperparameters;
  if (h.epochs !== undefined && (!Number.isInteger(h.epochs) || h.epochs < 1)) out.push('epochs');
  if (h.batchSize !== undefined && (!Number.isInteger(h.batchSize) || h.batchSize < 1)) out.push('batchSize');
  if (h.learningRate !== undefined && !(h.learningRate > 0)) out.push('learningRate');
  return out;
}

/** One bin of the dataset builder: a class and what was dropped into it. */
export interface ClassBin {
  name: string;
  frameSetIds: number[];
  imageIds: number[];
}

/** The bins as the core's `sources` (a frame set or image in two bins: the later bin wins, as the core does). */
export function binsToSources(bins: readonly ClassBin[]): DatasetSources {
  const frameSets = new Map<number, string>();
  const images = new Map<number, string>();
  for (const b of bins) {
    const name = b.name.trim();
    if (!name) continue;
    for (const id of b.frameSetIds) frameSets.set(id, name);
    for (const id of b.imageIds) images.set(id, name);
  }
  return {
    frameSets: [...frameSets].map(([frameSetId, className]) => ({ frameSetId, className })),
    images: [...images].map(([imageId, className]) => ({ imageId, className })),
  };
}

/** Moves a frame set or image into one bin, out of every other (drag and drop, or the keyboard's "move to"). */
export function assignToBin(bins: readonly ClassBin[], target: number, item: { frameSetId?: number; imageId?: number }): ClassBin[] {
  return bins.map((b, i) => {
    const frameSetIds = b.frameSetIds.filter((id) => id !== item.frameSetId);
    const imageIds = b.imageIds.filter((id) => id !== item.imageId);
    if (i === target) {
      if (item.frameSetId !== undefined) frameSetIds.push(item.frameSetId);
      if (item.imageId !== undefined) imageIds.push(item.imageId);
    }
    return { ...b, frameSetIds, imageIds };
  });
}

/** Problems of the bins before a build: names empty or repeated, a bin with nothing in it (codes + the bin). */
export function binProblems(bins: readonly ClassBin[]): { code: 'noBins' | 'emptyName' | 'duplicateName' | 'emptyBin'; bin?: number }[] {
  if (bins.length === 0) return [{ code: 'noBins' }];
  const out: { code: 'noBins' | 'emptyName' | 'duplicateName' | 'emptyBin'; bin?: number }[] = [];
  const seen = new Set<string>();
  bins.forEach((b, i) => {
    const n = b.name.trim();
    if (!n) out.push({ code: 'emptyName', bin: i });
    else if (seen.has(n)) out.push({ code: 'duplicateName', bin: i });
    seen.add(n);
    if (b.frameSetIds.length === 0 && b.imageIds.length === 0) out.push({ code: 'emptyBin', bin: i });
  });
  return out;
}

/** The chart's data: epochs on x, then one series per metric name (null where an epoch lacks it), epochs ascending. */
export function metricSeries(points: readonly VisionMetricPoint[], names: readonly string[]): [number[], ...(number | null)[][]] {
  const byEpoch = new Map<number, VisionMetricPoint>();
  for (const p of points) byEpoch.set(p.epoch, p);
  const epochs = [...byEpoch.keys()].sort((a, b) => a - b);
  return [epochs, ...names.map((n) => epochs.map((e) => byEpoch.get(e)!.metrics[n] ?? null))];
}

/** Adds incoming points to a list: one per epoch (a later reading of an epoch replaces the earlier), epoch order. */
export function mergePoints(list: readonly VisionMetricPoint[], incoming: readonly VisionMetricPoint[]): VisionMetricPoint[] {
  const byEpoch = new Map(list.map((p) => [p.epoch, p]));
  for (const p of incoming) byEpoch.set(p.epoch, p);
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

/** 422 `details.fieldErrors` of a thrown RemoteError, by field (the first message per field). */
export function fieldErrorsOf(err: unknown): Record<string, string> {
  const d = (err as { details?: { fieldErrors?: unknown } } | null)?.details;
  const out: Record<string, string> = {};
  if (!d || !Array.isArray(d.fieldErrors)) return out;
  for (const fe of d.fieldErrors as { field?: unknown; message?: unknown }[]) {
    if (typeof fe?.field !== 'string') continue;
    // `hyperparameters.epochs` and `epochs` name the same field in the form.
    const key = fe.field.split('.').pop()!.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    out[key] ??= typeof fe.message === 'string' ? fe.message : String(fe.message);
  }
  return out;
}

/** How far a workflow is, 0..1, or null when unknown. */
export function workflowFraction(w: Pick<VisionWorkflow, 'state' | 'percentage' | 'currentEpoch' | 'totalEpochs'>): number | null {
  if (w.state === 'completed') return 1;
  if (w.percentage !== null) return Math.max(0, Math.min(1, w.percentage / 100));
  if (w.currentEpoch !== null && w.totalEpochs) return Math.max(0, Math.min(1, w.currentEpoch / w.totalEpochs));
  return null;
}

/** The share of a limit in use, 0..1 (null when either is unknown). */
export function usageShare(used: number | null, limit: number | null): number | null {
  if (used === null || limit === null || limit <= 0) return null;
  return Math.min(1, used / limit);
}

/** Share of stored results whose top label is the expected class (the offline check of a pulled model). */
export function accuracyOf(results: readonly { expected: string; top: string | null }[]): number {
  if (results.length === 0) return 0;
  return results.filter((r) => r.top === r.expected).length / results.length;
}
