/**
 * Gaussian splats in WebGL2: one instanced quad per splat, data read from an RGBA32UI texture (the packed
 * layout of SplatModel), 2D covariance projected in the vertex shader, and a back-to-front order that a
 * worker recomputes whenever the view direction changes. The page thread only uploads the order.
 */
import * as THREE from 'three';
import { SPLAT_WORDS, type SplatModel } from '../formats/model';
import { SPLATS_PER_ROW, splatPositions } from '../formats/splat';
import type { SortRequest, SortResponse } from '../workers/protocol';
import { centersOf } from '../workers/splat-sort';

const vertexShader = /* glsl */ `
precision highp float;
precision highp int;
precision highp usampler2D;
uniform usampler2D splatTex;
uniform vec2 viewport;
uniform vec2 focal;
uniform float splatScale;
in float splatIndex;
out vec4 vColor;
out vec2 vPos;

mat3 quatToMat3(vec4 q) { // q = (x, y, z, w)
  float x = q.x, y = q.y, z = q.z, w = q.w;
  return mat3(
    1.0 - 2.0 * (y * y + z * z), 2.0 * (x * y + w * z), 2.0 * (x * z - w * y),
    2.0 * (x * y - w * z), 1.0 - 2.0 * (x * x + z * z), 2.0 * (y * z + w * x),
    2.0 * (x * z + w * y), 2.0 * (y * z - w * x), 1.0 - 2.0 * (x * x + y * y));
}

void main() {
  int idx = int(splatIndex);
  ivec2 t = ivec2((idx % ${SPLATS_PER_ROW}) * 2, idx / ${SPLATS_PER_ROW});
  uvec4 a = texelFetch(splatTex, t, 0);
  uvec4 b = texelFetch(splatTex, t + ivec2(1, 0), 0);
  vec4 cam = modelViewMatrix * vec4(uintBitsToFloat(a.xyz), 1.0);
  vec4 clip = projectionMatrix * cam;
  float bound = 1.2 * clip.w;
  vColor = vec4(float(a.w & 0xffu), float((a.w >> 8) & 0xffu), float((a.w >> 16) & 0xffu), float(a.w >> 24)) / 255.0;
  if (cam.z >= -1e-4 || clip.x < -bound || clip.x > bound || clip.y < -bound || clip.y > bound || vColor.a < 0.004) {
    gl_Position = vec4(0.0, 0.0, 2.0, 1.0); // behind the far plane: dropped
    return;
  }
  vec2 sxy = unpackHalf2x16(b.x);
  vec3 s = vec3(sxy, unpackHalf2x16(b.y).x) * splatScale;
  vec2 qwx = unpackHalf2x16(b.z);
  vec2 qyz = unpackHalf2x16(b.w);
  mat3 M = quatToMat3(vec4(qwx.y, qyz.x, qyz.y, qwx.x)) * mat3(s.x, 0.0, 0.0, 0.0, s.y, 0.0, 0.0, 0.0, s.z);
  mat3 V = M * transpose(M); // 3D covariance, model space
  // Jacobian of the perspective projection at the centre (camera looks down -z), transposed
  float z2 = cam.z * cam.z;
  mat3 J = mat3(-focal.x / cam.z, 0.0, focal.x * cam.x / z2,
                0.0, -focal.y / cam.z, focal.y * cam.y / z2,
                0.0, 0.0, 0.0);
  mat3 T = transpose(mat3(modelViewMatrix)) * J;
  mat3 c2 = transpose(T) * V * T;
  c2[0][0] += 0.3; // a pixel of blur keeps sub-pixel splats from aliasing
  c2[1][1] += 0.3;
  float mid = 0.5 * (c2[0][0] + c2[1][1]);
  float r = length(vec2(0.5 * (c2[0][0] - c2[1][1]), c2[0][1]));
  float l1 = mid + r;
  float l2 = max(mid - r, 0.1);
  vec2 d = normalize(vec2(c2[0][1], l1 - c2[0][0]) + vec2(1e-9, 0.0));
  // quad corners at 3 sigma, in pixels, capped so a splat in the camera's face stays bounded
  vec2 major = min(3.0 * sqrt(l1), 2048.0) * d;
  vec2 minor = min(3.0 * sqrt(l2), 2048.0) * vec2(d.y, -d.x);
  vPos = position.xy;
  vec2 ndc = clip.xy / clip.w + (position.x * major + position.y * minor) * 2.0 / viewport;
  gl_Position = vec4(ndc, clip.z / clip.w, 1.0);
}
`;

