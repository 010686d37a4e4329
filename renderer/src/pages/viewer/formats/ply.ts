/**
 * PLY reader for point clouds, meshes and 3D Gaussian splats, ASCII and binary (both byte orders).
 * Written for the parse worker: one pass over a DataView per element, progress every 64k rows, typed
 * errors for files that end early or disagree with their header.
 */
import { boxOf, sphereOf } from './bounds';
import { ViewerFormatError } from './errors';
import { defaultMaterial, emptyStats, type GeometryPart, type Model, type SceneModel } from './model';
import { computeVertexNormals } from './normals';
import { allocSplats, pack3dgs, shDegreeFromRest, splatModel, type Progress } from './splat';

export type PlyScalar = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64';

const scalarAliases: Record<string, PlyScalar> = {
  char: 'int8', int8: 'int8', uchar: 'uint8', uint8: 'uint8', short: 'int16', int16: 'int16', // prettier-ignore
  ushort: 'uint16', uint16: 'uint16', int: 'int32', int32: 'int32', uint: 'uint32', uint32: 'uint32', // prettier-ignore
  float: 'float32', float32: 'float32', double: 'float64', float64: 'float64', // prettier-ignore
};
const scalarSize: Record<PlyScalar, number> = { int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, float32: 4, float64: 8 };

export interface PlyProperty {
  name: string;
  type: PlyScalar;
  /** Set for `property list <countType> <type> <name>`. */
  countType?: PlyScalar;
}
export interface PlyElement {
  name: string;
  count: number;
  properties: PlyProperty[];
}
export interface PlyHeader {
  format: 'ascii' | 'binary_little_endian' | 'binary_big_endian';
  elements: PlyElement[];
  comments: string[];
  /** Byte offset of the body. */
  bodyOffset: number;
}

const MAX_HEADER = 1 << 20;

/** Reads the header; throws `malformed` for anything that is not a well-formed PLY header. */
export function parsePlyHeader(bytes: Uint8Array): PlyHeader {
  const startsWithPly = bytes[0] === 0x70 && bytes[1] === 0x6c && bytes[2] === 0x79 && (bytes[3] === 0x0a || bytes[3] === 0x0d);
  if (!startsWithPly) throw new ViewerFormatError('malformed', 'This is not a PLY file: it does not start with "ply".');
  const limit = Math.min(bytes.length, MAX_HEADER);
  // find "end_header" followed by a line break
  let end = -1;
  const marker = 'end_header';
  outer: for (let i = 0; i + marker.length <= limit; i++) {
    for (let k = 0; k < marker.length; k++) if (bytes[i + k] !== marker.charCodeAt(k)) continue outer;
    let j = i + marker.length;
    while (j < bytes.length && (bytes[j] === 0x20 || bytes[j] === 0x09)) j++;
    if (bytes[j] === 0x0d) j++;
    if (bytes[j] === 0x0a) {
      end = j + 1;
      break;
    }
    if (j >= bytes.length) {
      end = j;
      break;
    }
  }
  if (end < 0) {
    throw new ViewerFormatError(bytes.length < MAX_HEADER ? 'truncated' : 'malformed', 'The PLY header never ends (no "end_header" line).');
  }
  let text = '';
  for (let i = 0; i < end; i++) text += String.fromCharCode(bytes[i]!);
  const lines = text.split(/\r?\n/);
  let format: PlyHeader['format'] | null = null;
  const elements: PlyElement[] = [];
  const comments: string[] = [];
  for (let li = 1; li < lines.length; li++) {
    const line = lines[li]!.trim();
    if (!line) continue;
    const words = line.split(/\s+/);
    const kw = words[0];
    if (kw === 'end_header') break;
    if (kw === 'comment' || kw === 'obj_info') {
      comments.push(line.slice(kw.length).trim());
    } else if (kw === 'format') {
      const f = words[1];
      if (f !== 'ascii' && f !== 'binary_little_endian' && f !== 'binary_big_endian') {
        throw new ViewerFormatError('malformed', `Unknown PLY format "${f ?? ''}".`);
      }
      format = f;
    } else if (kw === 'element') {
      const count = Number(words[2]);
      if (words.length < 3 || !Number.isInteger(count) || count < 0) throw new ViewerFormatError('malformed', `Bad PLY element line: "${line}".`);
      elements.push({ name: words[1]!, count, properties: [] });
    } else if (kw === 'property') {
      const el = elements[elements.length - 1];
      if (!el) throw new ViewerFormatError('malformed', 'A PLY property comes before any element.');
      if (words[1] === 'list') {
        const countType = scalarAliases[words[2] ?? ''];
        const type = scalarAliases[words[3] ?? ''];
        if (!countType || !type || !words[4]) throw new ViewerFormatError('malformed', `Bad PLY list property: "${line}".`);
        el.properties.push({ name: words[4], type, countType });
      } else {
        const type = scalarAliases[words[1] ?? ''];
        if (!type || !words[2]) throw new ViewerFormatError('malformed', `Bad PLY property: "${line}".`);
        el.properties.push({ name: words[2], type });
      }
    } else {
      throw new ViewerFormatError('malformed', `Unexpected PLY header line: "${line}".`);
    }
  }
  if (!format) throw new ViewerFormatError('malformed', 'The PLY header has no "format" line.');
  return { format, elements, comments, bodyOffset: end };
}

