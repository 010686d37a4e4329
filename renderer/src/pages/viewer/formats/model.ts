/**
 * What every parser produces: plain typed arrays and numbers, so a model crosses from the parse worker to
 * the page without copies (its buffers are transferred) and the page only wraps them in three.js objects.
 */
export type Vec3 = [number, number, number];

export interface Box {
  min: Vec3;
  max: Vec3;
}

export type ModelFormat = 'ply' | 'splat' | 'obj' | 'gltf' | 'glb';

export interface ModelStats {
  /** Vertices as the file counts them (PLY vertex element, OBJ `v` lines, glTF POSITION counts). */
  vertices: number;
  /** Polygons as the file counts them (a PLY quad is one face). */
  faces: number;
  /** Triangles drawn after triangulation. */
  triangles: number;
  /** Points drawn as a point cloud. */
  points: number;
  /** Gaussian splats. */
  splats: number;
  /** Axis-aligned box of everything, in model space. */
  bbox: Box;
  /** Meshes / point sets the model was split into. */
  parts: number;
}

export interface PartMaterial {
  name: string;
  color: Vec3;
  opacity: number;
  transparent: boolean;
  alphaTest: number;
  metalness: number;
  roughness: number;
  emissive: Vec3;
  doubleSided: boolean;
  unlit: boolean;
  flatShading: boolean;
  /** Index into `SceneModel.images`. */
  map?: TextureRef;
  normalMap?: TextureRef;
  emissiveMap?: TextureRef;
  roughnessMap?: TextureRef;
  metalnessMap?: TextureRef;
}

export interface TextureRef {
  image: number;
  /** three.js wrap constants (RepeatWrapping 1000, ClampToEdge 1001, Mirrored 1002). */
  wrapS: number;
  wrapT: number;
  repeat?: [number, number];
  offset?: [number, number];
}

/** Linear vertex colours (three's convention): normalised integers or floats. */
export interface ColorData {
  array: Uint8Array | Uint16Array | Float32Array;
  itemSize: 3 | 4;
}

export interface GeometryPart {
  kind: 'mesh' | 'points' | 'lines';
  name: string;
  position: Float32Array;
  normal?: Float32Array;
  color?: ColorData;
  uv?: Float32Array;
  index?: Uint32Array | Uint16Array;
  /** Column-major 4×4 transform into model space; absent means identity. */
  matrix?: number[];
  /** One transform per instance (16 floats each) for instanced meshes. */
  instances?: Float32Array;
  /** Material per group; a part without groups uses materials[0]. */
  materials: PartMaterial[];
  groups?: { start: number; count: number; materialIndex: number }[];
  /** Local box and bounding sphere, computed off the page thread so three never walks the arrays itself. */
  bounds: Box;
  sphere: { center: Vec3; radius: number };
}

/**
 * A decoded image: an ImageBitmap in the browser (already in the orientation the UVs expect, since WebGL
 * cannot flip bitmaps on upload), raw RGBA elsewhere (tests).
 */
export type ModelImage = ImageBitmap | { width: number; height: number; data: Uint8Array };

export interface SceneModel {
  kind: 'scene';
  format: ModelFormat;
  parts: GeometryPart[];
  images: ModelImage[];
  stats: ModelStats;
  warnings: string[];
}

/**
 * Gaussian splats in the renderer's layout: 8 uint32 words per splat —
 * [0..2] position as float32 bits, [3] RGBA8 (alpha = opacity after the sigmoid),
 * [4] half(sx) | half(sy) << 16, [5] half(sz), [6] half(qw) | half(qx) << 16, [7] half(qy) | half(qz) << 16
 * (linear scales, unit quaternion). 32 bytes a splat, uploaded as an RGBA32UI texture (2 texels a splat).
 */
export interface SplatModel {
  kind: 'splats';
  format: ModelFormat;
  count: number;
  data: Uint32Array;
  /** The box holding the central 96 % of splats on each axis: a better camera target than the full box,
   *  which a few stray floaters can make huge. */
  focus: Box;
  /** Degree of the spherical-harmonics bands the file carried (only band 0, the base colour, is drawn). */
  shDegree: number;
  stats: ModelStats;
  warnings: string[];
}

export type Model = SceneModel | SplatModel;

export const SPLAT_WORDS = 8;

export function emptyStats(): ModelStats {
  return { vertices: 0, faces: 0, triangles: 0, points: 0, splats: 0, bbox: { min: [0, 0, 0], max: [0, 0, 0] }, parts: 0 };
}

/** The buffers and bitmaps to hand to postMessage so the model moves instead of being copied. */
export function transferablesOf(model: Model): Transferable[] {
  const seen = new Set<ArrayBufferLike>();
  const out: Transferable[] = [];
  const add = (a: ArrayBufferView | undefined) => {
    if (!a) return;
    const b = a.buffer;
    if (b instanceof ArrayBuffer && !seen.has(b)) {
      seen.add(b);
      out.push(b);
    }
  };
  if (model.kind === 'splats') {
    add(model.data);
    return out;
  }
  for (const p of model.parts) {
    add(p.position);
    add(p.normal);
    add(p.color?.array);
    add(p.uv);
    add(p.index);
    add(p.instances);
  }
  for (const img of model.images) {
    if (typeof ImageBitmap !== 'undefined' && img instanceof ImageBitmap) out.push(img);
    else add((img as { data: Uint8Array }).data);
  }
  return out;
}

/** Bytes held by a model's arrays (shown in the statistics, and a check that closing frees them). */
export function modelBytes(model: Model): number {
  if (model.kind === 'splats') return model.data.byteLength;
  let n = 0;
  for (const p of model.parts) {
    n += p.position.byteLength + (p.normal?.byteLength ?? 0) + (p.color?.array.byteLength ?? 0) + (p.uv?.byteLength ?? 0);
    n += (p.index?.byteLength ?? 0) + (p.instances?.byteLength ?? 0);
  }
  for (const img of model.images) n += img.width * img.height * 4;
  return n;
}

export function defaultMaterial(name = ''): PartMaterial {
  return {
    name,
    color: [1, 1, 1],
    opacity: 1,
    transparent: false,
    alphaTest: 0,
    metalness: 0,
    roughness: 0.8,
    emissive: [0, 0, 0],
    doubleSided: true,
    unlit: false,
    flatShading: false,
  };
}
