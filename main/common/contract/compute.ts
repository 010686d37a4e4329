/**
 * The compute domain of the IPC contract (GPU sessions, seed 003): a user's storage, CPU/GPU containers with
 * Jupyter and a shell, their remaining time, quotas per cluster and usage minutes. The seed has no sign-in: the
 * user id travels in every request body, so the studio saves the id it uses (a setting, not a secret).
 * `getAllUserStatus` and `terminateAllContainer` are operator calls and have no channel here.
 */
import { z } from 'zod';
import { channel, Empty, Id, IsoTime, MessageCodeField, MessageParamsField } from './define';

/** Characters seed 003 forbids in a user id (`registerUser`: any string but `. # $ [ ]`). */
export const COMPUTE_USER_ID_FORBIDDEN = ['.', '#', '$', '[', ']'] as const;
export const COMPUTE_USER_ID_MAX = 256;

/** The problems of a user id, in words (empty when it may be sent). Checked before anything is sent. */
export function computeUserIdProblems(userId: string): string[] {
  const out: string[] = [];
  if (userId.length === 0) out.push('it is empty');
  if (userId.length > COMPUTE_USER_ID_MAX) out.push(`it is longer than ${COMPUTE_USER_ID_MAX} characters`);
  const bad = COMPUTE_USER_ID_FORBIDDEN.filter((c) => userId.includes(c));
  if (bad.length) out.push(`it contains ${bad.map((c) => `"${c}"`).join(', ')} (not allowed: . # $ [ ])`);
  return out;
}

export const ComputeUserId = z.string().superRefine((v, ctx) => {
  const p = computeUserIdProblems(v);
  if (p.length) ctx.addIssue({ code: 'custom', message: `The user id cannot be used: ${p.join('; ')}.` });
});

export const ComputeClusterId = z.enum(['cpu', 'gpu']);
export type ComputeClusterId = z.infer<typeof ComputeClusterId>;

/** Creation states of `getContainerStatus` (seed 003). */
export const ComputeCreationStatus = z.enum(['pending', 'createContainer', 'success', 'failed']);
export type ComputeCreationStatus = z.infer<typeof ComputeCreationStatus>;

/**
 * A session as the studio sees it:
 * - `creating`: runContainer answered, getContainerStatus is followed (pending → createContainer);
 * - `running`: created (`success`) and listed by getUserStatus;
 * - `failed`: creation failed (`error` has the service's message);
 * - `stopped`: stopped from the studio (terminateContainer or unregister);
 * - `ended`: no longer listed by the service (its time ran out, or stopped elsewhere);
 * - `unknown`: the service could not be asked (offline); the last known values are kept.
 */
export const ComputeSessionState = z.enum(['creating', 'running', 'failed', 'stopped', 'ended', 'unknown']);
export type ComputeSessionState = z.infer<typeof ComputeSessionState>;

export const ComputeEndpoint = z.object({ jupyter: z.string().nullable(), shell: z.string().nullable() });
export type ComputeEndpoint = z.infer<typeof ComputeEndpoint>;

export const ComputeUsage = z.object({ cpu: z.number(), gpu: z.number() });
export type ComputeUsage = z.infer<typeof ComputeUsage>;

export const ComputeSession = z.object({
  containerId: z.string(),
  userId: z.string(),
  clusterId: ComputeClusterId,
  /** The project it was started for, when any (sessions survive the studio). */
  projectId: Id.nullable(),
  /** True when this studio started it (remembered in its library); false when only found in getUserStatus. */
  startedHere: z.boolean(),
  state: ComputeSessionState,
  /** Last creation state from getContainerStatus, when followed. */
  creationStatus: ComputeCreationStatus.nullable(),
  /** The `status` string of the service's list (`pending`, `success`, …) as it came. */
  serviceStatus: z.string().nullable(),
  imagePath: z.string().nullable(),
  storagePath: z.string().nullable(),
  nodeId: z.number().nullable(),
  /** Minutes; null: no limit. */
  maxDuration: z.number().nullable(),
  /** Minutes left as the service last said; -1: no limit (seed 003); null: not known yet. */
  remainingTime: z.number().nullable(),
  /** When it ends, from `remainingTime` and when that was read (for a countdown); null: no limit or not known. */
  endsAt: IsoTime.nullable(),
  /** When `remainingTime` was read. */
  observedAt: IsoTime.nullable(),
  endpoint: ComputeEndpoint,
  createdAt: IsoTime.nullable(),
  startedAt: IsoTime.nullable(),
  /** The service's message for a failed creation, or why the studio could not ask. */
  error: z.string().nullable(),
  updatedAt: IsoTime,
  endedAt: IsoTime.nullable(),
});
export type ComputeSession = z.infer<typeof ComputeSession>;

/** The user id (and campus) the studio uses, saved as a setting. */
export const ComputeUser = z.object({
  userId: z.string(),
  localSchoolId: z.number().nullable(),
  storageGb: z.number().nullable(),
  /** When the studio registered it (null: set as an existing id). */
  registeredAt: IsoTime.nullable(),
});
export type ComputeUser = z.infer<typeof ComputeUser>;

export const ComputeStatus = z.object({
  userId: z.string(),
  useContainerCnt: z.number(),
  runningContainerCnt: z.number(),
  /** The service's containers of this user plus the sessions this studio started that are still creating. */
  sessions: z.array(ComputeSession),
  /** Minutes used per cluster. */
  usage: ComputeUsage,
  observedAt: IsoTime,
});
export type ComputeStatus = z.infer<typeof ComputeStatus>;

export const ComputeQuotaPair = z.object({ cpu: z.number(), gpu: z.number() });

