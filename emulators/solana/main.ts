/**
 * `npm run cloud:solana`: the local Solana emulator (seed 002) on 127.0.0.1. Prints its URL first (one line a
 * launcher can read: the backend API base), then the RPC URL, the treasury, the data folder and the admin API.
 * Stops cleanly on Ctrl+C / SIGTERM.
 */
import { dataFolderLine, parseEmulatorArgs, runEmulatorMain, type EmulatorCliArgs } from '../base/main-kit';
import { startSolanaEmulator, type SolanaEmulatorOptions } from './emulator';

const HELP = `Usage: npm run cloud:solana -- [options]   (or: node --import tsx emulators/solana/main.ts [options])

Starts the local Solana emulator (seed 002 backend + JSON-RPC over a litesvm VM) on 127.0.0.1.

  --port N             port (default 0: any free port)
  --data-dir DIR       keep state in DIR (default: a temporary folder, removed on exit)
  --quiet              print only the URL line
  -h, --help           this text`;

export type CliArgs = EmulatorCliArgs<SolanaEmulatorOptions>;

/** Parses argv; throws an Error whose message is one line for stderr. */
export function parseArgs(argv: string[]): CliArgs {
  return parseEmulatorArgs<SolanaEmulatorOptions>(argv);
}

if (require.main === module)
  void runEmulatorMain({
    name: 'solana',
    label: 'Solana',
    help: HELP,
    parseArgs,
    start: (args: CliArgs) => startSolanaEmulator({ ...args.options, quiet: args.quiet }),
    after: (em, args) => {
      if (args.quiet) return;
      process.stdout.write(`RPC: ${em.rpcUrl} (WebSocket ${em.wsUrl}, same port)\n`);
      process.stdout.write(`Treasury (pay subscriptions here): ${em.treasury}\n`);
      process.stdout.write(`Model program: ${em.programId}\n`);
      process.stdout.write(dataFolderLine(em.dataDir, args.options.dataDir));
      process.stdout.write(`Endpoints: POST ${em.url}/transactions/register-model, ${em.url}/signature-royalty/process-signature-royalty (see emulators/solana/CONTRACT.md)\n`);
      process.stdout.write(`Admin API: ${em.root}/__emulator (solana, airdrop, balances, models, transactions, payments, faults, requests)\n`);
    },
  });
