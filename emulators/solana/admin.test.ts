/** The Solana emulator's admin routes (/__emulator/…): info, airdrop, balances, models with their lineage, re-parenting, transactions, payments. */
import { Keypair } from '@solana/web3.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SolanaEmulator } from './emulator';
import { childBody, funded, pay, post, processRoyalty, registerOk, rootBody, start, unavailable } from './test-kit';

describe.skipIf(!!unavailable)('admin routes', () => {
  let em: SolanaEmulator;
  const admin = (p: string) => `${em.root}/__emulator${p}`;
  beforeAll(async () => {
    em = await start();
  });
  afterAll(async () => {
    await em?.close();
  });

  it('GET /solana names the program, the treasury and the URLs', async () => {
    const info = await (await fetch(admin('/solana'))).json();
    expect(info).toMatchObject({ programId: em.programId, treasury: '6ARTaxhp25pSyWChb7QtturWCvZoDhrQda283ii2FfFc', operator: em.operator, faucet: em.faucet, apiUrl: em.url, rpcUrl: em.rpcUrl, wsUrl: em.wsUrl });
  });

  it('POST /airdrop is a real transfer; GET /balances reads several addresses; bad input is a clear 400', async () => {
    const a = Keypair.generate().publicKey.toBase58();
    const b = Keypair.generate().publicKey.toBase58();
    const r = await post(admin('/airdrop'), { address: a, lamports: 2_000_000_000 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ address: a, balance: 2_000_000_000 });
    expect(em.transaction(r.body.signature)?.err).toBeNull();
    expect((await post(admin('/airdrop'), { address: b, sol: 1.5 })).body.balance).toBe(1_500_000_000);
    expect(await (await fetch(admin(`/balances?address=${a},${b}`))).json()).toEqual({ balances: { [a]: 2_000_000_000, [b]: 1_500_000_000 } });
    expect((await post(admin('/airdrop'), { address: 'nope', lamports: 1 })).status).toBe(400);
    expect((await post(admin('/airdrop'), { address: a, lamports: 0 })).status).toBe(400);
    // below the rent-exempt minimum for a new account: the VM refuses it, and so does the route
    const tiny = await post(admin('/airdrop'), { address: Keypair.generate().publicKey.toBase58(), lamports: 10 });
    expect(tiny.status).toBe(400);
    expect(tiny.body.error).toMatch(/Airdrop refused by the VM: .*rent/);
    expect((await fetch(admin('/balances'))).status).toBe(400);
  });

  it('GET /models and /models/:pda with its lineage; PATCH re-points a parent; GET /transactions and /payments', async () => {
    const dev = Keypair.generate().publicKey.toBase58();
    const root = await registerOk(em, rootBody(dev, { name: 'Admin-Root' }));
    const kid = await registerOk(em, childBody(dev, root, 'Admin-Kid'));
    const list = await (await fetch(admin('/models'))).json();
    expect(list.models.map((m: { modelPDA: string }) => m.modelPDA)).toEqual(expect.arrayContaining([root, kid]));
    const one = await (await fetch(admin(`/models/${kid}`))).json();
    expect(one.model).toMatchObject({ modelPDA: kid, name: 'Admin-Kid', relationship: 'derived', parentModelPDA: root, walletAddress: dev });
    expect(one.lineageTrace).toMatchObject({ totalDepth: 2, isValid: true, violations: [] });
    expect((await fetch(admin(`/models/${Keypair.generate().publicKey.toBase58()}`))).status).toBe(404);
    const patched = await fetch(admin(`/models/${root}`), { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ parentPDA: kid }) });
    expect((await patched.json()).model.parentModelPDA).toBe(kid);
    expect((await (await fetch(admin(`/models/${kid}`))).json()).lineageTrace.violations).toEqual(['Circular reference detected in lineage']);
    await fetch(admin(`/models/${root}`), { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ parentPDA: null }) });

    const payer = funded(em, 10n);
    const sig = pay(em, payer, 1_000_000_000n);
    expect((await processRoyalty(em, { transactionSignature: sig, modelPDA: kid })).body.success).toBe(true);
    const txs = await (await fetch(admin('/transactions?limit=5'))).json();
    expect(txs.transactions[1]).toMatchObject({ signature: sig, err: null });
    const pays = await (await fetch(admin('/payments'))).json();
    expect(pays.payments).toEqual([expect.objectContaining({ signature: sig, modelPDA: kid })]);
  });
});
