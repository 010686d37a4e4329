/**
 * Messages between the contributor agent and its job process (native-workers/contributor-job.ts): the job is
 * described by `job.json` in the job folder (only names inside that folder), the process answers with one JSON
 * object per line on stdout. Each finished input is saved as `out/<index>.json` (temp name, then rename) — the
 * checkpoint: a restarted process skips every input whose file exists.
 */

export interface ContributorJobFile {
  kind: 'inference' | 'embeddings';
  task: 'classification' | 'detection' | 'embedding';
  /** Names relative to the job folder. */
  model: string;
  inputs: Array<{ index: number; sha256: string; file: string }>;
  batchSize: number;
  inputSize: [number, number];
  labels: string[];
  threads: number;
  forceCpu: boolean;
  /** Resident memory the process may use before it stops itself (MB). */
  memoryMb: number;
}

export type JobErrorKind = 'model' | 'input' | 'memory' | 'internal';

export type FromContributorJob =
  | { seq: number; type: 'ready'; provider: string; skipped: number }
  | { seq: number; type: 'progress'; done: number; total: number; rssMb: number }
  | { seq: number; type: 'done'; done: number; total: number }
  | { seq: number; type: 'error'; kind: JobErrorKind; message: string };

/** The output of one input as the protocol's result carries it. */
export type JobOutput =
  | { top: Array<{ label: string; index: number; score: number }> }
  | { boxes: Array<{ label: string; score: number; x: number; y: number; w: number; h: number }> }
  | { vector: number[] };

export interface CheckpointFile {
  input: string;
  output: JobOutput;
  ms: number;
}
