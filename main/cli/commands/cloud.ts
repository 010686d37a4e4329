/**
 * `kraken cloud <command>` — the Kraken cloud (Atlas, seed 000) from the command line, through the same client,
 * session and vault as the studio: signup, login, whoami, logout, submit, status, items, download, delete.
 * Secrets come only from stdin (`--password-stdin`), never from an argument; `--json` output never holds a token.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../common/app-error';
import { ATLAS_FORMATS, ATLAS_MODEL_IDS, CloudModel, type CloudFormat } from '../../common/contract';
import { fileStem } from '../../node/cloud/atlas/atlas-service';
import { openAtlasKit, type AtlasKit } from '../../node/cloud/atlas/kit';
import { modelFrom } from '../../node/cloud/atlas/schemas';
import { preflightFiles } from '../../node/media/preflight';
import { ToolBox } from '../../node/media/tool-box';
import { progressLine, UsageError, type CliIo } from '../cli-io';
import { CLOUD_COMMON as COMMON, cliDataDir, parseCloudArgs as parse, wholeNumber as positiveInt } from '../cloud-args';

const MODELS = CloudModel.options.join('|');

const HELP: Record<string, string> = {
  signup: `usage: kraken cloud signup --email <e-mail> --nickname <name> --password-stdin ${COMMON}\n  Creates an Atlas account; the password (${'≥'}10 characters with upper, lower, digit, special) is read from stdin.`,
  login: `usage: kraken cloud login --email <e-mail> --password-stdin ${COMMON}\n  Signs in; the tokens go to the OS keychain (or a 0600 file where there is none).`,
  whoami: `usage: kraken cloud whoami ${COMMON}\n  The signed-in account (asks Atlas for the profile).`,
  logout: `usage: kraken cloud logout ${COMMON}\n  Signs out here and at Atlas.`,
  submit: `usage: kraken cloud submit <${MODELS}> <file> [--image <file>] [--name <item name>] [--epoch 1-100] [--resize] [--device-type android] ${COMMON}\n  Pre-flight first (a refused input exits 1 with the reasons), then the upload; prints the requestId.\n  instant-mesh: <file> is the image; musepose: <file> is the video and --image the still image.`,
  status: `usage: kraken cloud status <requestId> [--wait] [--interval <s>] ${COMMON}\n  PROGRESS, OK or NG; --wait follows it until OK (exit 0) or NG (exit 1).`,
  items: `usage: kraken cloud items <${MODELS}> [--limit 1-50] [--all] [--cursor <c>] ${COMMON}\n  My items of one model, newest first; --all follows every page.`,
  download: `usage: kraken cloud download <requestId> --out <dir> [--code N] ${COMMON}\n  Every format the model offers (or only --code N), resumed if cut, checked against its format.`,
  delete: `usage: kraken cloud delete <requestId> ${COMMON}\n  Deletes one of my items at Atlas.`,
};

function groupHelp(): string {
  return ['usage: kraken cloud <command> [options]   (the Kraken cloud: Atlas 3D generation)', '', ...Object.values(HELP).map((h) => '  ' + h.split('\n')[0]!.replace('usage: ', '')), '', 'Address: --api <url>, else the saved setting, else KRAKEN_ATLAS_URL.'].join('\n');
}

/** Reads a secret from stdin: the first line, without its line break. */
async function readSecret(io: CliIo, what: string): Promise<string> {
  const stdin = process.stdin;
  if ((stdin as NodeJS.ReadStream).isTTY) throw new UsageError(`${what} is read from stdin: pipe it in (e.g. \`printf %s "$PW" | kraken cloud …\`).`);
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(Buffer.from(c as Buffer));
  const text = Buffer.concat(chunks).toString('utf8');
  const line = text.split(/\r?\n/)[0] ?? '';
  if (!line) throw new UsageError(`${what} on stdin is empty.`);
  return line;
}

async function kit(values: { api?: string; 'data-dir'?: string }, io: CliIo, opts: { tellFallback?: boolean } = {}): Promise<AtlasKit> {
  const dataDir = cliDataDir(values, io);
  // Where the tokens go is said once, when they are stored (login), not on every later command.
  return openAtlasKit({ dataDir, api: values.api, env: io.env, onFallback: opts.tellFallback ? (msg: string) => io.err(msg) : undefined });
}