const fragmentShader = /* glsl */ `
precision highp float;
in vec4 vColor;
in vec2 vPos;
out vec4 fragColor;
void main() {
  float r2 = dot(vPos, vPos);
  if (r2 > 1.0) discard;
  float alpha = vColor.a * exp(-4.5 * r2); // exp(-x²/2σ²) with the quad edge at 3σ
  if (alpha < 0.004) discard;
  fragColor = vec4(vColor.rgb * alpha, alpha); // premultiplied, blended back to front
}
`;

export class SplatMesh extends THREE.Mesh<THREE.InstancedBufferGeometry, THREE.ShaderMaterial> {
  readonly splatCount: number;
  private readonly texture: THREE.DataTexture;
  private readonly order: THREE.InstancedBufferAttribute;
  private readonly worker: Worker;
  private positions: Float32Array;
  private spare: Float32Array | null = null;
  private sortSeq = 0;
  private inFlight = false;
  private lastRow: [number, number, number, number] | null = null;
  private readonly mv = new THREE.Matrix4();
  /** Called when a new order arrives (the page renders on demand). */
  onSorted: (() => void) | null = null;
  /** Resolves after the first depth order has been applied (tests and the first-frame metric wait on it). */
  readonly firstSort: Promise<void>;
  private resolveFirstSort!: () => void;

  /** Draw every `stride`-th splat only (1: all). */
  readonly stride: number;
  readonly drawn: number;
  private readonly densityScale: number;
  private userScale = 1;

  /** `maxDrawn`: a splat budget for slow (software) WebGL, where each splat costs microseconds of CPU. */
  constructor(model: SplatModel, opts: { maxDrawn?: number } = {}) {
    const count = model.count;
    const stride = Math.max(1, Math.ceil(count / Math.max(1, opts.maxDrawn ?? Infinity)));
    const drawn = Math.ceil(count / stride);
    const rows = model.data.length / (SPLATS_PER_ROW * SPLAT_WORDS);
    const texture = new THREE.DataTexture(model.data, SPLATS_PER_ROW * 2, rows, THREE.RGBAIntegerFormat, THREE.UnsignedIntType);
    texture.internalFormat = 'RGBA32UI';
    texture.minFilter = THREE.NearestFilter;
    texture.magFilter = THREE.NearestFilter;
    texture.generateMipmaps = false;
    texture.needsUpdate = true;

    const geometry = new THREE.InstancedBufferGeometry();
    geometry.setAttribute('position', new THREE.Float32BufferAttribute([-1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 1, 0], 3));
    geometry.setIndex([0, 1, 2, 0, 2, 3]);
    const initial = new Float32Array(drawn);
    for (let j = 0; j < drawn; j++) initial[j] = j * stride;
    const order = new THREE.InstancedBufferAttribute(initial, 1);
    order.setUsage(THREE.DynamicDrawUsage);
    geometry.setAttribute('splatIndex', order);
    geometry.instanceCount = drawn;

    const material = new THREE.ShaderMaterial({
      glslVersion: THREE.GLSL3,
      vertexShader,
      fragmentShader,
      uniforms: {
        splatTex: { value: texture },
        viewport: { value: new THREE.Vector2(1, 1) },
        focal: { value: new THREE.Vector2(1, 1) },
        splatScale: { value: 1 },
      },
      transparent: true,
      depthWrite: false,
      depthTest: true,
      blending: THREE.CustomBlending,
      blendSrc: THREE.OneFactor,
      blendDst: THREE.OneMinusSrcAlphaFactor,
      blendSrcAlpha: THREE.OneFactor,
      blendDstAlpha: THREE.OneMinusSrcAlphaFactor,
      premultipliedAlpha: true,
      side: THREE.DoubleSide, // the (major, minor) basis may be mirrored: never cull a splat
    });
    super(geometry, material);
    this.splatCount = count;
    this.stride = stride;
    this.drawn = drawn;
    // fewer splats, each a little larger, keeps the surface closed
    this.densityScale = Math.min(2.5, Math.cbrt(stride));
    material.uniforms.splatScale!.value = this.densityScale;
    this.texture = texture;
    this.order = order;
    this.frustumCulled = false; // the quad's own bounds say nothing about where the splats are
    this.positions = splatPositions(model.data);
    const box = model.stats.bbox;
    geometry.boundingBox = new THREE.Box3(new THREE.Vector3(...box.min), new THREE.Vector3(...box.max));
    geometry.boundingSphere = geometry.boundingBox.getBoundingSphere(new THREE.Sphere());
    this.firstSort = new Promise((r) => (this.resolveFirstSort = r));

    this.worker = new Worker(new URL('../workers/sort-worker.ts', import.meta.url), { type: 'module', name: 'kraken-viewer-sort' });
    const centers = centersOf(model.data, count);
    const init: SortRequest = { type: 'init', seq: 0, centers, count, stride };
    this.worker.postMessage(init, [centers.buffer]);
    this.worker.onmessage = (e: MessageEvent<SortResponse>) => this.applyOrder(e.data);
  }

