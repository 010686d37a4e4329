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
  /** Weak handle on the model's largest array: gone after close + GC when nothing leaks it. */
  probe?: WeakRef<object>;
}

interface Metrics {
  loads: LoadRecord[];
  /** three's renderer.info.memory per slot, after the latest frame. */
  gpu: Record<number, { geometries: number; textures: number }>;
}

function metrics(): Metrics {
  const w = globalThis as unknown as { __krakenViewer?: Metrics };
  w.__krakenViewer ??= { loads: [], gpu: {} };
  return w.__krakenViewer;
}

function store(): LoadRecord[] {
  return metrics().loads;
}

export function recordGpu(slot: number, memory: { geometries: number; textures: number }): void {
  const g = metrics().gpu;
  const cur = g[slot];
  if (!cur || cur.geometries !== memory.geometries || cur.textures !== memory.textures) g[slot] = { geometries: memory.geometries, textures: memory.textures };
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
