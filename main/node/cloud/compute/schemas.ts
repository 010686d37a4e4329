/**
 * Seed 003 (compute containers) as zod schemas: every request the studio sends and every reply it reads. All calls
 * are `POST <base>/<name>` with a JSON body; every reply carries `{statusCode, errMessage?}`. Replies are read
 * liberally (unknown fields dropped, numbers that arrive as numeric strings accepted, timestamps in seconds or ms),
 * requests are written exactly as the seed spells them (`max_duration` in runContainer, `maxDuration` in
 * extendContainer, `dockerImagePath` in runContainer but `imagePath` in editContainer, `nodeId` a number in
 * runContainer but a string in editContainer). See CONTRACT-NOTES.md.
 */
import { z } from 'zod';
import { ComputeUserId } from '../../../common/contract/compute';

/** A number, or a numeric string (some servers stringify). */
const Num = z.union([z.number(), z.string().trim().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);
/** An id: a string, or a number made a string. */
const IdText = z.union([z.string(), z.number().transform(String)]);
/** Absent, null and '' all mean "none". */
const OptText = z
  .union([z.string(), z.number().transform(String), z.null()])
  .optional()
  .transform((v) => (v === null || v === undefined || v === '' ? undefined : v));
const OptNum = z
  .union([Num, z.null(), z.literal('')])
  .optional()
  .transform((v) => (v === null || v === '' ? undefined : v));
/** A time as a number (epoch seconds or ms) or a date string. */
const OptTime = z
  .union([Num, z.string(), z.null()])
  .optional()
  .transform((v) => (v === null || v === '' ? undefined : v));

export const ClusterId = z
  .string()
  .transform((s) => s.trim().toLowerCase())
  .pipe(z.enum(['cpu', 'gpu']));

export const CreationStatus = z.enum(['pending', 'createContainer', 'success', 'failed']);
/** Liberal: `createcontainer`, `SUCCESS`, … are read as the seed's spelling. */
const CreationStatusLoose = z
  .string()
  .transform((s) => {
    const t = s.trim();
    const low = t.toLowerCase();
    return low === 'createcontainer' ? 'createContainer' : ['pending', 'success', 'failed'].includes(low) ? low : t;
  })
  .pipe(CreationStatus);

/** What every reply carries. statusCode may be missing on a lax server: the HTTP status decides then. */
export const BaseReply = z.object({
  statusCode: Num.optional(),
  errMessage: z.union([z.string(), z.null()]).optional(),
});
export type BaseReply = z.infer<typeof BaseReply>;

const Endpoint = z
  .object({ jupyter: OptText, shell: OptText })
  .partial()
  .transform((e) => ({ jupyter: e.jupyter ?? null, shell: e.shell ?? null }));

/** `endpoint: {jupyter, shell}` (as runContainer writes it); the status lists' layout is ambiguous, so flat keys are read too. */
function endpointOf(o: Record<string, unknown>): { jupyter: string | null; shell: string | null } {
  const nested = o.endpoint && typeof o.endpoint === 'object' ? Endpoint.safeParse(o.endpoint) : null;
  const e = nested?.success ? nested.data : { jupyter: null, shell: null };
  const flat = Endpoint.safeParse({ jupyter: o.jupyter, shell: o.shell });
  return {
    jupyter: e.jupyter ?? (flat.success ? flat.data.jupyter : null),
    shell: e.shell ?? (flat.success ? flat.data.shell : null),
  };
}

/** One entry of `running_container_list`. */
export const RunningContainer = z
  .looseObject({
    clusterId: ClusterId,
    containerId: IdText,
    status: z.union([z.string(), z.null()]).optional(),
    createdAt: OptTime,
    startedAt: OptTime,
    timerStartedAt: OptTime,
    maxDuration: OptNum,
    storagePath: OptText,
    imagePath: OptText,
    nodeId: OptNum,
    remainingTime: OptNum,
  })
  .transform((o) => ({
    clusterId: o.clusterId,
    containerId: o.containerId,
    status: o.status ?? null,
    createdAt: o.createdAt,
    startedAt: o.startedAt,
    timerStartedAt: o.timerStartedAt,
    maxDuration: o.maxDuration,
    storagePath: o.storagePath,
    imagePath: o.imagePath,
    nodeId: o.nodeId,
    remainingTime: o.remainingTime,
    endpoint: endpointOf(o),
  }));
export type RunningContainer = z.output<typeof RunningContainer>;

const Usage = z
  .object({ cpu: OptNum, gpu: OptNum })
  .partial()
  .nullable()
  .optional()
  .transform((u) => ({ cpu: u?.cpu ?? 0, gpu: u?.gpu ?? 0 }));

/** getUserStatus (and one user of getAllUserStatus). */
const UserStatusFields = {
  useContainerCnt: OptNum,
  runningContainerCnt: OptNum,
  running_container_list: z.array(RunningContainer).nullable().optional(),
  usage: Usage,
};
export const UserStatusReply = BaseReply.extend(UserStatusFields).transform((r) => ({
  statusCode: r.statusCode,
  errMessage: r.errMessage,
  useContainerCnt: r.useContainerCnt ?? 0,
  runningContainerCnt: r.runningContainerCnt ?? (r.running_container_list ?? []).length,
  containers: r.running_container_list ?? [],
  usage: r.usage,
}));
export type UserStatusReply = z.output<typeof UserStatusReply>;

/** getAllUserStatus (operator/development call: the emulator tests and tools use it; the studio's UI does not). */
export const AllUserStatusReply = BaseReply.extend({
  useContainerCnt: OptNum,
  runningContainerCnt: OptNum,
  result: z.record(z.string(), z.object(UserStatusFields)).nullable().optional(),
});

export const RunContainerReply = BaseReply.extend({
  endpoint: Endpoint.optional(),
  containerId: IdText,
}).transform((r) => ({ ...r, endpoint: r.endpoint ?? { jupyter: null, shell: null } }));
export type RunContainerReply = z.output<typeof RunContainerReply>;

export const ContainerStatusReply = BaseReply.extend({ statusContainer: CreationStatusLoose });
export type ContainerStatusReply = z.output<typeof ContainerStatusReply>;

const QuotaPair = z.object({ cpu: Num, gpu: Num });
export const QuotaReply = BaseReply.extend({
  maxQuota: QuotaPair.nullable().optional(),
  maxQuotaSchool: z.record(z.string(), QuotaPair).nullable().optional(),
});
export type QuotaReply = z.output<typeof QuotaReply>;

// Requests, spelled as the seed spells them (strict: nothing else is sent).

export const RegisterUserRequest = z.object({ userId: ComputeUserId, storageGb: z.number().positive(), localSchoolId: z.number().int() }).strict();
export const UserRequest = z.object({ userId: ComputeUserId }).strict();
export const AllUserStatusRequest = z.object({ localSchoolId: z.number().int().optional() }).strict();
export const RunContainerRequest = z
  .object({
    userId: ComputeUserId,
    clusterId: z.enum(['cpu', 'gpu']),
    nodeId: z.number().int().optional(),
    dockerImagePath: z.string().min(1).optional(),
    max_duration: z.number().positive().optional(),
    storagePath: z.string().min(1).optional(),
  })
  .strict();
export const EditContainerRequest = z
  .object({
    userId: ComputeUserId,
    containerId: z.string().min(1),
    nodeId: z.string().min(1).optional(),
    imagePath: z.string().min(1).optional(),
    storagePath: z.string().min(1).optional(),
  })
  .strict();
export const ContainerRequest = z.object({ userId: ComputeUserId, containerId: z.string().min(1) }).strict();
export const ExtendContainerRequest = z.object({ containerId: z.string().min(1), userId: ComputeUserId, maxDuration: z.number().positive() }).strict();
export const QuotaRequest = z.object({ localSchoolId: z.number().int().optional() }).strict();

export type RegisterUserRequest = z.input<typeof RegisterUserRequest>;
export type RunContainerRequest = z.input<typeof RunContainerRequest>;
export type EditContainerRequest = z.input<typeof EditContainerRequest>;
export type ExtendContainerRequest = z.input<typeof ExtendContainerRequest>;

/** Seed 003 timestamps are numbers without a unit: below 10^11 they are read as seconds, else as milliseconds. */
export function timeToIso(v: number | string | undefined): string | null {
  if (v === undefined) return null;
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v <= 0) return null;
    const ms = v < 1e11 ? v * 1000 : v;
    const d = new Date(ms);
    return Number.isNaN(d.getTime()) ? null : d.toISOString();
  }
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}
