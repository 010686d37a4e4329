/**
 * Builds small ONNX models with known weights for tests and benchmarks (onnx-proto, a dev dependency:
 * never imported by the app itself). Each factory says exactly what its model computes.
 */
import { onnx } from 'onnx-proto';

type Dim = number | string;
const F = onnx.TensorProto.DataType.FLOAT;
const I64 = onnx.TensorProto.DataType.INT64;

export function floatTensor(name: string, dims: number[], values: ArrayLike<number>): onnx.ITensorProto {
  return { name, dims, dataType: F, floatData: Array.from(values) };
}
export function int64Tensor(name: string, values: number[]): onnx.ITensorProto {
  return { name, dims: [values.length], dataType: I64, int64Data: values };
}
function valueInfo(name: string, dims: Dim[], elemType = F): onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } };
}
type Attr = number | number[] | string | onnx.ITensorProto;
export function node(opType: string, input: string[], output: string[], attrs: Record<string, Attr> = {}): onnx.INodeProto {
  const attribute: onnx.IAttributeProto[] = Object.entries(attrs).map(([name, v]) => {
    if (typeof v === 'number') return Number.isInteger(v) ? { name, type: onnx.AttributeProto.AttributeType.INT, i: v } : { name, type: onnx.AttributeProto.AttributeType.FLOAT, f: v };
    if (typeof v === 'string') return { name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(v) };
    if (Array.isArray(v)) return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: v };
    return { name, type: onnx.AttributeProto.AttributeType.TENSOR, t: v };
  });
  return { opType, input, output, attribute, name: `${opType}_${output[0]}` };
}

export interface ModelSpec {
  inputs: { name: string; dims: Dim[] }[];
  outputs: { name: string; dims: Dim[] }[];
  nodes: onnx.INodeProto[];
  initializers?: onnx.ITensorProto[];
  opset?: number;
}

/** Serialises a graph into .onnx bytes. */
export function buildModel(spec: ModelSpec): Uint8Array {
  const graph = onnx.GraphProto.create({
    name: 'kraken-test',
    node: spec.nodes,
    initializer: spec.initializers ?? [],
    input: spec.inputs.map((i) => valueInfo(i.name, i.dims)),
    output: spec.outputs.map((o) => valueInfo(o.name, o.dims)),
  });
  const model = onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: spec.opset ?? 17 }], producerName: 'kraken-studio-tests', graph });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * Linear classifier over a tiny NCHW image: logits = W · flatten(x) + b, x of shape [N, 3, h, w],
 * W of shape [classes, 3·h·w]. Batch dimension symbolic.
 */
export function linearClassifier(h: number, w: number, weights: number[][], bias: number[]): Uint8Array {
  const classes = weights.length;
  const features = 3 * h * w;
  if (weights.some((row) => row.length !== features)) throw new Error(`each weight row needs ${features} values`);
  return buildModel({
    inputs: [{ name: 'image', dims: ['N', 3, h, w] }],
    outputs: [{ name: 'logits', dims: ['N', classes] }],
    nodes: [node('Flatten', ['image'], ['flat'], { axis: 1 }), node('Gemm', ['flat', 'W', 'b'], ['logits'], { transB: 1 })],
    initializers: [floatTensor('W', [classes, features], weights.flat()), floatTensor('b', [classes], bias)],
  });
}

/** Constant output whatever the image (decoder tests): out = C + 0 · mean(x). */
export function constantOutput(inputDims: Dim[], outName: string, outDims: number[], values: number[]): Uint8Array {
  return buildModel({
    inputs: [{ name: 'image', dims: inputDims }],
    outputs: [{ name: outName, dims: outDims }],
    nodes: [
      node('ReduceMean', ['image'], ['m'], { keepdims: 0 }),
      node('Mul', ['m', 'zero'], ['z']),
      node('Add', ['C', 'z'], [outName]),
    ],
    initializers: [floatTensor('C', outDims, values), floatTensor('zero', [], [0])],
  });
}

