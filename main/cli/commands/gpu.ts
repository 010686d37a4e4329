/**
 * `kraken gpu <command>` — GPU/CPU sessions on the compute service (seed 003) from the command line, through the
 * studio's ComputeService and library: a session started here is remembered by the studio too. The seed has no
 * sign-in; `--user` names the user (else the id saved by the studio or `register`). A reply that is not a success
 * (statusCode or errMessage) is one line on stderr and exit 1. Operator calls (getAllUserStatus,
 * terminateAllContainer) are not offered.
 */
import { AppError } from '../../common/app-error';
import type { ComputeQuota, ComputeSession, ComputeStatus } from '../../common/contract';
import { openComputeKit, type ComputeKit } from '../../node/cloud/compute/kit';
import { UsageError, type CliIo } from '../cli-io';
import { CLOUD_COMMON as COMMON, cliDataDir, parseCloudArgs as parse, wholeNumber } from '../cloud-args';

const USER = '[--user <id>]';

const HELP: Record<string, string> = {
  register: `usage: kraken gpu register --user <id> --storage-gb <N> --school <N> ${COMMON}\n  registerUser: creates the user's personal storage (GB) on campus <N>; the id (any characters but . # $ [ ]) is saved as the studio's.`,
  quota: `usage: kraken gpu quota [--school <N>] ${USER} ${COMMON}\n  getContainerQuota: the most containers per cluster (cpu, gpu) of the campus, and how many the user holds.`,
  run: `usage: kraken gpu run ${USER} --cluster cpu|gpu [--image <docker image>] [--max-duration <minutes>] [--storage-path <path>] [--node <N>] [--wait] ${COMMON}\n  runContainer: prints the containerId and the Jupyter and shell endpoints at once; --wait follows the creation until\n  it runs (exit 0) or fails (exit 1, with the service's reason).`,
  status: `usage: kraken gpu status ${USER} ${COMMON}\n  getUserStatus: the user's containers with their remaining time, and usage minutes per cluster.`,
  container: `usage: kraken gpu container <containerId> ${USER} ${COMMON}\n  getContainerStatus: one container's creation state (pending, createContainer, success, failed) and its details.`,
  extend: `usage: kraken gpu extend <containerId> ${USER} --minutes <N> ${COMMON}\n  extendContainer: <N> minutes more; prints the new remaining time.`,
  edit: `usage: kraken gpu edit <containerId> ${USER} [--image <docker image>] [--storage-path <path>] ${COMMON}\n  editContainer: changes the container's image and/or shared storage path.`,
  stop: `usage: kraken gpu stop <containerId> ${USER} ${COMMON}\n  terminateContainer: stops the container (and its billing).`,
  unregister: `usage: kraken gpu unregister ${USER} ${COMMON}\n  deleteUser: removes ALL the user's containers and the personal storage (its files); the compute service keeps the\n  user's record (usage). Asks nothing: it says what went.`,
};

function groupHelp(): string {
  return [
    'usage: kraken gpu <command> [options]   (GPU/CPU sessions on the compute service)',
    '',
    ...Object.values(HELP).map((h) => '  ' + h.split('\n')[0]!.replace('usage: ', '')),
    '',
    'Address: --api <url>, else the saved setting, else KRAKEN_COMPUTE_URL. User: --user, else the saved user id.',
  ].join('\n');
}

/** Runs `kraken gpu …`; returns the exit code. */
export async function runGpu(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(groupHelp());
    return sub ? 0 : 2;
  }
  const usage = HELP[sub];
  if (!usage) throw new UsageError(`unknown command "${sub}". Run \`kraken gpu --help\`.`);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(usage);
    return 0;
  }
  const line = usage.split('\n')[0]!;
  switch (sub) {
    case 'register':
      return register(rest, io, line);
    case 'quota':
      return quota(rest, io, line);
    case 'run':
      return run(rest, io, line);
    case 'status':
      return status(rest, io, line);
    case 'container':
      return container(rest, io, line);
    case 'extend':
      return extend(rest, io, line);
    case 'edit':
      return edit(rest, io, line);
    case 'stop':
      return stop(rest, io, line);
    default:
      return unregister(rest, io, line);
  }
}

function kit(values: { api?: string; 'data-dir'?: string }, io: CliIo): ComputeKit {
  return openComputeKit({ dataDir: cliDataDir(values, io), api: values.api, env: io.env });
}

async function withKit<T>(values: { api?: string; 'data-dir'?: string }, io: CliIo, fn: (k: ComputeKit) => Promise<T>): Promise<T> {
  const k = kit(values, io);
  try {
    return await fn(k);
  } finally {
    k.close();
  }
}

