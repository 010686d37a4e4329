/**
 * The local Solana emulator (seed 002): the backend API (`/api/…`), the JSON-RPC a wallet needs (`/rpc`, and a
 * WebSocket on the same path for signatureSubscribe) over a litesvm VM, SQLite state in the data folder (a
 * temporary one by default, removed on close), and the handles tests and the admin API use (airdrop, balances,
 * models, faults, clock).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PublicKey } from '@solana/web3.js';
import { traceLineage } from '../../main/common/royalty';
import { Clock } from '../base/clock';
import { FaultInjector, type FaultRule } from '../base/faults';
import { ADMIN_PREFIX, startHost } from '../base/host';
import { HttpError, readJson, type RequestRecord, Router, sendJson } from '../base/http';
import { Mailbox } from '../base/mailbox';
import { Chain, loadLiteSvm, SendError } from './chain';
import { API_BASE, RPC_PATH, solanaRoutes } from './routes';
import { rpcSockets, SolanaRpc } from './rpc';
import { MODEL_PROGRAM_ID, modelView, SolanaService, type ModelView } from './service';
import { SolanaStore, type TxRow } from './store';

export interface SolanaEmulatorOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Folder for solana.sqlite and the VM snapshot svm.bin; default a new temporary folder, removed on close. */
  dataDir?: string;
  /** Fault rules active from the start (5xx at a rate, delays…; see base/faults.ts). They apply to /api and /rpc. */
  faults?: FaultRule | FaultRule[];
  faultSeed?: number;
  /** Unexpected errors and restore notes are printed unless quiet. */
  quiet?: boolean;
}

export interface SolanaEmulator {
  /** The backend API base, e.g. http://127.0.0.1:40123/api (KRAKEN_SOLANA_API): POST {url}/transactions/register-model. */
  url: string;
  /** JSON-RPC endpoint for `new Connection(rpcUrl, { wsEndpoint: wsUrl })` (KRAKEN_SOLANA_RPC). */
  rpcUrl: string;
  /** WebSocket for signatureSubscribe — the same port as rpcUrl, not port + 1. */
  wsUrl: string;
  /** Server root (admin API at {root}/__emulator). */
  root: string;
  port: number;
  dataDir: string;
  /** The registry program the model PDAs are derived under. */
  programId: string;
  /** Where subscriptions are paid (SystemProgram transfer to this address). */
  treasury: string;
  /** Pays the fees of registrations and distributions. */
  operator: string;
  /** Source of airdrops. */
  faucet: string;
  clock: Clock;
  close(): Promise<void>;
  setFaults(rules: FaultRule | FaultRule[]): void;
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  faults(): FaultRule[];
  /** A real faucet transfer on the VM; returns its signature. Throws on an amount the VM refuses (e.g. below rent). */
  airdrop(address: string, lamports: bigint): string;
  /** Lamports of an address (0 when it has no account). */
  balance(address: string): bigint;
  /** Every registered model, oldest first. */
  models(): ModelView[];
  model(pda: string): ModelView | null;
  /** Re-points a model's parent (to build a cycle in tests: the API cannot). */
  setParent(pda: string, parentPDA: string | null): void;
  /** A landed transaction as the emulator recorded it, or null. */
  transaction(signature: string): TxRow | null;
  /** Sends signed wire bytes straight to the VM (preflight on unless told); returns the signature. */
  sendRaw(raw: Uint8Array, options?: { skipPreflight?: boolean }): string;
  /** The VM's current blockhash (sign test transactions over it). */
  latestBlockhash(): string;
  requests(): RequestRecord[];
  clearRequests(): void;
}

/** Why the emulator cannot start here (litesvm has no binary for the platform), or null. Synchronous. */
export function solanaUnavailable(): string | null {
  return loadLiteSvm();
}

