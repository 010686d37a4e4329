/**
 * Real payouts for the network emulator: `--solana-rpc <url>` (or `payoutTransfer: solanaPayout(url, dir)`) sends
 * each `POST /v1/nodes/me/payout` as a SystemProgram transfer from the emulator's treasury, a key pair kept in its
 * data folder. The treasury tops itself up by airdrop, so use it with the local Solana emulator (npm run
 * cloud:solana) or devnet, never a cluster with real money. Confirmation is polled with getSignatureStatuses.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Connection, Keypair, PublicKey, SystemProgram, Transaction } from '@solana/web3.js';
import type { PayoutTransfer } from './service';

const FEE_MARGIN = 1_000_000;

function treasury(dataDir: string): Keypair {
  const file = path.join(dataDir, 'treasury.json');
  if (fs.existsSync(file)) return Keypair.fromSecretKey(Uint8Array.from(JSON.parse(fs.readFileSync(file, 'utf8')) as number[]));
  const k = Keypair.generate();
  fs.writeFileSync(file, JSON.stringify([...k.secretKey]), { mode: 0o600 });
  return k;
}

async function confirm(c: Connection, signature: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let wait = 100;
  for (;;) {
    const st = (await c.getSignatureStatuses([signature], { searchTransactionHistory: true })).value[0];
    if (st?.err) throw new Error(`transaction ${signature} failed: ${JSON.stringify(st.err)}`);
    if (st && (st.confirmationStatus === 'confirmed' || st.confirmationStatus === 'finalized')) return;
    if (Date.now() > deadline) throw new Error(`transaction ${signature} not confirmed within ${Math.round(timeoutMs / 1000)} s`);
    await delay(wait);
    wait = Math.min(wait * 2, 1000);
  }
}

/** A payout sender over `rpcUrl` from a treasury kept in `dataDir`; also says the treasury's address. */
export function solanaPayout(rpcUrl: string, dataDir: string, o: { confirmTimeoutMs?: number } = {}): { transfer: PayoutTransfer; treasury: PublicKey } {
  const c = new Connection(rpcUrl, { commitment: 'confirmed', disableRetryOnRateLimit: true });
  const key = treasury(dataDir);
  const timeout = o.confirmTimeoutMs ?? 60_000;
  let queue: Promise<unknown> = Promise.resolve();
  const send = async (address: string, lamports: number): Promise<string> => {
    const to = new PublicKey(address);
    const have = await c.getBalance(key.publicKey, 'confirmed');
    if (have < lamports + FEE_MARGIN) await confirm(c, await c.requestAirdrop(key.publicKey, lamports + FEE_MARGIN - have + 1_000_000_000), timeout);
    const { blockhash, lastValidBlockHeight } = await c.getLatestBlockhash('confirmed');
    const tx = new Transaction({ feePayer: key.publicKey, blockhash, lastValidBlockHeight }).add(SystemProgram.transfer({ fromPubkey: key.publicKey, toPubkey: to, lamports }));
    tx.sign(key);
    const sig = await c.sendRawTransaction(tx.serialize(), { preflightCommitment: 'confirmed' });
    await confirm(c, sig, timeout);
    return sig;
  };
  // One transfer at a time: the balance check and the airdrop must not race.
  const transfer: PayoutTransfer = (address, lamports) => {
    const p = queue.then(() => send(address, lamports));
    queue = p.catch(() => undefined);
    return p;
  };
  return { transfer, treasury: key.publicKey };
}