/** Reads one value of `type` at `offset`. */
function readScalar(view: DataView, offset: number, type: PlyScalar, le: boolean): number {
  switch (type) {
    case 'int8':
      return view.getInt8(offset);
    case 'uint8':
      return view.getUint8(offset);
    case 'int16':
      return view.getInt16(offset, le);
    case 'uint16':
      return view.getUint16(offset, le);
    case 'int32':
      return view.getInt32(offset, le);
    case 'uint32':
      return view.getUint32(offset, le);
    case 'float32':
      return view.getFloat32(offset, le);
    case 'float64':
      return view.getFloat64(offset, le);
  }
}

/**
 * Row source for one element: binary rows are read in place; ASCII rows are tokenised line by line.
 * `row(i)` returns the element's scalar values (lists expanded into `lists`).
 */
interface RowReader {
  /** Reads the next row into `values` (one number per scalar property) and `lists` (one array per list property). */
  next(values: Float64Array, lists: number[][]): void;
}
type ReaderFactory = (el: PlyElement, wanted?: number[]) => RowReader;

class BinaryReader {
  offset: number;
  constructor(
    readonly view: DataView,
    offset: number,
    readonly le: boolean,
  ) {
    this.offset = offset;
  }
  need(n: number, what: string) {
    if (this.offset + n > this.view.byteLength) {
      throw new ViewerFormatError('truncated', `The PLY file ends inside the ${what} (needs ${this.offset + n} bytes, has ${this.view.byteLength}).`);
    }
  }
  /** `wanted`: indexes of the scalar values the caller reads; fixed-size rows then skip the others. */
  rowReader(el: PlyElement, wanted?: number[]): RowReader {
    const props = el.properties;
    if (wanted && props.every((p) => !p.countType)) {
      const offsets: number[] = [];
      let stride = 0;
      for (const p of props) {
        offsets.push(stride);
        stride += scalarSize[p.type];
      }
      const picks = wanted.map((i) => ({ i, at: offsets[i]!, type: props[i]!.type }));
      const { view, le } = this;
      return {
        next: (values) => {
          this.need(stride, `"${el.name}" element`);
          const base = this.offset;
          for (const k of picks) {
            // the common cases inline; the switch is measurably slower on 1M-row files
            values[k.i] = k.type === 'float32' ? view.getFloat32(base + k.at, le) : k.type === 'uint8' ? view.getUint8(base + k.at) : readScalar(view, base + k.at, k.type, le);
          }
          this.offset = base + stride;
        },
      };
    }
    return {
      next: (values, lists) => {
        let vi = 0;
        let li = 0;
        for (const p of props) {
          if (p.countType) {
            this.need(scalarSize[p.countType], `"${el.name}" element`);
            const n = readScalar(this.view, this.offset, p.countType, this.le);
            this.offset += scalarSize[p.countType];
            const size = scalarSize[p.type];
            this.need(n * size, `"${el.name}" element`);
            const arr = lists[li++]!;
            arr.length = n;
            for (let k = 0; k < n; k++) arr[k] = readScalar(this.view, this.offset + k * size, p.type, this.le);
            this.offset += n * size;
          } else {
            const size = scalarSize[p.type];
            this.need(size, `"${el.name}" element`);
            values[vi++] = readScalar(this.view, this.offset, p.type, this.le);
            this.offset += size;
          }
        }
      },
    };
  }
}

