/**
 * Seed 003's endpoints over HTTP: every one `POST /<name>` (the seed gives bare names), a JSON body, and a
 * reply `{ statusCode, errMessage? , … }` whose `statusCode` is also the HTTP status. Fields are read with
 * the seed's own spellings (`max_duration` in runContainer, `maxDuration` in extendContainer, `imagePath` in
 * editContainer); the other spelling of a field is refused with a 400 that names the right one, so a client
 * that misread the seed finds out here instead of getting a container without its limit.
 */
import { HttpError, readJson, type Ctx, type Router, sendJson } from '../base/http';
import { ComputeError, type ComputeService, userIdProblem } from './service';
import type { ClusterId } from './store';

type Body = Record<string, unknown>;

export function reply(ctx: Ctx, statusCode: number, fields: Record<string, unknown> = {}): void {
  sendJson(ctx, statusCode, { statusCode, ...fields });
}

const bad = (message: string) => new ComputeError(400, message);

/** A number, or a string that is one (forms and shells send "10"); absent / null → undefined. */
function num(body: Body, key: string, opts: { integer?: boolean; min?: number; positive?: boolean } = {}): number | undefined {
  const v = body[key];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw bad(`${key} must be a number.`);
  if (opts.integer && !Number.isInteger(n)) throw bad(`${key} must be a whole number.`);
  if (opts.positive && !(n > 0)) throw bad(`${key} must be greater than 0.`);
  if (opts.min !== undefined && n < opts.min) throw bad(`${key} must be at least ${opts.min}.`);
  return n;
}

function text(body: Body, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw bad(`${key} must be a string.`);
  return v;
}

function required<T>(v: T | undefined, key: string): T {
  if (v === undefined) throw bad(`${key} is required.`);
  return v;
}

/** The seed spells this field otherwise here: say which one it wants. */
function refuseSpelling(body: Body, wrong: string, right: string, endpoint: string): void {
  if (body[wrong] !== undefined && body[right] === undefined) throw bad(`${endpoint} takes "${right}" (seed 003's spelling here), not "${wrong}".`);
}

function userIdOf(body: Body): string {
  const problem = userIdProblem(body.userId);
  if (problem) throw bad(problem);
  return body.userId as string;
}

function containerIdOf(body: Body): string {
  const id = text(body, 'containerId');
  if (!id) throw bad('containerId is required.');
  return id;
}

function localSchoolIdOf(body: Body): number | undefined {
  return num(body, 'localSchoolId', { integer: true, min: 0 });
}

export const ENDPOINTS = [
  'registerUser',
  'getAllUserStatus',
  'getUserStatus',
  'deleteUser',
  'runContainer',
  'editContainer',
  'terminateContainer',
  'terminateAllContainer',
  'getContainerStatus',
  'extendContainer',
  'getContainerQuota',
] as const;

