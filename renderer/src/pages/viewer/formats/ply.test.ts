import { describe, expect, it } from 'vitest';
import { makeBox, makePointCloud, makeSplats, writeGaussianPly, writePly, type PlyFormat } from '../fixtures/fixture-writer';
import { ViewerFormatError } from './errors';
import { fromHalf } from './half-float';
import { SPLAT_WORDS, type SceneModel, type SplatModel } from './model';
import { parsePly, parsePlyHeader, srgbBytesToLinear16 } from './ply';
import { SH_C0 } from './splat';

const formats: PlyFormat[] = ['ascii', 'binary_little_endian', 'binary_big_endian'];

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return e instanceof ViewerFormatError ? e.code : `foreign: ${String(e)}`;
  }
  return 'no error';
}

describe('PLY header', () => {
  it('reads elements, list properties, comments and the body offset', () => {
    const bytes = writePly(makeBox(), 'binary_little_endian', { comment: 'made by a test' });
    const h = parsePlyHeader(bytes);
    expect(h.format).toBe('binary_little_endian');
    expect(h.comments).toEqual(['made by a test']);
    expect(h.elements.map((e) => [e.name, e.count])).toEqual([
      ['vertex', 8],
      ['face', 6],
    ]);
    expect(h.elements[1]!.properties[0]).toEqual({ name: 'vertex_indices', type: 'int32', countType: 'uint8' });
    expect(new TextDecoder().decode(bytes.subarray(h.bodyOffset - 11, h.bodyOffset))).toBe('end_header\n');
  });

  it('accepts CRLF headers', () => {
    const text = 'ply\r\nformat ascii 1.0\r\nelement vertex 1\r\nproperty float x\r\nproperty float y\r\nproperty float z\r\nend_header\r\n1 2 3\r\n';
    const m = parsePly(new TextEncoder().encode(text)) as SceneModel;
    expect(Array.from(m.parts[0]!.position)).toEqual([1, 2, 3]);
  });

  it('refuses what is not PLY, an unknown format and a header without end', () => {
    expect(codeOf(() => parsePlyHeader(new TextEncoder().encode('solid cube\n')))).toBe('malformed');
    expect(codeOf(() => parsePlyHeader(new TextEncoder().encode('ply\nformat binary_middle_endian 1.0\nend_header\n')))).toBe('malformed');
    expect(codeOf(() => parsePlyHeader(new TextEncoder().encode('ply\nformat ascii 1.0\nelement vertex 3\n')))).toBe('truncated');
  });
});

describe.each(formats)('PLY %s', (format) => {
  it('reads a point cloud with normals and colours exactly', () => {
    const cloud = makePointCloud(1000);
    const m = parsePly(writePly(cloud, format));
    expect(m.kind).toBe('scene');
    const part = (m as SceneModel).parts[0]!;
    expect(part.kind).toBe('points');
    expect(part.index).toBeUndefined();
    // ASCII goes through decimal text: compare to float precision
    for (let i = 0; i < 30; i++) expect(part.position[i]).toBeCloseTo(cloud.positions[i]!, 5);
    for (let i = 0; i < 30; i++) expect(part.normal![i]).toBeCloseTo(cloud.normals![i]!, 5);
    // colours arrive linear (three's convention), 16-bit so dark tones keep their steps
    expect(part.color!.array).toBeInstanceOf(Uint16Array);
    expect(Array.from(part.color!.array)).toEqual(Array.from(srgbBytesToLinear16(cloud.colors!, 3)));
    expect(part.color!.itemSize).toBe(3);
    expect(m.stats).toMatchObject({ vertices: 1000, points: 1000, faces: 0, triangles: 0, splats: 0 });
    for (const a of [0, 1, 2] as const) {
      expect(m.stats.bbox.max[a]).toBeLessThanOrEqual(1);
      expect(m.stats.bbox.min[a]).toBeGreaterThanOrEqual(-1);
    }
  });

  it('reads a quad mesh, triangulates it and computes normals when the file has none', () => {
    const box = makeBox(2, 1, 0.5);
    const m = parsePly(writePly({ positions: box.positions, colors: box.colors, faces: box.faces }, format)) as SceneModel;
    const part = m.parts[0]!;
    expect(part.kind).toBe('mesh');
    expect(m.stats).toMatchObject({ vertices: 8, faces: 6, triangles: 12, points: 0 });
    expect(m.stats.bbox).toEqual({ min: [0, 0, 0], max: [2, 1, 0.5] });
    expect(part.index).toBeInstanceOf(Uint16Array);
    expect(part.index!.length).toBe(36);
    expect(Math.max(...part.index!)).toBe(7);
    // corner normals point away from the box centre
    const n = part.normal!;
    expect(n[0]).toBeLessThan(0); // vertex 0 is the (0,0,0) corner
    expect(n[7 * 3]).toBeGreaterThan(0); // vertex 7 is (2,1,0.5)
    expect(part.sphere.radius).toBeCloseTo(Math.hypot(1, 0.5, 0.25), 5);
  });

  it('reads 3DGS splats into the packed layout', () => {
    const s = makeSplats(50);
    const m = parsePly(writeGaussianPly(s, { format, shDegree: 1 })) as SplatModel;
    expect(m.kind).toBe('splats');
    expect(m.count).toBe(50);
    expect(m.shDegree).toBe(1);
    expect(m.stats).toMatchObject({ splats: 50, faces: 0 });
    expect(m.data.length).toBe(2048 * SPLAT_WORDS); // padded to one texture row
    const f = new Float32Array(m.data.buffer);
    const i = 17;
    expect(f[i * SPLAT_WORDS]).toBeCloseTo(s.positions[i * 3]!, 5);
    const rgba = m.data[i * SPLAT_WORDS + 3]!;
    expect(rgba & 0xff).toBe(Math.max(0, Math.min(255, Math.round((0.5 + SH_C0 * s.fdc[i * 3]!) * 255))));
    expect(rgba >>> 24).toBe(Math.round(255 / (1 + Math.exp(-s.opacity[i]!))));
    const sx = fromHalf(m.data[i * SPLAT_WORDS + 4]! & 0xffff);
    expect(sx / Math.exp(s.logScales[i * 3]!)).toBeCloseTo(1, 2);
    const q = [m.data[i * SPLAT_WORDS + 6]! & 0xffff, m.data[i * SPLAT_WORDS + 6]! >>> 16, m.data[i * SPLAT_WORDS + 7]! & 0xffff, m.data[i * SPLAT_WORDS + 7]! >>> 16].map(fromHalf);
    expect(Math.hypot(...q)).toBeCloseTo(1, 2);
    const raw = Array.from(s.rotations.subarray(i * 4, i * 4 + 4));
    const l = Math.hypot(...raw);
    q.forEach((v, k) => expect(v).toBeCloseTo(raw[k]! / l, 2));
  });

  it('says "truncated" when the body is cut short', () => {
    const bytes = writePly(makePointCloud(200), format);
    expect(codeOf(() => parsePly(bytes.subarray(0, bytes.length - 40)))).toBe('truncated');
  });
});