class AsciiReader {
  pos = 0;
  line = 0;
  constructor(readonly text: string) {}
  /** Moves to the first character of the next non-blank line; false at the end of the text. */
  private nextLine(): boolean {
    const t = this.text;
    for (;;) {
      while (this.pos < t.length && (t.charCodeAt(this.pos) === 32 || t.charCodeAt(this.pos) === 9 || t.charCodeAt(this.pos) === 13)) this.pos++;
      if (this.pos >= t.length) return false;
      if (t.charCodeAt(this.pos) === 10) {
        this.pos++;
        this.line++;
        continue;
      }
      return true;
    }
  }
  /** Next number on the current line, or null at the line's end. */
  private token(): number | null {
    const t = this.text;
    while (this.pos < t.length && (t.charCodeAt(this.pos) === 32 || t.charCodeAt(this.pos) === 9 || t.charCodeAt(this.pos) === 13)) this.pos++;
    if (this.pos >= t.length || t.charCodeAt(this.pos) === 10) return null;
    const start = this.pos;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) break;
      this.pos++;
    }
    const v = Number(t.slice(start, this.pos));
    if (Number.isNaN(v) && t.slice(start, this.pos).toLowerCase() !== 'nan') {
      throw new ViewerFormatError('malformed', `"${t.slice(start, this.pos)}" is not a number (body line ${this.line + 1}).`);
    }
    return v;
  }
  rowReader(el: PlyElement): RowReader {
    const props = el.properties;
    const fail = (what: string): never => {
      if (this.pos >= this.text.length) throw new ViewerFormatError('truncated', `The PLY file ends inside the "${el.name}" element.`);
      throw new ViewerFormatError('header-mismatch', `Body line ${this.line + 1} has ${what} than the header's "${el.name}" properties.`);
    };
    return {
      next: (values, lists) => {
        if (!this.nextLine()) throw new ViewerFormatError('truncated', `The PLY file ends before all "${el.name}" rows (${el.count} announced).`);
        let vi = 0;
        let li = 0;
        for (const p of props) {
          if (p.countType) {
            const n = this.token();
            if (n === null) fail('fewer values');
            const arr = lists[li++]!;
            arr.length = n!;
            for (let k = 0; k < n!; k++) {
              const v = this.token();
              if (v === null) fail('fewer values');
              arr[k] = v!;
            }
          } else {
            const v = this.token();
            if (v === null) fail('fewer values');
            values[vi++] = v!;
          }
        }
        if (this.token() !== null) fail('more values');
      },
    };
  }
}

const SPLAT_REQUIRED = ['f_dc_0', 'f_dc_1', 'f_dc_2', 'opacity', 'scale_0', 'scale_1', 'scale_2', 'rot_0', 'rot_1', 'rot_2', 'rot_3'];

/** True when the vertex element has the 3DGS properties (then the file is drawn as splats). */
export function isGaussianPly(header: PlyHeader): boolean {
  const v = header.elements.find((e) => e.name === 'vertex');
  if (!v) return false;
  const names = new Set(v.properties.map((p) => p.name));
  return SPLAT_REQUIRED.every((n) => names.has(n));
}

// sRGB byte → linear 16-bit: three wants linear vertex colours, and 8 bits would band in the shadows
const SRGB_TO_LINEAR16 = Uint16Array.from({ length: 256 }, (_, i) => {
  const c = i / 255;
  return Math.round((c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4) * 65535);
});

/** PLY colours (sRGB bytes, alpha linear) as linear normalised uint16, once, in the worker. */
export function srgbBytesToLinear16(bytes: Uint8Array, itemSize: 3 | 4): Uint16Array {
  const out = new Uint16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = itemSize === 4 && i % 4 === 3 ? bytes[i]! * 257 : SRGB_TO_LINEAR16[bytes[i]!]!;
  return out;
}

