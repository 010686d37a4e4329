/**
 * Turns a three.js object tree built by a loader inside the worker (OBJLoader, GLTFLoader) into plain
 * GeometryParts: world transforms baked into a matrix per part, attributes as tightly packed typed arrays,
 * bounds precomputed. The page rebuilds the meshes from these without walking any array itself.
 */
import type { BufferAttribute, BufferGeometry, InterleavedBufferAttribute, Material, Object3D, Texture } from 'three';
import { boxOf, sphereOf, transformBox, unionBox } from './bounds';
import { emptyStats, type Box, type GeometryPart, type ModelStats, type PartMaterial, type TextureRef } from './model';

type AnyAttribute = BufferAttribute | InterleavedBufferAttribute;

/** A packed Float32Array of an attribute: the loader's own array when it already is one, else a converted copy. */
export function floatsOf(attr: AnyAttribute): Float32Array {
  const a = attr as BufferAttribute;
  if (!(attr as InterleavedBufferAttribute).isInterleavedBufferAttribute && a.array instanceof Float32Array && !a.normalized && a.array.length === a.count * a.itemSize) {
    return a.array;
  }
  const out = new Float32Array(attr.count * attr.itemSize);
  for (let i = 0; i < attr.count; i++) for (let k = 0; k < attr.itemSize; k++) out[i * attr.itemSize + k] = attr.getComponent(i, k);
  return out;
}

function indexOf(geometry: BufferGeometry): Uint32Array | Uint16Array | undefined {
  const idx = geometry.index;
  if (!idx) return undefined;
  const a = idx.array;
  if ((a instanceof Uint16Array || a instanceof Uint32Array) && a.length === idx.count) return a;
  const out = idx.count > 65535 ? new Uint32Array(idx.count) : new Uint16Array(idx.count);
  for (let i = 0; i < idx.count; i++) out[i] = idx.getX(i);
  return out;
}

export interface SerializeOptions {
  materialOf(material: Material): PartMaterial;
}

/** Walks `root` (its world matrices updated here) and returns one part per mesh, point set or line set. */
export function partsFromObject3D(root: Object3D, opts: SerializeOptions): { parts: GeometryPart[]; stats: ModelStats } {
  root.updateMatrixWorld(true);
  const parts: GeometryPart[] = [];
  const stats = emptyStats();
  let box: Box | null = null;
  root.traverse((obj) => {
    const o = obj as Object3D & { geometry?: BufferGeometry; material?: Material | Material[]; isMesh?: boolean; isPoints?: boolean; isLine?: boolean; isInstancedMesh?: boolean; count?: number; instanceMatrix?: BufferAttribute };
    if (!o.geometry || !(o.isMesh || o.isPoints || o.isLine)) return;
    const g = o.geometry;
    const posAttr = g.getAttribute('position') as AnyAttribute | undefined;
    if (!posAttr || posAttr.count === 0) return;
    const position = floatsOf(posAttr);
    const normalAttr = g.getAttribute('normal') as AnyAttribute | undefined;
    const uvAttr = g.getAttribute('uv') as AnyAttribute | undefined;
    const colorAttr = g.getAttribute('color') as AnyAttribute | undefined;
    let color: GeometryPart['color'];
    if (colorAttr && (colorAttr.itemSize === 3 || colorAttr.itemSize === 4)) {
      const raw = (colorAttr as BufferAttribute).array;
      color =
        raw instanceof Uint8Array && (colorAttr as BufferAttribute).normalized && !(colorAttr as InterleavedBufferAttribute).isInterleavedBufferAttribute && raw.length === colorAttr.count * colorAttr.itemSize
          ? { array: raw, itemSize: colorAttr.itemSize }
          : { array: floatsOf(colorAttr), itemSize: colorAttr.itemSize };
    }
    const mats = Array.isArray(o.material) ? o.material : o.material ? [o.material] : [];
    const index = indexOf(g);
    const bounds = boxOf(position);
    const kind: GeometryPart['kind'] = o.isMesh ? 'mesh' : o.isPoints ? 'points' : 'lines';
    let instances: Float32Array | undefined;
    let copies = 1;
    if (o.isInstancedMesh && o.instanceMatrix && o.count) {
      instances = Float32Array.from((o.instanceMatrix.array as Float32Array).subarray(0, o.count * 16));
      copies = o.count;
    }
    const part: GeometryPart = {
      kind,
      name: o.name,
      position,
      normal: normalAttr ? floatsOf(normalAttr) : undefined,
      uv: uvAttr ? floatsOf(uvAttr) : undefined,
      color,
      index,
      matrix: o.matrixWorld.elements.slice(),
      instances,
      materials: mats.length ? mats.map((m) => opts.materialOf(m)) : [],
      groups: Array.isArray(o.material) && g.groups.length ? g.groups.map((gr) => ({ start: gr.start, count: gr.count, materialIndex: gr.materialIndex ?? 0 })) : undefined,
      bounds,
      sphere: sphereOf(position, bounds),
    };
    parts.push(part);
    const drawn = index ? index.length : posAttr.count;
    stats.vertices += posAttr.count * copies;
    if (kind === 'mesh') stats.triangles += Math.floor(drawn / 3) * copies;
    if (kind === 'points') stats.points += posAttr.count * copies;
    if (instances) {
      for (let i = 0; i < copies; i++) {
        const m = new Array<number>(16);
        for (let k = 0; k < 16; k++) m[k] = instances[i * 16 + k]!;
        // instance transforms apply before the object's own
        box = unionBox(box, transformBox(transformBox(bounds, m), part.matrix!));
      }
    } else {
      box = unionBox(box, transformBox(bounds, part.matrix!));
    }
  });
  stats.faces = stats.triangles;
  stats.parts = parts.length;
  if (box) stats.bbox = box;
  return { parts, stats };
}

/** Keeps one entry per distinct texture image (several textures may share a bitmap). */
export class ImageTable<T> {
  readonly images: T[] = [];
  private readonly ids = new Map<unknown, number>();
  add(key: unknown, image: T): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.images.length;
      this.images.push(image);
      this.ids.set(key, id);
    }
    return id;
  }
}

/** A three.js texture as a reference into the image table (undefined when it has no decoded image). */
export function textureRef<T>(tex: Texture | null | undefined, table: ImageTable<T>): TextureRef | undefined {
  const image = tex?.image as T | undefined;
  if (!tex || !image) return undefined;
  const ref: TextureRef = { image: table.add(image, image), wrapS: tex.wrapS, wrapT: tex.wrapT };
  if (tex.repeat.x !== 1 || tex.repeat.y !== 1) ref.repeat = [tex.repeat.x, tex.repeat.y];
  if (tex.offset.x !== 0 || tex.offset.y !== 0) ref.offset = [tex.offset.x, tex.offset.y];
  return ref;
}
