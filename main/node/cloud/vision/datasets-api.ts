/** Seed 001 §3 Dataset Management: multipart upload, list, detail, validate. */
import type { HttpClient } from '../http-client';
import { uploadMultipart, type UploadProgress } from '../upload';
import { DatasetDetail, DatasetList, ValidateReply } from './schemas';

export class DatasetsApi {
  constructor(private readonly http: HttpClient) {}

  /** POST /datasets/upload with the seed's fields `file`, `name`, `format`, `description` (streamed from disk; sent once). */
  upload(file: string, fields: { name: string; format: string; description?: string }, opts: { onProgress?: (p: UploadProgress) => void; signal?: AbortSignal } = {}): Promise<DatasetDetail> {
    const form: Record<string, string> = { name: fields.name, format: fields.format };
    if (fields.description !== undefined) form.description = fields.description;
    return uploadMultipart(this.http, {
      path: '/datasets/upload',
      fields: form,
      files: [{ field: 'file', path: file }],
      onProgress: opts.onProgress,
      signal: opts.signal,
      schema: DatasetDetail,
    });
  }

  list(q: { page?: number; limit?: number } = {}, signal?: AbortSignal) {
    return this.http.request({ path: '/datasets', query: { page: q.page, limit: q.limit }, schema: DatasetList, signal });
  }

  detail(datasetId: string, signal?: AbortSignal): Promise<DatasetDetail> {
    return this.http.request({ path: `/datasets/${encodeURIComponent(datasetId)}`, schema: DatasetDetail, signal });
  }

  /** Read-only on the platform's side, so it may be repeated. */
  validate(datasetId: string, body: { expected_format?: string; expected_classes?: number }, signal?: AbortSignal): Promise<ValidateReply> {
    return this.http.request({ method: 'POST', path: `/datasets/${encodeURIComponent(datasetId)}/validate`, json: body, schema: ValidateReply, signal });
  }
}
