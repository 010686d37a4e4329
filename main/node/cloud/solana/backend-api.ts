/**
 * The Solana backend's two calls (seed 002), grouped as the seed groups them: `transactions` (register-model) and
 * `signature-royalty` (process-signature-royalty). Retry policy from the seed, through the shared HttpClient:
 * 5xx and network errors → exponential back-off, at most 3 retries; 4xx → none (a 404 "not found yet" is handed
 * back to the caller, who waits for confirmation and asks again — RoyaltyService does).
 */
import type { z } from 'zod';
import { AppError } from '../../../common/app-error';
import { badReplyError, extractServiceMessage } from '../errors';
import { HttpClient, type HttpClientOptions } from '../http-client';
import { DistributedReply, ErrorReply, RegisterModelReply, VerifiedReply } from './schemas';

export interface ProcessRequest {
  transactionSignature: string;
  modelPDA?: string;
  platformFeeBps?: number;
  minRoyaltyLamports?: number;
  commitment?: 'confirmed' | 'finalized';
}

export type ProcessAnswer =
  | { kind: 'distributed'; reply: z.infer<typeof DistributedReply> }
  | { kind: 'verified' | 'too_small'; reply: z.infer<typeof VerifiedReply> }
  | { kind: 'not_found'; error: string }
  | { kind: 'rejected'; status: number; error: string; violations: string[]; details: unknown };

export class SolanaBackendApi {
  readonly http: HttpClient;

  constructor(baseUrl: string, opts: Partial<Omit<HttpClientOptions, 'service' | 'baseUrl'>> = {}) {
    this.http = new HttpClient({ ...opts, service: 'solana', baseUrl, maxRetries: Math.min(opts.maxRetries ?? 3, 3) });
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /** POST /transactions/register-model → the model PDA and transaction. 400: INVALID_INPUT with the backend's words. */
  registerModel(body: unknown, signal?: AbortSignal): Promise<z.infer<typeof RegisterModelReply>> {
    return this.http.request({ method: 'POST', path: '/transactions/register-model', json: body, schema: RegisterModelReply, auth: false, signal });
  }

  /** POST /signature-royalty/process-signature-royalty → one of the seed's outcomes (200, 400, 404 are answers). */
  async processSignatureRoyalty(req: ProcessRequest, signal?: AbortSignal): Promise<ProcessAnswer> {
    const res = await this.http.requestRaw({
      method: 'POST',
      path: '/signature-royalty/process-signature-royalty',
      json: req,
      auth: false,
      signal,
      okStatuses: [200, 400, 404],
    });
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw badReplyError('solana', res.status);
    }
    if (res.status === 200) {
      const d = DistributedReply.safeParse(body);
      if (d.success) return { kind: 'distributed', reply: d.data };
      const v = VerifiedReply.safeParse(body);
      if (v.success) {
        const small = v.data.data.minRequiredLamports !== undefined || /too small/i.test(`${v.data.data.reason ?? ''} ${v.data.message ?? ''}`);
        return { kind: small ? 'too_small' : 'verified', reply: v.data };
      }
      throw badReplyError('solana', 200, (d.error ?? v.error).issues);
    }
    const e = ErrorReply.safeParse(body);
    const error = e.success ? e.data.error : (extractServiceMessage(body) ?? `HTTP ${res.status}`);
    // 404 is "not on the chain yet" (worth waiting for) only for the transaction; an unknown model is a refusal.
    if (res.status === 404 && !/model not found/i.test(error)) return { kind: 'not_found', error };
    const violations = e.success ? (e.data.data?.violations ?? []) : [];
    return { kind: 'rejected', status: res.status, error, violations, details: e.success ? e.data.details : undefined };
  }
}

/** The backend's 400 for register-model as an AppError that keeps its words. */
export function isValidationRefusal(err: unknown): err is AppError {
  return err instanceof AppError && err.code === 'INVALID_INPUT' && (err.details as { status?: number } | undefined)?.status === 400;
}
