/**
 * GLB / glTF through three's GLTFLoader inside the worker, with Draco (decoder files shipped with the app,
 * never the CDN) and meshopt. External buffers and images are resolved first and handed to the loader as
 * object URLs, so a .gltf picked together with its .bin and textures opens without any path.
 */
import { LoadingManager, type Material, type MeshBasicMaterial, type MeshStandardMaterial } from 'three';
import { DRACOLoader } from 'three/examples/jsm/loaders/DRACOLoader.js';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { MeshoptDecoder } from 'three/examples/jsm/libs/meshopt_decoder.module.js';
import { ViewerFormatError } from './errors';
import { defaultMaterial, type ModelImage, type PartMaterial, type SceneModel } from './model';
import type { ResourceResolver } from './resources';
import { resourceKey } from './resources';
import { ImageTable, partsFromObject3D, textureRef } from './three-scene';

export interface GltfOptions {
  /** Base URL for relative URIs when the model came from a URL (data folder). */
  resourcePath?: string;
  /** Files picked together with a .gltf. */
  resolve?: ResourceResolver;
  /** Where the Draco decoder files are served (the app's own assets). Without it Draco files are refused. */
  draco?: { js: string; wasm: string };
  onProgress?: (fraction: number) => void;
}

const GLB_MAGIC = 0x46546c67;

/** Checks the GLB container before three sees it, so a cut or inconsistent file gets a precise error. */
export function checkGlbContainer(bytes: Uint8Array): void {
  if (bytes.byteLength < 20) throw new ViewerFormatError('truncated', `A GLB file needs at least 20 bytes; this one has ${bytes.byteLength}.`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint32(0, true) !== GLB_MAGIC) throw new ViewerFormatError('malformed', 'This is not a GLB file (no "glTF" magic).');
  const version = v.getUint32(4, true);
  if (version !== 2) throw new ViewerFormatError('unsupported', `GLB version ${version} is not supported (only glTF 2.0).`);
  const declared = v.getUint32(8, true);
  if (declared > bytes.byteLength) throw new ViewerFormatError('truncated', `The GLB header declares ${declared} bytes but the file has ${bytes.byteLength}.`);
  let o = 12;
  while (o < declared) {
    if (o + 8 > declared) throw new ViewerFormatError('header-mismatch', `A GLB chunk header at byte ${o} runs past the declared length.`);
    const len = v.getUint32(o, true);
    if (o + 8 + len > declared) {
      throw new ViewerFormatError(declared === bytes.byteLength ? 'truncated' : 'header-mismatch', `A GLB chunk of ${len} bytes at byte ${o} runs past the end of the file.`);
    }
    o += 8 + len;
  }
}

/** URIs of external (non-data:) buffers and images in a glTF JSON document. */
export function externalUris(json: { buffers?: { uri?: string }[]; images?: { uri?: string }[] }): string[] {
  const uris = [...(json.buffers ?? []), ...(json.images ?? [])].map((x) => x.uri).filter((u): u is string => !!u && !u.startsWith('data:'));
  return [...new Set(uris)];
}

function materialOf(m: Material, table: ImageTable<ModelImage>): PartMaterial {
  const pm = defaultMaterial(m.name);
  const std = m as MeshStandardMaterial;
  const basic = m as MeshBasicMaterial;
  if (std.color) pm.color = [std.color.r, std.color.g, std.color.b];
  pm.opacity = m.opacity;
  pm.transparent = m.transparent;
  pm.alphaTest = m.alphaTest;
  pm.doubleSided = m.side === 2;
  pm.unlit = (m as { isMeshBasicMaterial?: boolean }).isMeshBasicMaterial === true;
  pm.flatShading = (std as { flatShading?: boolean }).flatShading === true;
  if ((std as { isMeshStandardMaterial?: boolean }).isMeshStandardMaterial) {
    pm.metalness = std.metalness;
    pm.roughness = std.roughness;
    pm.emissive = [std.emissive.r * std.emissiveIntensity, std.emissive.g * std.emissiveIntensity, std.emissive.b * std.emissiveIntensity];
    pm.normalMap = textureRef(std.normalMap, table);
    pm.emissiveMap = textureRef(std.emissiveMap, table);
    pm.roughnessMap = textureRef(std.roughnessMap, table);
    pm.metalnessMap = textureRef(std.metalnessMap, table);
  }
  pm.map = textureRef(std.map ?? basic.map, table);
  return pm;
}

