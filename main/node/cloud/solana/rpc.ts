/**
 * The cluster side of the wallet: `@solana/web3.js`'s Connection over HTTP JSON-RPC (no WebSocket — confirmation is
 * polled with getSignatureStatuses, which every cluster and the local emulator answer). Errors become AppErrors
 * with a plain sentence; a secret key never reaches this layer's messages (it only ever sees signed bytes).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { Connection, type Keypair, PublicKey, SystemProgram, Transaction, type VersionedTransactionResponse } from '@solana/web3.js';
import { AppError } from '../../../common/app-error';
import { say } from '../../../common/messages';
import type { WalletTransaction } from '../../../common/contract';

export interface SolanaRpcOptions {
  rpcUrl: string;
  /** How long a transaction may take to reach `confirmed` (ms). Default 60 s. */
  confirmTimeoutMs?: number;
  /** First poll interval (ms); doubles to 2 s. Default 250. */
  pollMs?: number;
  fetch?: typeof fetch;
}

/** A thrown web3.js / fetch error in one line, without anything that looks like a key. */
function why(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0]!.replace(/\s+/g, ' ').slice(0, 240);
}

export class SolanaRpc {
  readonly rpcUrl: string;
  readonly connection: Connection;
  private readonly confirmTimeoutMs: number;
  private readonly pollMs: number;

  constructor(o: SolanaRpcOptions) {
    this.rpcUrl = o.rpcUrl;
    this.confirmTimeoutMs = o.confirmTimeoutMs ?? 60_000;
    this.pollMs = o.pollMs ?? 250;
    this.connection = new Connection(o.rpcUrl, {
      commitment: 'confirmed',
      disableRetryOnRateLimit: true,
      ...(o.fetch ? { fetch: o.fetch as never } : {}),
    });
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof AppError) throw err;
      const m = why(err);
      const network = /fetch failed|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|socket|network|timed out|terminated/i.test(m);
      const p = { rpcUrl: this.rpcUrl, call: what, error: m };
      throw new AppError(network ? 'NETWORK' : 'REMOTE', network ? say('solana.rpc_unreachable', p) : say('solana.rpc_refused', p), {
        service: 'solana',
        rpcUrl: this.rpcUrl,
      });
    }
  }

  balance(address: PublicKey): Promise<number> {
    return this.call('getBalance', () => this.connection.getBalance(address, 'confirmed'));
  }

  /** Requests an airdrop and waits until it is confirmed; returns its signature. */
  async airdrop(address: PublicKey, lamports: number, signal?: AbortSignal): Promise<string> {
    const sig = await this.call('requestAirdrop', () => this.connection.requestAirdrop(address, lamports));
    await this.confirm(sig, signal);
    return sig;
  }

  /** Builds, signs here and sends a SystemProgram transfer; returns its signature (not yet confirmed). */
  async transfer(from: Keypair, to: PublicKey, lamports: number): Promise<string> {
    const { blockhash, lastValidBlockHeight } = await this.call('getLatestBlockhash', () => this.connection.getLatestBlockhash('confirmed'));
    const tx = new Transaction({ feePayer: from.publicKey, blockhash, lastValidBlockHeight }).add(SystemProgram.transfer({ fromPubkey: from.publicKey, toPubkey: to, lamports }));
    tx.sign(from);
    return this.call('sendTransaction', () => this.connection.sendRawTransaction(tx.serialize(), { skipPreflight: false, preflightCommitment: 'confirmed' }));
  }

  /** The fee the cluster would charge for one simple transfer (lamports); 5000 where it will not say. */
  async transferFee(from: PublicKey, to: PublicKey): Promise<number> {
    try {
      const { blockhash } = await this.connection.getLatestBlockhash('confirmed');
      const tx = new Transaction({ feePayer: from, recentBlockhash: blockhash }).add(SystemProgram.transfer({ fromPubkey: from, toPubkey: to, lamports: 1 }));
      const fee = await this.connection.getFeeForMessage(tx.compileMessage(), 'confirmed');
      return fee.value ?? 5000;
    } catch {
      return 5000;
    }
  }

  /**
   * Polls getSignatureStatuses until the transaction is `confirmed` (or finalized). A transaction that failed on
   * chain is REMOTE with its error; one not seen in time is NETWORK (it may still land: look it up later).
   */
  async confirm(signature: string, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + this.confirmTimeoutMs;
    let wait = this.pollMs;
    for (;;) {
      const { value } = await this.call('getSignatureStatuses', () => this.connection.getSignatureStatuses([signature], { searchTransactionHistory: true }));
      const st = value[0];
      if (st?.err) throw new AppError('REMOTE', say('solana.tx_failed', { signature, error: JSON.stringify(st.err) }), { service: 'solana', signature });
      if (st && (st.confirmationStatus === 'confirmed' || st.confirmationStatus === 'finalized')) return;
      if (Date.now() >= deadline) {
        throw new AppError('NETWORK', say('solana.tx_unconfirmed', { signature, seconds: Math.round(this.confirmTimeoutMs / 1000) }), { service: 'solana', signature });
      }
      try {
        await delay(wait, undefined, { signal });
      } catch {
        throw new AppError('CANCELLED', say('cloud.cancelled', {}));
      }
      wait = Math.min(wait * 2, 2000);
    }
  }

  /** The wallet's recent transactions with its balance change in each. */
  async recent(address: PublicKey, limit: number): Promise<WalletTransaction[]> {
    const sigs = await this.call('getSignaturesForAddress', () => this.connection.getSignaturesForAddress(address, { limit }, 'confirmed'));
    const out: WalletTransaction[] = [];
    for (const s of sigs) {
      let tx: VersionedTransactionResponse | null = null;
      try {
        tx = await this.connection.getTransaction(s.signature, { commitment: 'confirmed', maxSupportedTransactionVersion: 0 });
      } catch {
        tx = null; // listed but not readable here: the signature alone is still shown
      }
      out.push(describe(address, s, tx));
    }
    return out;
  }
}

function describe(
  address: PublicKey,
  s: { signature: string; slot: number; blockTime?: number | null; err: unknown },
  tx: VersionedTransactionResponse | null,
): WalletTransaction {
  let change: number | null = null;
  let fee: number | null = null;
  let counterparty: string | null = null;
  if (tx?.meta) {
    const keys = tx.transaction.message.staticAccountKeys.map((k) => k.toBase58());
    const me = address.toBase58();
    const i = keys.indexOf(me);
    if (i >= 0) change = tx.meta.postBalances[i]! - tx.meta.preBalances[i]!;
    fee = tx.meta.fee;
    const system = SystemProgram.programId.toBase58();
    for (const ix of tx.transaction.message.compiledInstructions) {
      // A System Program transfer: instruction index 2 (u32 LE), accounts [from, to].
      if (keys[ix.programIdIndex] !== system || ix.data.length < 4 || ix.data[0] !== 2 || ix.accountKeyIndexes.length < 2) continue;
      const from = keys[ix.accountKeyIndexes[0]!];
      const to = keys[ix.accountKeyIndexes[1]!];
      counterparty = (from === me ? to : from) ?? null;
      break;
    }
  }
  const blockTime = s.blockTime ?? tx?.blockTime ?? null;
  return {
    signature: s.signature,
    slot: s.slot ?? null,
    blockTime: blockTime ? new Date(blockTime * 1000).toISOString() : null,
    err: s.err ? JSON.stringify(s.err) : null,
    change,
    fee,
    counterparty,
  };
}

export { PublicKey };