/** Runs `kraken cloud …`; returns the exit code. */
export async function runCloud(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(groupHelp());
    return sub ? 0 : 2;
  }
  const usage = HELP[sub];
  if (!usage) throw new UsageError(`unknown command "${sub}". Run \`kraken cloud --help\`.`);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(usage);
    return 0;
  }
  const line = usage.split('\n')[0]!;
  switch (sub) {
    case 'signup':
      return signup(rest, io, line);
    case 'login':
      return login(rest, io, line);
    case 'whoami':
      return whoami(rest, io, line);
    case 'logout':
      return logout(rest, io, line);
    case 'submit':
      return submit(rest, io, line);
    case 'status':
      return status(rest, io, line);
    case 'items':
      return items(rest, io, line);
    case 'download':
      return download(rest, io, line);
    default:
      return remove(rest, io, line);
  }
}

async function signup(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, { email: { type: 'string' }, nickname: { type: 'string' }, 'password-stdin': { type: 'boolean', default: false } }, usage);
  if (positionals.length || !values.email || !values.nickname) throw new UsageError(usage);
  if (!values['password-stdin']) throw new UsageError(`the password is read from stdin only: add --password-stdin. ${usage}`);
  const password = await readSecret(io, 'The password');
  const k = await kit(values, io);
  try {
    const r = await k.session.signUp({ email: values.email, nickname: values.nickname, password });
    io.out(values.json ? JSON.stringify(r) : `Account created for ${r.email}. Open the link in the confirmation e-mail, then \`kraken cloud login\`.`);
    return 0;
  } finally {
    k.close();
  }
}

async function login(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, { email: { type: 'string' }, 'password-stdin': { type: 'boolean', default: false } }, usage);
  if (positionals.length || !values.email) throw new UsageError(usage);
  if (!values['password-stdin']) throw new UsageError(`the password is read from stdin only: add --password-stdin. ${usage}`);
  const password = await readSecret(io, 'The password');
  const k = await kit(values, io, { tellFallback: true });
  try {
    const a = await k.session.signIn({ email: values.email, password });
    io.out(values.json ? JSON.stringify({ state: a.state, email: a.email, nickname: a.nickname, vault: a.vault }) : `Signed in as ${a.email}${a.nickname ? ` (${a.nickname})` : ''} at ${k.baseUrl}.`);
    return 0;
  } finally {
    k.close();
  }
}

async function whoami(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, {}, usage);
  if (positionals.length) throw new UsageError(usage);
  const k = await kit(values, io);
  try {
    const signedIn = await k.session.isSignedIn();
    const a = await k.session.account(signedIn);
    if (values.json) io.out(JSON.stringify({ state: a.state, email: a.email, nickname: a.nickname, api: k.baseUrl, emulator: k.emulator }));
    else if (a.state === 'signedIn') io.out(`${a.email}${a.nickname ? ` (${a.nickname})` : ''} at ${k.baseUrl}${k.emulator ? ' (local emulator)' : ''}`);
    else io.out(a.reason ?? 'Not signed in. Run `kraken cloud login --email <e-mail> --password-stdin`.');
    return a.state === 'signedIn' ? 0 : 1;
  } finally {
    k.close();
  }
}

async function logout(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, {}, usage);
  if (positionals.length) throw new UsageError(usage);
  const k = await kit(values, io);
  try {
    const a = await k.session.signOut();
    io.out(values.json ? JSON.stringify({ state: a.state }) : 'Signed out.');
    return 0;
  } finally {
    k.close();
  }
}