/**
 * "Red is foreground": mask = sigmoid(k · (x_R − 0.5)) with x the image in 0..1 (NCHW), output [N, 1, H, W].
 * Pure red pixels give ≈1, black ≈0.
 */
export function redMaskModel(h: number | string, w: number | string, k = 40): Uint8Array {
  return buildModel({
    inputs: [{ name: 'image', dims: ['N', 3, h, w] }],
    outputs: [{ name: 'mask', dims: ['N', 1, h, w] }],
    nodes: [
      node('Slice', ['image', 'starts', 'ends', 'axes'], ['red']),
      node('Sub', ['red', 'half'], ['centred']),
      node('Mul', ['centred', 'k'], ['scaled']),
      node('Sigmoid', ['scaled'], ['mask']),
    ],
    initializers: [int64Tensor('starts', [0]), int64Tensor('ends', [1]), int64Tensor('axes', [1]), floatTensor('half', [], [0.5]), floatTensor('k', [], [k])],
  });
}

/** "Brightness is inverse depth": depth = red channel (0..1), output [N, H, W]. */
export function redDepthModel(h: number, w: number): Uint8Array {
  return buildModel({
    inputs: [{ name: 'image', dims: ['N', 3, h, w] }],
    outputs: [{ name: 'depth', dims: ['N', h, w] }],
    nodes: [node('Slice', ['image', 'starts', 'ends', 'axes'], ['red']), node('Squeeze', ['red', 'axes'], ['depth'])],
    initializers: [int64Tensor('starts', [0]), int64Tensor('ends', [1]), int64Tensor('axes', [1])],
  });
}

/** Deterministic pseudo-random weights in [-scale, scale] (mulberry32). */
export function seededWeights(n: number, seed: number, scale: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

/**
 * A convolutional classifier (per stage: conv 3×3 stride 2 + ReLU, then `extraConvsPerStage` conv 3×3
 * stride 1 + ReLU; global average pool; linear) with seeded weights: stands for a real model in benchmarks.
 */
export function convClassifier(size: number, classes: number, channels = [16, 32, 64], seed = 7, extraConvsPerStage = 0): Uint8Array {
  const nodes: onnx.INodeProto[] = [];
  const inits: onnx.ITensorProto[] = [];
  let prev = 'image';
  let cin = 3;
  let k = 0;
  const conv = (cout: number, stride: number) => {
    const i = k++;
    inits.push(floatTensor(`w${i}`, [cout, cin, 3, 3], seededWeights(cout * cin * 9, seed + i, Math.sqrt(2 / (cin * 9)))));
    inits.push(floatTensor(`b${i}`, [cout], seededWeights(cout, seed + 100 + i, 0.01)));
    nodes.push(node('Conv', [prev, `w${i}`, `b${i}`], [`c${i}`], { kernel_shape: [3, 3], strides: [stride, stride], pads: [1, 1, 1, 1] }));
    nodes.push(node('Relu', [`c${i}`], [`r${i}`]));
    prev = `r${i}`;
    cin = cout;
  };
  // Each stage halves the size (stride 2), then optionally keeps it for more 3×3 convolutions.
  for (const cout of channels) {
    conv(cout, 2);
    for (let r = 0; r < extraConvsPerStage; r++) conv(cout, 1);
  }
  nodes.push(node('GlobalAveragePool', [prev], ['gap']), node('Flatten', ['gap'], ['flat'], { axis: 1 }), node('Gemm', ['flat', 'fw', 'fb'], ['logits'], { transB: 1 }));
  inits.push(floatTensor('fw', [classes, cin], seededWeights(classes * cin, seed + 200, 0.5)), floatTensor('fb', [classes], new Float32Array(classes)));
  return buildModel({ inputs: [{ name: 'image', dims: ['N', 3, size, size] }], outputs: [{ name: 'logits', dims: ['N', classes] }], nodes, initializers: inits });
}
