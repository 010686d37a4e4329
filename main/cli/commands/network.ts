/**
 * `kraken network <command>` — the creator's side of the Kraken network from the command line, through the
 * studio's NetworkService and library: a job submitted here shows in the studio, and its outputs land in the
 * project as a model run. Signed with the studio's identity (the contributor's key in the vault). A refusal is
 * one line on stderr and exit 1.
 */
import { AppError } from '../../common/app-error';
import type { NetworkAccount, NetworkJob } from '../../common/contract';
import { openNetworkKit, type NetworkKit } from '../../node/cloud/network/kit';
import { UsageError, type CliIo } from '../cli-io';
import { CLOUD_COMMON as COMMON, cliDataDir, parseCloudArgs as parse, wholeNumber } from '../cloud-args';

const HELP: Record<string, string> = {
  submit: `usage: kraken network submit --model <id> --frame-set <id> [--redundancy N] [--cluster cpu|gpu] [--wait] ${COMMON}\n  Runs an ONNX classification or detection model of the library over a frame set on the network: uploads the\n  model and frames by sha256 (what the network holds is skipped), submits the job paid with credit (redundancy\n  1–3, default 2: replicas on distinct nodes, compared) and prints its id and cost. --wait follows it until the\n  outputs are in the project as a model run (exit 0) or it fails (exit 1).`,
  jobs: `usage: kraken network jobs [--project <id>] ${COMMON}\n  The network jobs this data folder submitted, newest first; open ones are read again from the network (a done\n  job's outputs come home as a model run).`,
  job: `usage: kraken network job <id> ${COMMON}\n  One submitted job, read again from the network when it is open.`,
  cancel: `usage: kraken network cancel <id> ${COMMON}\n  Cancels an open job; the network refunds the credit not spent.`,
  account: `usage: kraken network account ${COMMON}\n  The studio's credit on the network: earned contributing, spent on its own jobs, reserved, balance.`,
};

function groupHelp(): string {
  return [
    'usage: kraken network <command> [options]   (your jobs on the Kraken network, paid with credit)',
    '',
    ...Object.values(HELP).map((h) => '  ' + h.split('\n')[0]!.replace('usage: ', '')),
    '',
    'Address: --api <url>, else the saved setting, else KRAKEN_NETWORK_URL, else the local emulator (npm run cloud:network).',
  ].join('\n');
}

/** Runs `kraken network …`; returns the exit code. */
export async function runNetwork(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(groupHelp());
    return sub ? 0 : 2;
  }
  const usage = HELP[sub];
  if (!usage) throw new UsageError(`unknown command "${sub}". Run \`kraken network --help\`.`);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(usage);
    return 0;
  }
  const line = usage.split('\n')[0]!;
  switch (sub) {
    case 'submit':
      return submit(rest, io, line);
    case 'jobs':
      return jobs(rest, io, line);
    case 'job':
      return job(rest, io, line);
    case 'cancel':
      return cancel(rest, io, line);
    default:
      return account(rest, io, line);
  }
}

async function withKit<T>(values: { api?: string; 'data-dir'?: string }, io: CliIo, fn: (k: NetworkKit) => Promise<T>): Promise<T> {
  const k = openNetworkKit({ dataDir: cliDataDir(values, io), api: values.api, env: io.env });
  try {
    return await fn(k);
  } finally {
    await k.close();
  }
}

/** One line per job: id, state, model, frame set, progress, credit. */
export function jobLine(j: NetworkJob): string {
  const parts = [`#${j.id}`, j.state, j.modelId, `frame set ${j.frameSetId ?? '-'}`, `×${j.redundancy}`];
  if (j.state === 'uploading') parts.push(`${j.uploaded}/${j.toUpload} uploaded`);
  else parts.push(`${j.done}/${j.total} inputs`);
  if (j.spent !== null) parts.push(`${j.spent} credits spent`);
  else if (j.cost !== null) parts.push(`${j.cost} credits reserved`);
  if (j.runId !== null) parts.push(`run ${j.runId}`);
  if (j.remoteJobId) parts.push(j.remoteJobId);
  if (j.error) parts.push(`— ${j.error.message}`);
  return parts.join('  ');
}

