/** Binary little-endian PLY point clouds (x, y, z float; red, green, blue uchar), the 3D viewer's format. */
import { writeFileAtomic } from '../../files/atomic';

/** Encodes points (n × 3 floats) and colours (n × 3 bytes) as a binary PLY. */
export function encodePly(positions: Float32Array, colors: Uint8Array, comment = 'Kraken Studio depth point cloud'): Buffer {
  const n = positions.length / 3;
  if (colors.length !== n * 3) throw new Error('colours must have 3 bytes per point');
  const header =
    `ply\nformat binary_little_endian 1.0\ncomment ${comment}\nelement vertex ${n}\n` +
    'property float x\nproperty float y\nproperty float z\nproperty uchar red\nproperty uchar green\nproperty uchar blue\nend_header\n';
  const head = Buffer.from(header, 'ascii');
  const body = Buffer.alloc(n * 15);
  for (let i = 0; i < n; i++) {
    const o = i * 15;
    body.writeFloatLE(positions[i * 3]!, o);
    body.writeFloatLE(positions[i * 3 + 1]!, o + 4);
    body.writeFloatLE(positions[i * 3 + 2]!, o + 8);
    body[o + 12] = colors[i * 3]!;
    body[o + 13] = colors[i * 3 + 1]!;
    body[o + 14] = colors[i * 3 + 2]!;
  }
  return Buffer.concat([head, body]);
}

/** Reads back a PLY written by encodePly (tests, and the viewer's sanity checks). */
export function decodePly(buf: Buffer): { positions: Float32Array; colors: Uint8Array } {
  const end = buf.indexOf('end_header\n');
  if (end < 0) throw new Error('not a PLY file');
  const header = buf.subarray(0, end).toString('ascii');
  if (!/format binary_little_endian 1\.0/.test(header)) throw new Error('not a binary little-endian PLY');
  const n = Number(/element vertex (\d+)/.exec(header)?.[1] ?? NaN);
  const body = buf.subarray(end + 'end_header\n'.length);
  if (!Number.isFinite(n) || body.length !== n * 15) throw new Error('PLY body size does not match its vertex count');
  const positions = new Float32Array(n * 3);
  const colors = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const o = i * 15;
    positions[i * 3] = body.readFloatLE(o);
    positions[i * 3 + 1] = body.readFloatLE(o + 4);
    positions[i * 3 + 2] = body.readFloatLE(o + 8);
    colors.set(body.subarray(o + 12, o + 15), i * 3);
  }
  return { positions, colors };
}

export async function writePly(file: string, positions: Float32Array, colors: Uint8Array): Promise<void> {
  await writeFileAtomic(file, encodePly(positions, colors));
}
