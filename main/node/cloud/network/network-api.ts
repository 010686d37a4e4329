/**
 * The creator's calls of the Kraken network (docs/contributor-protocol.md, "Creator calls") over the shared cloud
 * HTTP client, every attempt signed with the studio's identity (the contributor's signing layer: the same
 * ed25519 key a node uses, so what the studio earns contributing pays for its own jobs).
 */
import { AppError } from '../../../common/app-error';
import { say } from '../../../common/messages';
import type { NodeIdentity } from '../../contributor/identity';
import { signingLayer } from '../../contributor/node-client';
import { HttpClient, type HttpClientOptions } from '../http-client';
import { AccountReply, BlobPutReply, JobsReply, JobStatusReply, NodeMeReply, PayoutReply, SubmitReply } from './schemas';

export interface SubmitBody {
  kind: 'inference';
  model: { sha256: string; bytes: number; format: 'onnx'; task: 'classification' | 'detection'; inputSize: [number, number]; labels?: string[] };
  inputs: { sha256: string; bytes: number; mediaType: 'image/png' | 'image/jpeg' }[];
  batchSize: number;
  redundancy: number;
  maxDurationMinutes: number;
  cluster: 'cpu' | 'gpu';
  label?: string;
}

/** The `error.details` of a refusal's body; empty when there is no body to read (the numbers stay unknown). */
async function errorDetails<T extends object>(res: Response): Promise<Partial<T>> {
  try {
    return (JSON.parse(await res.text()) as { error?: { details?: Partial<T> } }).error?.details ?? {};
  } catch {
    return {};
  }
}

export type ClientOptions = Partial<Omit<HttpClientOptions, 'service' | 'baseUrl'>> & { now?: () => number };

export class NetworkApi {
  readonly http: HttpClient;

  constructor(
    readonly baseUrl: string,
    identity: NodeIdentity,
    options: ClientOptions = {},
  ) {
    this.http = new HttpClient({ ...options, service: 'network', baseUrl, middleware: [...(options.middleware ?? []), signingLayer(identity, options.now)] });
  }

  /** Is this blob stored on the network already? (`HEAD /v1/blobs/{sha}`: 200 yes, 404 no.) */
  async hasBlob(sha256: string): Promise<boolean> {
    const res = await this.http.requestRaw({ method: 'HEAD', path: `/v1/blobs/${sha256}`, okStatuses: [200, 404] });
    await res.body?.cancel();
    return res.status === 200;
  }

  /** `PUT /v1/blobs/{sha}`: 201 stored, 200 already there. */
  async putBlob(sha256: string, bytes: Uint8Array): Promise<void> {
    await this.http.request({ method: 'PUT', path: `/v1/blobs/${sha256}`, body: bytes, headers: { 'content-type': 'application/octet-stream' }, schema: BlobPutReply, okStatuses: [200, 201], timeoutMs: 300_000 });
  }

  /**
   * `POST /v1/jobs` (never repeated: a lost reply could have reserved credit). 402 becomes INVALID_INPUT with
   * `details.serviceCode: INSUFFICIENT_CREDIT`, `balance` and `cost` so the UI can say how much is missing.
   */
  async submit(body: SubmitBody): Promise<SubmitReply> {
    const res = await this.http.requestRaw({ method: 'POST', path: '/v1/jobs', json: body, retry: false, okStatuses: [201, 200, 402] });
    if (res.status === 402) {
      const details = await errorDetails<{ balance?: unknown; cost?: unknown }>(res);
      const balance = typeof details.balance === 'number' ? details.balance : null;
      const cost = typeof details.cost === 'number' ? details.cost : null;
      throw new AppError(
        'INVALID_INPUT',
        say('network.not_enough_credit', { cost: cost ?? '?', balance: balance ?? '?' }),
        { service: 'network', status: 402, serviceCode: 'INSUFFICIENT_CREDIT', balance, cost },
      );
    }
    return this.http.parseReply(res, SubmitReply, [200, 201]);
  }

  job(jobId: string) {
    return this.http.request({ method: 'GET', path: `/v1/jobs/${encodeURIComponent(jobId)}`, schema: JobStatusReply });
  }

  jobs() {
    return this.http.request({ method: 'GET', path: '/v1/jobs', query: { mine: 1 }, schema: JobsReply });
  }

  cancel(jobId: string) {
    return this.http.request({ method: 'DELETE', path: `/v1/jobs/${encodeURIComponent(jobId)}`, schema: JobStatusReply, retry: false });
  }

  account() {
    return this.http.request({ method: 'GET', path: '/v1/accounts/me', schema: AccountReply });
  }

  /** The node's own view (`GET /v1/nodes/me`): its credit with what it may pay out. 404/403 until it registers. */
  nodeMe() {
    return this.http.request({ method: 'GET', path: '/v1/nodes/me', schema: NodeMeReply });
  }

  /**
   * Moves money: sent once, never retried (after a dropped reply, nodeMe says whether it went through). 402
   * `INSUFFICIENT_CREDIT` says how much may be paid out.
   */
  async payout(body: { address: string; credit?: number }): Promise<PayoutReply> {
    const res = await this.http.requestRaw({ method: 'POST', path: '/v1/nodes/me/payout', json: body, retry: false, okStatuses: [200, 402] });
    if (res.status === 402) {
      const d = await errorDetails<{ payable?: unknown; balance?: unknown }>(res);
      const payable = typeof d.payable === 'number' ? d.payable : null;
      throw new AppError(
        'INVALID_INPUT',
        payable === 0 || payable === null ? say('network.nothing_earned', {}) : say('network.payable_only', { payable }),
        { service: 'network', status: 402, serviceCode: 'INSUFFICIENT_CREDIT', payable, balance: typeof d.balance === 'number' ? d.balance : null },
      );
    }
    return this.http.parseReply(res, PayoutReply, [200]);
  }
}
