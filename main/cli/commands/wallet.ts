/**
 * `kraken wallet new|import <file>|address|balance|airdrop <sol>|credit|payout` — the studio's Solana wallet from the
 * command line; `credit` and `payout` show and pay out the credit this studio earned contributing (the network at
 * `--network <url>`, else the saved address, else KRAKEN_NETWORK_URL).
 * The secret key goes to the vault only (OS keychain, else the owner-only file): `import` reads it from a key file
 * (or `-` for stdin), never from an argument, and no command prints it. Cluster: `--rpc <url>`, else the saved
 * choice, else KRAKEN_SOLANA_RPC. Airdrops only on the local emulator (a loopback RPC) and devnet.
 */
import fs from 'node:fs';
import { LAMPORTS_PER_SOL } from '../../common/contract';
import { openNetworkKit } from '../../node/cloud/network/kit';
import { openSolanaKit, type SolanaKit } from '../../node/cloud/solana/kit';
import { creditFromNetwork, PayoutService } from '../../node/cloud/solana/payouts';
import { UsageError, type CliIo } from '../cli-io';
import { CLOUD_COMMON, cliDataDir, parseCloudArgs, wholeNumber } from '../cloud-args';

export const SOLANA_COMMON = `[--rpc <url>] ${CLOUD_COMMON}`;
export const solanaOptions = { rpc: { type: 'string' } } as const;

/** Opens the Solana services for a command (`--api`, `--rpc`, `--data-dir`), closes them after. */
export async function withSolana<T>(values: { api?: string; rpc?: string; 'data-dir'?: string }, io: CliIo, fn: (k: SolanaKit) => Promise<T>, opts: { tellFallback?: boolean } = {}): Promise<T> {
  const k = await openSolanaKit({ dataDir: cliDataDir(values, io), api: values.api, rpc: values.rpc, env: io.env, onFallback: opts.tellFallback ? (m) => io.err(m) : undefined });
  try {
    return await fn(k);
  } finally {
    k.close();
  }
}

