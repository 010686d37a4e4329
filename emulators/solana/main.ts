/**
 * `npm run cloud:solana`: the local Solana emulator (seed 002) on 127.0.0.1. Prints its URL first (one line a
 * launcher can read: the backend API base), then the RPC URL, the treasury, the data folder and the admin API.
 * Stops cleanly on Ctrl+C / SIGTERM.
 */
import { startSolanaEmulator, type SolanaEmulatorOptions } from './emulator';

const HELP = `Usage: npm run cloud:solana -- [options]   (or: node --import tsx emulators/solana/main.ts [options])

Starts the local Solana emulator (seed 002 backend + JSON-RPC over a litesvm VM) on 127.0.0.1.

  --port N             port (default 0: any free port)
  --data-dir DIR       keep state in DIR (default: a temporary folder, removed on exit)
  --quiet              print only the URL line
  -h, --help           this text`;

export interface CliArgs {
  options: SolanaEmulatorOptions;
  quiet: boolean;
  help: boolean;
}

/** Parses argv; throws an Error whose message is one line for stderr. */
export function parseArgs(argv: string[]): CliArgs {
  const out: CliArgs = { options: {}, quiet: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--port': {
        const v = value();
        if (v === undefined || !/^\d+$/.test(v)) throw new Error('--port needs a whole number');
        if (Number(v) > 65535) throw new Error('--port must be at most 65535');
        out.options.port = Number(v);
        break;
      }
      case '--data-dir': {
        const d = value();
        if (!d) throw new Error('--data-dir needs a folder');
        out.options.dataDir = d;
        break;
      }
      case '--quiet':
        out.quiet = true;
        break;
      case '-h':
      case '--help':
        out.help = true;
        break;
      default:
        throw new Error(`unknown option ${arg} (see --help)`);
    }
  }
  return out;
}

async function main(): Promise<void> {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
  });
  let args: CliArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`solana emulator: ${(e as Error).message}\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(HELP + '\n');
    return;
  }
  let em;
  try {
    em = await startSolanaEmulator({ ...args.options, quiet: args.quiet });
  } catch (e) {
    process.stderr.write(`solana emulator: ${(e as Error).message}\n`);
    process.exit(1);
  }
  process.stdout.write(`Solana emulator: ${em.url}\n`);
  if (!args.quiet) {
    process.stdout.write(`RPC: ${em.rpcUrl} (WebSocket ${em.wsUrl}, same port)\n`);
    process.stdout.write(`Treasury (pay subscriptions here): ${em.treasury}\n`);
    process.stdout.write(`Model program: ${em.programId}\n`);
    process.stdout.write(`Data folder: ${em.dataDir}${args.options.dataDir ? '' : ' (temporary)'}\n`);
    process.stdout.write(`Endpoints: POST ${em.url}/transactions/register-model, ${em.url}/signature-royalty/process-signature-royalty (see emulators/solana/CONTRACT.md)\n`);
    process.stdout.write(`Admin API: ${em.root}/__emulator (solana, airdrop, balances, models, transactions, payments, faults, requests)\n`);
  }
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void em.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) void main();
