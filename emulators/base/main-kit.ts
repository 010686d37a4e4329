/**
 * What every emulator's `main.ts` shares: the common flags (--port, --data-dir, --quiet, -h/--help, both
 * `--flag value` and `--flag=value`), the banner `<Label> emulator: <url>` as the first line (scripts/start.mjs
 * reads it), a quiet exit on EPIPE, exit 2 with one stderr line on a bad flag, and a clean stop on SIGINT/SIGTERM.
 */

export interface EmulatorCliArgs<O> {
  options: O;
  quiet: boolean;
  help: boolean;
}

/** A whole number or an Error whose message is one line for stderr. */
export function wholeNumber(flag: string, v: string | undefined): number {
  if (v === undefined || !/^\d+$/.test(v)) throw new Error(`${flag} needs a whole number`);
  return Number(v);
}

/**
 * Parses argv into options; `own` handles the emulator's own flags and answers false for a flag it does not know.
 * Throws an Error whose message is one line for stderr.
 */
export function parseEmulatorArgs<O extends { port?: number; dataDir?: string }>(
  argv: string[],
  own: (flag: string, value: () => string | undefined, options: O) => boolean = () => false,
): EmulatorCliArgs<O> {
  const out: EmulatorCliArgs<O> = { options: {} as O, quiet: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--port': {
        const p = wholeNumber(flag, value());
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
      case '--quiet':
        out.quiet = true;
        break;
      case '-h':
      case '--help':
        out.help = true;
        break;
      default:
        if (!own(flag, value, out.options)) throw new Error(`unknown option ${arg} (see --help)`);
    }
  }
  return out;
}

/** The line that says where the state lives. */
export function dataFolderLine(dataDir: string, given: string | undefined): string {
  return `Data folder: ${dataDir}${given ? '' : ' (temporary)'}\n`;
}

export interface EmulatorMain<A extends EmulatorCliArgs<unknown>, E extends { url: string; close(): Promise<void> }> {
  /** Lower case, the prefix of stderr lines: `compute` → `compute emulator: …`. */
  name: string;
  /** The banner's label: `Compute` → `Compute emulator: <url>`. */
  label: string;
  help: string;
  parseArgs(argv: string[]): A;
  start(args: A): Promise<E>;
  /** After the banner: the emulator's own lines (it honours args.quiet itself) and any start-up work. */
  after?(em: E, args: A): Promise<void> | void;
}

/** Runs an emulator as a process: parse, --help, start, banner, then wait for SIGINT/SIGTERM. */
export async function runEmulatorMain<A extends EmulatorCliArgs<unknown>, E extends { url: string; close(): Promise<void> }>(kit: EmulatorMain<A, E>): Promise<void> {
  // `npm run cloud | head` closes the pipe early: that is not an error
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
  });
  let args: A;
  try {
    args = kit.parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${kit.name} emulator: ${(e as Error).message}\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(kit.help + '\n');
    return;
  }
  let em: E;
  try {
    em = await kit.start(args);
  } catch (e) {
    process.stderr.write(`${kit.name} emulator: ${(e as Error).message}\n`);
    process.exit(1);
  }
  process.stdout.write(`${kit.label} emulator: ${em.url}\n`);
  await kit.after?.(em, args);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void em.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
