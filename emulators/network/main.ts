/**
 * `npm run cloud:network`: the local Kraken network emulator (contributor protocol v1) on 127.0.0.1. Prints its
 * URL first (one line a launcher can read), then where its state lives and its admin API. Stops cleanly on
 * Ctrl+C / SIGTERM.
 */
import { dataFolderLine, parseEmulatorArgs, runEmulatorMain, wholeNumber, type EmulatorCliArgs } from '../base/main-kit';
import { startNetworkEmulator, type NetworkEmulatorOptions } from './emulator';

const HELP = `Usage: npm run cloud:network -- [options]   (or: node --import tsx emulators/network/main.ts [options])

Starts the local Kraken network emulator (docs/contributor-protocol.md, version 1) on 127.0.0.1.
A reference for tests and demos, not the product.

  --port N             port (default 0: any free port)
  --data-dir DIR       keep state in DIR (default: a temporary folder, removed on exit)
  --welcome-grant N    credit a new account starts with (default 1000)
  --lease-seconds N    lease life without a heartbeat (default 60)
  --solana-rpc URL     send payouts (POST /v1/nodes/me/payout) as real transfers on this Solana cluster,
                       from a treasury kept in the data folder and topped up by airdrop (the local
                       Solana emulator or devnet only); without it payouts are recorded, not sent
  --quiet              print only the URL line
  -h, --help           this text`;

export type CliArgs = EmulatorCliArgs<NetworkEmulatorOptions>;

/** Parses argv; throws an Error whose message is one line for stderr. */
export function parseArgs(argv: string[]): CliArgs {
  const settings: NonNullable<NetworkEmulatorOptions['settings']> = {};
  const out = parseEmulatorArgs<NetworkEmulatorOptions>(argv, (flag, value, options) => {
    if (flag === '--welcome-grant') settings.welcomeGrant = wholeNumber(flag, value());
    else if (flag === '--lease-seconds') {
      const s = wholeNumber(flag, value());
      if (s < 1) throw new Error('--lease-seconds must be at least 1');
      settings.leaseSeconds = s;
    } else if (flag === '--solana-rpc') {
      const u = value() ?? '';
      if (!/^https?:\/\//.test(u)) throw new Error('--solana-rpc takes an http(s) URL');
      options.solanaRpc = u;
    } else return false;
    return true;
  });
  if (Object.keys(settings).length) out.options.settings = settings;
  return out;
}

if (require.main === module)
  void runEmulatorMain({
    name: 'network',
    label: 'Network',
    help: HELP,
    parseArgs,
    start: (args: CliArgs) => startNetworkEmulator({ ...args.options, quiet: args.quiet }),
    after: (em, args) => {
      if (args.quiet) return;
      process.stdout.write(dataFolderLine(em.dataDir, args.options.dataDir));
      process.stdout.write(`Endpoints: ${em.url}/v1/nodes/register, /v1/leases, /v1/jobs … (see docs/contributor-protocol.md, emulators/network/CONTRACT.md)\n`);
      process.stdout.write(`Welcome grant: ${em.settings.welcomeGrant} credits; leases ${em.settings.leaseSeconds} s\n`);
      process.stdout.write(args.options.solanaRpc ? `Payouts: sent as transfers on ${args.options.solanaRpc}\n` : 'Payouts: recorded, not sent (no --solana-rpc)\n');
      process.stdout.write(`Admin API: ${em.url}/__emulator (faults, clock, config, nodes, jobs, accounts, requests, reset)\n`);
    },
  });
