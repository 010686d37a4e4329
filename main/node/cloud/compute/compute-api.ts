/**
 * The seed 003 calls a user may make, over the shared HttpClient: `POST <base>/<name>` with a JSON body. A call
 * succeeds only when the HTTP status is 2xx AND the body's `statusCode` is a success (2xx, or 0) AND there is no
 * `errMessage`; anything else is an AppError carrying the service's own words. Calls that change something are sent
 * once (a repeated runContainer would start a second, billed container); reads are retried on network trouble and
 * 5xx. The user id is checked before anything is sent. `getAllUserStatus` / `terminateAllContainer` are operator
 * calls and live in ComputeOperatorApi, which the studio's UI never uses.
 */
import type { z } from 'zod';
import { AppError } from '../../../common/app-error';
import { computeUserIdProblems } from '../../../common/contract/compute';
import { say } from '../../../common/messages';
import { badReplyError, extractServiceMessage, httpError, saidOf, serviceParams } from '../errors';
import type { HttpClient } from '../http-client';
import {
  AllUserStatusReply,
  AllUserStatusRequest,
  BaseReply,
  ContainerRequest,
  ContainerStatusReply,
  EditContainerRequest,
  ExtendContainerRequest,
  QuotaReply,
  QuotaRequest,
  RegisterUserRequest,
  RunContainerReply,
  RunContainerRequest,
  UserRequest,
  UserStatusReply,
  type ContainerStatusReply as ContainerStatusReplyT,
  type QuotaReply as QuotaReplyT,
  type RunContainerReply as RunContainerReplyT,
  type UserStatusReply as UserStatusReplyT,
} from './schemas';

const ALL_STATUSES = Array.from({ length: 500 }, (_, i) => 100 + i);

/** A body statusCode that means success: 2xx (the seed's servers answer 200), or 0 (some servers' "no error"). */
export function isSuccessCode(code: number | undefined): boolean {
  return code === undefined || code === 0 || (code >= 200 && code < 300);
}

/** Refuses a user id the seed forbids (`. # $ [ ]`, empty) before anything is sent. */
export function checkUserId(userId: string): void {
  const problems = computeUserIdProblems(userId);
  if (problems.length) {
    throw new AppError('INVALID_INPUT', say('compute.bad_user_id', { problems: problems.join('; ') }), { service: 'compute', field: 'userId' });
  }
}

/** The AppError for a 2xx reply whose body says it failed. */
function bodyError(path: string, statusCode: number | undefined, errMessage: string | null | undefined): AppError {
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 600) {
    const e = httpError({ service: 'compute', status: statusCode, body: errMessage ? { errMessage } : undefined });
    return new AppError(e.code, saidOf(e), { ...(e.details ?? {}), bodyStatusCode: statusCode, call: path });
  }
  const msg = errMessage ? extractServiceMessage(errMessage) : null;
  const said = msg
    ? say('cloud.said', { ...serviceParams('compute'), server: /[.!?]$/.test(msg) ? msg : `${msg}.` })
    : say('compute.refused_call', { path, statusCode: statusCode ?? '?' });
  return new AppError('REMOTE', said, {
    service: 'compute',
    bodyStatusCode: statusCode,
    call: path,
    ...(msg ? { serviceMessage: msg } : {}),
  });
}

export interface CallOptions {
  signal?: AbortSignal;
}

/** One POST: sends, reads the whole reply, judges success by HTTP status and body, parses with the seed's schema. */
export async function computeCall<T>(
  http: HttpClient,
  path: string,
  body: unknown,
  schema: z.ZodType<T>,
  opts: CallOptions & { retry: boolean; accept?: (data: unknown) => boolean },
): Promise<T> {
  const res = await http.requestRaw({ method: 'POST', path: `/${path}`, json: body, retry: opts.retry, okStatuses: ALL_STATUSES, signal: opts.signal, auth: false });
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    throw http.mapNetworkError(err, { callerSignal: opts.signal });
  }
  let data: unknown = undefined;
  let json = false;
  if (text.trim() !== '') {
    try {
      data = JSON.parse(text);
      json = true;
    } catch {
      data = text;
    }
  }
  // A reply that is itself the answer, whatever it says (a failed creation with the reason in errMessage).
  if (json && opts.accept?.(data)) {
    const parsed = schema.safeParse(data);
    if (parsed.success) return parsed.data;
  }
  if (res.status < 200 || res.status >= 300) throw httpError({ service: 'compute', status: res.status, headers: res.headers, body: data });
  if (!json || !data || typeof data !== 'object') throw badReplyError('compute', res.status);
  const base = BaseReply.safeParse(data);
  if (!base.success) throw badReplyError('compute', res.status, base.error.issues);
  const { statusCode, errMessage } = base.data;
  if (!isSuccessCode(statusCode) || (typeof errMessage === 'string' && errMessage.trim() !== '')) throw bodyError(path, statusCode, errMessage);
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw badReplyError('compute', res.status, parsed.error.issues);
  return parsed.data;
}

