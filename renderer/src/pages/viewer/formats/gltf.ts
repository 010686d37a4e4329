/**
 * GLB / glTF through three's GLTFLoader inside the worker, with Draco (decoder files shipped with the app,
 * never the CDN) and meshopt. External buffers and images are resolved first and handed to the loader as
 * object URLs, so a .gltf picked together with its .bin and textures opens without any path.
 */
import { LoadingManager, Texture, type Material, type MeshBasicMaterial, type MeshStandardMaterial } from 'three';
import { DRACOLoader } from 'three/examples/jsm/loaders/DRACOLoader.js';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { MeshoptDecoder } from 'three/examples/jsm/libs/meshopt_decoder.module.js';
import { ViewerFormatError } from './errors';
import { defaultMaterial, type ModelImage, type PartMaterial, type SceneModel } from './model';
import type { ImageDecoder, ResourceResolver } from './resources';
import { resourceKey } from './resources';
import { ImageTable, partsFromObject3D, textureRef } from './three-scene';

export interface GltfOptions {
  /** Companion files (picked together with a .gltf, or fetched beside a data-folder file). */
  resolve?: ResourceResolver;
  /** Decodes texture bytes (ImageBitmap in the worker). Without it textures are left out. */
  decodeImage?: ImageDecoder;
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

/** Bytes of a base64 `data:` URI (the app's CSP lets no fetch read data: or blob: URLs). */
export function decodeDataUri(uri: string): Uint8Array {
  const comma = uri.indexOf(',');
  const meta = uri.slice(5, comma);
  const body = uri.slice(comma + 1);
  if (!/;base64$/i.test(meta)) return new TextEncoder().encode(decodeURIComponent(body));
  const bin = atob(body);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

type GltfJson = {
  buffers?: { uri?: string; byteLength: number }[];
  bufferViews?: { buffer: number; byteOffset?: number }[];
  images?: { uri?: string; bufferView?: number; mimeType?: string; name?: string }[];
  [k: string]: unknown;
};

/**
 * A .gltf with its buffers (external files or data: URIs) as one GLB, so three's loader needs no fetch at
 * all: the app's content security policy allows fetching only its own origin, and picked files have no URL.
 */
export async function embedGltfBuffers(json: GltfJson, resolve: ResourceResolver | undefined): Promise<Uint8Array> {
  const buffers = json.buffers ?? [];
  const parts: Uint8Array[] = [];
  const offsets: number[] = [];
  let total = 0;
  for (const [i, b] of buffers.entries()) {
    let bytes: Uint8Array | null;
    if (b.uri === undefined) throw new ViewerFormatError('malformed', `Buffer ${i} of this .gltf has no uri.`);
    if (b.uri.startsWith('data:')) bytes = decodeDataUri(b.uri);
    else {
      bytes = resolve ? await resolve(b.uri) : null;
      if (!bytes) throw new ViewerFormatError('read-failed', `"${resourceKey(b.uri)}", which this .gltf needs, was not found. Open the .gltf together with its .bin and texture files.`);
    }
    if (bytes.byteLength < b.byteLength) throw new ViewerFormatError('truncated', `"${resourceKey(b.uri)}" has ${bytes.byteLength} bytes; the .gltf says ${b.byteLength}.`);
    offsets.push(total);
    parts.push(bytes.subarray(0, b.byteLength));
    total += (b.byteLength + 3) & ~3;
  }
  const bin = new Uint8Array(total);
  parts.forEach((p, i) => bin.set(p, offsets[i]!));
  const out: GltfJson = { ...json, buffers: total ? [{ byteLength: total }] : [] };
  out.bufferViews = (json.bufferViews ?? []).map((v) => ({ ...v, buffer: 0, byteOffset: (v.byteOffset ?? 0) + (offsets[v.buffer] ?? 0) }));
  const text = new TextEncoder().encode(JSON.stringify(out));
  const jsonLen = (text.length + 3) & ~3;
  const glb = new Uint8Array(12 + 8 + jsonLen + (total ? 8 + total : 0));
  const v = new DataView(glb.buffer);
  v.setUint32(0, GLB_MAGIC, true);
  v.setUint32(4, 2, true);
  v.setUint32(8, glb.length, true);
  v.setUint32(12, jsonLen, true);
  v.setUint32(16, 0x4e4f534a, true);
  glb.fill(0x20, 20, 20 + jsonLen);
  glb.set(text, 20);
  if (total) {
    v.setUint32(20 + jsonLen, total, true);
    v.setUint32(24 + jsonLen, 0x004e4942, true);
    glb.set(bin, 28 + jsonLen);
  }
  return glb;
}

export async function parseGltf(bytes: Uint8Array, opts: GltfOptions = {}): Promise<SceneModel> {
  const isGlb = bytes.byteLength >= 4 && new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true) === GLB_MAGIC;
  const manager = new LoadingManager();
  const warnings: string[] = [];
  if (isGlb) {
    checkGlbContainer(bytes);
  } else {
    let json: GltfJson;
    try {
      json = JSON.parse(new TextDecoder().decode(bytes)) as GltfJson;
    } catch (e) {
      throw new ViewerFormatError('malformed', `This .gltf is not valid JSON: ${(e as Error).message}`);
    }
    bytes = await embedGltfBuffers(json, opts.resolve);
  }

  const loader = new GLTFLoader(manager);
  loader.setMeshoptDecoder(MeshoptDecoder);
  // images are decoded from bytes we already hold (buffer views, data: URIs, picked files) instead of
  // three's fetch-based image loaders, which the CSP would stop and which do not exist in every worker
  loader.register((parser) => {
    const p = parser as unknown as { json: GltfJson; getDependency(type: 'bufferView', i: number): Promise<ArrayBuffer>; loadImageSource(i: number): Promise<Texture> };
    p.loadImageSource = async (sourceIndex: number) => {
      const def = p.json.images?.[sourceIndex] ?? {};
      const label = def.name ?? def.uri?.slice(0, 60) ?? `image ${sourceIndex}`;
      let data: Uint8Array | null = null;
      if (def.bufferView !== undefined) data = new Uint8Array(await p.getDependency('bufferView', def.bufferView));
      else if (def.uri?.startsWith('data:')) data = decodeDataUri(def.uri);
      else if (def.uri) data = opts.resolve ? await opts.resolve(def.uri) : null;
      const image = data && opts.decodeImage ? await opts.decodeImage(data, label, false) : null;
      if (!image) {
        warnings.push(`Texture "${label}" was not found or could not be decoded.`);
        throw new Error('texture unavailable'); // three leaves this texture out and keeps going
      }
      const texture = new Texture(image as ImageBitmap);
      texture.needsUpdate = true;
      return texture;
    };
    return { name: 'KRAKEN_image_source' };
  });
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
    const gltf = await loader.parseAsync(buffer, '');
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
  }
}
