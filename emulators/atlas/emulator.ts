/**
 * The local Atlas emulator (seed 000): starts the HTTP host on 127.0.0.1, opens its SQLite state in the data
 * folder (a temporary one by default, removed on close), runs the item generator one job at a time, and
 * gives tests the same handles the admin API offers.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Clock } from '../base/clock';
import { FaultInjector, type FaultRule } from '../base/faults';
import { ADMIN_PREFIX, startHost } from '../base/host';
import { HttpError, readJson, type RequestRecord, Router, sendJson, str } from '../base/http';
import { Mailbox, type SentMail } from '../base/mailbox';
import { sendFile } from '../base/send-file';
import { authRoutes } from './auth-routes';
import { isDownloadRoute, itemRoutes } from './item-routes';
import { defaultTools, type Tools } from './media';
import { MODELS } from './models';
import { appendLog, generate, itemPaths } from './results';
import { makeSigners, passwordProblem, statusOf, type AtlasService, type AtlasSettings } from './service';
import { AtlasStore, hashPassword, type ItemInput } from './store';

export interface AtlasEmulatorOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Folder for the SQLite file, uploads and results; default a new temporary folder, removed on close. */
  dataDir?: string;
  /** Time an item stays PROGRESS after its upload, in ms (emulator clock). Default 2000. */
  processingMs?: number;
  /** Default 3600 (seed: 1 h). */
  accessTokenTtlSec?: number;
  /** Default 1 209 600 (seed: 14 d). */
  refreshTokenTtlSec?: number;
  /** Sign-ups are confirmed at once (no e-mail step). Default false. */
  autoConfirmEmail?: boolean;
  /** Refuse uploads outside seed §3's limits with 400. Default true. */
  enforceInputLimits?: boolean;
  /** Fault rules active from the start. */
  faults?: FaultRule | FaultRule[];
  /** Seed of the 5xx-rate generator (runs repeat). Default 1. */
  faultSeed?: number;
  /** Body of GET /atlas/version. Default "2.4.0". */
  version?: string;
  /** ffmpeg / ffprobe to use. Default: the system ones (KRAKEN_FFMPEG / KRAKEN_FFPROBE override). */
  tools?: Partial<Tools>;
  /** Unexpected errors are printed unless quiet. */
  quiet?: boolean;
  /** Called for every "sent" e-mail (the main file prints confirmation links with it). */
  onMail?: (mail: SentMail) => void;
}

export interface CreateUserInput {
  email: string;
  password?: string;
  nickname?: string;
  /** Default true. */
  confirmed?: boolean;
  /** 'google' makes an account that can only sign in through /atlas/auth/google. */
  provider?: 'email' | 'google';
}

export interface EmulatorItem {
  requestId: string;
  model: string;
  modelId: string;
  itemName: string;
  status: 'PROGRESS' | 'OK' | 'NG';
  /** The generator has finished (status may still be PROGRESS until processingMs has passed). */
  generated: boolean;
  message: string | null;
  uploaderId: string;
  createdAt: string;
}

export interface AtlasEmulator {
  /** Server root, e.g. http://127.0.0.1:40123; clients append the seed's paths (/atlas/auth/sign-In …). */
  url: string;
  port: number;
  dataDir: string;
  settings: AtlasSettings;
  close(): Promise<void>;
  /** Replaces every fault rule. */
  setFaults(rules: FaultRule | FaultRule[]): void;
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  faults(): FaultRule[];
  /** The "sent" e-mails (confirmation links, temporary passwords, invitations). */
  sentMails(filter?: { to?: string; kind?: string }): SentMail[];
  /** Confirms an account's e-mail as its link would. */
  confirmEmail(email: string): void;
  /** Creates an account directly (confirmed by default). */
  createUser(input: CreateUserInput): Promise<{ userId: string }>;
  /** An idToken that POST /atlas/auth/google accepts for `email`. */
  googleIdToken(email: string, name?: string): string;
  /** Invites `email` (an existing account) to a group; the mail carries the confirm-invite-email link. */
  invite(email: string, groupId?: string): { groupId: string; userId: string; link: string };
  /** Moves the emulator's clock (token expiry, processing time, createdAt). Returns the new now. */
  advanceClock(ms: number): number;
  now(): number;
  /** Every item, as the emulator sees it. */
  items(): EmulatorItem[];
  item(requestId: string): EmulatorItem | null;
  /** Resolves once the item's generator has finished (it may still read PROGRESS until processingMs has passed). */
  waitGenerated(requestId: string, timeoutMs?: number): Promise<EmulatorItem>;
  /** Resolves when no item is waiting for or being generated. */
  idle(): Promise<void>;
  /** Ends an item NG now (the reason goes to its log). */
  failItem(requestId: string, message?: string): void;
  /** Lets an item's processing time end now. */
  finishItem(requestId: string): void;
  /** Path of a result file on disk (download code, default 1), or null. */
  resultFile(requestId: string, code?: number): string | null;
  /** The request log (method, path, query, status, JSON keys, multipart part names — never secrets). */
  requests(): RequestRecord[];
  clearRequests(): void;
  /** Wipes accounts, items, mails, faults, the request log and the clock offset. */
  reset(): Promise<void>;
}