function checked<S extends z.ZodType>(schema: S, body: z.input<S>): z.output<S> {
  const r = schema.safeParse(body);
  if (!r.success) {
    const userIdIssue = r.error.issues.find((i) => i.path[0] === 'userId');
    throw new AppError('INVALID_INPUT', userIdIssue?.message ?? say('compute.invalid_request', { issues: r.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ') }), {
      service: 'compute',
    });
  }
  return r.data;
}

export interface RunContainerInput {
  userId: string;
  clusterId: 'cpu' | 'gpu';
  nodeId?: number;
  dockerImagePath?: string;
  /** Minutes; sent as `max_duration`. */
  maxDuration?: number;
  storagePath?: string;
}

export interface EditContainerInput {
  userId: string;
  containerId: string;
  nodeId?: string;
  imagePath?: string;
  storagePath?: string;
}

/** Every seed 003 call a user may make. */
export class ComputeApi {
  constructor(readonly http: HttpClient) {}

  /** registerUser: creates the personal storage (GB) on a campus. */
  async registerUser(input: { userId: string; storageGb: number; localSchoolId: number }, o: CallOptions = {}): Promise<void> {
    checkUserId(input.userId);
    await computeCall(this.http, 'registerUser', checked(RegisterUserRequest, input), BaseReply, { ...o, retry: false });
  }

  /** getUserStatus: counts, running_container_list, usage minutes per cluster. */
  async getUserStatus(userId: string, o: CallOptions = {}): Promise<UserStatusReplyT> {
    checkUserId(userId);
    return computeCall(this.http, 'getUserStatus', checked(UserRequest, { userId }), UserStatusReply, { ...o, retry: true });
  }

  /** deleteUser: removes the user's containers and storage; the service keeps the record. */
  async deleteUser(userId: string, o: CallOptions = {}): Promise<void> {
    checkUserId(userId);
    await computeCall(this.http, 'deleteUser', checked(UserRequest, { userId }), BaseReply, { ...o, retry: false });
  }

  /** runContainer: answers before the container exists — follow it with getContainerStatus. */
  async runContainer(input: RunContainerInput, o: CallOptions = {}): Promise<RunContainerReplyT> {
    checkUserId(input.userId);
    const body: RunContainerRequest = { userId: input.userId, clusterId: input.clusterId };
    if (input.nodeId !== undefined) body.nodeId = input.nodeId;
    if (input.dockerImagePath !== undefined) body.dockerImagePath = input.dockerImagePath;
    if (input.maxDuration !== undefined) body.max_duration = input.maxDuration;
    if (input.storagePath !== undefined) body.storagePath = input.storagePath;
    return computeCall(this.http, 'runContainer', checked(RunContainerRequest, body), RunContainerReply, { ...o, retry: false });
  }

  /**
   * getContainerStatus: pending → createContainer → success | failed. A `failed` reply is an answer, not an error,
   * even when the server marks it with a failing statusCode: its errMessage is the reason.
   */
  async getContainerStatus(userId: string, containerId: string, o: CallOptions = {}): Promise<ContainerStatusReplyT> {
    checkUserId(userId);
    return computeCall(this.http, 'getContainerStatus', checked(ContainerRequest, { userId, containerId }), ContainerStatusReply, {
      ...o,
      retry: true,
      accept: (d) => typeof (d as { statusContainer?: unknown }).statusContainer === 'string' && /^failed$/i.test(String((d as { statusContainer: string }).statusContainer).trim()),
    });
  }

  /** editContainer: change the image (`imagePath`), storagePath or nodeId (a string here, as the seed writes it). */
  async editContainer(input: EditContainerInput, o: CallOptions = {}): Promise<void> {
    checkUserId(input.userId);
    const body: EditContainerRequest = { userId: input.userId, containerId: input.containerId };
    if (input.nodeId !== undefined) body.nodeId = input.nodeId;
    if (input.imagePath !== undefined) body.imagePath = input.imagePath;
    if (input.storagePath !== undefined) body.storagePath = input.storagePath;
    await computeCall(this.http, 'editContainer', checked(EditContainerRequest, body), BaseReply, { ...o, retry: false });
  }

  /** terminateContainer. */
  async terminateContainer(userId: string, containerId: string, o: CallOptions = {}): Promise<void> {
    checkUserId(userId);
    await computeCall(this.http, 'terminateContainer', checked(ContainerRequest, { userId, containerId }), BaseReply, { ...o, retry: false });
  }

  /** extendContainer: `maxDuration` minutes more (see CONTRACT-NOTES.md for how the service's reading is checked). */
  async extendContainer(input: ExtendContainerRequest, o: CallOptions = {}): Promise<void> {
    checkUserId(input.userId);
    await computeCall(this.http, 'extendContainer', checked(ExtendContainerRequest, input), BaseReply, { ...o, retry: false });
  }

  /** getContainerQuota: the most containers per cluster (`maxQuota`, or `maxQuotaSchool` per campus). */
  async getContainerQuota(localSchoolId?: number, o: CallOptions = {}): Promise<QuotaReplyT> {
    return computeCall(this.http, 'getContainerQuota', checked(QuotaRequest, localSchoolId === undefined ? {} : { localSchoolId }), QuotaReply, { ...o, retry: true });
  }
}

/** Operator and development calls (seed 003): tests and tools only, never offered in the creator's UI. */
export class ComputeOperatorApi {
  constructor(readonly http: HttpClient) {}

  async getAllUserStatus(localSchoolId?: number, o: CallOptions = {}): Promise<z.output<typeof AllUserStatusReply>> {
    return computeCall(this.http, 'getAllUserStatus', checked(AllUserStatusRequest, localSchoolId === undefined ? {} : { localSchoolId }), AllUserStatusReply, { ...o, retry: true });
  }

  async terminateAllContainer(o: CallOptions = {}): Promise<void> {
    await computeCall(this.http, 'terminateAllContainer', {}, BaseReply, { ...o, retry: false });
  }
}
