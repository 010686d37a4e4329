/** Seed 001 §4 Models: the catalogue (task_type, framework, search, paging) and one model's detail. */
import type { HttpClient } from '../http-client';
import { CatalogueModel, ModelList } from './schemas';

export class ModelsApi {
  constructor(private readonly http: HttpClient) {}

  list(q: { task_type?: string; framework?: string; search?: string; page?: number; limit?: number } = {}, signal?: AbortSignal) {
    return this.http.request({ path: '/models', query: { ...q }, schema: ModelList, signal });
  }

  detail(modelId: string, signal?: AbortSignal): Promise<CatalogueModel> {
    return this.http.request({ path: `/models/${encodeURIComponent(modelId)}`, schema: CatalogueModel, signal });
  }
}