export async function startAtlasEmulator(options: AtlasEmulatorOptions = {}): Promise<AtlasEmulator> {
  const ownDir = !options.dataDir;
  const dataDir = options.dataDir ? path.resolve(options.dataDir) : fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-emulator-'));
  fs.mkdirSync(path.join(dataDir, 'items'), { recursive: true });
  const keyFile = path.join(dataDir, '.token-key');
  if (!fs.existsSync(keyFile)) fs.writeFileSync(keyFile, randomBytes(32), { mode: 0o600 });
  const master = fs.readFileSync(keyFile);
  const clock = new Clock();
  const mailbox = new Mailbox(500, options.onMail);
  const faultList = options.faults === undefined ? [] : Array.isArray(options.faults) ? options.faults : [options.faults];
  const faults = new FaultInjector(faultList, options.faultSeed ?? 1);
  const store = new AtlasStore(path.join(dataDir, 'atlas.sqlite'));
  const settings: AtlasSettings = {
    processingMs: options.processingMs ?? 2000,
    accessTokenTtlSec: options.accessTokenTtlSec ?? 3600,
    refreshTokenTtlSec: options.refreshTokenTtlSec ?? 14 * 24 * 3600,
    autoConfirmEmail: options.autoConfirmEmail ?? false,
    enforceInputLimits: options.enforceInputLimits ?? true,
    version: options.version ?? '2.4.0',
  };
  const tools = { ...defaultTools(), ...options.tools };
  const signers = makeSigners(master, clock);
  let url = '';
  const itemDir = (requestId: string) => path.join(dataDir, 'items', requestId.replace(/[^\w-]/g, '_'));

  // one generator at a time: the machine is shared, and order follows submission
  let queue: Promise<void> = Promise.resolve();
  const running = new Set<string>();
  let closed = false;
  const process = (requestId: string) => {
    running.add(requestId);
    queue = queue.then(async () => {
      const row = store.item(requestId);
      try {
        if (!row || row.outcome || closed) return;
        const dir = itemDir(requestId);
        appendLog(dir, clock.now(), `received ${MODELS[row.model].modelName} request "${row.item_name}" ${row.params}`);
        try {
          await generate({ model: row.model, itemName: row.item_name, dir, inputs: JSON.parse(row.inputs) as ItemInput[], tools, now: () => clock.now() });
          if (store.finishItem(requestId, 'OK', null)) appendLog(dir, clock.now(), 'status OK');
        } catch (e) {
          const message = (e as Error).message;
          if (store.item(requestId) && store.finishItem(requestId, 'NG', message)) appendLog(dir, clock.now(), `status NG: ${message}`);
        }
      } finally {
        running.delete(requestId);
        // deleted while it was being generated: the generator may have written files after the delete
        if (row && !store.item(requestId)) fs.rmSync(itemDir(requestId), { recursive: true, force: true });
      }
    });
  };

  const svc: AtlasService = { store, clock, mailbox, settings, ...signers, tools, dataDir, url: () => url, itemDir, process };
  const router = new Router();
  authRoutes(router, svc);
  itemRoutes(router, svc);

  const toItem = (requestId: string): EmulatorItem | null => {
    const row = store.item(requestId);
    if (!row) return null;
    return {
      requestId: row.request_id,
      model: row.model,
      modelId: MODELS[row.model].modelId,
      itemName: row.item_name,
      status: statusOf(svc, row),
      generated: row.outcome !== null,
      message: row.message,
      uploaderId: row.user_id,
      createdAt: new Date(row.created_at).toISOString(),
    };
  };
  const confirmEmail = (email: string) => {
    const user = store.userByEmail(email);
    if (!user) throw new Error(`No account for ${email}.`);
    store.confirmUser(user.id);
    return user.id;
  };
  const createUser = async (input: CreateUserInput) => {
    if (store.userByEmail(input.email)) throw new Error(`${input.email} is already registered.`);
    const provider = input.provider ?? 'email';
    let hash: string | null = null;
    if (provider === 'email') {
      const problem = passwordProblem(input.password);
      if (problem) throw new Error(problem);
      hash = await hashPassword(input.password!);
    }
    const user = store.createUser({ email: input.email, nickname: input.nickname ?? input.email.split('@')[0]!, passwordHash: hash, provider, confirmed: input.confirmed ?? true, now: clock.now() });
    return { userId: user.id };
  };
  const googleIdToken = (email: string, name?: string) => signers.google.sign({ sub: `google:${email}`, email, ...(name ? { name } : {}), aud: 'atlas-emulator' }, 3600);
  const invite = (email: string, groupId: string = randomUUID()) => {
    const user = store.userByEmail(email);
    if (!user) throw new Error(`No account for ${email}.`);
    store.createInvite(groupId, user.email, clock.now());
    const link = `${url}/atlas/auth/confirm-invite-email?${new URLSearchParams({ email: user.email, userId: user.id, groupId })}`;
    mailbox.send({ to: user.email, kind: 'invite', subject: 'You are invited to a Kraken Atlas group', at: clock.now(), data: { email: user.email, userId: user.id, groupId, link } });
    return { groupId, userId: user.id, link };
  };
  const failItem = (requestId: string, message = 'failed by the emulator admin API') => {
    if (!store.item(requestId)) throw new Error(`No item ${requestId}.`);
    store.finishItem(requestId, 'NG', message, { force: true, readyAt: clock.now() });
    appendLog(itemDir(requestId), clock.now(), `status NG: ${message}`);
  };
  const finishItem = (requestId: string) => {
    if (!store.item(requestId)) throw new Error(`No item ${requestId}.`);
    store.setReadyAt(requestId, clock.now());
  };
  const resultFile = (requestId: string, code = 1) => {
    const row = store.item(requestId);
    const entry = row ? MODELS[row.model].codes.find((c) => c.code === code) : undefined;
    if (!row || !entry) return null;
    const file = itemPaths(itemDir(requestId)).result(entry.kind);
    return fs.existsSync(file) ? file : null;
  };
  const reset = async () => {
    await queue;
    store.wipe();
    fs.rmSync(path.join(dataDir, 'items'), { recursive: true, force: true });
    fs.rmSync(path.join(dataDir, 'uploads'), { recursive: true, force: true });
    fs.mkdirSync(path.join(dataDir, 'items'), { recursive: true });
  };

  const admin = new Router();
  const a = (s: string) => ADMIN_PREFIX + s;
  const wrap = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof HttpError) throw e;
      throw new HttpError(400, (e as Error).message);
    }
  };
  admin.on('GET', a('/config'), (ctx) => sendJson(ctx, 200, settings));
  admin.on('PATCH', a('/config'), async (ctx) => {
    const body = await readJson(ctx);
    for (const k of ['processingMs', 'accessTokenTtlSec', 'refreshTokenTtlSec'] as const) {
      if (body[k] === undefined) continue;
      if (typeof body[k] !== 'number' || !(body[k] >= 0)) throw new HttpError(400, `${k} must be a number ≥ 0.`);
      settings[k] = body[k];
    }
    for (const k of ['autoConfirmEmail', 'enforceInputLimits'] as const) {
      if (body[k] === undefined) continue;
      if (typeof body[k] !== 'boolean') throw new HttpError(400, `${k} must be true or false.`);
      settings[k] = body[k];
    }
    sendJson(ctx, 200, settings);
  });
  admin.on('POST', a('/users'), async (ctx) => {
    const body = await readJson(ctx);
    let out;
    try {
      out = await createUser({
        email: str(body, 'email') ?? '',
        password: str(body, 'password') ?? undefined,
        nickname: str(body, 'nickname') ?? undefined,
        confirmed: typeof body.confirmed === 'boolean' ? body.confirmed : undefined,
        provider: body.provider === 'google' ? 'google' : 'email',
      });
    } catch (e) {
      throw new HttpError(400, (e as Error).message);
    }
    sendJson(ctx, 201, out);
  });
  admin.on('POST', a('/confirm-email'), async (ctx) => {
    const body = await readJson(ctx);
    const userId = wrap(() => confirmEmail(str(body, 'email') ?? ''));
    sendJson(ctx, 200, { userId });
  });
  admin.on('POST', a('/google/id-token'), async (ctx) => {
    const body = await readJson(ctx);
    const email = str(body, 'email');
    if (!email) throw new HttpError(400, 'Give {"email": …, "name"?: …}.');
    sendJson(ctx, 200, { idToken: googleIdToken(email, str(body, 'name') ?? undefined) });
  });
  admin.on('POST', a('/invites'), async (ctx) => {
    const body = await readJson(ctx);
    sendJson(ctx, 201, wrap(() => invite(str(body, 'email') ?? '', str(body, 'groupId') ?? undefined)));
  });
  admin.on('GET', a('/items'), (ctx) => sendJson(ctx, 200, { items: store.allItems().map((r) => toItem(r.request_id)) }));
  admin.on('POST', a('/items/:requestId/fail'), async (ctx) => {
    const body = await readJson(ctx);
    wrap(() => failItem(ctx.params.requestId!, str(body, 'message') ?? undefined));
    sendJson(ctx, 200, toItem(ctx.params.requestId!));
  });
  admin.on('POST', a('/items/:requestId/finish'), (ctx) => {
    ctx.req.resume();
    wrap(() => finishItem(ctx.params.requestId!));
    sendJson(ctx, 200, toItem(ctx.params.requestId!));
  });
  admin.on('GET', a('/items/:requestId/result'), async (ctx) => {
    const code = Number(ctx.query.get('code') ?? '1');
    const file = resultFile(ctx.params.requestId!, code);
    if (!file) throw new HttpError(404, 'No such item or result (yet).');
    await sendFile(ctx, file, { contentType: 'application/octet-stream' });
  });

  const host = await startHost({
    name: 'atlas',
    port: options.port,
    clock,
    faults,
    mailbox,
    router,
    adminRouter: admin,
    isDownload: isDownloadRoute,
    onReset: reset,
    logError: options.quiet ? () => {} : undefined,
  });
  url = host.url;
  // items a previous run left without an outcome are generated again
  for (const row of store.pendingItems()) process(row.request_id);

  return {
    url: host.url,
    port: host.port,
    dataDir,
    settings,
    async close() {
      closed = true;
      await host.close();
      await queue;
      store.close();
      if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
    setFaults: (rules) => faults.set(Array.isArray(rules) ? rules : [rules]),
    addFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    faults: () => faults.list(),
    sentMails: (filter) => mailbox.list(filter),
    confirmEmail: (email) => void confirmEmail(email),
    createUser,
    googleIdToken,
    invite,
    advanceClock: (ms) => clock.advance(ms),
    now: () => clock.now(),
    items: () => store.allItems().map((r) => toItem(r.request_id)!),
    item: toItem,
    async waitGenerated(requestId, timeoutMs = 30_000) {
      const start = Date.now();
      for (;;) {
        const it = toItem(requestId);
        if (!it) throw new Error(`No item ${requestId}.`);
        if (it.generated && !running.has(requestId)) return it;
        if (Date.now() - start > timeoutMs) throw new Error(`Item ${requestId} was not generated within ${timeoutMs} ms.`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async idle() {
      let seen: Promise<void>;
      do {
        seen = queue;
        await seen;
      } while (seen !== queue);
    },
    failItem,
    finishItem,
    resultFile,
    requests: () => host.requests(),
    clearRequests: () => host.clearRequests(),
    async reset() {
      faults.clear();
      mailbox.clear();
      clock.reset();
      host.clearRequests();
      await reset();
    },
  };
}