export async function parseGltf(bytes: Uint8Array, opts: GltfOptions = {}): Promise<SceneModel> {
  const isGlb = bytes.byteLength >= 4 && new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true) === GLB_MAGIC;
  const objectUrls: string[] = [];
  const manager = new LoadingManager();
  const warnings: string[] = [];
  if (isGlb) {
    checkGlbContainer(bytes);
  } else {
    let json: Parameters<typeof externalUris>[0];
    try {
      json = JSON.parse(new TextDecoder().decode(bytes)) as typeof json;
    } catch (e) {
      throw new ViewerFormatError('malformed', `This .gltf is not valid JSON: ${(e as Error).message}`);
    }
    // files picked together: map each URI the document uses to an object URL of the picked file
    if (opts.resolve && typeof URL.createObjectURL === 'function') {
      const map = new Map<string, string>();
      for (const uri of externalUris(json)) {
        const data = await opts.resolve(uri);
        if (!data) {
          if (!opts.resourcePath) throw new ViewerFormatError('read-failed', `"${resourceKey(uri)}", which this .gltf needs, was not opened with it. Open the .gltf together with its .bin and texture files.`);
          continue;
        }
        const url = URL.createObjectURL(new Blob([data as Uint8Array<ArrayBuffer>]));
        objectUrls.push(url);
        map.set(resourceKey(uri).toLowerCase(), url);
      }
      manager.setURLModifier((url) => {
        const key = resourceKey(url.replace(opts.resourcePath ?? '', '')).toLowerCase();
        return map.get(key) ?? map.get(key.split('/').pop()!) ?? url;
      });
    }
  }

  const loader = new GLTFLoader(manager);
  loader.setMeshoptDecoder(MeshoptDecoder);
  let draco: DRACOLoader | null = null;
  if (opts.draco) {
    draco = new DRACOLoader(manager);
    draco.setDecoderPath(opts.draco);
    draco.setWorkerLimit(1); // the parse worker already runs beside the page; one decoder thread is enough
    loader.setDRACOLoader(draco);
  }
  opts.onProgress?.(0.1);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  try {
    const gltf = await loader.parseAsync(buffer, opts.resourcePath ?? '');
    opts.onProgress?.(0.8);
    const table = new ImageTable<ModelImage>();
    const { parts, stats } = partsFromObject3D(gltf.scene, { materialOf: (m) => materialOf(m, table) });
    if (parts.length === 0) throw new ViewerFormatError('empty', 'This glTF file has no meshes or points to draw.');
    if (gltf.animations.length) warnings.push(`${gltf.animations.length} animation(s) are not played; the model is shown at rest.`);
    opts.onProgress?.(1);
    return { kind: 'scene', format: isGlb ? 'glb' : 'gltf', parts, images: table.images, stats, warnings };
  } catch (e) {
    if (e instanceof ViewerFormatError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    if (/setDRACOLoader|KHR_draco/i.test(msg)) throw new ViewerFormatError('unsupported', 'This file is Draco-compressed and the Draco decoder is not available here.');
    if (/KHR_texture_basisu|KTX2/i.test(msg)) throw new ViewerFormatError('unsupported', 'KTX2 / Basis textures are not supported yet.');
    if (/out of bounds|offset is outside|Invalid typed array length|exceeds/i.test(msg)) throw new ViewerFormatError('header-mismatch', `The glTF data does not match its accessors: ${msg}`);
    throw new ViewerFormatError('malformed', `The glTF file could not be read: ${msg}`);
  } finally {
    draco?.dispose();
    for (const u of objectUrls) URL.revokeObjectURL(u);
  }
}