/** Parses a whole PLY file into a point cloud, a mesh or splats. */
export function parsePly(bytes: Uint8Array, onProgress?: Progress): Model {
  const header = parsePlyHeader(bytes);
  const vertexEl = header.elements.find((e) => e.name === 'vertex');
  if (!vertexEl) throw new ViewerFormatError('unsupported', 'This PLY file has no "vertex" element.');
  if (vertexEl.count === 0) throw new ViewerFormatError('empty', 'This PLY file has no vertices.');
  const splats = isGaussianPly(header);
  const faceEl = header.elements.find((e) => e.name === 'face');
  const total = header.elements.reduce((n, e) => n + (e === vertexEl || e === faceEl ? e.count : 0), 0) || 1;
  let rowsDone = 0;

  let readerFor: ReaderFactory;
  if (header.format === 'ascii') {
    // latin1 keeps a byte per char; numbers are ASCII anyway
    const text = new TextDecoder('latin1').decode(bytes.subarray(header.bodyOffset));
    const r = new AsciiReader(text);
    readerFor = (el) => r.rowReader(el);
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const r = new BinaryReader(view, header.bodyOffset, header.format === 'binary_little_endian');
    // fixed-size vertex rows: check the whole element fits before reading, so a cut file fails at once
    if (vertexEl.properties.every((p) => !p.countType) && header.elements[0] === vertexEl) {
      const stride = vertexEl.properties.reduce((n, p) => n + scalarSize[p.type], 0);
      r.need(stride * vertexEl.count, `vertex data (${vertexEl.count} × ${stride} bytes)`);
    }
    readerFor = (el, wanted) => r.rowReader(el, wanted);
  }

  const scalarIdx = (el: PlyElement, name: string) => el.properties.filter((p) => !p.countType).findIndex((p) => p.name === name);
  let part: {
    position: Float32Array;
    normal?: Float32Array;
    color?: Uint8Array;
    colorSize: 3 | 4;
    uv?: Float32Array;
  } | null = null;
  let splatData: Uint32Array | null = null;
  let restCount = 0;
  let index: number[] | Uint32Array | null = null;
  let triCount = 0;
  let faceCount = 0;

  for (const el of header.elements) {
    let reader = readerFor(el);
    const scalars = el.properties.filter((p) => !p.countType).length;
    const values = new Float64Array(scalars);
    const lists: number[][] = el.properties.filter((p) => p.countType).map(() => []);
    if (el === vertexEl) {
      const n = el.count;
      const ix = scalarIdx(el, 'x'), iy = scalarIdx(el, 'y'), iz = scalarIdx(el, 'z'); // prettier-ignore
      if (ix < 0 || iy < 0 || iz < 0) throw new ViewerFormatError('unsupported', 'The PLY vertices have no x, y, z.');
      if (splats) {
        const k = SPLAT_REQUIRED.map((name) => scalarIdx(el, name));
        restCount = el.properties.filter((p) => p.name.startsWith('f_rest_')).length;
        reader = readerFor(el, [ix, iy, iz, ...k]);
        splatData = allocSplats(n);
        for (let i = 0; i < n; i++) {
          reader.next(values, lists);
          pack3dgs(splatData, i, values[ix]!, values[iy]!, values[iz]!, values[k[0]!]!, values[k[1]!]!, values[k[2]!]!, values[k[3]!]!, values[k[4]!]!, values[k[5]!]!, values[k[6]!]!, values[k[7]!]!, values[k[8]!]!, values[k[9]!]!, values[k[10]!]!); // prettier-ignore
          if ((++rowsDone & 0xffff) === 0) onProgress?.(rowsDone / total);
        }
        continue;
      }
      const inx = scalarIdx(el, 'nx'), iny = scalarIdx(el, 'ny'), inz = scalarIdx(el, 'nz'); // prettier-ignore
      const colorName = (c: string) => (scalarIdx(el, c) >= 0 ? c : scalarIdx(el, `diffuse_${c}`) >= 0 ? `diffuse_${c}` : null);
      const cr = colorName('red'), cg = colorName('green'), cb = colorName('blue'), ca = colorName('alpha'); // prettier-ignore
      const ir = cr ? scalarIdx(el, cr) : -1, ig = cg ? scalarIdx(el, cg) : -1, ib = cb ? scalarIdx(el, cb) : -1; // prettier-ignore
      const ia = ca ? scalarIdx(el, ca) : -1;
      const colorType = cr ? el.properties.find((p) => p.name === cr)!.type : 'uint8';
      // float colours are 0..1; integer colours 0..255 (uint16 ones 0..65535)
      const colorScale = colorType === 'float32' || colorType === 'float64' ? 255 : colorType === 'uint16' ? 255 / 65535 : 1;
      const iu = ['s', 'u', 'texture_u'].map((nm) => scalarIdx(el, nm)).find((i) => i >= 0) ?? -1;
      const iv = ['t', 'v', 'texture_v'].map((nm) => scalarIdx(el, nm)).find((i) => i >= 0) ?? -1;
      const hasNormal = inx >= 0 && iny >= 0 && inz >= 0;
      const hasColor = ir >= 0 && ig >= 0 && ib >= 0;
      const colorSize: 3 | 4 = ia >= 0 ? 4 : 3;
      part = {
        position: new Float32Array(n * 3),
        normal: hasNormal ? new Float32Array(n * 3) : undefined,
        color: hasColor ? new Uint8Array(n * colorSize) : undefined,
        colorSize,
        uv: iu >= 0 && iv >= 0 ? new Float32Array(n * 2) : undefined,
      };
      const { position, normal, color, uv } = part;
      reader = readerFor(el, [ix, iy, iz, ...(hasNormal ? [inx, iny, inz] : []), ...(hasColor ? [ir, ig, ib] : []), ...(ia >= 0 ? [ia] : []), ...(uv ? [iu, iv] : [])]);
      for (let i = 0; i < n; i++) {
        reader.next(values, lists);
        position[i * 3] = values[ix]!;
        position[i * 3 + 1] = values[iy]!;
        position[i * 3 + 2] = values[iz]!;
        if (normal) {
          normal[i * 3] = values[inx]!;
          normal[i * 3 + 1] = values[iny]!;
          normal[i * 3 + 2] = values[inz]!;
        }
        if (color) {
          const o = i * colorSize;
          color[o] = Math.round(values[ir]! * colorScale);
          color[o + 1] = Math.round(values[ig]! * colorScale);
          color[o + 2] = Math.round(values[ib]! * colorScale);
          if (colorSize === 4) color[o + 3] = Math.round(values[ia]! * colorScale);
        }
        if (uv) {
          uv[i * 2] = values[iu]!;
          uv[i * 2 + 1] = values[iv]!;
        }
        if ((++rowsDone & 0xffff) === 0) onProgress?.(rowsDone / total);
      }
    } else if (el === faceEl) {
      const li = el.properties.filter((p) => p.countType).findIndex((p) => p.name === 'vertex_indices' || p.name === 'vertex_index');
      if (li < 0) throw new ViewerFormatError('unsupported', 'The PLY faces have no vertex_indices list.');
      const nv = vertexEl.count;
      let idx = new Uint32Array(Math.max(16, el.count * 3));
      for (let f = 0; f < el.count; f++) {
        reader.next(values, lists);
        const poly = lists[li]!;
        faceCount++;
        for (const v of poly) {
          if (!(v >= 0 && v < nv)) {
            throw new ViewerFormatError('header-mismatch', `Face ${f} uses vertex ${v}, but the header declares only ${nv} vertices.`);
          }
        }
        // a fan: fine for the convex polygons scanners write
        for (let k = 1; k + 1 < poly.length; k++) {
          if ((triCount + 1) * 3 > idx.length) {
            const grown = new Uint32Array(idx.length * 2);
            grown.set(idx);
            idx = grown;
          }
          idx[triCount * 3] = poly[0]!;
          idx[triCount * 3 + 1] = poly[k]!;
          idx[triCount * 3 + 2] = poly[k + 1]!;
          triCount++;
        }
        if ((++rowsDone & 0xffff) === 0) onProgress?.(rowsDone / total);
      }
      index = idx.subarray(0, triCount * 3);
    } else {
      // other elements (edges, materials, camera) are read past and ignored
      for (let i = 0; i < el.count; i++) reader.next(values, lists);
    }
  }
  onProgress?.(1);

  if (splatData) return splatModel('ply', splatData, vertexEl.count, shDegreeFromRest(restCount));

  const p = part!;
  const isMesh = triCount > 0;
  const nv = vertexEl.count;
  const index32 = index ? (index as Uint32Array) : undefined;
  const compactIndex = index32 ? (nv <= 65535 ? Uint16Array.from(index32) : index32.slice()) : undefined;
  const normal = p.normal ?? (isMesh ? computeVertexNormals(p.position, index32) : undefined);
  const bounds = boxOf(p.position);
  const geometry: GeometryPart = {
    kind: isMesh ? 'mesh' : 'points',
    name: vertexEl.name,
    position: p.position,
    normal,
    color: p.color ? { array: srgbBytesToLinear16(p.color, p.colorSize), itemSize: p.colorSize } : undefined,
    uv: p.uv,
    index: compactIndex,
    materials: [{ ...defaultMaterial('ply'), color: p.color ? [1, 1, 1] : [0.78, 0.8, 0.86] }],
    bounds,
    sphere: sphereOf(p.position, bounds),
  };
  const stats = {
    ...emptyStats(),
    vertices: nv,
    faces: faceCount,
    triangles: triCount,
    points: isMesh ? 0 : nv,
    bbox: bounds,
    parts: 1,
  };
  const model: SceneModel = { kind: 'scene', format: 'ply', parts: [geometry], images: [], stats, warnings: [] };
  return model;
}
