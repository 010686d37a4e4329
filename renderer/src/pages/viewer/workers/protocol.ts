/**
 * Messages between the page and the viewer's workers. Every message carries the request's `seq`, so a
 * late answer to a cancelled load is recognised and dropped.
 */
import type { ViewerErrorCode } from '../formats/errors';
import type { Model } from '../formats/model';

/** Where a model's bytes come from: files the user picked or dropped, or a URL of a data-folder file. */
export type ModelSource =
  | { kind: 'files'; file: File; companions: File[] }
  | { kind: 'url'; url: string; name: string }
  /** Bytes already read by another worker (handed on when the light parser met a scene format). */
  | { kind: 'bytes'; name: string; bytes: ArrayBuffer; companions: File[]; url?: string };

export interface DecoderAssets {
  dracoJs: string;
  dracoWasm: string;
}

export type ParseRequest =
  | { type: 'parse'; seq: number; source: ModelSource; assets: DecoderAssets }
  | { type: 'cancel'; seq: number };

export type LoadStage = 'read' | 'parse';

export interface ParseTimings {
  readMs: number;
  parseMs: number;
}

export type ParseResponse =
  | { type: 'progress'; seq: number; stage: LoadStage; fraction: number }
  | { type: 'done'; seq: number; model: Model; fileBytes: number; fingerprint: string; timings: ParseTimings }
  | { type: 'error'; seq: number; code: ViewerErrorCode | 'cancelled'; message: string }
  /** The light parser (PLY, .splat) met another format: the scene parser takes over these bytes. */
  | { type: 'redirect'; seq: number; name: string; bytes: ArrayBuffer };

export type SortRequest =
  /** `stride` > 1: only splats 0, stride, 2·stride… are drawn (a fixed subset, so nothing flickers). */
  | { type: 'init'; seq: number; centers: Float32Array; count: number; stride: number }
  | { type: 'sort'; seq: number; viewRow: [number, number, number, number]; buffer: Float32Array };

export type SortResponse = { type: 'sorted'; seq: number; order: Float32Array; viewRow: [number, number, number, number] };
