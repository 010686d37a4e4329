import { describe, expect, it } from 'vitest';
import { encoderMissing, writeMeshoptGlb } from '../fixtures/compressed-glb';
import { makeBox, makeSplats, packGlb, writeGaussianPly, writeGlb, writeObj, writeSplatFile, writeTinyPng } from '../fixtures/fixture-writer';
import { detectFormat } from './detect';
import { ViewerFormatError } from './errors';
import { fromHalf, toHalf } from './half-float';
import { SPLAT_WORDS, transferablesOf, type ModelImage, type SceneModel, type SplatModel } from './model';
import { countObj, mapFileName } from './obj';
import { parseModel } from './parse-model';
import { filesResolver } from './resources';

const bytesOf = (s: string) => new TextEncoder().encode(s);



async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return e instanceof ViewerFormatError ? e.code : `foreign: ${String(e)}`;
  }
  return 'no error';
}

describe('half floats', () => {
  it('round-trips normal, subnormal and extreme values', () => {
    for (const v of [0, 1, -1, 0.5, 0.333, 1e-3, 2e-5, 2 ** -24, 65504]) expect(fromHalf(toHalf(v)) / (v || 1)).toBeCloseTo(v ? 1 : 0, 2);
    expect(fromHalf(toHalf(1e6))).toBe(Infinity);
    expect(fromHalf(toHalf(1e-9))).toBe(0);
  });
});

describe('.splat files', () => {
  it('match the 3DGS PLY of the same splats', async () => {
    const s = makeSplats(300);
    const a = (await parseModel('a.splat', writeSplatFile(s))) as SplatModel;
    const b = (await parseModel('a.ply', writeGaussianPly(s))) as SplatModel;
    expect(a.kind).toBe('splats');
    expect(a.count).toBe(300);
    expect(a.stats.splats).toBe(300);
    const fa = new Float32Array(a.data.buffer);
    const fb = new Float32Array(b.data.buffer);
    for (let i = 0; i < 300; i++) {
      for (let k = 0; k < 3; k++) expect(fa[i * SPLAT_WORDS + k]).toBe(fb[i * SPLAT_WORDS + k]);
      // colour bytes equal; quaternions agree to the .splat file's 8-bit precision
      expect(a.data[i * SPLAT_WORDS + 3]! & 0xffffff).toBe(b.data[i * SPLAT_WORDS + 3]! & 0xffffff);
      expect(Math.abs((a.data[i * SPLAT_WORDS + 3]! >>> 24) - (b.data[i * SPLAT_WORDS + 3]! >>> 24))).toBeLessThanOrEqual(1);
      const qa = fromHalf(a.data[i * SPLAT_WORDS + 6]! & 0xffff);
      const qb = fromHalf(b.data[i * SPLAT_WORDS + 6]! & 0xffff);
      expect(Math.abs(qa - qb)).toBeLessThan(0.03);
    }
    expect(a.stats.bbox).toEqual(b.stats.bbox);
    // the focus box lies inside the full box
    for (const k of [0, 1, 2]) {
      expect(a.focus.min[k]).toBeGreaterThanOrEqual(a.stats.bbox.min[k]!);
      expect(a.focus.max[k]).toBeLessThanOrEqual(a.stats.bbox.max[k]!);
    }
  });

  it('a length that is not a multiple of 32 is "truncated"; an empty file is "empty"', async () => {
    const f = writeSplatFile(makeSplats(4));
    expect(await codeOf(parseModel('x.splat', f.subarray(0, 100)))).toBe('truncated');
    expect(await codeOf(parseModel('x.splat', new Uint8Array()))).toBe('empty');
  });

  it('moves its single buffer on transfer', async () => {
    const m = await parseModel('x.splat', writeSplatFile(makeSplats(4)));
    expect(transferablesOf(m)).toEqual([(m as SplatModel).data.buffer]);
  });
});

describe('format detection', () => {
  it('trusts signatures over names and names where there is no signature', () => {
    expect(detectFormat('scan.PLY', bytesOf('ply\nformat'))).toBe('ply');
    expect(detectFormat('no-extension', bytesOf('ply\r\nformat'))).toBe('ply');
    expect(detectFormat('model.bin', bytesOf('glTF\x02\0\0\0'))).toBe('glb');
    expect(detectFormat('model.gltf', bytesOf('\uFEFF  {"asset":{}}'))).toBe('gltf');
    expect(detectFormat('a.splat', new Uint8Array(32))).toBe('splat');
    expect(detectFormat('a.obj', bytesOf('v 0 0 0'))).toBe('obj');
  });
  it('gives typed errors for unknown and mislabelled files', () => {
    const code = (name: string, b: Uint8Array) => {
      try {
        detectFormat(name, b);
        return 'none';
      } catch (e) {
        return (e as ViewerFormatError).code;
      }
    };
    expect(code('photo.jpg', new Uint8Array([0xff, 0xd8, 0xff]))).toBe('unknown-format');
    expect(code('fake.ply', bytesOf('hello'))).toBe('malformed');
    expect(code('fake.glb', bytesOf('{}'))).toBe('malformed');
    expect(code('fake.gltf', bytesOf('glb?'))).toBe('malformed');
    expect(code('empty.obj', new Uint8Array())).toBe('empty');
  });
});

