/**
 * `kraken wallet|registry|royalty …` as a user runs them: child processes against the local Solana emulator (a real
 * Solana VM, litesvm) on 127.0.0.1, a fresh data folder, KRAKEN_SOLANA_API / KRAKEN_SOLANA_RPC or --api / --rpc. The
 * secret key never reaches stdout, stderr or --json; a refusal is one stderr line and exit 1, a usage error exit 2.
 * litesvm has no Windows binary: there the suite is skipped and says why.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Keypair } from '@solana/web3.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startNetworkEmulator } from '../../../emulators/network';
import { solanaUnavailable, startSolanaEmulator, type SolanaEmulator } from '../../../emulators/solana';
import type { RegisteredModel, RoyaltyPayment, RoyaltyPreview, WalletBalance, WalletInfo } from '../../common/contract';

const root = path.resolve(__dirname, '..', '..', '..');
const source = path.join(root, 'main', 'cli', 'index.ts');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kraken-cli-wallet-'));
const dataDir = path.join(work, 'data');
const onWindows = process.platform === 'win32';
if (onWindows) console.log('wallet.test.ts skipped: litesvm has no Windows binary');
let why: string | null = onWindows ? 'litesvm has no Windows binary' : null;
let emu: SolanaEmulator;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function kraken(args: string[], env: Record<string, string | undefined> = {}, stdin?: string): Promise<Run> {
  return new Promise((resolve) => {
    const all: Record<string, string | undefined> = {
      ...process.env,
      KRAKEN_DATA_DIR: dataDir,
      KRAKEN_KEYCHAIN: 'off',
      KRAKEN_SOLANA_API: emu.url,
      KRAKEN_SOLANA_RPC: emu.rpcUrl,
      KRAKEN_SOLANA_URL: undefined,
      KRAKEN_EMULATOR_SOLANA_URL: undefined,
      KRAKEN_EMULATOR_SOLANA_RPC: undefined,
      ...env,
    };
    for (const [k, v] of Object.entries(all)) if (v === undefined) delete all[k];
    const child = spawn(process.execPath, ['--import', 'tsx', source, ...args], { cwd: root, env: all });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

function oneErrorLine(r: Run, pattern: RegExp, code = 1): void {
  expect(r.code, r.stdout + r.stderr).toBe(code);
  const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('No system keychain'));
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

function secretInVault(): string {
  const file = JSON.parse(fs.readFileSync(path.join(dataDir, '.credentials', 'credentials.json'), 'utf8')) as { entries: Record<string, string> };
  return file.entries['solana.wallet']!;
}

beforeAll(async () => {
  if (why) return;
  why = await solanaUnavailable();
  if (why) return void console.log(`wallet.test.ts skipped: ${why}`);
  emu = await startSolanaEmulator({ quiet: true });
}, 60_000);
afterAll(async () => {
  await emu?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe.skipIf(onWindows)('kraken wallet, registry, royalty', () => {
  beforeEach((ctx) => {
    if (why) ctx.skip();
  });

  // Every subcommand's --help is asked by cli-help.test.ts (from `subcommands` in main/cli/index.ts); here the groups and one each.
  it('answers --help for each group and a command of each', async () => {
    for (const [group, subs, one] of [
      ['wallet', ['new', 'import', 'address', 'balance', 'airdrop', 'credit', 'payout'], 'import'],
      ['registry', ['register', 'show'], 'register'],
      ['royalty', ['preview', 'pay', 'process'], 'pay'],
    ] as const) {
      const g = await kraken([group, '--help']);
      expect(g.code).toBe(0);
      for (const s of subs) expect(g.stdout).toContain(`${group} ${s}`);
      const h = await kraken([group, one, '--help']);
      expect(h.code, `${group} ${one}`).toBe(0);
      expect(h.stdout).toMatch(new RegExp(`^usage: kraken ${group} ${one}`));
      expect(h.stdout).toContain('--json');
    }
  }, 120_000);

  it('bad input is refused before anything is sent', async () => {
    emu.clearRequests();
    for (const argv of [
      ['wallet', 'airdrop', '-3'],
      ['royalty', 'preview', '--total', '100'],
      ['royalty', 'preview', '--total', '100', '--depth', '1', '--bps', '10001'],
      ['royalty', 'pay', '--model', 'nope', '--tier', 'x'],
      ['royalty', 'process', 'not-a-signature!'],
      ['registry', 'register', '--model', 'a', '--manifest', 'b.json'],
      ['registry', 'register', '--model', 'a', '--relationship', 'forked'],
    ]) {
      const r = await kraken(argv);
      expect(r.code, argv.join(' ') + r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n'), argv.join(' ')).toHaveLength(1);
    }
    // A manifest that breaks the seed's rules: every problem named on one line, exit 1, nothing sent.
    const bad = path.join(work, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ name: 'x'.repeat(65), relationship: 'fine-tuned', license: 'MIT' }));
    oneErrorLine(await kraken(['registry', 'register', '--manifest', bad]), /cannot be registered: name is longer than 64 characters \(65\);.*license must be a list of strings;.*parentModelPDA is required for a fine-tuned model/);
    expect(emu.requests().filter((r) => r.path.startsWith('/api'))).toEqual([]);
  }, 120_000);

  it('credit and payout: a studio that never contributed has nothing to pay out (one line, exit 1); --credit is checked first', async () => {
    const net = await startNetworkEmulator({ quiet: true, solanaRpc: emu.rpcUrl });
    // its own data folder: the tests after this one start with no wallet
    const own = { KRAKEN_DATA_DIR: path.join(work, 'credit-data') };
    const k = (argv: string[], env: Record<string, string | undefined> = {}) => kraken(argv, { ...own, ...env });
    try {
      expect((await k(['wallet', 'new'])).code).toBe(0);
      const c = await k(['wallet', 'credit', '--network', net.url, '--json']);
      expect(c.code, c.stderr).toBe(0);
      expect(JSON.parse(c.stdout)).toMatchObject({ available: true, earned: 0, payable: 0, payoutOffered: true });
      expect((await k(['wallet', 'credit'], { KRAKEN_NETWORK_URL: net.url })).stdout).toMatch(/^Earned 0, spent 0, balance 1000 credit; 0 can be paid out/);
      oneErrorLine(await k(['wallet', 'payout', '--network', net.url]), /no earned credit to pay out yet/);
      for (const argv of [['wallet', 'payout', '--credit', '0'], ['wallet', 'payout', '--credit', '1.5'], ['wallet', 'balance', '--credit', '3'], ['wallet', 'balance', '--network', net.url]]) {
        const r = await k(argv);
        expect(r.code, argv.join(' ') + r.stderr).toBe(2);
      }
    } finally {
      await net.close();
    }
  }, 120_000);

  it('no wallet, no backend: one line saying what to do', async () => {
    oneErrorLine(await kraken(['wallet', 'balance']), /There is no wallet yet: create one/);
    oneErrorLine(await kraken(['registry', 'register', '--model', 'human-centernet']), /cannot be registered: walletAddress is required/);
    const seedSig = '3CPvEGfEo42FrnT5cTWytvkAv4qqggNmKNjZaLGCgjiBNqLVaikbYzs1W957NAUpUxQZkySaUCAzRcr3gWRAikhu';
    oneErrorLine(await kraken(['royalty', 'process', seedSig], { KRAKEN_SOLANA_API: undefined }), /No Solana backend address: pass --api <url>, set KRAKEN_SOLANA_API/);
  }, 60_000);

  it('new → airdrop → register root (--manifest) and a fine-tuned child (--model) → preview → pay → distributed equals the preview; the secret never printed', async () => {
    const created = await kraken(['wallet', 'new', '--json']);
    expect(created.code, created.stderr).toBe(0);
    const info = JSON.parse(created.stdout) as WalletInfo;
    const secret = secretInVault();
    expect(secret.length).toBeGreaterThan(80);
    expect(created.stdout + created.stderr).not.toContain(secret);
    expect((await kraken(['wallet', 'address'])).stdout.trim()).toBe(info.address);
    // Airdrop on the emulator (a loopback RPC), given by --rpc over a wrong environment value.
    const drop = await kraken(['wallet', 'airdrop', '150', '--rpc', emu.rpcUrl], { KRAKEN_SOLANA_RPC: 'http://127.0.0.1:9' });
    expect(drop.code, drop.stderr).toBe(0);
    const bal = JSON.parse((await kraken(['wallet', 'balance', '--json'])).stdout) as WalletBalance;
    expect(bal.lamports).toBe(150_000_000_000);

    const rootDev = Keypair.generate().publicKey.toBase58();
    const manifest = path.join(work, 'root.json');
    fs.writeFileSync(
      manifest,
      JSON.stringify({
        name: 'CLI Base',
        uploader: 'Kraken test',
        versionName: '1.0.0',
        modality: 'object-detection',
        license: ['MIT'],
        walletAddress: rootDev,
        releaseDate: '2026-12-02',
        overview: 'A base model',
        releaseNotes: 'First',
        thumbnail: 'https://example.com/t.png',
        cidRoot: 'sha256:00',
        encryptionKey: 'none',
        pricing: { research: { price: 0, description: 'Free', billingType: 'free' } },
        metrics: { map: 0.5 },
        technicalSpecs: { task: 'detection' },
        sample: { input: 'image', output: 'boxes' },
        relationship: 'root',
      }),
    );
    const reg1 = await kraken(['registry', 'register', '--manifest', manifest, '--json', '--api', emu.url], { KRAKEN_SOLANA_API: 'http://127.0.0.1:9/api' });
    expect(reg1.code, reg1.stderr).toBe(0);
    const rootModel = JSON.parse(reg1.stdout) as RegisteredModel;
    expect(rootModel).toMatchObject({ relationship: 'root', parentPda: null, walletAddress: rootDev });
    expect(emu.model(rootModel.modelPda)).toBeTruthy();

    const reg2 = await kraken(['registry', 'register', '--model', 'human-centernet', '--relationship', 'fine-tuned', '--parent', rootModel.modelPda, '--price', '100000000000']);
    expect(reg2.code, reg2.stderr).toBe(0);
    const childPda = reg2.stdout.split('\n')[0]!.trim();
    expect(reg2.stdout).toMatch(/registered CenterNet .*\(fine-tuned of /);
    const child = emu.model(childPda)!;
    expect(child).toBeTruthy();

    const show = await kraken(['registry', 'show', childPda]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/fine-tuned/);
    expect(show.stdout).toContain(rootModel.modelPda);

    const pv = await kraken(['royalty', 'preview', '--total', '100000000000', '--model', childPda, '--json']);
    expect(pv.code, pv.stderr).toBe(0);
    const preview = JSON.parse(pv.stdout) as RoyaltyPreview;
    expect(preview.distribution!.distributions.map((d) => [d.role, d.amount, d.recipient])).toEqual([
      ['current_model_developer', 92_625_000_000, info.address],
      ['parent_model_developer', 2_375_000_000, rootDev],
    ]);
    const text = await kraken(['royalty', 'preview', '--total', '100000000000', '--depth', '1']);
    expect(text.stdout).toMatch(/developer\s+92\.625 SOL/);
    expect(text.stdout).toMatch(/ancestor 1\s+2\.375 SOL/);

    const before = emu.balance(rootDev);
    const pay = await kraken(['royalty', 'pay', '--model', childPda, '--tier', 'standard', '--json']);
    expect(pay.code, pay.stderr).toBe(0);
    const paid = JSON.parse(pay.stdout) as RoyaltyPayment;
    expect(paid).toMatchObject({ state: 'distributed', matchesPreview: true, mismatches: [] });
    expect(paid.distribution).toEqual(preview.distribution);
    expect(emu.balance(rootDev) - before).toBe(2_375_000_000n);
    expect(pay.stdout + pay.stderr).not.toContain(secret);

    const proc = await kraken(['royalty', 'process', paid.signature]);
    expect(proc.code, proc.stderr).toBe(0);
    expect(proc.stdout).toMatch(/verified/);
    expect(proc.stdout).toMatch(/modelPDA not provided in request/);

    // The free tier has nothing to pay: one line, exit 1.
    oneErrorLine(await kraken(['royalty', 'pay', '--model', rootModel.modelPda, '--tier', 'research']), /The tier "research" is free: there is nothing to pay\. \[INVALID_INPUT\]/);
  }, 180_000);

  it('import reads a key file (solana-keygen JSON) or stdin, never argv; output never holds the key', async () => {
    const kp = Keypair.generate();
    const file = path.join(work, 'id.json');
    fs.writeFileSync(file, JSON.stringify(Array.from(kp.secretKey)));
    const r = await kraken(['wallet', 'import', file, '--replace', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as WalletInfo).address).toBe(kp.publicKey.toBase58());
    expect(r.stdout + r.stderr).not.toContain(secretInVault());
    const again = await kraken(['wallet', 'import', '-', '--replace'], {}, JSON.stringify(Array.from(kp.secretKey)));
    expect(again.code, again.stderr).toBe(0);
    const junk = path.join(work, 'junk.txt');
    fs.writeFileSync(junk, 'not a key at all');
    oneErrorLine(await kraken(['wallet', 'import', junk, '--replace']), /neither base58 nor a JSON array/);
  }, 90_000);
});
