/**
 * Seed 001 §2 Workflow Management: create, list (status, page, limit ≤ 100, sort), detail, metrics history, logs
 * (tail), cancel (DELETE) — and the studio's export proposal (docs/vision-export-proposal.md).
 */
import type { HttpClient } from '../http-client';
import { downloadToFile, type DownloadProgress, type DownloadResult } from '../download';
import { CancelReply, CreateWorkflowReply, LogsReply, MetricsReply, WorkflowDetail, WorkflowList, type CreateWorkflowRequest } from './schemas';

export class WorkflowsApi {
  constructor(private readonly http: HttpClient) {}

  /** 201 Created; sent once (a repeat would start a second, billed training). */
  create(body: CreateWorkflowRequest, signal?: AbortSignal) {
    return this.http.request({ method: 'POST', path: '/workflows', json: body, retry: false, schema: CreateWorkflowReply, signal });
  }

  list(q: { status?: string; page?: number; limit?: number; sort?: string } = {}, signal?: AbortSignal) {
    const limit = q.limit === undefined ? undefined : Math.max(1, Math.min(100, Math.trunc(q.limit)));
    return this.http.request({ path: '/workflows', query: { status: q.status, page: q.page, limit, sort: q.sort }, schema: WorkflowList, signal });
  }

  detail(workflowId: string, signal?: AbortSignal): Promise<WorkflowDetail> {
    return this.http.request({ path: `/workflows/${encodeURIComponent(workflowId)}`, schema: WorkflowDetail, signal });
  }

  /** The history; `start_time` narrows it to what came after (the seed's query). */
  metrics(workflowId: string, q: { metric?: string[]; start_time?: string } = {}, signal?: AbortSignal): Promise<MetricsReply> {
    return this.http.request({
      path: `/workflows/${encodeURIComponent(workflowId)}/metrics`,
      query: { metric: q.metric?.length ? q.metric.join(',') : undefined, start_time: q.start_time },
      schema: MetricsReply,
      signal,
    });
  }

  logs(workflowId: string, tail?: number, signal?: AbortSignal) {
    return this.http.request({ path: `/workflows/${encodeURIComponent(workflowId)}/logs`, query: { tail }, schema: LogsReply, signal });
  }

  cancel(workflowId: string, signal?: AbortSignal) {
    return this.http.request({ method: 'DELETE', path: `/workflows/${encodeURIComponent(workflowId)}`, schema: CancelReply, signal });
  }

  /** The proposal: GET /workflows/{id}/export?format=onnx → 200 application/octet-stream, or 404 NOT_FOUND. */
  export(workflowId: string, dest: string, opts: { onProgress?: (p: DownloadProgress) => void; signal?: AbortSignal; maxBytes?: number } = {}): Promise<DownloadResult> {
    return downloadToFile(this.http, {
      path: `/workflows/${encodeURIComponent(workflowId)}/export`,
      query: { format: 'onnx' },
      dest,
      onProgress: opts.onProgress,
      signal: opts.signal,
      maxBytes: opts.maxBytes ?? 2 * 1024 ** 3,
    });
  }
}
