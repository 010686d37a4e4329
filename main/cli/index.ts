#!/usr/bin/env node
/**
 * `kraken` — the command-line shell over the same core services, for headless and scripted use.
 * Success exits 0; bad input exits non-zero with one clear line on stderr, never a stack trace.
 */
import { AppError } from '../common/app-error';
import type { CliIo } from './cli-io';
import { UsageError } from './cli-io';
import { onLibraryWarning } from '../node/store/warnings';

type Command = (argv: string[], io: CliIo) => Promise<number>;

/**
 * A command's module is loaded only when it runs: `kraken extract` then never pays for onnxruntime,
 * sharp or SQLite (about 100 ms of start-up, which matters against ffmpeg's own run time).
 */
const lazy =
  <M>(load: () => M, pick: (m: M) => Command): Command =>
  (argv, io) =>
    pick(load())(argv, io);

// CommonJS output: require() is the lazy load (import() would go through the ESM loader).
const runProbe = lazy(() => require('./commands/probe') as typeof import('./commands/probe'), (m) => m.runProbe);
const runExtract = lazy(() => require('./commands/extract') as typeof import('./commands/extract'), (m) => m.runExtract);
const runPreflight = lazy(() => require('./commands/preflight') as typeof import('./commands/preflight'), (m) => m.runPreflight);
const runModels = lazy(() => require('./commands/models') as typeof import('./commands/models'), (m) => m.runModels);
const runInfer = lazy(() => require('./commands/infer') as typeof import('./commands/infer'), (m) => m.runInfer);
const runSets = lazy(() => require('./commands/sets') as typeof import('./commands/sets'), (m) => m.runSets);
const runConfig = lazy(() => require('./commands/config') as typeof import('./commands/config'), (m) => m.runConfig);
const runCloud = lazy(() => require('./commands/cloud') as typeof import('./commands/cloud'), (m) => m.runCloud);
const runDb = lazy(() => require('./commands/db') as typeof import('./commands/db'), (m) => m.runDb);
const runGpu = lazy(() => require('./commands/gpu') as typeof import('./commands/gpu'), (m) => m.runGpu);
const runNode = lazy(() => require('./commands/node') as typeof import('./commands/node'), (m) => m.runNode);
const runTrain = lazy(() => require('./commands/train') as typeof import('./commands/train'), (m) => m.runTrain);
const runWallet = lazy(() => require('./commands/wallet') as typeof import('./commands/wallet'), (m) => m.runWallet);
const runRoyalty = lazy(() => require('./commands/royalty') as typeof import('./commands/royalty'), (m) => m.runRoyalty);
const runRegistry = lazy(() => require('./commands/registry') as typeof import('./commands/registry'), (m) => m.runRegistry);
const runDataset = lazy(() => require('./commands/dataset') as typeof import('./commands/dataset'), (m) => m.runDataset);
const runNetwork = lazy(() => require('./commands/network') as typeof import('./commands/network'), (m) => m.runNetwork);

/**
 * Subcommands; later capabilities add theirs here. `subcommands` lists the second words a command takes, so
 * that a test can ask every one of them for `--help` (cli-help.test.ts).
 */
