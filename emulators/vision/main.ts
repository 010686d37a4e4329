/**
 * `npm run cloud:vision`: the local vision-training-platform emulator (seed 001) on 127.0.0.1. Prints its API
 * base first (`Vision emulator: http://127.0.0.1:PORT/api/v1`, the line scripts/start.mjs reads), then where its
 * state lives and its admin API. Stops cleanly on Ctrl+C / SIGTERM.
 */
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

export interface CliArgs {
  options: VisionEmulatorOptions;
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
      case '--demo':
        out.options.demo = true;
        break;
      case '--epoch-ms':
        out.options.epochDelayMs = num(flag, value());
        break;
      case '--no-export':
        out.options.exportEnabled = false;
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
    process.stderr.write(`vision emulator: ${(e as Error).message}\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(HELP + '\n');
    return;
  }
  const em = await startVisionEmulator({ ...args.options, quiet: args.quiet });
  process.stdout.write(`Vision emulator: ${em.url}\n`);
  if (!args.quiet) {
    process.stdout.write(`Data folder: ${em.dataDir}${args.options.dataDir ? '' : ' (temporary)'}\n`);
    if (args.options.demo) process.stdout.write(`Demo account: ${DEMO_EMAIL} / ${DEMO_PASSWORD} (Pro plan)\n`);
    process.stdout.write(`Endpoints: ${em.url}/auth/token, /chat/message, /datasets/upload, /workflows, ${em.wsUrl}/workflows/{id}?token=… (see emulators/vision/CONTRACT.md)\n`);
    process.stdout.write(`Training: ${em.settings.epochDelayMs} ms between epochs; export extension ${em.settings.exportEnabled ? 'on' : 'off'}\n`);
    process.stdout.write(`Admin API: ${em.origin}/__emulator (faults, clock, config, export, ws/drop, users, requests, reset)\n`);
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