export async function startSolanaEmulator(options: SolanaEmulatorOptions = {}): Promise<SolanaEmulator> {
  const why = loadLiteSvm();
  if (why) throw new Error(why);
  const ownDir = !options.dataDir;
  const dataDir = options.dataDir ? path.resolve(options.dataDir) : fs.mkdtempSync(path.join(os.tmpdir(), 'solana-emulator-'));
  fs.mkdirSync(dataDir, { recursive: true });
  const log = options.quiet ? () => {} : (line: string) => console.error(line);
  const store = new SolanaStore(path.join(dataDir, 'solana.sqlite'));
  const clock = new Clock();
  let chain: Chain;
  try {
    chain = new Chain({ store, clock, snapshotFile: path.join(dataDir, 'svm.bin'), log });
  } catch (e) {
    store.close();
    throw e;
  }
  const svc = new SolanaService(store, chain, clock);
  const restored = svc.restoreAccounts();
  if (restored && !chain.startedFresh) log(`solana emulator: re-created ${restored} model account(s) missing from the VM snapshot`);
  const rpc = new SolanaRpc(chain, store);
  const faultList = options.faults === undefined ? [] : Array.isArray(options.faults) ? options.faults : [options.faults];
  const faults = new FaultInjector(faultList, options.faultSeed ?? 1);

  const router = new Router();
  solanaRoutes(router, svc, rpc);

  let urls = { root: '', api: '', rpc: '', ws: '' };
  const admin = new Router();
  const a = (s: string) => ADMIN_PREFIX + s;
  const info = () => ({
    programId: MODEL_PROGRAM_ID.toBase58(),
    treasury: chain.treasury.publicKey.toBase58(),
    operator: chain.operator.publicKey.toBase58(),
    faucet: chain.faucet.publicKey.toBase58(),
    apiUrl: urls.api,
    rpcUrl: urls.rpc,
    wsUrl: urls.ws,
    slot: chain.currentSlot,
  });
  const address = (v: unknown): string => {
    try {
      return new PublicKey(String(v)).toBase58();
    } catch {
      throw new HttpError(400, `Not a Solana public key: ${String(v)}`);
    }
  };
  admin.on('GET', a('/solana'), (ctx) => sendJson(ctx, 200, info()));
  admin.on('POST', a('/airdrop'), async (ctx) => {
    const body = await readJson(ctx);
    const to = address(body.address);
    const raw = body.lamports ?? (typeof body.sol === 'number' ? Math.round(body.sol * 1e9) : undefined);
    if (!((typeof raw === 'number' && Number.isSafeInteger(raw) && raw > 0) || (typeof raw === 'string' && /^\d+$/.test(raw) && BigInt(raw) > 0n))) throw new HttpError(400, 'Give {"address", "lamports": N ≥ 1} (or "sol").');
    try {
      const row = chain.airdrop(to, BigInt(raw));
      sendJson(ctx, 200, { signature: row.signature, address: to, balance: Number(chain.balance(to)) });
    } catch (e) {
      throw new HttpError(400, `Airdrop refused by the VM: ${(e as Error).message}`);
    }
  });
  admin.on('GET', a('/balances'), (ctx) => {
    const list = ctx.query.getAll('address').flatMap((s) => s.split(',')).filter(Boolean);
    if (!list.length) throw new HttpError(400, 'Give ?address=… (repeat or comma-separate for several).');
    sendJson(ctx, 200, { balances: Object.fromEntries(list.map((x) => [address(x), Number(chain.balance(address(x)))])) });
  });
  admin.on('GET', a('/models'), (ctx) => sendJson(ctx, 200, { models: store.models().map(modelView) }));
  admin.on('GET', a('/models/:pda'), async (ctx) => {
    const m = store.model(ctx.params.pda!);
    if (!m) throw new HttpError(404, `Model not found: ${ctx.params.pda}`);
    sendJson(ctx, 200, { model: modelView(m), lineageTrace: await traceLineage(m.pda, svc.lineageModel) });
  });
  admin.on('PATCH', a('/models/:pda'), async (ctx) => {
    const body = await readJson(ctx);
    const m = store.model(ctx.params.pda!);
    if (!m) throw new HttpError(404, `Model not found: ${ctx.params.pda}`);
    if (!('parentPDA' in body)) throw new HttpError(400, 'Give {"parentPDA": "<pda>" | null}.');
    store.setParent(m.pda, body.parentPDA === null ? null : address(body.parentPDA));
    sendJson(ctx, 200, { model: modelView(store.model(m.pda)!) });
  });
  admin.on('GET', a('/transactions'), (ctx) => {
    const limit = Math.max(1, Math.min(500, Number(ctx.query.get('limit') ?? 50) || 50));
    sendJson(ctx, 200, { transactions: store.recentTxs(limit).map((t) => ({ signature: t.signature, slot: t.slot, blockTime: t.block_time, err: t.err === null ? null : (JSON.parse(t.err) as unknown), accounts: JSON.parse(t.account_keys) as string[] })) });
  });
  admin.on('GET', a('/payments'), (ctx) => sendJson(ctx, 200, { payments: store.payments().map((p) => ({ signature: p.signature, modelPDA: p.model_pda, createdAt: p.created_at, reply: JSON.parse(p.reply) as unknown })) }));

  const sockets = rpcSockets(rpc, chain, store);
  const host = await startHost({
    name: 'solana',
    port: options.port,
    clock,
    faults,
    mailbox: new Mailbox(),
    router,
    adminRouter: admin,
    logError: options.quiet ? () => {} : undefined,
    onUpgrade: sockets.onUpgrade,
    // seed 002's error shape for everything the host answers itself (no route, 405, injected 5xx, bad JSON)
    errorBody: (_status, message) => ({ success: false, error: message }),
  });
  urls = { root: host.url, api: host.url + API_BASE, rpc: host.url + RPC_PATH, ws: host.url.replace(/^http/, 'ws') + RPC_PATH };

  return {
    url: urls.api,
    rpcUrl: urls.rpc,
    wsUrl: urls.ws,
    root: urls.root,
    port: host.port,
    dataDir,
    ...(() => {
      const i = info();
      return { programId: i.programId, treasury: i.treasury, operator: i.operator, faucet: i.faucet };
    })(),
    clock,
    async close() {
      sockets.close();
      await host.close();
      chain.flush();
      store.close();
      if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
    setFaults: (rules) => faults.set(Array.isArray(rules) ? rules : [rules]),
    addFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    faults: () => faults.list(),
    airdrop: (to, lamports) => chain.airdrop(to, lamports).signature,
    balance: (x) => chain.balance(x),
    models: () => store.models().map(modelView),
    model: (pda) => {
      const m = store.model(pda);
      return m ? modelView(m) : null;
    },
    setParent: (pda, parent) => store.setParent(pda, parent),
    transaction: (sig) => store.tx(sig),
    sendRaw: (raw, o = {}) => chain.send(raw, { preflight: !o.skipPreflight }).signature,
    latestBlockhash: () => chain.latestBlockhash.blockhash,
    requests: () => host.requests(),
    clearRequests: () => host.clearRequests(),
  };
}

export { SendError };
