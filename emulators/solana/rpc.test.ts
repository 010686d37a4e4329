/**
 * The JSON-RPC at rpcUrl through @solana/web3.js 1.98.4's own `Connection`, unchanged: airdrop, balance, a transfer
 * sent raw (base64 and base58), confirmTransaction over the WebSocket, statuses, transaction lookups, signatures of
 * an address, account info of a model PDA, rent, fees, version, slots; preflight failures and unknown blockhashes
 * refused as a validator refuses them. litesvm has no Windows binary: there the suite is skipped (reason printed).
 */
import {
  Connection,
  Keypair,
  LAMPORTS_PER_SOL,
  PublicKey,
  sendAndConfirmTransaction,
  SendTransactionError,
  SystemProgram,
  Transaction,
} from '@solana/web3.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { fromBase58, toBase58 } from './chain';
import type { SolanaEmulator } from './emulator';
import { MODEL_PROGRAM_ID } from './service';
import { post, registerOk, rootBody, start, unavailable } from './test-kit';

describe.skipIf(!!unavailable)('JSON-RPC through web3.js Connection', () => {
  let em: SolanaEmulator;
  let conn: Connection;
  beforeAll(async () => {
    em = await start();
    conn = new Connection(em.rpcUrl, { commitment: 'confirmed', wsEndpoint: em.wsUrl });
  });
  afterAll(async () => {
    await em?.close();
  });

  async function transfer(from: Keypair, to: PublicKey, lamports: number): Promise<Transaction> {
    const { blockhash } = await conn.getLatestBlockhash();
    const tx = new Transaction({ feePayer: from.publicKey, recentBlockhash: blockhash }).add(SystemProgram.transfer({ fromPubkey: from.publicKey, toPubkey: to, lamports }));
    tx.sign(from);
    return tx;
  }

  it('requestAirdrop, confirmTransaction (WebSocket signatureSubscribe) and getBalance', async () => {
    const k = Keypair.generate();
    const sig = await conn.requestAirdrop(k.publicKey, 2 * LAMPORTS_PER_SOL);
    const latest = await conn.getLatestBlockhash();
    const conf = await conn.confirmTransaction({ signature: sig, ...latest }, 'confirmed');
    expect(conf.value.err).toBeNull();
    expect(await conn.getBalance(k.publicKey)).toBe(2 * LAMPORTS_PER_SOL);
    expect(em.balance(k.publicKey.toBase58())).toBe(2_000_000_000n);
  });

  it('sendRawTransaction of a signed transfer, then statuses, getTransaction, getParsedTransaction and getSignaturesForAddress', async () => {
    const a = Keypair.generate();
    const b = Keypair.generate();
    em.airdrop(a.publicKey.toBase58(), 3_000_000_000n);
    const tx = await transfer(a, b.publicKey, 1_234_567_890);
    const sig = await conn.sendRawTransaction(tx.serialize());
    expect(sig).toBe(toBase58(tx.signature!));
    const st = await conn.getSignatureStatuses([sig, toBase58(new Uint8Array(64).fill(7))], { searchTransactionHistory: true });
    expect(st.value[0]).toMatchObject({ err: null, confirmationStatus: 'finalized' });
    expect(st.value[1]).toBeNull();
    expect(await conn.getBalance(b.publicKey)).toBe(1_234_567_890);
    expect(await conn.getBalance(a.publicKey)).toBe(3_000_000_000 - 1_234_567_890 - 5000);

    const got = (await conn.getTransaction(sig, { maxSupportedTransactionVersion: 0 }))!;
    expect(got.meta!.err).toBeNull();
    expect(got.meta!.fee).toBe(5000);
    const keys = got.transaction.message.staticAccountKeys.map((k) => k.toBase58());
    const ai = keys.indexOf(a.publicKey.toBase58());
    const bi = keys.indexOf(b.publicKey.toBase58());
    expect(got.meta!.preBalances[ai]! - got.meta!.postBalances[ai]!).toBe(1_234_567_890 + 5000);
    expect(got.meta!.postBalances[bi]).toBe(1_234_567_890);
    expect(got.blockTime).toEqual(expect.any(Number));
    expect(await conn.getBlockTime(got.slot)).toBe(got.blockTime);

    const parsed = (await conn.getParsedTransaction(sig, { maxSupportedTransactionVersion: 0 }))!;
    expect(parsed.transaction.message.instructions[0]).toMatchObject({ program: 'system', parsed: { type: 'transfer', info: { source: a.publicKey.toBase58(), destination: b.publicKey.toBase58(), lamports: 1_234_567_890 } } });

    const list = await conn.getSignaturesForAddress(a.publicKey, { limit: 10 });
    expect(list.map((x) => x.signature)).toEqual([sig, expect.any(String)]); // the transfer, then the airdrop
    expect(list[0]).toMatchObject({ err: null, confirmationStatus: 'finalized' });
    expect((await conn.getSignaturesForAddress(a.publicKey, { before: sig })).map((x) => x.signature)).toEqual([list[1]!.signature]);
  });

  it('sendAndConfirmTransaction works unchanged', async () => {
    const a = Keypair.generate();
    em.airdrop(a.publicKey.toBase58(), 1_000_000_000n);
    const to = Keypair.generate().publicKey;
    const tx = new Transaction().add(SystemProgram.transfer({ fromPubkey: a.publicKey, toPubkey: to, lamports: 900_000_000 }));
    const sig = await sendAndConfirmTransaction(conn, tx, [a]);
    expect(em.transaction(sig)?.err).toBeNull();
    expect(await conn.getBalance(to)).toBe(900_000_000);
  });

  it('accepts base58 encoded sendTransaction (the RPC default encoding)', async () => {
    const a = Keypair.generate();
    em.airdrop(a.publicKey.toBase58(), 1_000_000_000n);
    const tx = await transfer(a, Keypair.generate().publicKey, 950_000);
    const r = await post(em.rpcUrl, { jsonrpc: '2.0', id: 1, method: 'sendTransaction', params: [toBase58(tx.serialize())] });
    expect(r.body).toEqual({ jsonrpc: '2.0', id: 1, result: toBase58(tx.signature!) });
    expect(fromBase58(r.body.result)).toHaveLength(64);
  });

  it('a transfer that would fail is refused by preflight (SendTransactionError, nothing charged); with skipPreflight it lands failed', async () => {
    const a = Keypair.generate();
    em.airdrop(a.publicKey.toBase58(), 1_000_000_000n);
    const tx = await transfer(a, Keypair.generate().publicKey, 5 * LAMPORTS_PER_SOL);
    const err = await conn.sendRawTransaction(tx.serialize()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SendTransactionError);
    expect((err as Error).message).toContain('custom program error: 0x1');
    expect(await conn.getBalance(a.publicKey)).toBe(1_000_000_000);
    const sig = await conn.sendRawTransaction(tx.serialize(), { skipPreflight: true });
    const st = (await conn.getSignatureStatus(sig)).value!;
    expect(st.err).toEqual({ InstructionError: [0, { Custom: 1 }] });
    expect(await conn.getBalance(a.publicKey)).toBe(1_000_000_000 - 5000);
    // the same transaction again: already processed
    const dup = await conn.sendRawTransaction(tx.serialize(), { skipPreflight: true }).catch((e: unknown) => e);
    expect((dup as Error).message).toContain('This transaction has already been processed');
  });

  it('refuses a transaction over an unknown blockhash', async () => {
    const a = Keypair.generate();
    em.airdrop(a.publicKey.toBase58(), 1_000_000_000n);
    const tx = new Transaction({ feePayer: a.publicKey, recentBlockhash: Keypair.generate().publicKey.toBase58() }).add(SystemProgram.transfer({ fromPubkey: a.publicKey, toPubkey: Keypair.generate().publicKey, lamports: 1_000_000 }));
    tx.sign(a);
    const err = await conn.sendRawTransaction(tx.serialize(), { skipPreflight: true }).catch((e: unknown) => e);
    expect((err as Error).message).toContain('Blockhash not found');
    expect(await conn.isBlockhashValid(tx.recentBlockhash!)).toMatchObject({ value: false });
  });

  it('getAccountInfo of a registered model PDA answers the record owned by the registry program', async () => {
    const dev = Keypair.generate().publicKey.toBase58();
    const pda = await registerOk(em, rootBody(dev, { name: 'On-Chain' }));
    const info = (await conn.getAccountInfo(new PublicKey(pda)))!;
    expect(info.owner.toBase58()).toBe(MODEL_PROGRAM_ID.toBase58());
    const record = JSON.parse(info.data.toString('utf8'));
    expect(record).toMatchObject({ kind: 'kraken-model/1', modelPDA: pda, name: 'On-Chain', walletAddress: dev, relationship: 'root', parentModelPDA: null });
    expect(JSON.stringify(record)).not.toContain('enc_key');
    expect(info.lamports).toBe(await conn.getMinimumBalanceForRentExemption(info.data.length));
    expect(await conn.getAccountInfo(Keypair.generate().publicKey)).toBeNull();
  });

  it('answers rent, fees, version, slot, block height, epoch info and the deprecated getRecentBlockhash', async () => {
    expect(await conn.getMinimumBalanceForRentExemption(0)).toBe(890_880);
    const a = Keypair.generate();
    const { blockhash } = await conn.getLatestBlockhash();
    const msg = new Transaction({ feePayer: a.publicKey, recentBlockhash: blockhash }).add(SystemProgram.transfer({ fromPubkey: a.publicKey, toPubkey: a.publicKey, lamports: 1 })).compileMessage();
    expect((await conn.getFeeForMessage(msg)).value).toBe(5000);
    expect(await conn.getVersion()).toMatchObject({ 'solana-core': expect.any(String) });
    const slot = await conn.getSlot();
    expect(await conn.getBlockHeight()).toBe(slot);
    expect(await conn.getEpochInfo()).toMatchObject({ absoluteSlot: slot, epoch: 0 });
    const r = await post(em.rpcUrl, { jsonrpc: '2.0', id: 'x', method: 'getRecentBlockhash', params: [] });
    expect(r.body.result.value).toEqual({ blockhash, feeCalculator: { lamportsPerSignature: 5000 } });
  });

  it('answers JSON-RPC errors: unknown method, bad params, parse error, and batches', async () => {
    expect((await post(em.rpcUrl, { jsonrpc: '2.0', id: 1, method: 'getNothing' })).body).toEqual({ jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'Method not found' } });
    expect((await post(em.rpcUrl, { jsonrpc: '2.0', id: 2, method: 'getBalance', params: ['nope'] })).body.error.code).toBe(-32602);
    expect((await post(em.rpcUrl, null, '{oops')).body).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
    const batch = await post(em.rpcUrl, [{ jsonrpc: '2.0', id: 1, method: 'getSlot' }, { jsonrpc: '2.0', id: 2, method: 'getHealth' }]);
    expect(batch.body).toEqual([{ jsonrpc: '2.0', id: 1, result: expect.any(Number) }, { jsonrpc: '2.0', id: 2, result: 'ok' }]);
  });
  it('signatureSubscribe before the transaction lands notifies once when it lands; unsubscribe answers true', async () => {
    const a = Keypair.generate();
    em.airdrop(a.publicKey.toBase58(), 1_000_000_000n);
    const tx = await transfer(a, Keypair.generate().publicKey, 900_000);
    const sig = toBase58(tx.signature!);
    const ws = new WebSocket(em.wsUrl);
    const messages: any[] = [];
    const next = () => new Promise<any>((resolve) => ws.once('message', (d) => resolve(JSON.parse(String(d)))));
    await new Promise((resolve) => ws.once('open', resolve));
    try {
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'signatureSubscribe', params: [sig, { commitment: 'confirmed' }] }));
      const sub = await next();
      expect(sub).toEqual({ jsonrpc: '2.0', id: 1, result: expect.any(Number) });
      const note = next();
      em.sendRaw(tx.serialize());
      messages.push(await note);
      expect(messages[0]).toEqual({ jsonrpc: '2.0', method: 'signatureNotification', params: { result: { context: { slot: expect.any(Number) }, value: { err: null } }, subscription: sub.result } });
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'signatureUnsubscribe', params: [sub.result] }));
      expect(await next()).toEqual({ jsonrpc: '2.0', id: 2, result: false }); // already ended by its notification
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'accountSubscribe', params: [sig] }));
      expect((await next()).error.code).toBe(-32601);
    } finally {
      ws.close();
    }
  });
});