  set splatScale(v: number) {
    this.userScale = v;
    this.material.uniforms.splatScale!.value = v * this.densityScale;
  }

  get splatScale(): number {
    return this.userScale;
  }

  private applyOrder(msg: SortResponse) {
    this.inFlight = false;
    if (msg.seq !== this.sortSeq) return;
    // swap buffers: the array the GPU had goes back to the worker with the next request
    this.spare = this.order.array as Float32Array;
    this.order.array = msg.order;
    this.order.needsUpdate = true;
    this.resolveFirstSort();
    this.onSorted?.();
  }

  override onBeforeRender = (renderer: THREE.WebGLRenderer, _scene: THREE.Scene, camera: THREE.Camera) => {
    const size = renderer.getDrawingBufferSize(new THREE.Vector2());
    const u = this.material.uniforms;
    u.viewport!.value.copy(size);
    const p = (camera as THREE.PerspectiveCamera).projectionMatrix.elements;
    u.focal!.value.set((p[0]! * size.x) / 2, (p[5]! * size.y) / 2);
    this.mv.multiplyMatrices(camera.matrixWorldInverse, this.matrixWorld);
    const m = this.mv.elements;
    const row: [number, number, number, number] = [m[2]!, m[6]!, m[10]!, m[14]!];
    this.requestSort(row);
  };

  private requestSort(row: [number, number, number, number]) {
    if (this.inFlight) return;
    const last = this.lastRow;
    if (last) {
      const dot = (last[0] * row[0] + last[1] * row[1] + last[2] * row[2]) / (Math.hypot(last[0], last[1], last[2]) * Math.hypot(row[0], row[1], row[2]) || 1);
      // a small turn does not change the order visibly; re-sorting 500k splats on every frame would
      if (dot > 0.9995 && Math.abs(last[3] - row[3]) < 1e-3 * (Math.abs(row[3]) + 1)) return;
    }
    this.lastRow = row;
    this.inFlight = true;
    const buffer = this.spare && this.spare.length === this.drawn ? this.spare : new Float32Array(this.drawn);
    this.spare = null;
    const req: SortRequest = { type: 'sort', seq: ++this.sortSeq, viewRow: row, buffer };
    this.worker.postMessage(req, [buffer.buffer]);
  }

  /** Nearest splat centre to the ray (within `threshold` world units of it), for the measuring tool. */
  override raycast(raycaster: THREE.Raycaster, intersects: THREE.Intersection[]): void {
    const inv = new THREE.Matrix4().copy(this.matrixWorld).invert();
    const ray = raycaster.ray.clone().applyMatrix4(inv);
    const scale = this.matrixWorld.getMaxScaleOnAxis() || 1;
    const threshold = (raycaster.params.Points?.threshold ?? 0.01) / scale;
    const t2 = threshold * threshold;
    const f = this.positions;
    const o = ray.origin;
    const d = ray.direction;
    let best = -1;
    let bestT = Infinity;
    for (let i = 0; i < this.splatCount; i += this.stride) {
      const k = i * SPLAT_WORDS;
      const px = f[k]! - o.x, py = f[k + 1]! - o.y, pz = f[k + 2]! - o.z; // prettier-ignore
      const t = px * d.x + py * d.y + pz * d.z;
      if (t < 0 || t >= bestT) continue;
      const qx = px - t * d.x, qy = py - t * d.y, qz = pz - t * d.z; // prettier-ignore
      if (qx * qx + qy * qy + qz * qz <= t2) {
        bestT = t;
        best = i;
      }
    }
    if (best < 0) return;
    const k = best * SPLAT_WORDS;
    const point = new THREE.Vector3(f[k]!, f[k + 1]!, f[k + 2]!).applyMatrix4(this.matrixWorld);
    intersects.push({ distance: raycaster.ray.origin.distanceTo(point), point, object: this, index: best });
  }

  override dispose(): void {
    this.worker.terminate();
    this.texture.dispose();
    this.geometry.dispose();
    this.material.dispose();
    // drop the data even if something still holds this object (see build-object's releaseArrays)
    this.texture.image = { data: new Uint32Array(0), width: 1, height: 1 };
    this.order.array = new Float32Array(0);
    this.positions = new Float32Array(0);
    this.spare = null;
    this.onSorted = null;
  }
}
