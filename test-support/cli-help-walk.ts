/**
 * Asks every command and subcommand the CLI registers (main/cli/index.ts) for `--help`, in one process, and
 * prints one JSON line per command line: its argv, exit code and output. Run by main/cli/cli-help.test.ts
 * through tsx (the lazy `require` of each command needs a real Node module loader, not vitest's).
 */
import { commands, runCli } from '../main/cli/index';

async function walk(): Promise<void> {
  const lines: string[][] = [['--help']];
  for (const [name, c] of Object.entries(commands)) {
    lines.push([name, '--help'], [name, '-h']);
    for (const sub of c.subcommands ?? []) lines.push([name, sub, '--help']);
  }
  for (const argv of lines) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      interactive: false,
      signal: new AbortController().signal,
      // A data folder that does not exist: help must not need (or create) one.
      env: { ...process.env, KRAKEN_DATA_DIR: process.env.KRAKEN_HELP_WALK_DATA_DIR },
    });
    process.stdout.write(JSON.stringify({ argv, code, out: out.join('\n'), err: err.join('\n') }) + '\n');
  }
}

void walk();
