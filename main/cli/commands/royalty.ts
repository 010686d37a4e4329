/**
 * `kraken royalty preview|pay|process` — the seed-002 royalty split from the command line, with the one royalty
 * function the studio and the emulator use. `pay` signs a SystemProgram transfer with the wallet, waits for it to be
 * confirmed, then asks the backend to distribute and checks the result against the preview to the lamport (exit 1
 * when they differ or the backend refuses). `--json` prints the seed's field names.
 */
import { isSolanaAddress, type RoyaltyPayment, type RoyaltyPreview } from '../../common/contract';
import { UsageError, type CliIo } from '../cli-io';
import { parseCloudArgs, wholeNumber } from '../cloud-args';
import { SOLANA_COMMON, sol, solanaOptions, withSolana } from './wallet';

const HELP: Record<string, string> = {
  preview: `usage: kraken royalty preview --total <lamports> [--bps N] (--depth D | --model <pda>) ${SOLANA_COMMON}\n  The split of a payment: platform fee (bps, default 500), 2.5 % of the rest to each ancestor (depth 1…32), the rest\n  to the model's developer. --model uses the lineage of a model registered from this studio.`,
  pay: `usage: kraken royalty pay --model <pda> --tier <name> [--bps N] [--min <lamports>] ${SOLANA_COMMON}\n  Pays the tier's price to the platform with a transfer signed by the wallet, waits for confirmation, then\n  process-signature-royalty; prints the distribution and whether it equals the preview to the lamport.`,
  process: `usage: kraken royalty process <signature> [--model <pda>] [--bps N] [--min <lamports>] ${SOLANA_COMMON}\n  process-signature-royalty for a transaction: without --model the backend only verifies the SOL transfer.`,
};

function groupHelp(): string {
  return [
    'usage: kraken royalty <command> [options]   (lineage royalties, seed 002)',
    '',
    ...Object.values(HELP).map((h) => '  ' + h.split('\n')[0]!.replace('usage: ', '')),
    '',
    'Backend: --api <url>, else the saved setting, else KRAKEN_SOLANA_API. Cluster: --rpc <url>, else the setting, else KRAKEN_SOLANA_RPC.',
  ].join('\n');
}

const opts = {
  ...solanaOptions,
  total: { type: 'string' },
  bps: { type: 'string' },
  depth: { type: 'string' },
  model: { type: 'string' },
  tier: { type: 'string' },
  min: { type: 'string' },
} as const;

function previewText(p: RoyaltyPreview): string[] {
  const lines: string[] = [];
  if (p.lineageTrace) {
    lines.push(`lineage (${p.lineageTrace.totalDepth}): ${p.lineageTrace.lineage.map((e) => `${e.modelName} ${e.modelPDA}`).join(' ← ')}`);
    for (const v of p.lineageTrace.violations) lines.push(`  violation: ${v}`);
  }
  if (p.unknownParent) lines.push(`  the parent ${p.unknownParent} is not registered from this studio: ancestors above it are not counted`);
  const d = p.distribution;
  if (!d) return lines;
  lines.push(`total            ${sol(d.totalAmount)} SOL (${d.totalAmount} lamports)`);
  lines.push(`platform fee     ${sol(d.platformFee)} SOL (${d.platformFeePercentage} %)`);
  lines.push(`remaining        ${sol(d.remainingAfterPlatformFee)} SOL`);
  for (const x of d.distributions) {
    const who = x.role === 'current_model_developer' ? 'developer       ' : `ancestor ${String(x.depth).padEnd(7)}`;
    lines.push(`${who} ${sol(x.amount)} SOL (${x.amount} lamports, ${x.percentage} %)  ${x.recipient}`);
  }
  return lines;
}