export const commands: Record<string, { run: Command; summary: string; subcommands?: readonly string[] }> = {
  probe: { run: runProbe, summary: 'probe <file> [--json]                 what a video or image holds' },
  extract: { run: runExtract, summary: 'extract <video> --out <dir> <mode>     frames by --fps/--every/--keyframes/--scene/--count (see --help)' },
  preflight: { run: runPreflight, summary: 'preflight <file> --model <m> [--fix]     check against a cloud model\'s limits; fix' },
  models: { run: runModels, summary: 'models list|import|download|providers  the local model library', subcommands: ['list', 'import', 'download', 'providers'] },
  infer: { run: runInfer, summary: 'infer --model <id|path> <files|dir>    run a model [--json | --jsonl (one JSON object per line, streamed)] [--force-cpu] [--out <dir>]; or over a studio frame set: --frame-set <id> [--remaining]' },
  cloud: {
    run: runCloud,
    summary: 'cloud signup|login|whoami|logout|submit|status|items|download|delete  the Kraken cloud (Atlas 3D); see kraken cloud --help',
    subcommands: ['signup', 'login', 'whoami', 'logout', 'submit', 'status', 'items', 'download', 'delete'],
  },
  sets: { run: runSets, summary: 'sets [--project <id>] [--json]          the studio\'s frame sets: ids, images, how many have results' },
  config: { run: runConfig, summary: 'config get | set ffmpeg-path|ffprobe-path <file> | unset …  the programs the studio runs (checked to be ffmpeg)' },
  db: { run: runDb, summary: 'db check|backup|restore [--json]        the library database: check it, back it up, restore a backup (see --help)', subcommands: ['check', 'backup', 'restore'] },
  gpu: {
    run: runGpu,
    summary: 'gpu register|quota|run|status|container|extend|edit|stop|unregister  GPU/CPU sessions on the compute service; see kraken gpu --help',
    subcommands: ['register', 'quota', 'run', 'status', 'container', 'extend', 'edit', 'stop', 'unregister'],
  },
  node: {
    run: runNode,
    summary: 'node start|status|pause|resume|finish|ledger  donate idle GPU/CPU time to the Kraken network (headless rigs); see kraken node --help',
    subcommands: ['start', 'status', 'pause', 'resume', 'finish', 'ledger'],
  },
  train: {
    run: runTrain,
    summary: 'train login|logout|profile|chat|models|start|list|status|watch|logs|cancel|pull|predict  model training on the vision platform; see kraken train --help',
    subcommands: ['login', 'logout', 'profile', 'chat', 'models', 'start', 'list', 'status', 'watch', 'logs', 'cancel', 'pull', 'predict'],
  },
  wallet: { run: runWallet, summary: 'wallet new|import <file>|address|balance|airdrop <sol>|credit|payout  the studio\'s Solana wallet (key in the OS keychain), earned credit paid out to it', subcommands: ['new', 'import', 'address', 'balance', 'airdrop', 'credit', 'payout'] },
  registry: { run: runRegistry, summary: 'registry register|show  models registered on Solana with their lineage (seed 002)', subcommands: ['register', 'show'] },
  royalty: { run: runRoyalty, summary: 'royalty preview|pay|process  lineage royalties: preview the split, pay a tier, distribute', subcommands: ['preview', 'pay', 'process'] },
  dataset: {
    run: runDataset,
    summary: 'dataset check|pack|upload|list|show|validate  training datasets: local health check and zip of a folder of class folders; the vision platform\'s datasets',
    subcommands: ['check', 'pack', 'upload', 'list', 'show', 'validate'],
  },
  network: {
    run: runNetwork,
    summary: 'network submit|jobs|job|cancel|account  run a model over a frame set on the Kraken network, paid with credit; see kraken network --help',
    subcommands: ['submit', 'jobs', 'job', 'cancel', 'account'],
  },
};

function help(): string {
  return [
    'Kraken Studio command line',
    '',
    'usage: kraken <command> [options]',
    '',
    ...Object.values(commands).map((c) => `  kraken ${c.summary}`),
    '',
    'Every command answers --help (kraken <command> --help, kraken <command> <subcommand> --help).',
  ].join('\n');
}

/** Runs one command line; returns the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(help());
    return name ? 0 : 2;
  }
  const cmd = commands[name];
  if (!cmd) {
    io.err(`kraken: unknown command "${name}". Run \`kraken --help\`.`);
    return 2;
  }
  try {
    return await cmd.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`kraken ${name}: ${err.message}`);
      return 2;
    }
    const e = (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || (err as { code?: string }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
      ? new AppError('INVALID_INPUT', (err as Error).message)
      : AppError.from(err);
    io.err(`kraken ${name}: ${e.message.replace(/\s*\n\s*/g, ' ')}${e.code === 'CANCELLED' ? '' : ` [${e.code}]`}`);
    return e.code === 'CANCELLED' ? 130 : 1;
  }
}

/** Process entry: wires stdio, Ctrl+C and the exit code. */
export function main(): void {
  const abort = new AbortController();
  // A command that opens an empty library next to project folders says so (kraken db check prints its own).
  onLibraryWarning((w) => process.stderr.write(`kraken: warning: ${w.message}\n`));
  process.on('SIGINT', () => abort.abort());
  process.on('SIGTERM', () => abort.abort());
  void runCli(process.argv.slice(2), {
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
    err: (t) => process.stderr.write(t.endsWith('\n') || t.startsWith('\r') ? t : t + '\n'),
    interactive: Boolean(process.stderr.isTTY),
    signal: abort.signal,
    env: process.env,
  }).then((code) => {
    process.exitCode = code;
  });
}

if (require.main === module) main();