export const ComputeQuota = z.object({
  localSchoolId: z.number().nullable(),
  /** `maxQuota` as the service sent it. */
  maxQuota: ComputeQuotaPair.nullable(),
  /** `maxQuotaSchool` as the service sent it (keys are campus numbers). */
  maxQuotaSchool: z.record(z.string(), ComputeQuotaPair).nullable(),
  /** The limit that applies to the asked campus (its entry, else maxQuota); null: unknown. */
  limit: ComputeQuotaPair.nullable(),
  /** The user's containers per cluster (from getUserStatus), when a user is known. */
  used: ComputeQuotaPair.nullable(),
  /** Per cluster: why a new session cannot start (quota reached), else null. */
  blocked: z.object({ cpu: z.string().nullable(), gpu: z.string().nullable() }),
});
export type ComputeQuota = z.infer<typeof ComputeQuota>;

export const ComputeConnection = z.object({
  baseUrl: z.string().nullable(),
  emulator: z.boolean(),
  source: z.enum(['override', 'setting', 'env', 'emulator', 'none']),
});
export type ComputeConnection = z.infer<typeof ComputeConnection>;

export const ComputeReachability = z.object({
  baseUrl: z.string().nullable(),
  reachable: z.boolean(),
  latencyMs: z.number().nullable(),
  message: z.string().nullable(),
  /** `message` as a code of main/common/messages.ts with its parameters (the connection panel translates it). */
  messageCode: MessageCodeField.optional(),
  messageParams: MessageParamsField.optional(),
});
export type ComputeReachability = z.infer<typeof ComputeReachability>;

/** Optional in requests: the saved user id is used when absent. */
const UserRef = { userId: ComputeUserId.optional() };
const ContainerId = z.string().trim().min(1).max(500);
const Minutes = z.number().int().min(1).max(60 * 24 * 366);
const Text = z.string().trim().min(1).max(2000);

export const computeChannels = {
  'compute.connection': channel('Where the compute service is reached: base URL, emulator or not, and where the URL came from.', Empty, ComputeConnection),
  'compute.setConnection': channel(
    "Save the compute service's base URL (the server root; the client POSTs to <root>/registerUser, …); null goes back to the environment or the emulator.",
    z.object({ baseUrl: z.string().trim().url().max(2000).nullable() }).strict(),
    ComputeConnection,
  ),
  'compute.checkConnection': channel('Is the compute service reachable now?', Empty, ComputeReachability),
  'compute.user': channel('The user id the studio uses (saved), or null.', Empty, ComputeUser.nullable()),
  'compute.setUser': channel(
    'Use an already registered user id (saved, nothing is sent); null forgets it.',
    z.object({ userId: ComputeUserId.nullable(), localSchoolId: z.number().int().min(0).optional() }).strict(),
    ComputeUser.nullable(),
  ),
  'compute.register': channel(
    'registerUser: create the personal storage (GB) on a campus; the user id is checked before sending and saved.',
    z.object({ userId: ComputeUserId, storageGb: z.number().positive().max(1_000_000), localSchoolId: z.number().int().min(0) }).strict(),
    ComputeUser,
  ),
  'compute.status': channel('getUserStatus: counts, containers with remaining time, usage minutes per cluster; also refreshes the remembered sessions.', z.object(UserRef).strict(), ComputeStatus),
  'compute.quota': channel(
    'getContainerQuota: the most containers per cluster (of the saved campus unless given), and how many the user has.',
    z.object({ localSchoolId: z.number().int().min(0).optional(), ...UserRef }).strict(),
    ComputeQuota,
  ),
  'compute.sessions': channel('The sessions this studio remembers, newest first (optionally of one project; ended ones included).', z.object({ projectId: Id.optional() }).strict(), z.array(ComputeSession)),
  'compute.run': channel(
    'runContainer: answers at once with the container id and endpoints (state creating); creation is followed in the background (compute.sessionUpdated).',
    z
      .object({
        ...UserRef,
        projectId: Id.optional(),
        clusterId: ComputeClusterId,
        nodeId: z.number().int().optional(),
        dockerImagePath: Text.optional(),
        /** Minutes (sent as `max_duration`). */
        maxDuration: Minutes.optional(),
        storagePath: Text.optional(),
      })
      .strict(),
    ComputeSession,
  ),
  'compute.container': channel('One container now: its creation state (getContainerStatus) and what getUserStatus lists for it.', z.object({ containerId: ContainerId, ...UserRef }).strict(), ComputeSession),
  'compute.extend': channel('extendContainer: give a session `minutes` more; answers with its new remaining time.', z.object({ containerId: ContainerId, minutes: Minutes, ...UserRef }).strict(), ComputeSession),
  'compute.edit': channel(
    'editContainer: change the image (and/or the shared storage path) of a container.',
    z.object({ containerId: ContainerId, imagePath: Text.optional(), storagePath: Text.optional(), nodeId: z.string().trim().min(1).max(100).optional(), ...UserRef }).strict(),
    ComputeSession,
  ),
  'compute.stop': channel('terminateContainer: stop a container (it stops billing).', z.object({ containerId: ContainerId, ...UserRef }).strict(), ComputeSession),
  'compute.unregister': channel(
    'deleteUser: removes all containers and the storage of the user; the service keeps the record. `confirmUserId` must repeat the user id.',
    z.object({ confirmUserId: z.string(), ...UserRef }).strict(),
    z.object({ userId: z.string(), stoppedSessions: z.array(z.string()) }),
  ),
};

/** Events of the compute domain. */
export const computeEvents = {
  /** A session changed (creation state, remaining time, stopped, ended). */
  'compute.sessionUpdated': ComputeSession,
  /** A session ends in at most 10 minutes (sent once per session and end time; again after an extend moves the end). */
  'compute.sessionEnding': z.object({ session: ComputeSession, minutesLeft: z.number() }),
} as const;
