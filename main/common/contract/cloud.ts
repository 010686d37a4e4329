/**
 * The cloud domain of the IPC contract (Atlas first, seed 000): connection, account, 3D jobs, My items.
 * Passwords travel page → core inside a request and go no further than the Atlas call; no response
 * ever carries a token.
 */
import { z } from 'zod';
import { AppErrorShape, channel, Empty, Id, IsoTime, MessageCodeField, MessageParamsField } from './define';
import { CloudModel } from './media';

/** Remote services the studio talks to (more join in later issues). */
export const CloudService = z.enum(['atlas']);
export type CloudService = z.infer<typeof CloudService>;

export const CloudConnection = z.object({
  service: CloudService,
  /** Server root; the client appends the seed's paths (`/atlas/auth/sign-In`, …). Null: none configured. */
  baseUrl: z.string().nullable(),
  /** True when this is the studio's local emulator (labelled "local emulator" in the UI). */
  emulator: z.boolean(),
  /** Where the URL came from. */
  source: z.enum(['override', 'setting', 'env', 'emulator', 'none']),
});
export type CloudConnection = z.infer<typeof CloudConnection>;

export const CloudReachability = z.object({
  service: CloudService,
  baseUrl: z.string().nullable(),
  reachable: z.boolean(),
  /** Round trip of the check, when reachable. */
  latencyMs: z.number().nullable(),
  /** `GET /atlas/version` when the server answers it. */
  version: z.string().nullable(),
  /** Why not, in a plain sentence. */
  message: z.string().nullable(),
  /** `message` as a code of main/common/messages.ts with its parameters (the connection panel translates it). */
  messageCode: MessageCodeField.optional(),
  messageParams: MessageParamsField.optional(),
});
export type CloudReachability = z.infer<typeof CloudReachability>;

/**
 * The account as the page sees it. `expired`: the refresh token was refused — the user is signed out and
 * asked to sign in again; jobs and files are kept.
 */
export const CloudAccount = z.object({
  state: z.enum(['signedOut', 'signedIn', 'expired']),
  email: z.string().nullable(),
  nickname: z.string().nullable(),
  /** Plain sentence shown with `expired` (or after a forced sign-out). */
  reason: z.string().nullable(),
  /** Where tokens rest: the OS keychain, Electron safeStorage, or the 0600 fallback file. */
  vault: z.string().nullable(),
});
export type CloudAccount = z.infer<typeof CloudAccount>;

/** Sign-up's rule (seed 000 §2.1), checked before anything is sent. */
export const PASSWORD_RULE = 'at least 10 characters with an upper-case letter, a lower-case letter, a digit and a special character';
export function passwordProblems(password: string): string[] {
  const out: string[] = [];
  if (password.length < 10) out.push('at least 10 characters');
  if (!/[A-Z]/.test(password)) out.push('an upper-case letter');
  if (!/[a-z]/.test(password)) out.push('a lower-case letter');
  if (!/[0-9]/.test(password)) out.push('a digit');
  if (!/[^A-Za-z0-9]/.test(password)) out.push('a special character');
  return out;
}

/**
 * Why an account call was refused, in the error's `details.atlasProblem` (the page offers the matching action:
 * EMAIL_NOT_CONFIRMED → "send the e-mail again" (`details.offer = 'resendConfirmation'`), SESSION_EXPIRED and
 * NOT_SIGNED_IN → the sign-in form, WEAK_PASSWORD → `details.missing` lists what the password lacks).
 */
export const AtlasAuthProblem = z.enum(['WRONG_CREDENTIALS', 'EMAIL_NOT_CONFIRMED', 'GOOGLE_ACCOUNT', 'EMAIL_TAKEN', 'WEAK_PASSWORD', 'SESSION_EXPIRED', 'NOT_SIGNED_IN']);
export type AtlasAuthProblem = z.infer<typeof AtlasAuthProblem>;