describe('PLY colours', () => {
  it('decode sRGB bytes to linear 16-bit, keeping alpha linear', () => {
    const out = srgbBytesToLinear16(Uint8Array.from([0, 128, 255, 128]), 4);
    expect(out[0]).toBe(0);
    expect(out[1]! / 65535).toBeCloseTo(0.2159, 3);
    expect(out[2]).toBe(65535);
    expect(out[3]).toBe(128 * 257);
    // distinct dark bytes stay distinct (8-bit linear would merge them)
    const dark = srgbBytesToLinear16(Uint8Array.from([1, 2, 3]), 3);
    expect(new Set(dark).size).toBe(3);
  });
});

describe('PLY body/header disagreements', () => {
  it('a face index beyond the vertex count is a header mismatch', () => {
    const text = 'ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nelement face 1\nproperty list uchar int vertex_indices\nend_header\n0 0 0\n1 0 0\n0 1 0\n3 0 1 5\n';
    expect(codeOf(() => parsePly(new TextEncoder().encode(text)))).toBe('header-mismatch');
  });

  it('an ASCII row with a missing value (not at the end) is a header mismatch, with an extra one too', () => {
    const head = 'ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\nproperty float y\nproperty float z\nend_header\n';
    expect(codeOf(() => parsePly(new TextEncoder().encode(head + '0 0\n1 1 1\n')))).toBe('header-mismatch');
    expect(codeOf(() => parsePly(new TextEncoder().encode(head + '0 0 0 9\n1 1 1\n')))).toBe('header-mismatch');
    expect(codeOf(() => parsePly(new TextEncoder().encode(head + '0 0 0\n')))).toBe('truncated');
  });

  it('no vertices is "empty"; no vertex element is "unsupported"', () => {
    expect(codeOf(() => parsePly(new TextEncoder().encode('ply\nformat ascii 1.0\nelement vertex 0\nproperty float x\nend_header\n')))).toBe('empty');
    expect(codeOf(() => parsePly(new TextEncoder().encode('ply\nformat ascii 1.0\nelement camera 1\nproperty float x\nend_header\n1\n')))).toBe('unsupported');
  });

  it('float colours 0..1 become bytes, and unrelated elements are skipped', () => {
    const text =
      'ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\nproperty float y\nproperty float z\nproperty float red\nproperty float green\nproperty float blue\n' +
      'element edge 1\nproperty int vertex1\nproperty int vertex2\nend_header\n0 0 0 1 0.5 0\n1 2 3 0 0 1\n0 1\n';
    const m = parsePly(new TextEncoder().encode(text)) as SceneModel;
    expect(Array.from(m.parts[0]!.color!.array)).toEqual(Array.from(srgbBytesToLinear16(Uint8Array.from([255, 128, 0, 0, 0, 255]), 3)));
    expect(m.stats.bbox).toEqual({ min: [0, 0, 0], max: [1, 2, 3] });
  });

  it('reports progress up to 1 on a large file', () => {
    const seen: number[] = [];
    parsePly(writePly(makePointCloud(200_000)), (f) => seen.push(f));
    expect(seen.length).toBeGreaterThan(2);
    expect(seen[seen.length - 1]).toBe(1);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });
});
