/**
 * `npm run cloud:compute`: the local compute-container emulator (seed 003) on 127.0.0.1. Prints its URL first
 * (one line a launcher can read), then where its state lives and its admin API. Stops cleanly on Ctrl+C / SIGTERM.
 */
import { startComputeEmulator, type ComputeEmulatorOptions } from './emulator';

const HELP = `Usage: npm run cloud:compute -- [options]   (or: node --import tsx emulators/compute/main.ts [options])

Starts the local compute-container emulator (seed 003) on 127.0.0.1.

  --port N             port (default 0: any free port)
  --data-dir DIR       keep state in DIR (default: a temporary folder, removed on exit)
  --creation-ms N      how long a new container reads pending, and then createContainer (default 1000 and 2000)
  --quiet              print only the URL line
  -h, --help           this text`;

export interface CliArgs {
  options: ComputeEmulatorOptions;
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
      case '--creation-ms':
        out.options.creationDelayMs = num(flag, value());
        break;
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
    process.stderr.write(`compute emulator: ${(e as Error).message}\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(HELP + '\n');
    return;
  }
  const em = await startComputeEmulator({ ...args.options, quiet: args.quiet });
  process.stdout.write(`Compute emulator: ${em.url}\n`);
  if (!args.quiet) {
    const d = em.settings.creationDelayMs;
    process.stdout.write(`Data folder: ${em.dataDir}${args.options.dataDir ? '' : ' (temporary)'}\n`);
    process.stdout.write(`Endpoints: POST ${em.url}/registerUser, /runContainer, /getContainerStatus … (see emulators/compute/CONTRACT.md)\n`);
    process.stdout.write(`Creation: pending ${d.pending} ms, then createContainer ${d.createContainer} ms\n`);
    process.stdout.write(`Admin API: ${em.url}/__emulator (faults, clock, config, fail-next-creation, containers, requests, reset)\n`);
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
