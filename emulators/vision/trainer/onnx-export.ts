/**
 * The export extension's ONNX file: a graph that computes exactly the trainer's prediction from the tensor the
 * studio feeds an imported classification model by default (main/node/inference/model-library.ts: NCHW, RGB,
 * `(pixel/255 − mean)/std` with the ImageNet mean and std, stretched to the model's fixed input size):
 *
 *   input [N,3,S,S] → ·std + mean (back to 0..1) → AveragePool S/16 → Flatten [N,768]
 *   → (x − featMean)/featStd → Gemm (W, b) → logits [N,C] → Softmax → probabilities [N,C]
 *
 * `logits` is the first output (the studio's default `softmax` decoder applies the softmax itself).
 */
import { onnx } from 'onnx-proto';
import { FEATURES, GRID } from './features';
import type { TrainedModel } from './model';

export const IMAGENET_MEAN: [number, number, number] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: [number, number, number] = [0.229, 0.224, 0.225];
export const INPUT_NAME = 'input';
export const OUTPUT_LOGITS = 'logits';
export const OUTPUT_PROBABILITIES = 'probabilities';

const F = onnx.TensorProto.DataType.FLOAT;
type Dim = number | string;

function tensor(name: string, dims: number[], values: ArrayLike<number>): onnx.ITensorProto {
  return { name, dims, dataType: F, floatData: Array.from(values) };
}
function valueInfo(name: string, dims: Dim[]): onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType: F, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } };
}
function node(opType: string, input: string[], output: string[], attrs: Record<string, number | number[]> = {}): onnx.INodeProto {
  const attribute = Object.entries(attrs).map(([name, v]) =>
    Array.isArray(v) ? { name, type: onnx.AttributeProto.AttributeType.INTS, ints: v } : { name, type: onnx.AttributeProto.AttributeType.INT, i: v },
  );
  return { opType, input, output, attribute, name: `${opType}_${output[0]}` };
}

/** The .onnx bytes of a trained model (opset 17, IR 8); metadata_props carry class_names and the input contract. */
export function exportOnnx(model: TrainedModel, meta: Record<string, string> = {}): Uint8Array {
  const S = model.inputSize;
  const C = model.classNames.length;
  if (model.grid !== GRID || S % GRID !== 0) throw new Error(`cannot export a model of grid ${model.grid} and input ${S}`);
  const k = S / GRID;
  const graph = onnx.GraphProto.create({
    name: 'kraken-vision-emulator-classifier',
    node: [
      node('Mul', [INPUT_NAME, 'imagenet_std'], ['unscaled']),
      node('Add', ['unscaled', 'imagenet_mean'], ['pixels01']),
      node('AveragePool', ['pixels01'], ['grid'], { kernel_shape: [k, k], strides: [k, k] }),
      node('Flatten', ['grid'], ['features'], { axis: 1 }),
      node('Sub', ['features', 'feat_mean'], ['centred']),
      node('Div', ['centred', 'feat_std'], ['standardised']),
      node('Gemm', ['standardised', 'W', 'b'], [OUTPUT_LOGITS], { transB: 1 }),
      node('Softmax', [OUTPUT_LOGITS], [OUTPUT_PROBABILITIES], { axis: 1 }),
    ],
    initializer: [
      tensor('imagenet_std', [1, 3, 1, 1], IMAGENET_STD),
      tensor('imagenet_mean', [1, 3, 1, 1], IMAGENET_MEAN),
      tensor('feat_mean', [FEATURES], model.featMean),
      tensor('feat_std', [FEATURES], model.featStd),
      tensor('W', [C, FEATURES], model.weights),
      tensor('b', [C], model.bias),
    ],
    input: [valueInfo(INPUT_NAME, ['N', 3, S, S])],
    output: [valueInfo(OUTPUT_LOGITS, ['N', C]), valueInfo(OUTPUT_PROBABILITIES, ['N', C])],
  });
  const props: Record<string, string> = {
    class_names: JSON.stringify(model.classNames),
    input_layout: 'NCHW',
    input_channel_order: 'RGB',
    input_scale: String(1 / 255),
    input_mean: JSON.stringify(IMAGENET_MEAN),
    input_std: JSON.stringify(IMAGENET_STD),
    input_resize: 'stretch',
    input_size: JSON.stringify([S, S]),
    epoch: String(model.epoch),
    ...meta,
  };
  const m = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'kraken-vision-emulator',
    producerVersion: '1',
    docString: 'Softmax classifier over a 16x16 RGB average-pooled grid, trained by the Kraken vision emulator.',
    metadataProps: Object.entries(props).map(([key, value]) => ({ key, value })),
    graph,
  });
  return onnx.ModelProto.encode(m).finish();
}