const Email = z.string().trim().min(3).max(320).regex(/^[^\s@]+@[^\s@]+$/, 'Enter an e-mail address');
/** Never logged, never stored: only forwarded to Atlas. */
const Password = z.string().min(1, 'Enter the password').max(512);

/** Atlas model ids (seed 000 §4.1): nerf2mesh 1, gaussian-splatting 2, decal 3, MusePose 4, InstantMesh 5. */
export const ATLAS_MODEL_IDS: Record<CloudModel, number> = { nerf2mesh: 1, gs3d: 2, decal: 3, musepose: 4, 'instant-mesh': 5 };

export const CloudResultKind = z.enum(['ply', 'glb', 'obj', 'gif', 'tar.gz', 'other']);
export type CloudResultKind = z.infer<typeof CloudResultKind>;

/** One download format a model offers (SPEC §2.1 code table). */
export const CloudFormat = z.object({ code: z.number().int(), kind: CloudResultKind, suffix: z.string(), label: z.string() });
export type CloudFormat = z.infer<typeof CloudFormat>;

/** Formats per model, by `code`; the first is the seed's default. */
export const ATLAS_FORMATS: Record<CloudModel, CloudFormat[]> = {
  gs3d: [{ code: 1, kind: 'ply', suffix: '.ply', label: 'Gaussian splat (.ply)' }],
  'instant-mesh': [
    { code: 1, kind: 'glb', suffix: '.glb', label: 'Mesh (.glb)' },
    { code: 2, kind: 'obj', suffix: '.obj', label: 'Mesh (.obj)' },
  ],
  decal: [
    { code: 1, kind: 'glb', suffix: '.glb', label: 'Mesh (.glb)' },
    { code: 2, kind: 'gif', suffix: '.gif', label: 'Turntable (.gif)' },
    { code: 3, kind: 'tar.gz', suffix: '.tar.gz', label: 'Archive (.tar.gz)' },
  ],
  nerf2mesh: [
    { code: 1, kind: 'glb', suffix: '_1.glb', label: 'Mesh, stage 1 (_1.glb)' },
    { code: 2, kind: 'glb', suffix: '_0.glb', label: 'Mesh, stage 0 (_0.glb)' },
    { code: 3, kind: 'gif', suffix: '.gif', label: 'Turntable (.gif)' },
  ],
  // The seed's code table has no MusePose row: the default (no code) is fetched and its kind sniffed.
  musepose: [{ code: 1, kind: 'other', suffix: '', label: 'Result' }],
};

export const CloudJobState = z.enum(['queued', 'uploading', 'processing', 'downloading', 'done', 'failed', 'cancelled']);
export type CloudJobState = z.infer<typeof CloudJobState>;

/** Atlas item status (seed 000 §4.1, `Status` or `status`). */
export const AtlasStatus = z.enum(['PROGRESS', 'OK', 'NG']);
export type AtlasStatus = z.infer<typeof AtlasStatus>;

export const CloudUploadProgress = z.object({
  sentBytes: z.number(),
  totalBytes: z.number(),
  rateBytesPerSec: z.number().nullable(),
  etaSec: z.number().nullable(),
});
export type CloudUploadProgress = z.infer<typeof CloudUploadProgress>;

/** One downloaded result, a 3D result of the project. */
export const CloudResult = z.object({
  code: z.number().int(),
  kind: CloudResultKind,
  label: z.string(),
  /** Relative to the data folder (posix), e.g. `projects/1/cloud/<job id>/chair.ply`. */
  file: z.string(),
  bytes: z.number().int(),
  /** tar.gz: the archive's entry names (already checked to be safe relative paths). */
  entries: z.array(z.string()).nullable(),
});
export type CloudResult = z.infer<typeof CloudResult>;

/** Fields the model takes besides its files (seed 000 §3). */
export const CloudJobFields = z.object({
  itemName: z.string(),
  /** nerf2mesh, gs3d, instant-mesh, musepose: 1..100. */
  epoch: z.number().int().nullable(),
  /** nerf2mesh: downscale to HD in the cloud. */
  resize: z.boolean().nullable(),
  /** decal: recording device (only android today). */
  deviceType: z.string().nullable(),
});
export type CloudJobFields = z.infer<typeof CloudJobFields>;

