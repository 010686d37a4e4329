/**
 * Seed 000 §3 (creation, multipart) and §4 (items) as typed calls. Field names keep the seed's capitals
 * (`Epoch`, `Payload` for gs3d, `payLoad` for nerf2mesh/musepose/decal, `Image`, `resize`, `deviceType`, `fileName`).
 */
import type { CloudItemFileType } from '../../../common/contract';
import { downloadToFile, type DownloadProgress } from '../download';
import type { FileKind } from '../format-check';
import type { AuthProvider, HttpClient } from '../http-client';
import { uploadMultipart, type UploadProgress } from '../upload';
import { createParts, type CreateInput } from './create-parts';
import { CreateReply, DeleteReply, DetailReply, MyItemsReply } from './schemas';

/** Per server: the `desc` value that lists newest first, once a page has shown it. */
const NEWEST_FIRST_DESC = new Map<string, string>();

const times = (items: { createdAt: string | null }[]) => items.map((i) => (i.createdAt ? Date.parse(i.createdAt) : NaN)).filter((t) => !Number.isNaN(t));
function oldestFirst(items: { createdAt: string | null }[]): boolean {
  const t = times(items);
  return t.length >= 2 && t.every((v, i) => i === 0 || v >= t[i - 1]!) && t[t.length - 1]! > t[0]!;
}
function newestFirst(items: { createdAt: string | null }[]): boolean {
  const t = times(items);
  return t.length >= 2 && t.every((v, i) => i === 0 || v <= t[i - 1]!) && t[t.length - 1]! < t[0]!;
}

export class AtlasItemsApi {
  constructor(private readonly http: HttpClient) {}

  /** §3 POST /atlas/item/{model} (multipart, streamed from disk) → 201 {requestId}. */
  async create(auth: AuthProvider, x: CreateInput, opts: { signal?: AbortSignal; onProgress?: (p: UploadProgress) => void } = {}): Promise<string> {
    const parts = createParts(x);
    const reply = await uploadMultipart(this.http, { ...parts, auth, signal: opts.signal, onProgress: opts.onProgress, schema: CreateReply });
    return reply.requestId;
  }

  /** §4.1 GET /atlas/item/detail/{requestId} */
  detail(auth: AuthProvider, requestId: string, signal?: AbortSignal): Promise<DetailReply> {
    return this.http.request({ method: 'GET', path: `/atlas/item/detail/${encodeURIComponent(requestId)}`, schema: DetailReply, auth, signal });
  }

  /** §4.4 GET /atlas/item/detail/my/{requestId} */
  detailMy(auth: AuthProvider, requestId: string, signal?: AbortSignal): Promise<DetailReply> {
    return this.http.request({ method: 'GET', path: `/atlas/item/detail/my/${encodeURIComponent(requestId)}`, schema: DetailReply, auth, signal });
  }

  /**
   * §4.3 GET /atlas/item/my/{ModelId}?orderBy=createdAt&desc=…&cursor=…&limit=… — newest first. The seed's table
   * reads "desc (true: ascending, false: descending)" while the name says the opposite, so the client sends the
   * table's `desc=false` and, when a first page comes back oldest first, learns that this server reads `desc`
   * by its name and asks again with `desc=true` (CONTRACT-NOTES.md).
   */
  async my(auth: AuthProvider, q: { modelId: number; cursor?: string | null; limit?: number; signal?: AbortSignal }): Promise<MyItemsReply> {
    const limit = String(Math.min(50, Math.max(1, q.limit ?? 10)));
    const ask = (desc: string) => {
      const query: Record<string, string> = { orderBy: 'createdAt', desc, limit };
      if (q.cursor) query.cursor = q.cursor;
      return this.http.request({ method: 'GET', path: `/atlas/item/my/${q.modelId}`, query, schema: MyItemsReply, auth, signal: q.signal });
    };
    const known = NEWEST_FIRST_DESC.get(this.http.baseUrl);
    const desc = known ?? 'false';
    const page = await ask(desc);
    if (known === undefined && !q.cursor && oldestFirst(page.items)) {
      const other = desc === 'false' ? 'true' : 'false';
      NEWEST_FIRST_DESC.set(this.http.baseUrl, other);
      return ask(other);
    }
    if (known === undefined && !q.cursor && newestFirst(page.items)) NEWEST_FIRST_DESC.set(this.http.baseUrl, desc);
    return page;
  }

  /** §4.5 DELETE /atlas/item/{requestId}; 403 not the owner, 404 unknown. */
  async remove(auth: AuthProvider, requestId: string): Promise<string> {
    const r = await this.http.request({ method: 'DELETE', path: `/atlas/item/${encodeURIComponent(requestId)}`, schema: DeleteReply, auth, retry: false });
    return r.requestId ?? requestId;
  }

  /** §4.2 GET /atlas/item/download/{requestId}?code=N to `dest` (temporary name, Range resume, format check). */
  download(
    auth: AuthProvider,
    x: { requestId: string; code?: number | null; dest: string; expect?: FileKind | FileKind[]; signal?: AbortSignal; onProgress?: (p: DownloadProgress) => void },
  ) {
    const query = x.code != null ? { code: String(x.code) } : undefined;
    return downloadToFile(this.http, {
      path: `/atlas/item/download/${encodeURIComponent(x.requestId)}`,
      query,
      dest: x.dest,
      auth,
      signal: x.signal,
      onProgress: x.onProgress,
      expect: x.expect,
    });
  }

  /** §4.6 GET /atlas/item/{type}/{requestId} — thumbnail, request, reply, output or log. */
  file(auth: AuthProvider, x: { requestId: string; type: CloudItemFileType; dest: string; signal?: AbortSignal }) {
    return downloadToFile(this.http, { path: `/atlas/item/${x.type}/${encodeURIComponent(x.requestId)}`, dest: x.dest, auth, signal: x.signal });
  }
}
