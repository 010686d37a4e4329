/**
 * Wraps a parsed model's typed arrays in three.js objects on the page thread: no array is walked or
 * copied here (bounds come precomputed), so building a 1M-point cloud costs microseconds and the GPU
 * upload happens during the first render. Everything created here is released by `dispose()`.
 */
import * as THREE from 'three';
import type { GeometryPart, Model, ModelImage, PartMaterial, SceneModel, TextureRef } from '../formats/model';
import { SplatMesh } from './splat-mesh';

export interface ViewerObject {
  /** The model in its own coordinates (the up-axis rotation is applied by the parent). */
  root: THREE.Group;
  kind: Model['kind'];
  /** Full box and the box to frame (they differ for splats with floaters). */
  box: THREE.Box3;
  focus: THREE.Box3;
  hasNormals: boolean;
  hasMeshes: boolean;
  hasPoints: boolean;
  splats: SplatMesh | null;
  setPointSize(px: number): void;
  setWireframe(on: boolean): void;
  setSplatScale(s: number): void;
  /** Line segments showing normals (built on first use, at most `limit` of them). */
  normalsHelper(limit?: number): THREE.Object3D | null;
  dispose(): void;
}

function makeTexture(image: ModelImage): THREE.Texture {
  if (typeof ImageBitmap !== 'undefined' && image instanceof ImageBitmap) {
    const t = new THREE.Texture(image);
    t.flipY = false; // WebGL ignores flipY for bitmaps; the worker decoded them the right way up
    t.needsUpdate = true;
    return t;
  }
  const raw = image as { width: number; height: number; data: Uint8Array };
  const t = new THREE.DataTexture(raw.data, raw.width, raw.height, THREE.RGBAFormat);
  t.needsUpdate = true;
  return t;
}

/** Splats drawn at most on software WebGL (SwiftShader needs ~20 µs of CPU a splat a frame). */
export const SOFTWARE_SPLAT_BUDGET = 50_000;

export function buildViewerObject(model: Model, opts: { splatBudget?: number } = {}): ViewerObject {
  if (model.kind === 'splats') return buildSplats(model, opts.splatBudget);
  return buildScene(model);
}

function buildSplats(model: Extract<Model, { kind: 'splats' }>, budget: number | undefined): ViewerObject {
  const root = new THREE.Group();
  root.name = 'model';
  const mesh = new SplatMesh(model, { maxDrawn: budget });
  root.add(mesh);
  const box = new THREE.Box3(new THREE.Vector3(...model.stats.bbox.min), new THREE.Vector3(...model.stats.bbox.max));
  const focus = new THREE.Box3(new THREE.Vector3(...model.focus.min), new THREE.Vector3(...model.focus.max));
  return {
    root,
    kind: 'splats',
    box,
    focus,
    hasNormals: false,
    hasMeshes: false,
    hasPoints: false,
    splats: mesh,
    setPointSize() {},
    setWireframe() {},
    setSplatScale(s) {
      mesh.splatScale = s;
    },
    normalsHelper: () => null,
    dispose() {
      mesh.dispose();
      root.clear();
    },
  };
}

/**
 * Empties the typed arrays behind geometries: after close, a stray reference to a wrapper (React keeps the
 * previous render's state for a while) must not keep hundreds of megabytes alive.
 */
function releaseArrays(g: THREE.BufferGeometry) {
  for (const attr of [...Object.values(g.attributes), g.index]) {
    if (!attr || (attr as THREE.InterleavedBufferAttribute).isInterleavedBufferAttribute) continue;
    const a = attr as THREE.BufferAttribute;
    a.array = new (a.array.constructor as Float32ArrayConstructor)(0);
  }
}

