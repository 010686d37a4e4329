/**
 * The models catalogue of GET /models: the seed's two examples (resnet50, yolov8n) with its exact fields, the
 * other model the seed names (resnet101, in the 400 example's available_models), and a few more of each task.
 * Every classification model's input size is a multiple of 16 (the trainer's feature grid).
 */
export interface CatalogueModel {
  model_id: string;
  name: string;
  framework: 'timm' | 'huggingface' | 'ultralytics';
  task_types: ('classification' | 'detection' | 'segmentation')[];
  parameters: string;
  pretrained_weights: string[];
  description: string;
  metrics?: Record<string, number>;
  input_size: [number, number, number];
  supported_backends: string[];
  example_usage: string;
  documentation_url: string;
}

const timm = (model_id: string, name: string, parameters: string, description: string, top1: number, top5: number, size = 224, weights = ['imagenet']): CatalogueModel => ({
  model_id,
  name,
  framework: 'timm',
  task_types: ['classification'],
  parameters,
  pretrained_weights: weights,
  description,
  metrics: { imagenet_top1: top1, imagenet_top5: top5 },
  input_size: [size, size, 3],
  supported_backends: ['pytorch', 'onnx'],
  example_usage: `import timm\nmodel = timm.create_model('${model_id}', pretrained=True)`,
  documentation_url: `https://huggingface.co/timm/${model_id}`,
});

export const CATALOGUE: CatalogueModel[] = [
  { ...timm('resnet50', 'ResNet50', '25.6M', 'Deep residual network with 50 layers', 0.7613, 0.9291, 224, ['imagenet', 'imagenet21k']), documentation_url: 'https://pytorch.org/vision/stable/models.html#resnet' },
  { ...timm('resnet101', 'ResNet101', '44.5M', 'Deep residual network with 101 layers', 0.7737, 0.9355, 224, ['imagenet', 'imagenet21k']), documentation_url: 'https://pytorch.org/vision/stable/models.html#resnet' },
  timm('resnet18', 'ResNet18', '11.7M', 'Residual network with 18 layers, small and fast', 0.6976, 0.8908),
  timm('efficientnet_b0', 'EfficientNet-B0', '5.3M', 'EfficientNet baseline scaled by compound coefficient 0', 0.7769, 0.9353),
  timm('mobilenetv3_large_100', 'MobileNetV3 Large', '5.5M', 'Mobile-friendly network found by architecture search', 0.7577, 0.9254),
  timm('vit_base_patch16_224', 'ViT-B/16', '86.6M', 'Vision Transformer, base size, 16x16 patches', 0.8110, 0.9610, 224, ['imagenet21k', 'imagenet']),
  timm('convnext_tiny', 'ConvNeXt Tiny', '28.6M', 'A ConvNet modernised after vision transformers', 0.8213, 0.9600),
  {
    model_id: 'yolov8n',
    name: 'YOLOv8 Nano',
    framework: 'ultralytics',
    task_types: ['detection'],
    parameters: '3.2M',
    pretrained_weights: ['coco'],
    description: 'Ultralytics YOLOv8 nano model for object detection',
    input_size: [640, 640, 3],
    supported_backends: ['pytorch', 'onnx'],
    example_usage: "from ultralytics import YOLO\nmodel = YOLO('yolov8n.pt')",
    documentation_url: 'https://docs.ultralytics.com/models/yolov8/',
  },
  {
    model_id: 'yolov8s',
    name: 'YOLOv8 Small',
    framework: 'ultralytics',
    task_types: ['detection'],
    parameters: '11.2M',
    pretrained_weights: ['coco'],
    description: 'Ultralytics YOLOv8 small model for object detection',
    metrics: { coco_map50_95: 0.449 },
    input_size: [640, 640, 3],
    supported_backends: ['pytorch', 'onnx'],
    example_usage: "from ultralytics import YOLO\nmodel = YOLO('yolov8s.pt')",
    documentation_url: 'https://docs.ultralytics.com/models/yolov8/',
  },
  {
    model_id: 'detr-resnet-50',
    name: 'DETR ResNet-50',
    framework: 'huggingface',
    task_types: ['detection'],
    parameters: '41.3M',
    pretrained_weights: ['coco'],
    description: 'End-to-end object detection with transformers (facebook/detr-resnet-50)',
    metrics: { coco_map50_95: 0.42 },
    input_size: [800, 800, 3],
    supported_backends: ['pytorch', 'onnx'],
    example_usage: "from transformers import DetrForObjectDetection\nmodel = DetrForObjectDetection.from_pretrained('facebook/detr-resnet-50')",
    documentation_url: 'https://huggingface.co/facebook/detr-resnet-50',
  },
  {
    model_id: 'yolov8n-seg',
    name: 'YOLOv8 Nano Segmentation',
    framework: 'ultralytics',
    task_types: ['segmentation'],
    parameters: '3.4M',
    pretrained_weights: ['coco'],
    description: 'Ultralytics YOLOv8 nano instance segmentation model',
    input_size: [640, 640, 3],
    supported_backends: ['pytorch', 'onnx'],
    example_usage: "from ultralytics import YOLO\nmodel = YOLO('yolov8n-seg.pt')",
    documentation_url: 'https://docs.ultralytics.com/tasks/segment/',
  },
  {
    model_id: 'segformer-b0',
    name: 'SegFormer B0',
    framework: 'huggingface',
    task_types: ['segmentation'],
    parameters: '3.8M',
    pretrained_weights: ['ade20k'],
    description: 'Semantic segmentation with a hierarchical transformer encoder (nvidia/segformer-b0)',
    input_size: [512, 512, 3],
    supported_backends: ['pytorch', 'onnx'],
    example_usage: "from transformers import SegformerForSemanticSegmentation\nmodel = SegformerForSemanticSegmentation.from_pretrained('nvidia/segformer-b0-finetuned-ade-512-512')",
    documentation_url: 'https://huggingface.co/nvidia/segformer-b0-finetuned-ade-512-512',
  },
];

/** The list entry (the seed's list shows no input_size / supported_backends / example_usage / documentation_url). */
export function listEntry(m: CatalogueModel): Record<string, unknown> {
  const { model_id, name, framework, task_types, parameters, pretrained_weights, description, metrics } = m;
  return { model_id, name, framework, task_types, parameters, pretrained_weights, description, ...(metrics ? { metrics } : {}) };
}

/** The detail entry: every field, in the seed's order. */
export function detailEntry(m: CatalogueModel): Record<string, unknown> {
  const { model_id, name, framework, task_types, parameters, pretrained_weights, description, input_size, supported_backends, metrics, example_usage, documentation_url } = m;
  return { model_id, name, framework, task_types, parameters, pretrained_weights, description, input_size, supported_backends, ...(metrics ? { metrics } : {}), example_usage, documentation_url };
}

export const modelById = (id: string): CatalogueModel | null => CATALOGUE.find((m) => m.model_id === id.toLowerCase()) ?? null;