describe('OBJ + MTL', () => {
  const box = makeBox(2, 1, 0.5);
  it('counts the file’s vertices and polygons and finds the material library and texture', async () => {
    const { obj, mtl } = writeObj(box, { name: 'orange', color: [1, 0.5, 0], texture: 'tex.png' });
    const decoded: string[] = [];
    const files = [
      { name: 'model.mtl', bytes: async () => bytesOf(mtl!) },
      { name: 'TEX.PNG', bytes: async () => writeTinyPng() },
    ];
    const m = (await parseModel('model.obj', bytesOf(obj), {
      resolve: filesResolver(files),
      decodeImage: async (bytes, name, flipY) => {
        decoded.push(`${name}:${flipY}:${bytes[1] === 0x50 ? 'png' : '?'}`);
        return { width: 2, height: 2, data: new Uint8Array(16) } satisfies ModelImage;
      },
    })) as SceneModel;
    expect(m.stats).toMatchObject({ vertices: 8, faces: 6, triangles: 12, points: 0 });
    expect(m.stats.bbox).toEqual({ min: [0, 0, 0], max: [2, 1, 0.5] });
    expect(m.parts).toHaveLength(1);
    const part = m.parts[0]!;
    expect(part.kind).toBe('mesh');
    expect(part.uv).toBeDefined();
    expect(part.normal).toBeDefined(); // OBJLoader gives face normals when the file has none
    expect(part.materials[0]).toMatchObject({ name: 'orange', map: { image: 0 } });
    // Kd is sRGB in the file, linear in the material
    expect(part.materials[0]!.color[0]).toBe(1);
    expect(part.materials[0]!.color[1]).toBeCloseTo(0.214, 3);
    expect(part.materials[0]!.color[2]).toBe(0);
    expect(decoded).toEqual(['tex.png:true:png']);
    expect(m.images).toHaveLength(1);
    expect(m.warnings).toEqual([]);
  });

  it('warns (does not fail) when the MTL is missing, and fails on an OBJ without vertices', async () => {
    const { obj } = writeObj(box, { name: 'x', color: [1, 1, 1] });
    const m = (await parseModel('model.obj', bytesOf(obj), { resolve: async () => null })) as SceneModel;
    expect(m.warnings.join(' ')).toMatch(/model\.mtl/);
    expect(m.parts[0]!.materials[0]!.color).toEqual([1, 1, 1]);
    expect(await codeOf(parseModel('x.obj', bytesOf('# nothing here\n')))).toBe('empty');
  });

  it('reads map statements with options and counts lines', () => {
    expect(mapFileName('-s 1 1 1 -o 0 0 0 textures/wood grain.png')).toBe('textures/wood grain.png');
    expect(mapFileName('-clamp on tex.jpg')).toBe('tex.jpg');
    expect(mapFileName('tex.jpg')).toBe('tex.jpg');
    expect(countObj('v 1 2 3\nvt 0 0\nvn 0 0 1\nv 1 1 1\nf 1 2 2\n  \nf 1 1 1')).toEqual({ vertices: 2, faces: 2 });
  });
});

