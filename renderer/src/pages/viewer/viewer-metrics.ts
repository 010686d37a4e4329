/**
 * Load timings the end-to-end tests and the benchmark read from the page (`window.__krakenViewer`).
 * Kept out of React state: they are written once per load and once at its first rendered frame.
 */
import type { ModelStats } from './formats/model';
import type { ParseTimings } from './workers/protocol';

export interface LoadRecord {
  slot: number;
  loadId: number;
  name: string;
  startedAt: number;
  parsedAt: number;
  builtAt: number;
  /** performance.now() right after the first frame that contained the model was drawn. */
  firstFrameAt?: number;
  stats: ModelStats;
  timings: ParseTimings;
}

interface MetricsWindow {
  __krakenViewer?: { loads: LoadRecord[] };
}

function store(): LoadRecord[] {
  const w = globalThis as unknown as MetricsWindow;
  w.__krakenViewer ??= { loads: [] };
  return w.__krakenViewer.loads;
}

export function recordLoad(r: LoadRecord): void {
  const loads = store();
  loads.push(r);
  if (loads.length > 50) loads.shift();
}

export function recordFirstFrame(loadId: number): void {
  const r = store().find((x) => x.loadId === loadId);
  if (r && r.firstFrameAt === undefined) r.firstFrameAt = performance.now();
}