function paymentText(p: RoyaltyPayment): string[] {
  const lines = [`payment ${p.signature}  ${p.state}  ${sol(p.lamports)} SOL`];
  if (p.reason) lines.push(`  ${p.reason}`);
  for (const v of p.violations) lines.push(`  violation: ${v}`);
  if (p.state === 'distributed' && p.distribution) {
    lines.push(...previewText({ lineageTrace: p.lineageTrace, distribution: p.distribution, unknownParent: null }).map((l) => `  ${l}`));
    if (p.distributionSignature) lines.push(`  distribution transaction ${p.distributionSignature}`);
    if (p.matchesPreview === true) lines.push('  matches the preview to the lamport');
    for (const m of p.mismatches) lines.push(`  differs from the preview: ${m.what} expected ${m.expected}, got ${m.actual}`);
  }
  return lines;
}

/** Exit 1 with one stderr line for a refusal or a distribution that differs from the preview. */
function finish(p: RoyaltyPayment, json: boolean, io: CliIo, cmd: string): number {
  io.out(json ? JSON.stringify(p) : paymentText(p).join('\n'));
  if (p.state === 'failed') {
    io.err(`kraken royalty ${cmd}: ${p.reason ?? 'the Solana backend refused it'}${p.violations.length ? ` (${p.violations.join('; ')})` : ''}`);
    return 1;
  }
  if (p.matchesPreview === false) {
    io.err(`kraken royalty ${cmd}: the distribution differs from the preview (${p.mismatches.map((m) => m.what).join(', ')})`);
    return 1;
  }
  return 0;
}

export async function runRoyalty(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(groupHelp());
    return sub ? 0 : 2;
  }
  const usage = HELP[sub];
  if (!usage) throw new UsageError(`unknown command "${sub}". Run \`kraken royalty --help\`.`);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(usage);
    return 0;
  }
  const line = usage.split('\n')[0]!;
  const { values, positionals } = parseCloudArgs(rest, opts, line);
  const bps = wholeNumber(values.bps, '--bps', 0, 10_000) ?? 500;
  const min = wholeNumber(values.min, '--min', 0, Number.MAX_SAFE_INTEGER);
  if (values.model !== undefined && !isSolanaAddress(values.model)) throw new UsageError(`--model takes a model PDA (a Solana address), not "${String(values.model).slice(0, 60)}".`);
  if (sub === 'process' && positionals.length === 1 && !/^[1-9A-HJ-NP-Za-km-z]{32,128}$/.test(positionals[0]!)) throw new UsageError(`"${positionals[0]!.slice(0, 60)}" is not a transaction signature (base58).`);
  if (sub === 'preview') {
    if (positionals.length) throw new UsageError(line);
    const total = wholeNumber(values.total, '--total', 1, Number.MAX_SAFE_INTEGER);
    if (total === undefined) throw new UsageError(`--total <lamports> is required. ${line}`);
    if ((values.depth === undefined) === (values.model === undefined)) throw new UsageError(`give --depth or --model (one of them). ${line}`);
    const depth = wholeNumber(values.depth, '--depth', 0, 64);
    return withSolana(values, io, async (k) => {
      const p = await k.royalty.preview({ totalLamports: total, platformFeeBps: bps, depth, modelPda: values.model });
      io.out(values.json ? JSON.stringify(p) : previewText(p).join('\n'));
      if (!p.distribution) {
        io.err(`kraken royalty preview: Invalid lineage detected (${p.lineageTrace?.violations.join('; ')})`);
        return 1;
      }
      return 0;
    });
  }
  if (sub === 'pay') {
    if (positionals.length) throw new UsageError(line);
    if (!values.model || !values.tier) throw new UsageError(`--model <pda> and --tier <name> are required. ${line}`);
    return withSolana(values, io, async (k) => {
      if (io.interactive && !values.json) io.err('paying, waiting for confirmation, then asking the backend to distribute…');
      const p = await k.royalty.pay({ modelPda: values.model!, tier: values.tier!, platformFeeBps: bps, minRoyaltyLamports: min }, io.signal);
      return finish(p, values.json, io, 'pay');
    });
  }
  if (positionals.length !== 1) throw new UsageError(line);
  return withSolana(values, io, async (k) => {
    const p = await k.royalty.process({ signature: positionals[0]!, modelPda: values.model, platformFeeBps: bps, minRoyaltyLamports: min }, io.signal);
    return finish(p, values.json, io, 'process');
  });
}
