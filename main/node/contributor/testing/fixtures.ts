/** Test fixtures for contributor jobs: a real ONNX model and PNG inputs with their hashes, a JobSpec naming them, a job folder as the agent lays it out. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { convClassifier, linearClassifier } from '../../inference/testing/onnx-builder';
import type { JobSpec } from '../job-spec';
import type { ContributorJobFile } from '../../../../native-workers/protocol/contributor-protocol';

export const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

export interface Blob {
  sha256: string;
  bytes: Uint8Array;
}

/** A 2-class linear classifier on 2×2 images ("red" when the red channel is bright). */
export function tinyModel(): Blob {
  const feats = 12;
  const red = Array.from({ length: feats }, (_, i) => (i < 4 ? 1 : 0));
  const plain = Array.from({ length: feats }, (_, i) => (i < 4 ? -1 : 0.2));
  const bytes = linearClassifier(2, 2, [red, plain], [0, 0]);
  return { sha256: sha(bytes), bytes };
}

/** A convolutional classifier heavy enough that one image takes a noticeable moment on a CPU (pause/resume tests, the benchmark). */
export function slowModel(size = 96, extra = 2): Blob {
  const bytes = convClassifier(size, 2, [16, 32, 64], 7, extra);
  return { sha256: sha(bytes), bytes };
}

/** `n` distinct small PNGs (each a different colour, so every hash differs). */
export async function pngInputs(n: number, size = 8): Promise<Blob[]> {
  const out: Blob[] = [];
  for (let i = 0; i < n; i++) {
    const rgb = Buffer.alloc(size * size * 3);
    for (let p = 0; p < size * size; p++) {
      rgb[p * 3] = (i * 37) % 256;
      rgb[p * 3 + 1] = (i * 91 + p) % 256;
      rgb[p * 3 + 2] = (i * 13) % 256;
    }
    const bytes = new Uint8Array(await sharp(rgb, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer());
    out.push({ sha256: sha(bytes), bytes });
  }
  return out;
}

export function specFor(model: Blob, inputs: Blob[], patch: Partial<JobSpec> & { inputSize?: [number, number]; labels?: string[] } = {}): JobSpec {
  const { inputSize, labels, ...rest } = patch;
  return {
    jobId: 'j_test1',
    replica: 0,
    kind: 'inference',
    cluster: 'cpu',
    model: { sha256: model.sha256, bytes: model.bytes.length, format: 'onnx', task: 'classification', inputSize: inputSize ?? [2, 2], labels: labels ?? ['red', 'plain'] },
    inputs: inputs.map((i) => ({ sha256: i.sha256, bytes: i.bytes.length, mediaType: 'image/png' })),
    batchSize: 4,
    maxDurationMinutes: 30,
    creditPerInput: 1,
    ...rest,
  };
}

/** Lays out a job folder (blobs/<sha>, job.json) the way the agent does, for running the job process directly. */
export function writeJobFolder(dir: string, spec: JobSpec, blobs: Blob[], extra: Partial<ContributorJobFile> = {}): string {
  fs.mkdirSync(path.join(dir, 'blobs'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'out'), { recursive: true });
  for (const b of blobs) fs.writeFileSync(path.join(dir, 'blobs', b.sha256), b.bytes);
  const file: ContributorJobFile = {
    kind: spec.kind,
    task: spec.model.task,
    model: `blobs/${spec.model.sha256}`,
    inputs: spec.inputs.map((i, index) => ({ index, sha256: i.sha256, file: `blobs/${i.sha256}` })),
    batchSize: spec.batchSize,
    inputSize: spec.model.inputSize,
    labels: spec.model.labels ?? [],
    threads: 1,
    forceCpu: true,
    memoryMb: 2048,
    ...extra,
  };
  fs.writeFileSync(path.join(dir, 'job.json'), JSON.stringify(file));
  return dir;
}
