/**
 * `kraken node <command>` — the contributor node without a window, for GPU rigs: `start` runs the agent (the same
 * ContributorAgent the desktop app runs) until Ctrl+C, which gives the current job back cleanly (its checkpoint
 * kept); `status|pause|resume|finish|ledger` talk to the running agent through its control socket in the data
 * folder. A headless machine has no keyboard or mouse to watch: it counts as idle; the other rules apply.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../common/app-error';
import { CONTRIBUTOR_CONSENT_VERSION, ContributorPolicy, type ContributorLedger, type ContributorStatus } from '../../common/contract/contributor';
import { openVault } from '../../node/cloud/secrets';
import { askAgent, serveControl, type ControlCommand } from '../../node/contributor/control-socket';
import { reasonSentence } from '../../node/contributor/reasons';
import { ContributorService } from '../../node/contributor/service';
import { ContributorStore } from '../../node/contributor/store';
import { openDatabase } from '../../node/store/database';
import { UsageError, type CliIo } from '../cli-io';
import { cliDataDir, parseCloudArgs as parse } from '../cloud-args';

const COMMON = '[--data-dir <dir>] [--json]';

const HELP: Record<string, string> = {
  start: `usage: kraken node start --network <url> [--policy <file.json>] [--once] [--force-cpu] ${COMMON}\n  Runs the contributor node here (starting it is your consent to donate this machine's idle time): registers with\n  the network, leases one job at a time, runs it confined, uploads the signed result. Prints each state change\n  (--json: one JSON object per line). --policy: donation rules as JSON (any of idleMinutes, runOnBattery,\n  pauseOnGpuProcess, pausePrograms, cpuSharePercent, gpuSharePercent, memorySharePercent, diskMaxMb,\n  dailyMaxMinutes, schedule, quietMinutes, clusters). --once: stop after one job. Ctrl+C gives the current job back.`,
  status: `usage: kraken node status ${COMMON}\n  The running agent's state and why, its job (done/total, deadline), today's minutes.`,
  pause: `usage: kraken node pause ${COMMON}\n  Pause now: the job process stops at once and stays paused until \`kraken node resume\`.`,
  resume: `usage: kraken node resume ${COMMON}\n  Undo pause / finish: the rules decide again.`,
  finish: `usage: kraken node finish ${COMMON}\n  Finish the current job, then stop taking work.`,
  ledger: `usage: kraken node ledger [--days <N>] ${COMMON}\n  Jobs done, device minutes per cluster (cpu/gpu), claimed and granted credit per day (from the library; works\n  without a running agent).`,
};

function groupHelp(): string {
  return [
    'usage: kraken node <command> [options]   (donate this machine\'s idle GPU/CPU time to the Kraken network)',
    '',
    ...Object.values(HELP).map((h) => '  ' + h.split('\n')[0]!.replace('usage: ', '')),
  ].join('\n');
}

/** Runs `kraken node …`; returns the exit code. */
export async function runNode(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(groupHelp());
    return sub ? 0 : 2;
  }
  const usage = HELP[sub];
  if (!usage) throw new UsageError(`unknown command "${sub}". Run \`kraken node --help\`.`);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(usage);
    return 0;
  }
  const line = usage.split('\n')[0]!;
  if (sub === 'start') return start(rest, io, line);
  if (sub === 'ledger') return ledger(rest, io, line);
  return control(sub as ControlCommand, rest, io, line);
}

function statusLine(s: ContributorStatus): string {
  const job = s.job ? ` — job ${s.job.jobId} (replica ${s.job.replica}) ${s.job.done}/${s.job.total}${s.job.remainingSeconds !== null ? `, about ${s.job.remainingSeconds} s left` : ''}` : '';
  return `${s.state}: ${reasonSentence(s.reason)}${job}`;
}

