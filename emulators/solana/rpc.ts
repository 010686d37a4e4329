/**
 * The Solana JSON-RPC 2.0 methods `@solana/web3.js` 1.98's `Connection` needs from a cluster, answered from the
 * chain (litesvm + the emulator's transaction log), over HTTP POST and — for `signatureSubscribe`, which
 * `confirmTransaction` waits on — over a WebSocket on the same port and path. Every transaction is final as soon
 * as `sendTransaction` answers, so every status reads `finalized`.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { PublicKey, VersionedMessage, VersionedTransaction } from '@solana/web3.js';
import { WebSocketServer, type WebSocket } from 'ws';
import { Chain, fromBase58, LAMPORTS_PER_SIGNATURE, SendError, SYSTEM_PROGRAM, toBase58 } from './chain';
import type { SolanaStore, TxRow } from './store';

interface RpcRequest {
  jsonrpc?: string;
  id?: unknown;
  method?: unknown;
  params?: unknown;
}

class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

const invalidParams = (m: string) => new RpcError(-32602, `Invalid params: ${m}`);

function pubkey(v: unknown): string {
  if (typeof v !== 'string') throw invalidParams('expected a base58 public key');
  try {
    return new PublicKey(v).toBase58();
  } catch {
    throw invalidParams(`Invalid param: WrongSize or not base58: ${v}`);
  }
}

const num = (s: string | bigint) => Number(s);

export const SOLANA_CORE_VERSION = '2.1.21';

/** JSON-RPC over the chain; `handle` takes one parsed request body (an object or a batch array). */
export class SolanaRpc {
  constructor(
    private readonly chain: Chain,
    private readonly store: SolanaStore,
  ) {}

  private ctx() {
    return { slot: this.chain.currentSlot, apiVersion: SOLANA_CORE_VERSION };
  }

