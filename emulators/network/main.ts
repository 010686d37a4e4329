/**
 * `npm run cloud:network`: the local Kraken network emulator (contributor protocol v1) on 127.0.0.1. Prints its
 * URL first (one line a launcher can read), then where its state lives and its admin API. Stops cleanly on
 * Ctrl+C / SIGTERM.
 */
import { startNetworkEmulator, type NetworkEmulatorOptions } from './emulator';

const HELP = `Usage: npm run cloud:network -- [options]   (or: node --import tsx emulators/network/main.ts [options])

Starts the local Kraken network emulator (docs/contributor-protocol.md, version 1) on 127.0.0.1.
A reference for tests and demos, not the product.

  --port N             port (default 0: any free port)
  --data-dir DIR       keep state in DIR (default: a temporary folder, removed on exit)
  --welcome-grant N    credit a new account starts with (default 1000)
  --lease-seconds N    lease life without a heartbeat (default 60)
  --quiet              print only the URL line
  -h, --help           this text`;

export interface CliArgs {
  options: NetworkEmulatorOptions;
  quiet: boolean;
  help: boolean;
}

/** Parses argv; throws an Error whose message is one line for stderr. */
export function parseArgs(argv: string[]): CliArgs {
  const out: CliArgs = { options: {}, quiet: false, help: false };
  const num = (flag: string, v: string | undefined) => {
    if (v === undefined || !/^\d+$/.test(v)) throw new Error(`${flag} needs a whole number`);
    return Number(v);
  };
  const settings: NonNullable<NetworkEmulatorOptions['settings']> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--port': {
        const p = num(flag, value());
        if (p > 65535) throw new Error('--port must be at most 65535');
        out.options.port = p;
        break;
      }
      case '--data-dir': {
        const d = value();
        if (!d) throw new Error('--data-dir needs a folder');
        out.options.dataDir = d;
        break;
      }
      case '--welcome-grant':
        settings.welcomeGrant = num(flag, value());
        break;
      case '--lease-seconds': {
        const s = num(flag, value());
        if (s < 1) throw new Error('--lease-seconds must be at least 1');
        settings.leaseSeconds = s;
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
  if (Object.keys(settings).length) out.options.settings = settings;
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
    process.stderr.write(`network emulator: ${(e as Error).message}\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(HELP + '\n');
    return;
  }
  const em = await startNetworkEmulator({ ...args.options, quiet: args.quiet });
  process.stdout.write(`Network emulator: ${em.url}\n`);
  if (!args.quiet) {
    process.stdout.write(`Data folder: ${em.dataDir}${args.options.dataDir ? '' : ' (temporary)'}\n`);
    process.stdout.write(`Endpoints: ${em.url}/v1/nodes/register, /v1/leases, /v1/jobs … (see docs/contributor-protocol.md, emulators/network/CONTRACT.md)\n`);
    process.stdout.write(`Welcome grant: ${em.settings.welcomeGrant} credits; leases ${em.settings.leaseSeconds} s\n`);
    process.stdout.write(`Admin API: ${em.url}/__emulator (faults, clock, config, nodes, jobs, accounts, requests, reset)\n`);
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
