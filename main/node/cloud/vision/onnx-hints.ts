/**
 * What an exported ONNX file says about itself in its `metadata_props` (ModelProto field 14, the standard place
 * for key/value notes): class names, input size and normalisation, as docs/vision-export-proposal.md asks the
 * platform to write them. Read with protobufjs's low-level Reader over the top-level fields only (the graph is
 * skipped, not decoded). Every key is optional; a file without any is still imported with the studio's defaults.
 */
import fs from 'node:fs';
import { Reader } from 'protobufjs/minimal';
import type { Normalization } from '../../../common/contract/inference';

export interface OnnxHints {
  props: Record<string, string>;
  classNames?: string[];
  inputSize?: { width: number; height: number };
  normalization?: Partial<Normalization>;
}

/** The metadata_props of an .onnx file (key → value). */
export function readMetadataProps(bytes: Uint8Array): Record<string, string> {
  const r = Reader.create(bytes);
  const out: Record<string, string> = {};
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 14 && wire === 2) {
      const end = r.uint32() + r.pos;
      let key = '';
      let value = '';
      while (r.pos < end) {
        const t = r.uint32();
        if (t >>> 3 === 1 && (t & 7) === 2) key = r.string();
        else if (t >>> 3 === 2 && (t & 7) === 2) value = r.string();
        else r.skipType(t & 7);
      }
      if (key) out[key] = value;
    } else {
      r.skipType(wire);
    }
  }
  return out;
}

function list(v: string | undefined): unknown[] | null {
  if (v === undefined) return null;
  try {
    const j = JSON.parse(v) as unknown;
    if (Array.isArray(j)) return j;
  } catch {
    // comma-separated
  }
  const parts = v.split(',').map((s) => s.trim()).filter(Boolean);
  return parts.length ? parts : null;
}

function triple(v: string | undefined): [number, number, number] | undefined {
  const l = list(v)?.map(Number);
  return l && l.length === 3 && l.every(Number.isFinite) ? [l[0]!, l[1]!, l[2]!] : undefined;
}

/** Reads the hints of an .onnx file (null-free: missing keys are left out). */
export async function readOnnxHints(file: string): Promise<OnnxHints> {
  const props = readMetadataProps(await fs.promises.readFile(file));
  const hints: OnnxHints = { props };
  // Both spellings are read: `mean` (the proposal) and `input_mean` (what a platform may prefer).
  const get = (k: string): string | undefined => props[k] ?? props[`input_${k}`];
  const names = list(props.class_names ?? props.labels ?? props.names);
  if (names?.length) hints.classNames = names.map(String);
  const size = list(get('size'))?.map(Number);
  if (size && size.length >= 2 && size[0]! > 0 && size[1]! > 0) hints.inputSize = { height: Math.round(size[0]!), width: Math.round(size[1]!) };
  const n: Partial<Normalization> = {};
  const mean = triple(get('mean'));
  const std = triple(get('std'));
  if (mean) n.mean = mean;
  if (std && std.every((x) => x > 0)) n.std = std;
  const scale = Number(get('scale'));
  if (get('scale') !== undefined && Number.isFinite(scale) && scale > 0) n.scale = scale;
  const layout = get('layout')?.toUpperCase();
  if (layout === 'NCHW' || layout === 'NHWC') n.layout = layout;
  const order = get('channel_order')?.toUpperCase();
  if (order === 'RGB' || order === 'BGR') n.channelOrder = order;
  const resize = get('resize')?.toLowerCase();
  if (resize === 'stretch' || resize === 'letterbox' || resize === 'pad-square') n.resize = resize;
  if (Object.keys(n).length) hints.normalization = n;
  return hints;
}
