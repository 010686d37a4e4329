/**
 * Helpers for the Solana emulator's own tests: plain fetch with the seed's paths and fields spelled out (no client
 * code is reused, on purpose), the seed's request example as a body, and real transfers signed by web3.js keypairs.
 * litesvm has no Windows binary: `unavailable` is the reason the suites skip there (printed), or null.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Keypair, PublicKey, SystemProgram, Transaction, type TransactionInstruction } from '@solana/web3.js';
import { solanaUnavailable, startSolanaEmulator, type SolanaEmulator, type SolanaEmulatorOptions } from './emulator';

export const unavailable = solanaUnavailable();
if (unavailable) console.warn(`Solana emulator tests skipped: ${unavailable}`);

export const LAMPORTS_PER_SOL = 1_000_000_000n;

export interface Reply {
  status: number;
  body: any;
  text: string;
}

export async function post(url: string, body: unknown, raw?: string): Promise<Reply> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw ?? JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { status: res.status, body: parsed, text };
}

export const register = (em: SolanaEmulator, body: unknown) => post(`${em.url}/transactions/register-model`, body);
export const processRoyalty = (em: SolanaEmulator, body: unknown) => post(`${em.url}/signature-royalty/process-signature-royalty`, body);

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'solana-test-'));
}

export function start(options: SolanaEmulatorOptions = {}): Promise<SolanaEmulator> {
  return startSolanaEmulator({ quiet: true, ...options });
}

/** The seed's "Request Example 1: Root 모델", for the given wallet. */
export function rootBody(walletAddress: string, over: Record<string, unknown> = {}): Record<string, any> {
  return {
    name: 'GPT-4-Base-Model',
    uploader: 'OpenAI',
    versionName: '1.0.0',
    modality: 'LLM',
    license: ['MIT'],
    walletAddress,
    releaseDate: '2025-01-15',
    overview: 'GPT-4 base model for natural language processing',
    releaseNotes: 'Initial release with improved performance',
    thumbnail: 'https://example.com/models/gpt4-thumbnail.png',
    cidRoot: 'QmYwAPJzv5CZsnAzt8auVZRn',
    encryptionKey: 'enc_key_gpt4_base_2025',
    pricing: {
      research: { price: 0, description: 'Free for research', billingType: 'free' },
      standard: { price: 100000000000, description: '100 SOL per month', billingType: 'monthly_subscription', monthlyTokenLimit: 1000000 },
    },
    metrics: { accuracy: 0.95, f1Score: 0.93, latency: 120 },
    technicalSpecs: { parameters: '1.8T', architecture: 'Transformer', contextWindow: 128000 },
    sample: { input: 'Explain quantum computing', output: 'Quantum computing uses quantum mechanics...' },
    relationship: 'root',
    ...over,
  };
}

/** A child of `parentPDA` ("derived" unless told), named so its PDA differs from its parent's. */
export function childBody(walletAddress: string, parentPDA: string, name: string, relationship = 'derived'): Record<string, any> {
  return rootBody(walletAddress, { name, relationship, parentModelPDA: parentPDA });
}

/** Registers and returns the model PDA (throws on anything but 200). */
export async function registerOk(em: SolanaEmulator, body: unknown): Promise<string> {
  const r = await register(em, body);
  if (r.status !== 200) throw new Error(`register-model ${r.status} ${r.text}`);
  return r.body.data.modelAccountPDA as string;
}

/** Signs `instructions` with `payer` (fee payer) and sends them straight to the VM; returns the signature. */
export function sendSigned(em: SolanaEmulator, payer: Keypair, instructions: TransactionInstruction[], o: { skipPreflight?: boolean; signers?: Keypair[] } = {}): string {
  const tx = new Transaction({ feePayer: payer.publicKey, recentBlockhash: em.latestBlockhash() }).add(...instructions);
  tx.sign(payer, ...(o.signers ?? []));
  return em.sendRaw(tx.serialize(), { skipPreflight: o.skipPreflight });
}

/** A subscription payment: `lamports` from `payer` to the treasury, signed by the payer. */
export function pay(em: SolanaEmulator, payer: Keypair, lamports: bigint): string {
  return sendSigned(em, payer, [SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: new PublicKey(em.treasury), lamports })]);
}

/** A funded keypair (airdrop of `sol` SOL). */
export function funded(em: SolanaEmulator, sol = 1000n): Keypair {
  const k = Keypair.generate();
  em.airdrop(k.publicKey.toBase58(), sol * LAMPORTS_PER_SOL);
  return k;
}
