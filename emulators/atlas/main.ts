/**
 * `npm run cloud:atlas` (or `npm run cloud` for every emulator): the local Atlas emulator on 127.0.0.1. Prints its URL first (one line a launcher can read),
 * then, with --demo, a confirmed demo account. Stops cleanly on Ctrl+C / SIGTERM.
 */
import { startAtlasEmulator, type AtlasEmulatorOptions } from './emulator';

export const DEMO_EMAIL = 'demo@kraken.local';
/** Documented in CONTRACT.md and printed at start: a local demo account, not a secret. */
export const DEMO_PASSWORD = 'Kraken-Demo-2026!';

const HELP = `Usage: npm run cloud:atlas -- [options]   (or: node --import tsx emulators/atlas/main.ts [options])

Starts the local Atlas emulator (seed 000) on 127.0.0.1.

  --port N             port (default 0: any free port)
  --data-dir DIR       keep state in DIR (default: a temporary folder, removed on exit)
  --processing-ms N    how long an item stays PROGRESS (default 2000)
  --access-ttl-sec N   access token lifetime (default 3600)
  --refresh-ttl-sec N  refresh token lifetime (default 1209600)
  --auto-confirm       sign-ups need no e-mail confirmation
  --no-input-limits    accept uploads outside seed §3's limits
  --demo               create ${DEMO_EMAIL} (password ${DEMO_PASSWORD}), confirmed
  --quiet              print only the URL line
  -h, --help           this text`;

export interface CliArgs {
  options: AtlasEmulatorOptions;
  demo: boolean;
  quiet: boolean;
  help: boolean;
}

/** Parses argv; throws an Error whose message is one line for stderr. */
export function parseArgs(argv: string[]): CliArgs {
  const out: CliArgs = { options: {}, demo: false, quiet: false, help: false };
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
      case '--processing-ms':
        out.options.processingMs = num(flag, value());
        break;
      case '--access-ttl-sec':
        out.options.accessTokenTtlSec = num(flag, value());
        break;
      case '--refresh-ttl-sec':
        out.options.refreshTokenTtlSec = num(flag, value());
        break;
      case '--auto-confirm':
        out.options.autoConfirmEmail = true;
        break;
      case '--no-input-limits':
        out.options.enforceInputLimits = false;
        break;
      case '--demo':
        out.demo = true;
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
  // `npm run cloud | head` closes the pipe early: that is not an error
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
  });
  let args: CliArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`atlas emulator: ${(e as Error).message}\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(HELP + '\n');
    return;
  }
  const em = await startAtlasEmulator({
    ...args.options,
    quiet: args.quiet,
    // a mail catcher's terminal: links are shown; a temporary password is not (read it from the admin API)
    onMail: args.quiet
      ? undefined
      : (m) => process.stdout.write(`Mail to ${m.to}: ${m.subject}${m.data.link ? ` — ${m.data.link}` : ` (GET /__emulator/mails?to=${encodeURIComponent(m.to)})`}\n`),
  });
  process.stdout.write(`Atlas emulator: ${em.url}\n`);
  if (args.demo) {
    const existing = (await fetch(`${em.url}/atlas/auth/sign-In`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: DEMO_EMAIL, password: DEMO_PASSWORD }) })).status === 201;
    if (!existing) await em.createUser({ email: DEMO_EMAIL, password: DEMO_PASSWORD, nickname: 'Demo' });
    if (!args.quiet) process.stdout.write(`Demo account: ${DEMO_EMAIL} / ${DEMO_PASSWORD}\n`);
  }
  if (!args.quiet) {
    process.stdout.write(`Data folder: ${em.dataDir}${args.options.dataDir ? '' : ' (temporary)'}\n`);
    process.stdout.write(`Admin API: ${em.url}/__emulator (faults, clock, mails, requests, reset)\n`);
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
