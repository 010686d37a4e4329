/**
 * `npm run cloud:compute`: the local compute-container emulator (seed 003) on 127.0.0.1. Prints its URL first
 * (one line a launcher can read), then where its state lives and its admin API. Stops cleanly on Ctrl+C / SIGTERM.
 */
import { dataFolderLine, parseEmulatorArgs, runEmulatorMain, wholeNumber, type EmulatorCliArgs } from '../base/main-kit';
import { startComputeEmulator, type ComputeEmulatorOptions } from './emulator';

const HELP = `Usage: npm run cloud:compute -- [options]   (or: node --import tsx emulators/compute/main.ts [options])

Starts the local compute-container emulator (seed 003) on 127.0.0.1.

  --port N             port (default 0: any free port)
  --data-dir DIR       keep state in DIR (default: a temporary folder, removed on exit)
  --creation-ms N      how long a new container reads pending, and then createContainer (default 1000 and 2000)
  --quiet              print only the URL line
  -h, --help           this text`;

export type CliArgs = EmulatorCliArgs<ComputeEmulatorOptions>;

/** Parses argv; throws an Error whose message is one line for stderr. */
export function parseArgs(argv: string[]): CliArgs {
  return parseEmulatorArgs<ComputeEmulatorOptions>(argv, (flag, value, options) => {
    if (flag !== '--creation-ms') return false;
    options.creationDelayMs = wholeNumber(flag, value());
    return true;
  });
}

if (require.main === module)
  void runEmulatorMain({
    name: 'compute',
    label: 'Compute',
    help: HELP,
    parseArgs,
    start: (args: CliArgs) => startComputeEmulator({ ...args.options, quiet: args.quiet }),
    after: (em, args) => {
      if (args.quiet) return;
      const d = em.settings.creationDelayMs;
      process.stdout.write(dataFolderLine(em.dataDir, args.options.dataDir));
      process.stdout.write(`Endpoints: POST ${em.url}/registerUser, /runContainer, /getContainerStatus … (see emulators/compute/CONTRACT.md)\n`);
      process.stdout.write(`Creation: pending ${d.pending} ms, then createContainer ${d.createContainer} ms\n`);
      process.stdout.write(`Admin API: ${em.url}/__emulator (faults, clock, config, fail-next-creation, containers, requests, reset)\n`);
    },
  });