function remaining(s: ComputeSession): string {
  if (s.remainingTime === null) return 'remaining ?';
  if (s.remainingTime < 0) return 'no limit';
  return `${s.remainingTime} min left`;
}

function sessionLine(s: ComputeSession): string {
  const parts = [s.containerId, s.state, s.clusterId, remaining(s)];
  if (s.imagePath) parts.push(s.imagePath);
  return parts.join('  ');
}

function sessionText(s: ComputeSession): string {
  const lines = [sessionLine(s)];
  if (s.endpoint.jupyter) lines.push(`  jupyter  ${s.endpoint.jupyter}`);
  if (s.endpoint.shell) lines.push(`  shell    ${s.endpoint.shell}`);
  if (s.creationStatus && s.state === 'creating') lines.push(`  creation ${s.creationStatus}`);
  if (s.storagePath) lines.push(`  storage  ${s.storagePath}`);
  if (s.error) lines.push(`  error    ${s.error}`);
  return lines.join('\n');
}

function noPositionals(positionals: string[], usage: string): void {
  if (positionals.length) throw new UsageError(usage);
}

function oneId(positionals: string[], usage: string): string {
  if (positionals.length !== 1 || !positionals[0]!.trim()) throw new UsageError(usage);
  return positionals[0]!;
}

async function register(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, { user: { type: 'string' }, 'storage-gb': { type: 'string' }, school: { type: 'string' } }, usage);
  noPositionals(positionals, usage);
  if (values.user === undefined || values['storage-gb'] === undefined || values.school === undefined) throw new UsageError(usage);
  const storageGb = Number(values['storage-gb']);
  if (!Number.isFinite(storageGb) || storageGb <= 0) throw new UsageError(`--storage-gb takes a number of GB above 0, not "${values['storage-gb']}".`);
  const school = wholeNumber(values.school, '--school', 0, 1_000_000_000)!;
  return withKit(values, io, async (k) => {
    const u = await k.service.register({ userId: values.user!, storageGb, localSchoolId: school });
    io.out(values.json ? JSON.stringify(u) : `Registered ${u.userId}: ${u.storageGb} GB of storage on campus ${u.localSchoolId} (${k.baseUrl}).`);
    return 0;
  });
}

function quotaText(q: ComputeQuota): string[] {
  const lines: string[] = [];
  lines.push(`campus ${q.localSchoolId ?? '(default)'}`);
  for (const c of ['cpu', 'gpu'] as const) {
    const limit = q.limit ? String(q.limit[c]) : '?';
    const used = q.used ? `${q.used[c]} of ` : '';
    lines.push(`  ${c}  ${used}${limit}${q.blocked[c] ? `  — ${q.blocked[c]}` : ''}`);
  }
  if (q.maxQuotaSchool && q.localSchoolId === null) {
    for (const [school, pair] of Object.entries(q.maxQuotaSchool)) lines.push(`  campus ${school}: cpu ${pair.cpu}, gpu ${pair.gpu}`);
  }
  return lines;
}

async function quota(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, { user: { type: 'string' }, school: { type: 'string' } }, usage);
  noPositionals(positionals, usage);
  const school = wholeNumber(values.school, '--school', 0, 1_000_000_000);
  return withKit(values, io, async (k) => {
    const q = await k.service.quota({ localSchoolId: school, userId: values.user });
    io.out(values.json ? JSON.stringify(q) : quotaText(q).join('\n'));
    return 0;
  });
}

async function run(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      user: { type: 'string' },
      cluster: { type: 'string' },
      image: { type: 'string' },
      'max-duration': { type: 'string' },
      'storage-path': { type: 'string' },
      node: { type: 'string' },
      wait: { type: 'boolean', default: false },
    },
    usage,
  );
  noPositionals(positionals, usage);
  if (values.cluster !== 'cpu' && values.cluster !== 'gpu') throw new UsageError(`--cluster takes cpu or gpu. ${usage}`);
  const maxDuration = wholeNumber(values['max-duration'], '--max-duration', 1, 60 * 24 * 366);
  const nodeId = wholeNumber(values.node, '--node', 0, 1_000_000_000);
  for (const [flag, v] of [['--image', values.image], ['--storage-path', values['storage-path']]] as const) {
    if (v !== undefined && !v.trim()) throw new UsageError(`${flag} is empty.`);
  }
  return withKit(values, io, async (k) => {
    const started = await k.service.run({
      userId: values.user,
      clusterId: values.cluster as 'cpu' | 'gpu',
      dockerImagePath: values.image,
      maxDuration,
      storagePath: values['storage-path'],
      nodeId,
    });
    if (!values.wait) {
      io.out(values.json ? JSON.stringify(started) : sessionText(started));
      return 0;
    }
    if (!values.json) io.out(sessionText(started));
    if (io.interactive && !values.json) io.err(`waiting for ${started.containerId} to be created…`);
    const done = await k.service.waitCreated(started.containerId, io.signal);
    if (values.json) io.out(JSON.stringify(done));
    else if (done.state !== 'failed') io.out(sessionLine(done));
    if (done.state === 'failed') {
      io.err(`kraken gpu run: container ${done.containerId} could not be created: ${done.error ?? 'the compute service says failed'}`);
      return 1;
    }
    if (done.state !== 'running') {
      io.err(`kraken gpu run: container ${done.containerId} is ${done.state}${done.error ? `: ${done.error}` : ''}`);
      return 1;
    }
    return 0;
  });
}

