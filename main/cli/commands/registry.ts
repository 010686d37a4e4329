/**
 * `kraken registry register|show` — the on-chain model registry (seed 002 register-model) from the command line.
 * `register --model <local id>` drafts the body from the library model (manifest, lineage) and the wallet, with
 * `--relationship`, `--parent` and `--price` over it; `--manifest <file.json>` sends a body written by hand. Every
 * field is checked against the seed before anything is sent: each problem is named (exit 1). Prints the model PDA.
 */
import fs from 'node:fs';
import { isSolanaAddress, Relationship, registerProblemText, type LineageTrace } from '../../common/contract';
import { UsageError, type CliIo } from '../cli-io';
import { parseCloudArgs, wholeNumber } from '../cloud-args';
import { SOLANA_COMMON, solanaOptions, withSolana } from './wallet';

const HELP: Record<string, string> = {
  register: `usage: kraken registry register (--model <local id> [--relationship root|derived|fine-tuned] [--parent <pda>] [--price <lamports>] | --manifest <file.json>) ${SOLANA_COMMON}\n  POST /transactions/register-model. --model fills the body from a library model and the wallet (a cloud-trained\n  model is fine-tuned from its base); --price adds a monthly tier "standard". Prints the model PDA.`,
  show: `usage: kraken registry show <pda> ${SOLANA_COMMON}\n  A model registered from this studio and its lineage (parent first, up to the root).`,
};

function groupHelp(): string {
  return [
    'usage: kraken registry <command> [options]   (models registered on Solana, seed 002)',
    '',
    ...Object.values(HELP).map((h) => '  ' + h.split('\n')[0]!.replace('usage: ', '')),
    '',
    'Backend: --api <url>, else the saved setting, else KRAKEN_SOLANA_API.',
  ].join('\n');
}

function lineageText(t: LineageTrace): string[] {
  const lines = t.lineage.map((e) => `  ${'  '.repeat(e.depth)}${e.depth === 0 ? '' : '↑ '}${e.modelName}  ${e.modelPDA}  developer ${e.developerWallet}`);
  for (const v of t.violations) lines.push(`  violation: ${v}`);
  return lines;
}

export async function runRegistry(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(groupHelp());
    return sub ? 0 : 2;
  }
  const usage = HELP[sub];
  if (!usage) throw new UsageError(`unknown command "${sub}". Run \`kraken registry --help\`.`);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(usage);
    return 0;
  }
  const line = usage.split('\n')[0]!;
  const { values, positionals } = parseCloudArgs(
    rest,
    { ...solanaOptions, model: { type: 'string' }, relationship: { type: 'string' }, parent: { type: 'string' }, price: { type: 'string' }, manifest: { type: 'string' } },
    line,
  );
  if (sub === 'show') {
    if (positionals.length !== 1) throw new UsageError(line);
    if (!isSolanaAddress(positionals[0])) throw new UsageError(`"${positionals[0]!.slice(0, 60)}" is not a model PDA (a Solana address).`);
    return withSolana(values, io, async (k) => {
      const s = await k.registry.show(positionals[0]!);
      if (values.json) {
        io.out(JSON.stringify(s));
        return s.model ? 0 : 1;
      }
      if (!s.model) {
        io.err(`kraken registry: the model ${positionals[0]} was not registered from this studio.`);
        return 1;
      }
      const tiers = Object.entries(s.model.pricing).map(([n, t]) => `${n} ${t.price} lamports (${t.billingType})`).join(', ');
      io.out([`${s.model.name} ${s.model.versionName}  ${s.model.relationship}  ${s.model.modelPda}`, `  transaction ${s.model.transactionHash}`, `  developer ${s.model.walletAddress}`, `  tiers ${tiers}`, 'lineage:', ...lineageText(s.lineageTrace)].join('\n'));
      if (s.unknownParent) io.out(`  the parent ${s.unknownParent} is not registered from this studio`);
      return 0;
    });
  }
  if (positionals.length) throw new UsageError(line);
  if ((values.model === undefined) === (values.manifest === undefined)) throw new UsageError(`give --model <local id> or --manifest <file.json> (one of them). ${line}`);
  if (values.manifest && (values.relationship || values.parent || values.price)) throw new UsageError(`--relationship, --parent and --price go with --model; a --manifest body says them itself. ${line}`);
  if (values.relationship !== undefined && !Relationship.safeParse(values.relationship).success) throw new UsageError(`--relationship takes root, derived or fine-tuned, not "${values.relationship}".`);
  const price = wholeNumber(values.price, '--price', 1, Number.MAX_SAFE_INTEGER);
  return withSolana(values, io, async (k) => {
    let body: unknown;
    if (values.manifest) {
      let text: string;
      try {
        text = fs.readFileSync(values.manifest, 'utf8');
      } catch {
        throw new UsageError(`cannot read ${values.manifest}.`);
      }
      try {
        body = JSON.parse(text);
      } catch {
        throw new UsageError(`${values.manifest} is not JSON.`);
      }
    } else {
      let address: string | null = null;
      try {
        address = k.wallet.address().toBase58();
      } catch {
        address = null;
      }
      const d = await k.registry.draft(values.model!, {
        walletAddress: address,
        relationship: values.relationship as Relationship | undefined,
        parentModelPDA: values.parent,
        priceLamports: price,
      });
      body = d.body;
    }
    const problems = k.registry.check(body);
    if (problems.length) {
      if (values.json) io.out(JSON.stringify({ problems }));
      io.err(`kraken registry: the model cannot be registered: ${problems.map(registerProblemText).join('; ')}.`);
      return 1;
    }
    const m = await k.registry.register({ body, localModelId: values.model }, io.signal);
    io.out(values.json ? JSON.stringify(m) : `${m.modelPda}\n  registered ${m.name} (${m.relationship}${m.parentPda ? ` of ${m.parentPda}` : ''}); transaction ${m.transactionHash}`);
    return 0;
  });
}
