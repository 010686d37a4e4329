/**
 * `npm run cloud:vision`: the local vision-training-platform emulator (seed 001) on 127.0.0.1. Prints its API
 * base first (`Vision emulator: http://127.0.0.1:PORT/api/v1`, the line scripts/start.mjs reads), then where its
 * state lives and its admin API. Stops cleanly on Ctrl+C / SIGTERM.
 */
import { dataFolderLine, parseEmulatorArgs, runEmulatorMain, wholeNumber, type EmulatorCliArgs } from '../base/main-kit';
import { DEMO_EMAIL, DEMO_PASSWORD, startVisionEmulator, type VisionEmulatorOptions } from './emulator';

const HELP = `Usage: npm run cloud:vision -- [options]   (or: node --import tsx emulators/vision/main.ts [options])

Starts the local vision-training-platform emulator (seed 001) on 127.0.0.1.

  --port N             port (default 0: any free port)
  --data-dir DIR       keep state in DIR (default: a temporary folder, removed on exit)
  --demo               create ${DEMO_EMAIL} / ${DEMO_PASSWORD} on the Pro plan
  --epoch-ms N         real milliseconds between epochs (default 300)
  --no-export          switch the export extension off (GET /workflows/{id}/export answers 404)
  --quiet              print only the URL line
  -h, --help           this text`;

export type CliArgs = EmulatorCliArgs<VisionEmulatorOptions>;

/** Parses argv; throws an Error whose message is one line for stderr. */
export function parseArgs(argv: string[]): CliArgs {
  return parseEmulatorArgs<VisionEmulatorOptions>(argv, (flag, value, options) => {
    if (flag === '--demo') options.demo = true;
    else if (flag === '--epoch-ms') options.epochDelayMs = wholeNumber(flag, value());
    else if (flag === '--no-export') options.exportEnabled = false;
    else return false;
    return true;
  });
}

if (require.main === module)
  void runEmulatorMain({
    name: 'vision',
    label: 'Vision',
    help: HELP,
    parseArgs,
    start: (args: CliArgs) => startVisionEmulator({ ...args.options, quiet: args.quiet }),
    after: (em, args) => {
      if (args.quiet) return;
      process.stdout.write(dataFolderLine(em.dataDir, args.options.dataDir));
      if (args.options.demo) process.stdout.write(`Demo account: ${DEMO_EMAIL} / ${DEMO_PASSWORD} (Pro plan)\n`);
      process.stdout.write(`Endpoints: ${em.url}/auth/token, /chat/message, /datasets/upload, /workflows, ${em.wsUrl}/workflows/{id}?token=… (see emulators/vision/CONTRACT.md)\n`);
      process.stdout.write(`Training: ${em.settings.epochDelayMs} ms between epochs; export extension ${em.settings.exportEnabled ? 'on' : 'off'}\n`);
      process.stdout.write(`Admin API: ${em.origin}/__emulator (faults, clock, config, export, ws/drop, users, requests, reset)\n`);
    },
  });