function statusText(st: ComputeStatus): string[] {
  const lines = [`${st.userId}: ${st.runningContainerCnt} running, ${st.useContainerCnt} asked for in all; usage cpu ${st.usage.cpu} min, gpu ${st.usage.gpu} min`];
  if (st.sessions.length === 0) lines.push('No containers.');
  for (const s of st.sessions) lines.push(sessionText(s));
  return lines;
}

async function status(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, { user: { type: 'string' } }, usage);
  noPositionals(positionals, usage);
  return withKit(values, io, async (k) => {
    const st = await k.service.status({ userId: values.user });
    io.out(values.json ? JSON.stringify(st) : statusText(st).join('\n'));
    return 0;
  });
}

async function container(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, { user: { type: 'string' } }, usage);
  const containerId = oneId(positionals, usage);
  return withKit(values, io, async (k) => {
    const s = await k.service.container({ containerId, userId: values.user });
    io.out(values.json ? JSON.stringify(s) : sessionText(s));
    return s.state === 'failed' ? 1 : 0;
  });
}

async function extend(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, { user: { type: 'string' }, minutes: { type: 'string' } }, usage);
  const containerId = oneId(positionals, usage);
  if (values.minutes === undefined) throw new UsageError(usage);
  const minutes = wholeNumber(values.minutes, '--minutes', 1, 60 * 24 * 366)!;
  return withKit(values, io, async (k) => {
    const s = await k.service.extend({ containerId, minutes, userId: values.user });
    io.out(values.json ? JSON.stringify(s) : `${s.containerId}: ${minutes} min more — ${remaining(s)}${s.maxDuration !== null ? ` (maximum ${s.maxDuration} min)` : ''}`);
    return 0;
  });
}

async function edit(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, { user: { type: 'string' }, image: { type: 'string' }, 'storage-path': { type: 'string' } }, usage);
  const containerId = oneId(positionals, usage);
  if (values.image === undefined && values['storage-path'] === undefined) throw new UsageError(`say what to change: --image and/or --storage-path. ${usage}`);
  for (const [flag, v] of [['--image', values.image], ['--storage-path', values['storage-path']]] as const) {
    if (v !== undefined && !v.trim()) throw new UsageError(`${flag} is empty.`);
  }
  return withKit(values, io, async (k) => {
    const s = await k.service.edit({ containerId, imagePath: values.image, storagePath: values['storage-path'], userId: values.user });
    io.out(values.json ? JSON.stringify(s) : sessionText(s));
    return 0;
  });
}

async function stop(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, { user: { type: 'string' } }, usage);
  const containerId = oneId(positionals, usage);
  return withKit(values, io, async (k) => {
    const s = await k.service.stop({ containerId, userId: values.user });
    io.out(values.json ? JSON.stringify(s) : `Stopped ${s.containerId}.`);
    return 0;
  });
}

async function unregister(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, { user: { type: 'string' } }, usage);
  noPositionals(positionals, usage);
  return withKit(values, io, async (k) => {
    const userId = values.user ?? k.service.user()?.userId;
    if (userId === undefined) throw new AppError('INVALID_INPUT', 'No compute user id: pass --user <id>.');
    const r = await k.service.unregister({ userId, confirmUserId: userId });
    if (values.json) io.out(JSON.stringify({ ...r, removed: ['containers', 'storage'], kept: 'record' }));
    else {
      const n = r.stoppedSessions.length;
      io.out(
        `Removed every container${n ? ` (${n} the studio knew: ${r.stoppedSessions.join(', ')})` : ''} and the personal storage of ${r.userId}. The compute service keeps the user's record (usage).`,
      );
    }
    return 0;
  });
}
