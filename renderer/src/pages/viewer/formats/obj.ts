/**
 * OBJ (+ MTL): three's OBJLoader builds the geometry and MTLLoader parses the material library, both inside
 * the worker; materials and textures are resolved here so nothing touches the DOM.
 */
import type { Material } from 'three';
import { MTLLoader } from 'three/examples/jsm/loaders/MTLLoader.js';
import { OBJLoader } from 'three/examples/jsm/loaders/OBJLoader.js';
import { ViewerFormatError } from './errors';
import { defaultMaterial, type ModelImage, type PartMaterial, type SceneModel, type TextureRef } from './model';
import type { ImageDecoder, ResourceResolver } from './resources';
import { partsFromObject3D } from './three-scene';

// MTL colours are written in sRGB (three's MTLLoader reads them that way too); materials work in linear
const toLinear = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);

type MtlInfo = Record<string, string | number[] | undefined> & { name?: string };

export interface ObjOptions {
  resolve?: ResourceResolver;
  decodeImage?: ImageDecoder;
  onProgress?: (fraction: number) => void;
}

/** Counts `v` and `f` lines (the file's own vertex and polygon numbers, before OBJLoader expands them). */
export function countObj(text: string): { vertices: number; faces: number } {
  let vertices = 0;
  let faces = 0;
  let lineStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      lineStart = true;
      continue;
    }
    if (lineStart) {
      lineStart = false;
      const next = text.charCodeAt(i + 1);
      if ((next === 32 || next === 9) && c === 118) vertices++; // "v "
      else if ((next === 32 || next === 9) && c === 102) faces++; // "f "
    }
  }
  return { vertices, faces };
}

/** The file name at the end of an MTL map statement (options such as `-s 1 1 1` come first). */
export function mapFileName(value: string): string {
  const words = value.trim().split(/\s+/);
  // options take 1–3 numeric arguments; the file is whatever follows the last option's arguments
  let i = 0;
  while (i < words.length - 1 && words[i]!.startsWith('-')) {
    i++;
    while (i < words.length - 1 && /^-?[\d.]+$/.test(words[i]!)) i++;
    if (i < words.length - 1 && /^(on|off)$/.test(words[i]!)) i++;
  }
  return words.slice(i).join(' ');
}

export async function parseObj(bytes: Uint8Array, opts: ObjOptions = {}): Promise<SceneModel> {
  const text = new TextDecoder().decode(bytes);
  const warnings: string[] = [];
  const counts = countObj(text);
  if (counts.vertices === 0) throw new ViewerFormatError('empty', 'This OBJ file has no vertices ("v" lines).');
  opts.onProgress?.(0.1);

  const infos = new Map<string, MtlInfo>();
  for (const m of text.matchAll(/^mtllib\s+(.+?)\s*$/gm)) {
    const libName = m[1]!;
    const lib = opts.resolve ? await opts.resolve(libName) : null;
    if (!lib) {
      warnings.push(`Material library "${libName}" was not found; the model is shown in grey.`);
      continue;
    }
    const creator = new MTLLoader().parse(new TextDecoder().decode(lib), '');
    for (const [name, info] of Object.entries(creator.materialsInfo as Record<string, MtlInfo>)) infos.set(name, info);
  }
  opts.onProgress?.(0.2);

  const group = new OBJLoader().parse(text);
  opts.onProgress?.(0.7);

  const images: ModelImage[] = [];
  const imageIds = new Map<string, number | null>();
  const textures = new Map<string, Promise<TextureRef | undefined>>();
  const loadTexture = (value: string | number[] | undefined): Promise<TextureRef | undefined> => {
    if (typeof value !== 'string' || !value.trim()) return Promise.resolve(undefined);
    const file = mapFileName(value);
    let p = textures.get(file);
    if (!p) {
      p = (async () => {
        if (!imageIds.has(file)) {
          const data = opts.resolve ? await opts.resolve(file) : null;
          const image = data && opts.decodeImage ? await opts.decodeImage(data, file, true) : null;
          if (!image) warnings.push(`Texture "${file}" was not found or could not be decoded.`);
          imageIds.set(file, image ? images.push(image) - 1 : null);
        }
        const id = imageIds.get(file);
        return id == null ? undefined : { image: id, wrapS: 1000, wrapT: 1000 };
      })();
      textures.set(file, p);
    }
    return p;
  };

  // MTL → PartMaterial, textures resolved before serialising (materialOf is synchronous)
  const materials = new Map<string, PartMaterial>();
  const used = new Set<string>();
  group.traverse((o) => {
    const m = (o as { material?: Material | Material[] }).material;
    for (const mat of Array.isArray(m) ? m : m ? [m] : []) used.add(mat.name);
  });
  for (const name of used) {
    const info = infos.get(name);
    const pm = defaultMaterial(name);
    pm.roughness = 0.9;
    if (info) {
      const kd = info.kd as number[] | undefined;
      if (kd) pm.color = [toLinear(kd[0] ?? 1), toLinear(kd[1] ?? 1), toLinear(kd[2] ?? 1)];
      const ke = info.ke as number[] | undefined;
      if (ke) pm.emissive = [toLinear(ke[0] ?? 0), toLinear(ke[1] ?? 0), toLinear(ke[2] ?? 0)];
      const d = info.d !== undefined ? Number(info.d) : info.tr !== undefined ? 1 - Number(info.tr) : 1;
      if (Number.isFinite(d) && d < 1) {
        pm.opacity = d;
        pm.transparent = true;
      }
      pm.map = await loadTexture(info.map_kd);
      pm.normalMap = await loadTexture(info.norm ?? info.map_bump ?? info.bump);
      pm.emissiveMap = await loadTexture(info.map_ke);
      if (info.map_d && pm.map) pm.alphaTest = 0.5;
    } else if (name && infos.size) {
      warnings.push(`Material "${name}" is not in the material library.`);
    }
    materials.set(name, pm);
  }

  const { parts, stats } = partsFromObject3D(group, {
    materialOf: (m) => {
      const pm = materials.get(m.name) ?? defaultMaterial(m.name);
      // OBJLoader marks vertex colours (the "v x y z r g b" extension) on its own materials
      return (m as { vertexColors?: boolean }).vertexColors ? { ...pm, color: [1, 1, 1] } : pm;
    },
  });
  if (parts.length === 0) throw new ViewerFormatError('empty', 'This OBJ file has vertices but no faces, lines or points to draw.');
  stats.vertices = counts.vertices;
  stats.faces = counts.faces;
  opts.onProgress?.(1);
  return { kind: 'scene', format: 'obj', parts, images, stats, warnings };
}
