/** The seed 002 endpoints (under the seed's `/api` base) and the JSON-RPC paths. */
import { readJson, type Ctx, type Router, sendJson } from '../base/http';
import type { SolanaRpc } from './rpc';
import type { SolanaService } from './service';

/** The backend API base path: the seed's production base is `https://…/api`. */
export const API_BASE = '/api';
export const RPC_PATH = '/rpc';

export const ENDPOINTS = {
  registerModel: `${API_BASE}/transactions/register-model`,
  processSignatureRoyalty: `${API_BASE}/signature-royalty/process-signature-royalty`,
} as const;

export function solanaRoutes(router: Router, svc: SolanaService, rpc: SolanaRpc): void {
  router.on('POST', ENDPOINTS.registerModel, async (ctx) => {
    const r = svc.registerModel(await readJson(ctx));
    sendJson(ctx, r.status, r.body);
  });
  router.on('POST', ENDPOINTS.processSignatureRoyalty, async (ctx) => {
    const r = await svc.processSignatureRoyalty(await readJson(ctx));
    sendJson(ctx, r.status, r.body);
  });
  const rpcHandler = async (ctx: Ctx) => {
    // JSON-RPC answers 200 with an error object for anything it can parse; a batch is an array
    const chunks: Buffer[] = [];
    for await (const c of ctx.input) chunks.push(c as Buffer);
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      sendJson(ctx, 200, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
      return;
    }
    ctx.record.jsonKeys = Array.isArray(body) ? ['(batch)'] : body && typeof body === 'object' ? [String((body as { method?: unknown }).method)] : [];
    sendJson(ctx, 200, rpc.handle(body));
  };
  router.on('POST', RPC_PATH, rpcHandler);
  router.on('POST', '/', rpcHandler);
}