describe('GLB / glTF', () => {
  it('reads a GLB mesh with node transforms, vertex colours and material', async () => {
    const m = (await parseModel('box.glb', writeGlb(makeBox(2, 1, 0.5), { translation: [10, 0, 0], copies: 2 }))) as SceneModel;
    expect(m.format).toBe('glb');
    expect(m.parts).toHaveLength(2);
    expect(m.stats).toMatchObject({ vertices: 16, triangles: 24, faces: 24, points: 0, parts: 2 });
    // second copy sits 3 units further along x
    expect(m.stats.bbox).toEqual({ min: [10, 0, 0], max: [15, 1, 0.5] });
    const p = m.parts[0]!;
    expect(p.matrix![12]).toBe(10);
    expect(p.color!.array).toBeInstanceOf(Uint8Array);
    expect(p.color!.itemSize).toBe(4);
    expect(p.materials[0]!.color[0]).toBeCloseTo(0.9, 5);
    expect(p.materials[0]!.doubleSided).toBe(true);
    // the two parts share the GLB's buffer: it is transferred once
    const t = transferablesOf(m);
    expect(new Set(t).size).toBe(t.length);
  });

  it('decodes embedded textures from their buffer view without any fetch, with their samplers', async () => {
    const seen: string[] = [];
    const m = (await parseModel('tex.glb', writeGlb(makeBox(), { texturePng: writeTinyPng() }), {
      decodeImage: async (bytes, name, flipY) => {
        seen.push(`${name}:${flipY}:${bytes[1] === 0x50 ? 'png' : '?'}`);
        return { width: 2, height: 2, data: new Uint8Array(16) };
      },
    })) as SceneModel;
    expect(seen).toEqual(['paint:false:png']);
    expect(m.images).toHaveLength(1);
    expect(m.parts[0]!.uv).toBeDefined();
    expect(m.parts[0]!.materials[0]!.map).toEqual({ image: 0, wrapS: 1001, wrapT: 1001 });
    expect(m.warnings).toEqual([]);
    // without a decoder the model still opens, with a warning
    const plain = (await parseModel('tex.glb', writeGlb(makeBox(), { texturePng: writeTinyPng() }))) as SceneModel;
    expect(plain.parts[0]!.materials[0]!.map).toBeUndefined();
    expect(plain.warnings.join(' ')).toMatch(/paint/);
  });

  it('reads a .gltf with an external .bin picked alongside', async () => {
    const glb = writeGlb(makeBox());
    const v = new DataView(glb.buffer);
    const jsonLen = v.getUint32(12, true);
    const json = JSON.parse(new TextDecoder().decode(glb.subarray(20, 20 + jsonLen)));
    const bin = glb.subarray(28 + jsonLen);
    json.buffers[0].uri = 'box.bin';
    const m = (await parseModel('box.gltf', bytesOf(JSON.stringify(json)), { resolve: filesResolver([{ name: 'box.bin', bytes: async () => bin }]) })) as SceneModel;
    expect(m.format).toBe('gltf');
    expect(m.stats).toMatchObject({ vertices: 8, triangles: 12 });
    expect(await codeOf(parseModel('box.gltf', bytesOf(JSON.stringify(json)), { resolve: async () => null }))).toBe('read-failed');
    expect(await codeOf(parseModel('box.gltf', bytesOf(JSON.stringify(json)), { resolve: async () => bin.subarray(0, 10) }))).toBe('truncated');
    // the same buffer as a data: URI
    json.buffers[0].uri = `data:application/octet-stream;base64,${btoa(String.fromCharCode(...bin))}`;
    const d = (await parseModel('box.gltf', bytesOf(JSON.stringify(json)))) as SceneModel;
    expect(d.stats).toMatchObject({ vertices: 8, triangles: 12 });
  });

  it('decodes EXT_meshopt_compression', async (ctx) => {
    const missing = await encoderMissing('meshoptimizer');
    if (missing) ctx.skip(missing);
    const m = (await parseModel('mo.glb', await writeMeshoptGlb(makeBox(2, 1, 0.5)))) as SceneModel;
    expect(m.stats).toMatchObject({ vertices: 8, triangles: 12 });
    expect(m.stats.bbox).toEqual({ min: [0, 0, 0], max: [2, 1, 0.5] });
  });

  it('gives typed errors for cut and inconsistent GLB files', async () => {
    const glb = writeGlb(makeBox());
    expect(await codeOf(parseModel('a.glb', glb.subarray(0, glb.length - 16)))).toBe('truncated');
    expect(await codeOf(parseModel('a.glb', glb.subarray(0, 10)))).toBe('truncated');
    const bad = glb.slice();
    new DataView(bad.buffer).setUint32(12, 1 << 20, true); // JSON chunk longer than the file
    expect(await codeOf(parseModel('a.glb', bad))).toBe('truncated');
    const lying = glb.slice();
    const lv = new DataView(lying.buffer);
    const jl = lv.getUint32(12, true);
    const j = JSON.parse(new TextDecoder().decode(lying.subarray(20, 20 + jl)));
    j.accessors[0].count = 10_000; // accessor reads beyond its buffer view
    const fixed = packGlb(j, lying.subarray(28 + jl));
    expect(await codeOf(parseModel('a.glb', fixed))).toMatch(/header-mismatch|malformed/);
    expect(await codeOf(parseModel('a.gltf', bytesOf('{ not json')))).toBe('malformed');
  });
});