function buildScene(input: SceneModel): ViewerObject {
  let model: SceneModel | null = input;
  const root = new THREE.Group();
  root.name = 'model';
  const textures = new Map<number, THREE.Texture>();
  const materials: THREE.Material[] = [];
  const pointMaterials: THREE.PointsMaterial[] = [];
  const meshMaterials: (THREE.MeshStandardMaterial | THREE.MeshBasicMaterial)[] = [];
  const geometries: THREE.BufferGeometry[] = [];
  const wrap = (v: number) => (v === 1001 ? THREE.ClampToEdgeWrapping : v === 1002 ? THREE.MirroredRepeatWrapping : THREE.RepeatWrapping);

  const texture = (ref: TextureRef | undefined, srgb: boolean): THREE.Texture | null => {
    if (!ref) return null;
    const image = input.images[ref.image];
    if (!image) return null;
    let base = textures.get(ref.image);
    if (!base) {
      base = makeTexture(image);
      textures.set(ref.image, base);
    }
    // one texture object per use: colour space and transforms differ, the image (and GPU upload) is shared
    const t = base.clone();
    t.colorSpace = srgb ? THREE.SRGBColorSpace : THREE.NoColorSpace;
    t.wrapS = wrap(ref.wrapS);
    t.wrapT = wrap(ref.wrapT);
    if (ref.repeat) t.repeat.set(...ref.repeat);
    if (ref.offset) t.offset.set(...ref.offset);
    t.needsUpdate = true;
    textures.set(-1 - textures.size, t);
    return t;
  };

  const meshMaterial = (pm: PartMaterial, part: GeometryPart): THREE.Material => {
    const common = {
      name: pm.name,
      color: new THREE.Color(...pm.color),
      opacity: pm.opacity,
      transparent: pm.transparent,
      alphaTest: pm.alphaTest,
      side: pm.doubleSided ? THREE.DoubleSide : THREE.FrontSide,
      vertexColors: !!part.color,
      map: texture(pm.map, true),
    };
    const m = pm.unlit
      ? new THREE.MeshBasicMaterial(common)
      : new THREE.MeshStandardMaterial({
          ...common,
          metalness: pm.metalness,
          roughness: pm.roughness,
          emissive: new THREE.Color(...pm.emissive),
          emissiveMap: texture(pm.emissiveMap, true),
          normalMap: texture(pm.normalMap, false),
          roughnessMap: texture(pm.roughnessMap, false),
          metalnessMap: texture(pm.metalnessMap, false),
          flatShading: pm.flatShading || !part.normal,
        });
    meshMaterials.push(m);
    materials.push(m);
    return m;
  };

  let hasNormals = false;
  let hasMeshes = false;
  let hasPoints = false;
  const partObjects: { part: GeometryPart; object: THREE.Object3D }[] = [];
  for (const part of input.parts) {
    const g = new THREE.BufferGeometry();
    g.setAttribute('position', new THREE.BufferAttribute(part.position, 3));
    if (part.normal) g.setAttribute('normal', new THREE.BufferAttribute(part.normal, 3));
    if (part.uv) g.setAttribute('uv', new THREE.BufferAttribute(part.uv, 2));
    if (part.color) g.setAttribute('color', new THREE.BufferAttribute(part.color.array, part.color.itemSize, !(part.color.array instanceof Float32Array)));
    if (part.index) g.setIndex(new THREE.BufferAttribute(part.index, 1));
    for (const gr of part.groups ?? []) g.addGroup(gr.start, gr.count, gr.materialIndex);
    g.boundingBox = new THREE.Box3(new THREE.Vector3(...part.bounds.min), new THREE.Vector3(...part.bounds.max));
    g.boundingSphere = new THREE.Sphere(new THREE.Vector3(...part.sphere.center), part.sphere.radius);
    geometries.push(g);
    hasNormals ||= !!part.normal;

    let object: THREE.Object3D;
    if (part.kind === 'points') {
      hasPoints = true;
      const m = new THREE.PointsMaterial({ size: 2, sizeAttenuation: false, vertexColors: !!part.color, color: part.color ? 0xffffff : 0xc8d0e0 });
        pointMaterials.push(m);
      materials.push(m);
      object = new THREE.Points(g, m);
    } else if (part.kind === 'lines') {
      const m = new THREE.LineBasicMaterial({ vertexColors: !!part.color, color: part.color ? 0xffffff : new THREE.Color(...(part.materials[0]?.color ?? [1, 1, 1])) });
      materials.push(m);
      object = new THREE.LineSegments(g, m);
    } else {
      hasMeshes = true;
      const mats = part.materials.length ? part.materials.map((pm) => meshMaterial(pm, part)) : [meshMaterial({ ...defaultLook }, part)];
      const matArg = part.groups && mats.length > 1 ? mats : mats[0]!;
      if (part.instances) {
        const n = part.instances.length / 16;
        const im = new THREE.InstancedMesh(g, matArg, n);
        im.instanceMatrix.array.set(part.instances);
        im.instanceMatrix.needsUpdate = true;
        object = im;
      } else {
        object = new THREE.Mesh(g, matArg);
      }
    }
    object.name = part.name;
    if (part.matrix) {
      object.matrixAutoUpdate = false;
      object.matrix.fromArray(part.matrix);
    }
    root.add(object);
    partObjects.push({ part, object });
  }

  const box = new THREE.Box3(new THREE.Vector3(...input.stats.bbox.min), new THREE.Vector3(...input.stats.bbox.max));
  let normals: THREE.LineSegments | null = null;
  return {
    root,
    kind: 'scene',
    box,
    focus: box.clone(),
    hasNormals,
    hasMeshes,
    hasPoints,
    splats: null,
    setPointSize(px) {
      for (const m of pointMaterials) m.size = px;
    },
    setWireframe(on) {
      for (const m of meshMaterials) m.wireframe = on;
    },
    setSplatScale() {},
    normalsHelper(limit = 200_000) {
      if (normals || !model) return normals;
      const withNormals = partObjects.filter((p) => p.part.normal);
      const total = withNormals.reduce((n, p) => n + p.part.position.length / 3, 0);
      if (!total) return null;
      const step = Math.max(1, Math.ceil(total / limit));
      const size = box.getSize(new THREE.Vector3()).length() * 0.04;
      const out: number[] = [];
      const v = new THREE.Vector3();
      const n = new THREE.Vector3();
      const nm = new THREE.Matrix3();
      for (const { part, object } of withNormals) {
        object.updateMatrix();
        nm.getNormalMatrix(object.matrix);
        const P = part.position;
        const N = part.normal!;
        for (let i = 0; i < P.length / 3; i += step) {
          v.set(P[i * 3]!, P[i * 3 + 1]!, P[i * 3 + 2]!).applyMatrix4(object.matrix);
          n.set(N[i * 3]!, N[i * 3 + 1]!, N[i * 3 + 2]!).applyMatrix3(nm).normalize().multiplyScalar(size);
          out.push(v.x, v.y, v.z, v.x + n.x, v.y + n.y, v.z + n.z);
        }
      }
      const g = new THREE.BufferGeometry();
      g.setAttribute('position', new THREE.Float32BufferAttribute(out, 3));
      const m = new THREE.LineBasicMaterial({ color: 0x38d9c0 });
      normals = new THREE.LineSegments(g, m);
      normals.name = 'normals';
      geometries.push(g);
      materials.push(m);
      return normals;
    },
    dispose() {
      for (const g of geometries) {
        g.dispose();
        releaseArrays(g);
      }
      for (const m of materials) m.dispose();
      for (const t of textures.values()) t.dispose();
      // the decoded bitmaps hold memory outside the JS heap until closed
      for (const img of model?.images ?? []) if (typeof ImageBitmap !== 'undefined' && img instanceof ImageBitmap) img.close();
      root.clear();
      partObjects.length = 0;
      geometries.length = 0;
      normals = null;
      model = null;
      // closures in this scope share one context with `input`: empty it rather than trust they are gone
      input.parts.length = 0;
      input.images.length = 0;
    },
  };
}

const defaultLook: PartMaterial = {
  name: 'default',
  color: [0.78, 0.8, 0.86],
  opacity: 1,
  transparent: false,
  alphaTest: 0,
  metalness: 0,
  roughness: 0.75,
  emissive: [0, 0, 0],
  doubleSided: true,
  unlit: false,
  flatShading: false,
};