function oneId(positionals: string[], usage: string): number {
  if (positionals.length !== 1) throw new UsageError(usage);
  return wholeNumber(positionals[0], 'The job id', 1, Number.MAX_SAFE_INTEGER)!;
}

async function submit(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, { model: { type: 'string' }, 'frame-set': { type: 'string' }, redundancy: { type: 'string' }, cluster: { type: 'string' }, wait: { type: 'boolean', default: false } }, usage);
  if (positionals.length || !values.model || values['frame-set'] === undefined) throw new UsageError(usage);
  const frameSetId = wholeNumber(values['frame-set'], '--frame-set', 1, Number.MAX_SAFE_INTEGER)!;
  const redundancy = wholeNumber(values.redundancy, '--redundancy', 1, 3) ?? 2;
  const cluster = values.cluster ?? 'cpu';
  if (cluster !== 'cpu' && cluster !== 'gpu') throw new UsageError(`--cluster is cpu or gpu, not "${cluster}".`);
  return withKit(values, io, async (k) => {
    const created = await k.service.submit({ frameSetId, modelId: values.model!, redundancy, cluster });
    let j = await k.service.submitOnly(created.id);
    if (!values.json) io.out(`Submitted ${j.modelId} over frame set ${frameSetId} to ${k.baseUrl}: job #${j.id} (${j.remoteJobId}), ${j.total} inputs ×${j.redundancy}, ${j.cost} credits reserved.`);
    if (values.wait) {
      j = await k.service.drive(j.id);
      if (!values.json) io.out(jobLine(j));
    }
    if (values.json) io.out(JSON.stringify(j));
    if (j.state === 'failed') throw new AppError(j.error?.code ?? 'REMOTE', j.error?.message ?? 'The network could not finish the job.');
    return 0;
  });
}

async function jobs(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, { project: { type: 'string' } }, usage);
  if (positionals.length) throw new UsageError(usage);
  const projectId = wholeNumber(values.project, '--project', 1, Number.MAX_SAFE_INTEGER);
  return withKit(values, io, async (k) => {
    for (const j of k.service.jobs({ projectId }).jobs) await k.service.job({ id: j.id });
    const list = k.service.jobs({ projectId }).jobs;
    if (values.json) io.out(JSON.stringify({ jobs: list }));
    else io.out(list.length ? list.map(jobLine).join('\n') : 'No network jobs yet (kraken network submit --model <id> --frame-set <id>).');
    return 0;
  });
}

async function job(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, {}, usage);
  const id = oneId(positionals, usage);
  return withKit(values, io, async (k) => {
    const j = await k.service.job({ id });
    io.out(values.json ? JSON.stringify(j) : jobLine(j));
    return 0;
  });
}

async function cancel(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, {}, usage);
  const id = oneId(positionals, usage);
  return withKit(values, io, async (k) => {
    const j = await k.service.cancel({ id });
    io.out(values.json ? JSON.stringify(j) : jobLine(j));
    return 0;
  });
}

function accountText(a: NetworkAccount): string {
  if (!a.credit) return `${a.networkUrl}: the account could not be read${a.error ? ` (${a.error.message})` : ''}.`;
  const c = a.credit;
  return [`account ${a.accountId} on ${a.networkUrl}${a.emulator ? ' (local emulator)' : ''}`, `  earned ${c.earned}  spent ${c.spent}  reserved ${c.reserved}  balance ${c.balance}`].join('\n');
}

async function account(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, {}, usage);
  if (positionals.length) throw new UsageError(usage);
  return withKit(values, io, async (k) => {
    const a = await k.service.account();
    if (a.error) throw new AppError(a.error.code, a.error.message);
    io.out(values.json ? JSON.stringify(a) : accountText(a));
    return 0;
  });
}