  /** The reply body for a request body (batch in, batch out). */
  handle(body: unknown): unknown {
    if (Array.isArray(body)) return body.length ? body.map((r) => this.one(r as RpcRequest)) : { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid request: empty batch' } };
    return this.one(body as RpcRequest);
  }

  private one(req: RpcRequest): unknown {
    const id = req && typeof req === 'object' && 'id' in req ? req.id : null;
    try {
      if (!req || typeof req !== 'object' || typeof req.method !== 'string') throw new RpcError(-32600, 'Invalid request');
      const params = Array.isArray(req.params) ? req.params : req.params === undefined ? [] : null;
      if (!params) throw invalidParams('params must be an array');
      return { jsonrpc: '2.0', id, result: this.call(req.method, params) };
    } catch (e) {
      if (e instanceof RpcError) return { jsonrpc: '2.0', id, error: { code: e.code, message: e.message, ...(e.data !== undefined ? { data: e.data } : {}) } };
      return { jsonrpc: '2.0', id, error: { code: -32603, message: `Internal error: ${(e as Error).message}` } };
    }
  }

  private call(method: string, p: unknown[]): unknown {
    const cfg = (i: number) => (p[i] && typeof p[i] === 'object' ? (p[i] as Record<string, unknown>) : {});
    switch (method) {
      case 'getHealth':
        return 'ok';
      case 'getVersion':
        return { 'solana-core': SOLANA_CORE_VERSION, 'feature-set': 0 };
      case 'getGenesisHash':
        return '11111111111111111111111111111111';
      case 'getSlot':
      case 'getBlockHeight':
        return this.chain.currentSlot;
      case 'getTransactionCount':
        return this.store.txCount();
      case 'getEpochInfo':
        return { absoluteSlot: this.chain.currentSlot, blockHeight: this.chain.currentSlot, epoch: 0, slotIndex: this.chain.currentSlot, slotsInEpoch: 432000, transactionCount: this.store.txCount() };
      case 'getLatestBlockhash':
        return { context: this.ctx(), value: this.chain.latestBlockhash };
      case 'getRecentBlockhash':
        return { context: this.ctx(), value: { blockhash: this.chain.latestBlockhash.blockhash, feeCalculator: { lamportsPerSignature: Number(LAMPORTS_PER_SIGNATURE) } } };
      case 'isBlockhashValid':
        return { context: this.ctx(), value: typeof p[0] === 'string' && this.chain.isBlockhashValid(p[0]) };
      case 'getFeeForMessage': {
        if (typeof p[0] !== 'string') throw invalidParams('expected a base64 message');
        let msg: VersionedMessage;
        try {
          msg = VersionedMessage.deserialize(Buffer.from(p[0], 'base64'));
        } catch {
          throw invalidParams('the message cannot be decoded');
        }
        return { context: this.ctx(), value: this.chain.isBlockhashValid(msg.recentBlockhash) ? Number(LAMPORTS_PER_SIGNATURE) * msg.header.numRequiredSignatures : null };
      }
      case 'getMinimumBalanceForRentExemption': {
        const n = p[0];
        if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw invalidParams('expected a data length');
        return num(this.chain.rentExempt(n));
      }
      case 'getBalance':
        return { context: this.ctx(), value: num(this.chain.balance(pubkey(p[0]))) };
      case 'getAccountInfo':
        return { context: this.ctx(), value: this.accountInfo(pubkey(p[0]), cfg(1)) };
      case 'getMultipleAccounts': {
        if (!Array.isArray(p[0])) throw invalidParams('expected a list of public keys');
        return { context: this.ctx(), value: p[0].map((a) => this.accountInfo(pubkey(a), cfg(1))) };
      }
      case 'requestAirdrop': {
        const to = pubkey(p[0]);
        const lamports = p[1];
        if (typeof lamports !== 'number' || !Number.isSafeInteger(lamports) || lamports <= 0) throw invalidParams('expected a lamport amount ≥ 1');
        try {
          return this.chain.airdrop(to, BigInt(lamports)).signature;
        } catch (e) {
          throw new RpcError(-32603, `Internal error: airdrop failed: ${(e as Error).message}`);
        }
      }
      case 'sendTransaction':
        return this.send(p[0], cfg(1));
      case 'simulateTransaction': {
        const raw = this.decodeTx(p[0], cfg(1).encoding);
        const r = this.chain.simulate(raw);
        return { context: this.ctx(), value: { err: r.err, logs: r.logs, accounts: null, unitsConsumed: r.unitsConsumed, returnData: null } };
      }
      case 'getSignatureStatuses': {
        if (!Array.isArray(p[0])) throw invalidParams('expected a list of signatures');
        return { context: this.ctx(), value: p[0].map((s) => this.status(s)) };
      }
      case 'getTransaction': {
        if (typeof p[0] !== 'string') throw invalidParams('expected a signature');
        const row = this.store.tx(p[0]);
        const c = typeof p[1] === 'string' ? { encoding: p[1] } : cfg(1);
        return row ? this.txJson(row, typeof c.encoding === 'string' ? c.encoding : 'json') : null;
      }
      case 'getSignaturesForAddress': {
        const address = pubkey(p[0]);
        const c = cfg(1);
        const limit = typeof c.limit === 'number' ? Math.max(1, Math.min(1000, Math.floor(c.limit))) : 1000;
        return this.store
          .txsOf(address, { limit, before: typeof c.before === 'string' ? c.before : undefined, until: typeof c.until === 'string' ? c.until : undefined })
          .map((t) => ({ signature: t.signature, slot: t.slot, err: t.err === null ? null : (JSON.parse(t.err) as unknown), memo: null, blockTime: t.block_time, confirmationStatus: 'finalized' }));
      }
      case 'getBlockTime': {
        const slot = p[0];
        if (typeof slot !== 'number' || !Number.isInteger(slot) || slot < 0) throw invalidParams('expected a slot');
        if (slot > this.chain.currentSlot) throw new RpcError(-32004, `Block not available for slot ${slot}`);
        return this.store.blockTime(slot);
      }
      default:
        throw new RpcError(-32601, 'Method not found');
    }
  }

  private accountInfo(address: string, c: Record<string, unknown>) {
    const a = this.chain.account(address);
    if (!a) return null;
    const data = c.encoding === 'base58' ? [toBase58(a.data), 'base58'] : [Buffer.from(a.data).toString('base64'), 'base64'];
    return { data, executable: a.executable, lamports: num(a.lamports), owner: a.owner, rentEpoch: 0, space: a.data.length };
  }

  private decodeTx(v: unknown, encoding: unknown): Uint8Array {
    if (typeof v !== 'string') throw invalidParams('expected an encoded transaction');
    try {
      return encoding === 'base64' ? new Uint8Array(Buffer.from(v, 'base64')) : fromBase58(v);
    } catch {
      throw invalidParams(`the transaction is not valid ${encoding === 'base64' ? 'base64' : 'base58'}`);
    }
  }

  private send(v: unknown, c: Record<string, unknown>): string {
    const raw = this.decodeTx(v, c.encoding ?? 'base58');
    try {
      return this.chain.send(raw, { preflight: c.skipPreflight !== true }).signature;
    } catch (e) {
      if (e instanceof SendError) throw new RpcError(-32002, e.message, { accounts: null, err: e.err, logs: e.logs, unitsConsumed: 0, returnData: null, innerInstructions: null });
      throw e;
    }
  }

  status(sig: unknown) {
    const row = typeof sig === 'string' ? this.store.tx(sig) : null;
    if (!row) return null;
    const err = row.err === null ? null : (JSON.parse(row.err) as unknown);
    return { slot: row.slot, confirmations: null, err, status: err === null ? { Ok: null } : { Err: err }, confirmationStatus: 'finalized' };
  }

  private txJson(row: TxRow, encoding: string) {
    const tx = VersionedTransaction.deserialize(row.raw);
    const err = row.err === null ? null : (JSON.parse(row.err) as unknown);
    const meta = {
      err,
      status: err === null ? { Ok: null } : { Err: err },
      fee: num(row.fee),
      preBalances: (JSON.parse(row.pre_balances) as string[]).map(num),
      postBalances: (JSON.parse(row.post_balances) as string[]).map(num),
      innerInstructions: [],
      logMessages: JSON.parse(row.logs) as string[],
      preTokenBalances: [],
      postTokenBalances: [],
      rewards: [],
      loadedAddresses: { readonly: [], writable: [] },
      computeUnitsConsumed: row.compute_units,
    };
    const version = tx.version === 'legacy' ? 'legacy' : tx.version;
    const base = { slot: row.slot, blockTime: row.block_time, meta, version };
    if (encoding === 'base64') return { ...base, transaction: [row.raw.toString('base64'), 'base64'] };
    if (encoding === 'base58') return { ...base, transaction: [toBase58(row.raw), 'base58'] };
    const m = tx.message;
    const keys = m.staticAccountKeys.map((k) => k.toBase58());
    const signatures = tx.signatures.map((s) => toBase58(s));
    if (encoding === 'jsonParsed') {
      const nSigned = m.header.numRequiredSignatures;
      const accountKeys = keys.map((pk, i) => ({ pubkey: pk, signer: i < nSigned, writable: m.isAccountWritable(i), source: 'transaction' }));
      const instructions = m.compiledInstructions.map((ix) => {
        const programId = keys[ix.programIdIndex]!;
        const d = Buffer.from(ix.data);
        if (programId === SYSTEM_PROGRAM && d.length === 12 && d.readUInt32LE(0) === 2) {
          return { program: 'system', programId, parsed: { type: 'transfer', info: { source: keys[ix.accountKeyIndexes[0]!], destination: keys[ix.accountKeyIndexes[1]!], lamports: num(d.readBigUInt64LE(4)) } }, stackHeight: null };
        }
        return { programId, accounts: ix.accountKeyIndexes.map((i) => keys[i]), data: toBase58(ix.data), stackHeight: null };
      });
      return { ...base, transaction: { signatures, message: { accountKeys, instructions, recentBlockhash: m.recentBlockhash } } };
    }
    return {
      ...base,
      transaction: {
        signatures,
        message: {
          accountKeys: keys,
          header: m.header,
          instructions: m.compiledInstructions.map((ix) => ({ programIdIndex: ix.programIdIndex, accounts: ix.accountKeyIndexes, data: toBase58(ix.data), stackHeight: null })),
          recentBlockhash: m.recentBlockhash,
        },
      },
    };
  }
}

/** `signatureSubscribe` / `signatureUnsubscribe` over a WebSocket (what web3.js's confirmTransaction waits on). */
export function rpcSockets(rpc: SolanaRpc, chain: Chain, store: SolanaStore) {
  const wss = new WebSocketServer({ noServer: true });
  let nextId = 1;
  const subs = new Map<number, { ws: WebSocket; signature: string }>();
  const notify = (subId: number, slot: number, err: unknown) => {
    const s = subs.get(subId);
    if (!s) return;
    subs.delete(subId);
    s.ws.send(JSON.stringify({ jsonrpc: '2.0', method: 'signatureNotification', params: { result: { context: { slot }, value: { err } }, subscription: subId } }));
  };
  const off = chain.onTransaction((sig, row) => {
    for (const [id, s] of subs) if (s.signature === sig) notify(id, row.slot, row.err === null ? null : (JSON.parse(row.err) as unknown));
  });
  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      let req: RpcRequest;
      try {
        req = JSON.parse(String(data)) as RpcRequest;
      } catch {
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } }));
        return;
      }
      const id = req?.id ?? null;
      const params = Array.isArray(req?.params) ? req.params : [];
      if (req?.method === 'signatureSubscribe') {
        if (typeof params[0] !== 'string') {
          ws.send(JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32602, message: 'Invalid params: expected a signature' } }));
          return;
        }
        const subId = nextId++;
        subs.set(subId, { ws, signature: params[0] });
        ws.send(JSON.stringify({ jsonrpc: '2.0', id, result: subId }));
        const row = store.tx(params[0]);
        // already final: notify at once (after the subscription id, as a validator does)
        if (row) setImmediate(() => notify(subId, row.slot, row.err === null ? null : (JSON.parse(row.err) as unknown)));
        return;
      }
      if (req?.method === 'signatureUnsubscribe') {
        const had = subs.delete(Number(params[0]));
        ws.send(JSON.stringify({ jsonrpc: '2.0', id, result: had }));
        return;
      }
      if (typeof req?.method === 'string' && req.method.endsWith('Unsubscribe')) {
        ws.send(JSON.stringify({ jsonrpc: '2.0', id, result: true }));
        return;
      }
      // plain methods over the socket answer as over HTTP; other subscriptions are not offered
      if (typeof req?.method === 'string' && req.method.endsWith('Subscribe')) {
        ws.send(JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32601, message: `Method not found: the emulator offers only signatureSubscribe` } }));
        return;
      }
      ws.send(JSON.stringify(rpc.handle(req)));
    });
    ws.on('close', () => {
      for (const [id, s] of subs) if (s.ws === ws) subs.delete(id);
    });
  });
  return {
    onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer) {
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    close() {
      off();
      for (const c of wss.clients) c.terminate();
      wss.close();
    },
  };
}
