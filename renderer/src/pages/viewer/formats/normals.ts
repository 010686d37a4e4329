/** Area-weighted vertex normals of an indexed triangle mesh (what three's computeVertexNormals does, off the page thread). */
export function computeVertexNormals(position: Float32Array, index: Uint32Array | Uint16Array | undefined): Float32Array {
  const n = new Float32Array(position.length);
  const tri = index ? index.length : position.length / 3;
  for (let t = 0; t + 2 < tri; t += 3) {
    const a = index ? index[t]! : t;
    const b = index ? index[t + 1]! : t + 1;
    const c = index ? index[t + 2]! : t + 2;
    const ax = position[a * 3]!, ay = position[a * 3 + 1]!, az = position[a * 3 + 2]!; // prettier-ignore
    const e1x = position[b * 3]! - ax, e1y = position[b * 3 + 1]! - ay, e1z = position[b * 3 + 2]! - az; // prettier-ignore
    const e2x = position[c * 3]! - ax, e2y = position[c * 3 + 1]! - ay, e2z = position[c * 3 + 2]! - az; // prettier-ignore
    // the cross product's length is twice the area: big triangles weigh more
    const nx = e1y * e2z - e1z * e2y;
    const ny = e1z * e2x - e1x * e2z;
    const nz = e1x * e2y - e1y * e2x;
    for (const v of [a, b, c]) {
      n[v * 3] = n[v * 3]! + nx;
      n[v * 3 + 1] = n[v * 3 + 1]! + ny;
      n[v * 3 + 2] = n[v * 3 + 2]! + nz;
    }
  }
  for (let i = 0; i < n.length; i += 3) {
    const l = Math.hypot(n[i]!, n[i + 1]!, n[i + 2]!) || 1;
    n[i] = n[i]! / l;
    n[i + 1] = n[i + 1]! / l;
    n[i + 2] = n[i + 2]! / l;
  }
  return n;
}