export function computeRoutes(router: Router, svc: ComputeService): void {
  const on = (name: (typeof ENDPOINTS)[number], fn: (body: Body, ctx: Ctx) => void) =>
    router.on('POST', `/${name}`, async (ctx) => {
      let body: Body;
      try {
        body = await readJson(ctx);
      } catch (e) {
        if (e instanceof HttpError) return reply(ctx, e.status, { errMessage: e.message });
        throw e;
      }
      try {
        fn(body, ctx);
      } catch (e) {
        if (e instanceof ComputeError) return reply(ctx, e.statusCode, { errMessage: e.message });
        throw e;
      }
    });

  on('registerUser', (body, ctx) => {
    const userId = userIdOf(body);
    const storageGb = required(num(body, 'storageGb', { positive: true }), 'storageGb');
    const localSchoolId = required(localSchoolIdOf(body), 'localSchoolId');
    svc.registerUser(userId, storageGb, localSchoolId);
    reply(ctx, 200);
  });

  on('getAllUserStatus', (body, ctx) => {
    reply(ctx, 200, svc.allUserStatus(localSchoolIdOf(body)));
  });

  on('getUserStatus', (body, ctx) => {
    reply(ctx, 200, { ...svc.userStatus(userIdOf(body)) });
  });

  on('deleteUser', (body, ctx) => {
    svc.deleteUser(userIdOf(body));
    reply(ctx, 200);
  });

  on('runContainer', (body, ctx) => {
    const userId = userIdOf(body);
    refuseSpelling(body, 'maxDuration', 'max_duration', 'runContainer');
    refuseSpelling(body, 'imagePath', 'dockerImagePath', 'runContainer');
    const clusterId = body.clusterId;
    if (clusterId !== 'cpu' && clusterId !== 'gpu') throw bad(`clusterId must be "cpu" or "gpu"${clusterId === undefined ? '' : ` (got ${JSON.stringify(clusterId)})`}.`);
    const maxDuration = num(body, 'max_duration');
    // -1 is how the status lists write "no limit": accepted as that here too
    if (maxDuration !== undefined && maxDuration !== -1 && !(maxDuration > 0)) throw bad('max_duration must be a number of minutes greater than 0 (or -1 / absent for no limit).');
    const image = text(body, 'dockerImagePath');
    const out = svc.runContainer({
      userId,
      clusterId: clusterId as ClusterId,
      nodeId: num(body, 'nodeId', { integer: true, min: 0 }) ?? null,
      dockerImagePath: image ? image : null,
      maxDuration: maxDuration === undefined || maxDuration === -1 ? null : maxDuration,
      storagePath: text(body, 'storagePath') || null,
    });
    reply(ctx, 200, { endpoint: out.endpoint, containerId: out.containerId });
  });

  on('editContainer', (body, ctx) => {
    const userId = userIdOf(body);
    const containerId = containerIdOf(body);
    refuseSpelling(body, 'dockerImagePath', 'imagePath', 'editContainer');
    const change = {
      nodeId: num(body, 'nodeId', { integer: true, min: 0 }),
      imagePath: text(body, 'imagePath') || undefined,
      storagePath: text(body, 'storagePath') || undefined,
    };
    if (change.nodeId === undefined && change.imagePath === undefined && change.storagePath === undefined) throw bad('editContainer needs imagePath, storagePath or nodeId.');
    svc.editContainer(userId, containerId, change);
    reply(ctx, 200);
  });

  on('terminateContainer', (body, ctx) => {
    svc.terminateContainer(userIdOf(body), containerIdOf(body));
    reply(ctx, 200);
  });

  on('terminateAllContainer', (_body, ctx) => {
    svc.terminateAll();
    reply(ctx, 200);
  });

  on('getContainerStatus', (body, ctx) => {
    const s = svc.containerStatus(userIdOf(body), containerIdOf(body));
    reply(ctx, 200, { ...(s.failMessage !== null ? { errMessage: s.failMessage } : {}), statusContainer: s.status });
  });

  on('extendContainer', (body, ctx) => {
    const userId = userIdOf(body);
    const containerId = containerIdOf(body);
    refuseSpelling(body, 'max_duration', 'maxDuration', 'extendContainer');
    const minutes = required(num(body, 'maxDuration', { positive: true }), 'maxDuration');
    svc.extendContainer(userId, containerId, minutes);
    reply(ctx, 200);
  });

  on('getContainerQuota', (body, ctx) => {
    const school = localSchoolIdOf(body);
    if (school !== undefined) return reply(ctx, 200, { maxQuota: { ...svc.quotaOf(school) } });
    const maxQuotaSchool: Record<string, { cpu: number; gpu: number }> = {};
    const ids = new Set([...Object.keys(svc.settings.quotas), ...svc.store.users().map((u) => String(u.local_school_id))]);
    for (const id of [...ids].sort((a, b) => Number(a) - Number(b))) maxQuotaSchool[id] = { ...svc.quotaOf(Number(id)) };
    reply(ctx, 200, { maxQuota: { ...svc.settings.defaultQuota }, maxQuotaSchool });
  });
}