/** Lamports as SOL text, exact (no float rounding): 92625000000 → "92.625". */
export function sol(lamports: number): string {
  const neg = lamports < 0;
  const v = BigInt(Math.abs(lamports));
  const whole = v / BigInt(LAMPORTS_PER_SOL);
  const frac = (v % BigInt(LAMPORTS_PER_SOL)).toString().padStart(9, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

const HELP: Record<string, string> = {
  new: `usage: kraken wallet new ${SOLANA_COMMON}\n  Creates a Solana key; the secret goes to the OS keychain only. Prints the address.`,
  import: `usage: kraken wallet import <key file | -> [--replace] ${SOLANA_COMMON}\n  Imports a secret key from a file (the JSON byte array solana-keygen writes, or base58), or from stdin with -.\n  The key is never read from an argument and never printed. --replace swaps out an existing wallet.`,
  address: `usage: kraken wallet address ${SOLANA_COMMON}\n  The wallet's public address (and the cluster it uses).`,
  balance: `usage: kraken wallet balance ${SOLANA_COMMON}\n  The wallet's balance on the cluster, in SOL and lamports.`,
  airdrop: `usage: kraken wallet airdrop <sol> ${SOLANA_COMMON}\n  Asks the cluster for <sol> SOL (local emulator and devnet only) and waits for it to be confirmed.`,
  credit: `usage: kraken wallet credit [--network <url>] ${SOLANA_COMMON}\n  The credit this studio earned contributing to the Kraken network, what it spent, and what can be paid out.`,
  payout: `usage: kraken wallet payout [--credit N] [--network <url>] ${SOLANA_COMMON}\n  Pays earned credit (default: all that can be paid out) to this wallet's address; sent once, never retried.`,
};

function groupHelp(): string {
  return [
    'usage: kraken wallet <command> [options]   (the studio\'s Solana wallet)',
    '',
    ...Object.values(HELP).map((h) => '  ' + h.split('\n')[0]!.replace('usage: ', '')),
    '',
    'Cluster: --rpc <url>, else the saved choice (Wallet page), else KRAKEN_SOLANA_RPC, else the local emulator.',
  ].join('\n');
}

export async function runWallet(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(groupHelp());
    return sub ? 0 : 2;
  }
  const usage = HELP[sub];
  if (!usage) throw new UsageError(`unknown command "${sub}". Run \`kraken wallet --help\`.`);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(usage);
    return 0;
  }
  const line = usage.split('\n')[0]!;
  const { values, positionals } = parseCloudArgs(rest, { ...solanaOptions, replace: { type: 'boolean', default: false }, network: { type: 'string' }, credit: { type: 'string' } }, line);
  if (values.replace && sub !== 'import') throw new UsageError(`--replace belongs to kraken wallet import. ${line}`);
  if (values.network !== undefined && sub !== 'credit' && sub !== 'payout') throw new UsageError(`--network belongs to kraken wallet credit and payout. ${line}`);
  if (values.credit !== undefined && sub !== 'payout') throw new UsageError(`--credit belongs to kraken wallet payout. ${line}`);
  switch (sub) {
    case 'new':
      if (positionals.length) throw new UsageError(line);
      return withSolana(values, io, async (k) => {
        const w = await k.wallet.create();
        io.out(values.json ? JSON.stringify(w) : `Created wallet ${w.address} (secret key in the ${w.vault === 'file' ? 'owner-only credentials file' : 'system keychain'}).`);
        return 0;
      }, { tellFallback: true });
    case 'import': {
      if (positionals.length !== 1) throw new UsageError(line);
      const file = positionals[0]!;
      const text = file === '-' ? await readStdin() : readKeyFile(file);
      return withSolana(values, io, async (k) => {
        const w = await k.wallet.import({ secretKey: text, replace: values.replace });
        io.out(values.json ? JSON.stringify(w) : `Imported wallet ${w.address}.`);
        return 0;
      }, { tellFallback: true });
    }
    case 'address':
      if (positionals.length) throw new UsageError(line);
      return withSolana(values, io, async (k) => {
        const w = await k.wallet.info();
        if (!w.address) k.wallet.address(); // NOT_FOUND with what to do
        io.out(values.json ? JSON.stringify(w) : w.address!);
        return 0;
      });
    case 'balance':
      if (positionals.length) throw new UsageError(line);
      return withSolana(values, io, async (k) => {
        const b = await k.wallet.balance();
        io.out(values.json ? JSON.stringify(b) : `${sol(b.lamports)} SOL (${b.lamports} lamports) on ${b.rpcUrl}`);
        return 0;
      });
    case 'credit':
    case 'payout': {
      if (positionals.length) throw new UsageError(line);
      const credit = wholeNumber(values.credit, '--credit', 1, Number.MAX_SAFE_INTEGER);
      return withSolana(values, io, async (k) => {
        const net = openNetworkKit({ dataDir: cliDataDir(values, io), api: values.network, env: io.env });
        try {
          const payouts = new PayoutService(() => creditFromNetwork(net.service), () => k.wallet.address().toBase58());
          if (sub === 'credit') {
            const c = await payouts.credit();
            if (!c.available) throw new UsageError(c.message ?? 'the network credit is not available.');
            io.out(values.json ? JSON.stringify(c) : `Earned ${c.earned}, spent ${c.spent}, balance ${c.balance} credit; ${c.payable ?? '?'} can be paid out (node ${c.nodeId}).`);
            return 0;
          }
          const r = await payouts.payout(credit === undefined ? {} : { credit });
          io.out(values.json ? JSON.stringify(r) : `Paid out ${r.credit} credit: ${sol(r.lamports)} SOL to ${r.address}${r.signature ? ` (${r.signature})` : ' (recorded by the network; no transfer sent)'}; ${r.balance} credit left.`);
          return 0;
        } finally {
          await net.close();
        }
      });
    }
    default: {
      if (positionals.length !== 1) throw new UsageError(line);
      const amount = Number(positionals[0]);
      if (!Number.isFinite(amount) || amount <= 0 || amount > 1000) throw new UsageError(`airdrop takes an amount of SOL above 0 and at most 1000, not "${positionals[0]}".`);
      return withSolana(values, io, async (k) => {
        const r = await k.wallet.airdrop({ sol: amount }, io.signal);
        io.out(values.json ? JSON.stringify(r) : `Airdropped ${amount} SOL (${r.signature}); balance ${sol(r.balance.lamports)} SOL.`);
        return 0;
      });
    }
  }
}

function readKeyFile(file: string): string {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new UsageError(`no key file at ${file}.`);
  }
  if (!st.isFile()) throw new UsageError(`${file} is not a file.`);
  if (st.size > 4096) throw new UsageError(`${file} is too large to be a Solana key file.`);
  return fs.readFileSync(file, 'utf8');
}

async function readStdin(): Promise<string> {
  const stdin = process.stdin;
  if ((stdin as NodeJS.ReadStream).isTTY) throw new UsageError('the key is read from stdin with -: pipe it in (e.g. `kraken wallet import - < id.json`).');
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(Buffer.from(c as Buffer));
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) throw new UsageError('the key on stdin is empty.');
  return text;
}