/** A policy file: JSON with some of the rules; anything else is refused with the field that is wrong. */
function readPolicy(file: string): Partial<ContributorPolicy> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new AppError('INVALID_INPUT', `Cannot read the policy file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new AppError('INVALID_INPUT', `The policy file ${path.basename(file)} is not JSON.`);
  }
  const r = ContributorPolicy.partial().strict().safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    const keys = i.code === 'unrecognized_keys' ? ` (unknown rule ${(i as { keys?: string[] }).keys?.join(', ')})` : '';
    throw new AppError('INVALID_INPUT', `The policy file ${path.basename(file)}: ${i.path.join('.') || 'rules'}: ${i.message}${keys}.`);
  }
  return r.data;
}

async function start(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, { network: { type: 'string' }, policy: { type: 'string' }, once: { type: 'boolean', default: false }, 'force-cpu': { type: 'boolean', default: false } }, usage);
  if (positionals.length) throw new UsageError(usage);
  const network = values.network ?? io.env.KRAKEN_NETWORK_URL;
  if (!network) throw new UsageError(`--network <url> is needed (or KRAKEN_NETWORK_URL). ${usage}`);
  try {
    const u = new URL(network);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw new UsageError(`--network must be an http(s) URL, not "${network}".`);
  }
  const policy = values.policy ? readPolicy(path.resolve(values.policy)) : null;
  const dataDir = cliDataDir(values, io);
  fs.mkdirSync(dataDir, { recursive: true });
  const db = openDatabase(path.join(dataDir, 'studio.db'));
  let told = false;
  const vault = openVault(dataDir, {
    onFallback: (m) => {
      if (!told) io.err(m);
      told = true;
    },
  });
  let sawJob = false;
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => (done = r));
  let last = '';
  const service = new ContributorService({
    db,
    dataDir,
    vault: { get: async (n) => (await vault).get(n), set: async (n, v) => (await vault).set(n, v) },
    agent: {
      forceCpu: values['force-cpu'],
      onState: (s) => {
        const text = values.json ? JSON.stringify(s) : statusLine(s);
        const key = values.json ? JSON.stringify({ ...s, updatedAt: '' }) : text;
        if (key !== last) io.out(text);
        last = key;
        if (s.job) sawJob = true;
        else if (values.once && sawJob) done();
      },
      log: (l) => {
        if (!values.json) io.err(l);
      },
    },
  });
  let server: Awaited<ReturnType<typeof serveControl>> | null = null;
  try {
    server = await serveControl(dataDir, async (cmd) => {
      if (cmd === 'pause') return service.pauseNow();
      if (cmd === 'resume') return service.resume();
      if (cmd === 'finish') return service.finishThenStop();
      if (cmd === 'ledger') return service.ledger({});
      return service.status();
    });
    if (policy) service.setPolicy(policy);
    await service.optIn({ consentVersion: CONTRIBUTOR_CONSENT_VERSION, networkUrl: network });
    if (!values.json) io.err(`kraken node: node ${service.store.get().nodeId ?? '(identity on first contact)'} on ${network}; job confinement: ${service.agent.confinementInfo.description}. Ctrl+C gives the current job back.`);
    const aborted = new Promise<void>((r) => io.signal.addEventListener('abort', () => r(), { once: true }));
    await Promise.race([finished, aborted]);
    const hadJob = service.agent.status().job !== null;
    await service.close();
    if (hadJob && !values.json) io.err('kraken node: gave the current job back (its checkpoint is kept for a resume).');
    return 0;
  } finally {
    await server?.close();
    db.close();
  }
}

async function control(cmd: ControlCommand, argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, {}, usage);
  if (positionals.length) throw new UsageError(usage);
  const dataDir = cliDataDir(values, io);
  const r = (await askAgent(dataDir, cmd)) as ContributorStatus | null;
  if (!r) {
    if (cmd === 'status') {
      io.out(values.json ? JSON.stringify({ running: false, dataDir }) : `No node agent is running on ${dataDir} (start one with \`kraken node start --network <url>\`).`);
      return 0;
    }
    throw new AppError('NOT_FOUND', `No node agent is running on ${dataDir} (start one with \`kraken node start --network <url>\`).`);
  }
  io.out(values.json ? JSON.stringify({ running: true, ...r }) : statusLine(r));
  return 0;
}

async function ledger(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, { days: { type: 'string' } }, usage);
  if (positionals.length) throw new UsageError(usage);
  const days = values.days === undefined ? 30 : Number(values.days);
  if (!Number.isInteger(days) || days < 1 || days > 366) throw new UsageError(`--days takes a whole number from 1 to 366, not "${values.days}".`);
  const dataDir = cliDataDir(values, io);
  const running = (await askAgent(dataDir, 'ledger').catch(() => null)) as ContributorLedger | null;
  let l: ContributorLedger;
  if (running) l = running;
  else {
    const file = path.join(dataDir, 'studio.db');
    if (!fs.existsSync(file)) throw new AppError('NOT_FOUND', `No studio library in ${dataDir}.`);
    const db = openDatabase(file);
    try {
      l = new ContributorStore(db).ledger(days);
    } finally {
      db.close();
    }
  }
  l = { ...l, days: l.days.slice(0, days) };
  if (values.json) {
    io.out(JSON.stringify(l));
    return 0;
  }
  const t = l.totals;
  io.out(`Total: ${t.jobs} jobs, ${t.gpuMinutes.toFixed(1)} GPU min, ${t.cpuMinutes.toFixed(1)} CPU min, credit claimed ${t.claimedCredit}, granted ${t.grantedCredit}`);
  if (l.days.length === 0) io.out('No work done yet.');
  for (const d of l.days) io.out(`${d.day}  ${String(d.jobs).padStart(4)} jobs  gpu ${d.gpuMinutes.toFixed(1).padStart(7)} min  cpu ${d.cpuMinutes.toFixed(1).padStart(7)} min  claimed ${d.claimedCredit}  granted ${d.grantedCredit}`);
  return 0;
}
