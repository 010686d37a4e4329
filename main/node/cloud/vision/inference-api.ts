/** Seed 001 §5 Inference on a trained workflow: single (image_url | image_base64) and batch (202, then polled). */
import type { HttpClient } from '../http-client';
import { BatchReply, BatchStatusReply, PredictReply } from './schemas';

export type ImageRef = { image_url: string } | { image_base64: string };

export class InferenceApi {
  constructor(private readonly http: HttpClient) {}

  /** A prediction changes nothing, so it may be repeated. */
  predict(workflowId: string, image: ImageRef, signal?: AbortSignal): Promise<PredictReply> {
    return this.http.request({ method: 'POST', path: `/inference/${encodeURIComponent(workflowId)}/predict`, json: image, schema: PredictReply, signal, timeoutMs: 120_000 });
  }

  /** 202 Accepted with a job id (sent once: a repeat would start a second job). */
  batch(workflowId: string, images: ImageRef[], signal?: AbortSignal) {
    return this.http.request({ method: 'POST', path: `/inference/${encodeURIComponent(workflowId)}/batch`, json: { images }, retry: false, schema: BatchReply, signal, timeoutMs: 300_000 });
  }

  batchStatus(workflowId: string, jobId: string, signal?: AbortSignal): Promise<BatchStatusReply> {
    return this.http.request({ path: `/inference/${encodeURIComponent(workflowId)}/batch/${encodeURIComponent(jobId)}`, schema: BatchStatusReply, signal });
  }
}