async function submit(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { image: { type: 'string' }, name: { type: 'string' }, epoch: { type: 'string' }, resize: { type: 'boolean', default: false }, 'device-type': { type: 'string' } },
    usage,
  );
  const model = CloudModel.safeParse(positionals[0]);
  const file = positionals[1];
  if (!model.success || !file || positionals.length > 2) throw new UsageError(usage);
  const m = model.data;
  const epoch = positiveInt(values.epoch, '--epoch', 1, 100);
  if (epoch !== undefined && m === 'decal') throw new UsageError('decal takes no --epoch.');
  if (values.resize && m !== 'nerf2mesh') throw new UsageError('--resize is only for nerf2mesh.');
  if (values['device-type'] !== undefined && m !== 'decal') throw new UsageError('--device-type is only for decal.');
  if (values['device-type'] !== undefined && values['device-type'] !== 'android') throw new UsageError('--device-type takes android (the only device type Atlas knows).');
  if (m === 'musepose' && !values.image) throw new UsageError('musepose needs --image <still image> as well as the video.');
  if (m !== 'musepose' && values.image) throw new UsageError('--image is only for musepose.');
  const input = path.resolve(file);
  const image = values.image ? path.resolve(values.image) : null;
  for (const f of [input, image]) if (f && !fs.existsSync(f)) throw new AppError('NOT_FOUND', `File not found: ${f}`);

  const tools = await new ToolBox(() => ({ ffmpegPath: null, ffprobePath: null })).require();
  const report = await preflightFiles({ tools, model: m, file: input, image, signal: io.signal });
  if (!report.ok) {
    const reasons = report.problems.filter((p) => p.severity === 'error');
    if (values.json) io.out(JSON.stringify({ requestId: null, preflight: report }));
    io.err(`kraken cloud submit: the cloud would refuse this input: ${reasons.map((p) => `${p.code}: ${p.message}`).join(' ')}${report.fixes.length ? ` Fix it with \`kraken preflight ${file} --model ${m} --fix\`.` : ''}`);
    return 1;
  }
  const k = await kit(values, io);
  try {
    await k.session.requireSignedIn();
    await k.session.header();
    const itemName = values.name ?? path.parse(input).name;
    const requestId = await k.items.create(
      k.session,
      { model: m, video: m === 'instant-mesh' ? null : input, image: m === 'instant-mesh' ? input : image, itemName, epoch: m === 'decal' ? null : (epoch ?? 10), resize: values.resize, deviceType: values['device-type'] ?? 'android' },
      {
        signal: io.signal,
        onProgress: (p) => {
          if (io.interactive && !values.json) io.err(progressLine(p.totalBytes ? p.sentBytes / p.totalBytes : 0, `upload ${(p.sentBytes / 1e6).toFixed(1)}/${(p.totalBytes / 1e6).toFixed(1)} MB`));
        },
      },
    );
    if (io.interactive && !values.json) io.err(progressLine(1, 'uploaded\n'));
    io.out(values.json ? JSON.stringify({ requestId, model: m, itemName }) : requestId);
    return 0;
  } finally {
    k.close();
  }
}

async function status(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, { wait: { type: 'boolean', default: false }, interval: { type: 'string' } }, usage);
  const requestId = positionals[0];
  if (!requestId || positionals.length > 1) throw new UsageError(usage);
  const interval = positiveInt(values.interval, '--interval', 1, 600) ?? 5;
  const k = await kit(values, io);
  try {
    await k.session.requireSignedIn();
    for (;;) {
      const d = await k.items.detail(k.session, requestId, io.signal);
      const model = modelFrom(d.modelId, d.modelName);
      const out = { requestId: d.requestId ?? requestId, status: d.status, model, modelId: d.modelId, modelName: d.modelName, uploaderNickname: d.uploaderNickname };
      if (!values.wait || d.status !== 'PROGRESS') {
        io.out(values.json ? JSON.stringify(out) : `${out.requestId}  ${d.status}${d.modelName ? `  ${d.modelName}` : ''}`);
        return d.status === 'NG' ? 1 : 0;
      }
      if (io.interactive && !values.json) io.err(`\r${requestId}  PROGRESS…`);
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, interval * 1000);
        io.signal.addEventListener('abort', () => (clearTimeout(t), reject(new AppError('CANCELLED', 'Cancelled.'))), { once: true });
      });
    }
  } finally {
    k.close();
  }
}

async function items(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, { limit: { type: 'string' }, all: { type: 'boolean', default: false }, cursor: { type: 'string' } }, usage);
  const model = CloudModel.safeParse(positionals[0]);
  if (!model.success || positionals.length > 1) throw new UsageError(usage);
  const limit = positiveInt(values.limit, '--limit', 1, 50) ?? 10;
  const k = await kit(values, io);
  try {
    await k.session.requireSignedIn();
    const all = [];
    let cursor: string | null = values.cursor ?? null;
    let page;
    for (let pages = 0; ; pages++) {
      page = await k.items.my(k.session, { modelId: ATLAS_MODEL_IDS[model.data], cursor, limit, signal: io.signal });
      all.push(...page.items);
      if (!values.all || !page.hasNextItem || !page.nextCursor || page.nextCursor === cursor || pages > 10_000) break;
      cursor = page.nextCursor;
    }
    const hasNextItem = values.all ? false : page.hasNextItem;
    const nextCursor = values.all ? null : page.nextCursor;
    if (values.json) io.out(JSON.stringify({ items: all, hasNextItem, nextCursor }));
    else {
      if (all.length === 0) io.out(`No ${model.data} items yet.`);
      for (const i of all) io.out(`${i.requestId}  ${i.status.padEnd(8)} ${(i.createdAt ?? '').padEnd(24)} ${i.itemName ?? ''}`);
      if (hasNextItem && nextCursor) io.out(`more: kraken cloud items ${model.data} --cursor ${nextCursor}  (or --all)`);
    }
    return 0;
  } finally {
    k.close();
  }
}

async function download(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, { out: { type: 'string' }, code: { type: 'string' } }, usage);
  const requestId = positionals[0];
  if (!requestId || positionals.length > 1 || !values.out) throw new UsageError(usage);
  const code = positiveInt(values.code, '--code', 1, 9);
  const out = path.resolve(values.out);
  const k = await kit(values, io);
  try {
    await k.session.requireSignedIn();
    const d = await k.items.detailMy(k.session, requestId, io.signal).catch(() => k.items.detail(k.session, requestId, io.signal));
    if (d.status !== 'OK') throw new AppError('CONFLICT', `Item ${requestId} is ${d.status === 'NG' ? 'failed (NG)' : 'not ready yet (PROGRESS)'}; nothing to download.`);
    const model = modelFrom(d.modelId, d.modelName);
    const formats: CloudFormat[] = model ? ATLAS_FORMATS[model] : [{ code: code ?? 1, kind: 'other', suffix: '', label: 'Result' }];
    const wanted = code === undefined ? formats : formats.filter((f) => f.code === code);
    if (wanted.length === 0) throw new UsageError(`${model} offers codes ${formats.map((f) => f.code).join(', ')}, not ${code}.`);
    fs.mkdirSync(out, { recursive: true });
    const stem = fileStem(d.itemName ?? requestId);
    const files = [];
    for (const f of wanted) {
      const dest = path.join(out, f.suffix ? `${stem}${f.suffix}` : `${stem}.result`);
      const expect = ({ ply: 'ply', glb: 'glb', obj: 'obj', gif: 'gif', 'tar.gz': 'gzip', other: undefined } as const)[f.kind];
      const r = await k.items.download(k.session, {
        requestId,
        code: model === 'musepose' ? null : f.code,
        dest,
        expect,
        signal: io.signal,
        onProgress: (p) => {
          if (io.interactive && !values.json) io.err(progressLine(p.totalBytes ? p.receivedBytes / p.totalBytes : 0, `${path.basename(dest)}`));
        },
      });
      if (io.interactive && !values.json) io.err(progressLine(1, `${path.basename(dest)}\n`));
      files.push({ code: f.code, kind: f.kind === 'other' ? (r.kind ?? 'other') : f.kind, file: r.path, bytes: r.bytes });
    }
    if (values.json) io.out(JSON.stringify({ requestId, model, files }));
    else for (const f of files) io.out(`${f.file}  (${f.bytes} bytes, code ${f.code})`);
    return 0;
  } finally {
    k.close();
  }
}

async function remove(argv: string[], io: CliIo, usage: string): Promise<number> {
  const { values, positionals } = parse(argv, {}, usage);
  const requestId = positionals[0];
  if (!requestId || positionals.length > 1) throw new UsageError(usage);
  const k = await kit(values, io);
  try {
    await k.session.requireSignedIn();
    let id: string;
    try {
      id = await k.items.remove(k.session, requestId);
    } catch (err) {
      const status = err instanceof AppError ? (err.details as { status?: number } | undefined)?.status : undefined;
      if (status === 403) throw new AppError('FORBIDDEN', 'This item is not yours, so it cannot be deleted.');
      if (status === 404) throw new AppError('NOT_FOUND', `Atlas has no item ${requestId}.`);
      throw err;
    }
    io.out(values.json ? JSON.stringify({ requestId: id, deleted: true }) : `Deleted ${id}.`);
    return 0;
  } finally {
    k.close();
  }
}