export const CloudJob = z.object({
  /** Also the id of its JobRunner job (job.updated / job.progress carry it). */
  id: z.string(),
  projectId: Id,
  service: CloudService,
  model: CloudModel,
  mediaId: Id,
  imageMediaId: Id.nullable(),
  fields: CloudJobFields,
  state: CloudJobState,
  /** What the job is doing now, in a plain sentence ("Connection lost during the upload — starting it again"). */
  note: z.string().nullable(),
  upload: CloudUploadProgress.nullable(),
  /** Download progress of the current file. */
  download: z.object({ code: z.number().int(), sentBytes: z.number(), totalBytes: z.number().nullable() }).nullable(),
  requestId: z.string().nullable(),
  cloudStatus: AtlasStatus.nullable(),
  results: z.array(CloudResult),
  error: AppErrorShape.nullable(),
  /** Set while the submission waits in the outbox for Atlas to come back. */
  outboxId: z.string().nullable(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  finishedAt: IsoTime.nullable(),
});
export type CloudJob = z.infer<typeof CloudJob>;

/** My items row (seed 000 §4.3). */
export const CloudItem = z.object({
  requestId: z.string(),
  status: AtlasStatus,
  /** The seed's model name (nerf2mesh, gaussian-splatting, decal, MusePose, InstantMesh). */
  modelName: z.string(),
  model: CloudModel.nullable(),
  itemName: z.string().nullable(),
  createdAt: z.string().nullable(),
});
export type CloudItem = z.infer<typeof CloudItem>;

export const CloudItemPage = z.object({ items: z.array(CloudItem), hasNextItem: z.boolean(), nextCursor: z.string().nullable() });
export type CloudItemPage = z.infer<typeof CloudItemPage>;

/** `detail/my` (seed 000 §4.4) or `detail` (§4.1). */
export const CloudItemDetail = z.object({
  requestId: z.string(),
  status: AtlasStatus,
  itemName: z.string().nullable(),
  modelId: z.number().int().nullable(),
  modelName: z.string().nullable(),
  model: CloudModel.nullable(),
  uploaderId: z.string().nullable(),
  uploaderNickname: z.string().nullable(),
  createdAt: z.string().nullable(),
  /** Formats this item can be downloaded in. */
  formats: z.array(CloudFormat),
});
export type CloudItemDetail = z.infer<typeof CloudItemDetail>;

export const CloudItemFileType = z.enum(['thumbnail', 'request', 'reply', 'output', 'log']);
export type CloudItemFileType = z.infer<typeof CloudItemFileType>;

export const CloudOutboxEntry = z.object({
  id: z.string(),
  service: z.string(),
  kind: z.string(),
  /** The cloud job it belongs to, when any. */
  ref: z.string().nullable(),
  state: z.string(),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  createdAt: IsoTime,
});
export type CloudOutboxEntry = z.infer<typeof CloudOutboxEntry>;

const ServiceReq = z.object({ service: CloudService.default('atlas') }).strict();
const RequestId = z.string().trim().min(1).max(200);
const JobRef = z.object({ id: z.string().min(1) }).strict();

export const cloudChannels = {
  'cloud.connection': channel('Where a cloud service is reached: base URL, emulator or not, and where the URL came from.', ServiceReq, CloudConnection),
  'cloud.setConnection': channel(
    "Save a service's base URL (the server root); null goes back to the environment or the local emulator.",
    z.object({ service: CloudService.default('atlas'), baseUrl: z.string().trim().url().max(2000).nullable() }).strict(),
    CloudConnection,
  ),
  'cloud.checkConnection': channel('Is the service reachable now?', ServiceReq, CloudReachability),
  'cloud.signUp': channel(
    `Create an Atlas account (password: ${PASSWORD_RULE}); Atlas then e-mails a confirmation link.`,
    z.object({ email: Email, nickname: z.string().trim().min(1).max(100), password: Password }).strict(),
    z.object({ email: z.string(), confirmationSent: z.boolean() }),
  ),
  'cloud.signIn': channel(
    'Sign in to Atlas with e-mail and password; tokens stay in the core, in the vault.',
    z.object({ email: Email, password: Password }).strict(),
    CloudAccount,
  ),
  'cloud.signOut': channel('Sign out (the session ends at Atlas too when it is reachable).', Empty, CloudAccount),
  'cloud.account': channel('The account state; `refresh: true` also asks Atlas for the profile (`/atlas/me`).', z.object({ refresh: z.boolean().default(false) }).strict(), CloudAccount),
  'cloud.resendConfirmation': channel('Send the confirmation e-mail again.', z.object({ email: Email }).strict(), z.object({ sent: z.boolean() })),
  'cloud.resetPassword': channel('E-mail a temporary password.', z.object({ email: Email }).strict(), z.object({ sent: z.boolean() })),
  'cloud.changePassword': channel(`Change the password of the signed-in account (${PASSWORD_RULE}).`, z.object({ password: Password }).strict(), z.object({ changed: z.boolean() })),
  'cloud.deleteAccount': channel(
    'Delete the Atlas account; `confirmEmail` must repeat the signed-in e-mail.',
    z.object({ confirmEmail: Email }).strict(),
    CloudAccount,
  ),
  'cloud.submit': channel(
    'Pre-flight, then submit a 3D job of a project (upload, follow, download); refused with the pre-flight problems in details when the cloud would refuse it.',
    z
      .object({
        projectId: Id,
        model: CloudModel,
        /** The video, or the image for instant-mesh. */
        mediaId: Id,
        /** musepose: the still image. */
        imageMediaId: Id.optional(),
        itemName: z.string().trim().min(1).max(200).optional(),
        epoch: z.number().int().min(1).max(100).optional(),
        resize: z.boolean().optional(),
        deviceType: z.enum(['android']).optional(),
      })
      .strict(),
    CloudJob,
  ),
  'cloud.jobs': channel('Cloud jobs, newest first, optionally of one project.', z.object({ projectId: Id.optional() }).strict(), z.array(CloudJob)),
  'cloud.job': channel('One cloud job.', JobRef, CloudJob),
  'cloud.retryJob': channel('Retry a failed, cancelled or queued job from where it stopped (upload again, follow, or download).', JobRef, CloudJob),
  'cloud.cancelJob': channel('Stop a job here (the cloud item, if created, is left; delete it from My items).', JobRef, CloudJob),
  'cloud.myItems': channel(
    'My items of one model, newest first, by cursor.',
    z.object({ model: CloudModel, cursor: z.string().nullable().optional(), limit: z.number().int().min(1).max(50).default(10) }).strict(),
    CloudItemPage,
  ),
  'cloud.itemDetail': channel('One of my items (`detail/my`).', z.object({ requestId: RequestId }).strict(), CloudItemDetail),
  'cloud.deleteItem': channel('Delete one of my items in the cloud.', z.object({ requestId: RequestId }).strict(), z.object({ requestId: z.string() })),
  'cloud.itemFile': channel(
    "Fetch an item's thumbnail, request, reply, output or log file for viewing; returns where it was saved.",
    z.object({ requestId: RequestId, type: CloudItemFileType }).strict(),
    z.object({ file: z.string(), bytes: z.number().int(), contentType: z.string().nullable() }),
  ),
  'cloud.outbox': channel('Work waiting for a cloud service to come back.', Empty, z.array(CloudOutboxEntry)),
};

/** Events of the cloud domain. */
export const cloudEvents = {
  /** A cloud job changed (state, upload progress, status, results); the page toasts on done/failed. */
  'cloud.jobUpdated': CloudJob,
  /** The account changed without the page asking (e.g. the refresh token was refused → `expired`). */
  'cloud.accountChanged': CloudAccount,
} as const;
