/** The local vision-training-platform emulator (seed 001). See CONTRACT.md for every endpoint and every reading of the seed. */
export { startVisionEmulator, DEMO_EMAIL, DEMO_PASSWORD, type VisionEmulator, type VisionEmulatorOptions } from './emulator';
export { ENDPOINTS, API } from './routes';
export { CATALOGUE, type CatalogueModel } from './catalogue';
export { DEFAULT_PLANS, type Plan, type PlanName } from './plans';
export { IMAGENET_MEAN, IMAGENET_STD, INPUT_NAME, OUTPUT_LOGITS, OUTPUT_PROBABILITIES } from './trainer/onnx-export';
export { GRID } from './trainer/features';
export type { VisionSettings } from './service';
export type { WorkflowStatus } from './store';
export type { FaultRule } from '../base/faults';
export type { RequestRecord } from '../base/http';
