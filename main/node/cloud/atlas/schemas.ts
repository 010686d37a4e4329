/**
 * Every Atlas request and reply of seed 000 (§2 auth, §3 creation, §4 items, §6 version) as zod schemas,
 * written from the seed. Replies are parsed liberally (extra keys kept out, `Status` or `status`, ids as
 * strings or numbers) and normalised to one shape; see CONTRACT-NOTES.md for each choice.
 */
import { z } from 'zod';
import type { AtlasStatus, CloudModel } from '../../../common/contract';

// ---- §2 auth -----------------------------------------------------------------------------------------

/** §2.1 POST /atlas/auth/sign-up */
export const SignUpRequest = z.object({ email: z.string(), password: z.string(), nickname: z.string() });
/** §2.2 POST /atlas/auth/sign-In — the e-mail travels as `id`. */
export const SignInRequest = z.object({ id: z.string(), password: z.string() });
/** §2.4 resend, §2.7 reset */
export const EmailRequest = z.object({ email: z.string() });
/** §2.8 PATCH /atlas/auth/password */
export const PasswordRequest = z.object({ password: z.string() });

/** Replies the seed gives no body for (201/200 with an empty table): anything, or nothing, is fine. */
export const NoBody = z.unknown();

/** §2.2 / §2.10 reply */
export const TokenPair = z.object({ accessToken: z.string().min(1), refreshToken: z.string().min(1) });
export type TokenPair = z.infer<typeof TokenPair>;

/** §2.11 POST /atlas/refresh/accessToken reply; a server that rotates the refresh token may add it. */
export const RefreshReply = z.object({ accessToken: z.string().min(1), refreshToken: z.string().min(1).optional() });

/** §2.12 GET /atlas/me */
export const MeReply = z.object({ nickname: z.string().nullish(), email: z.string().nullish() }).transform((m) => ({
  nickname: m.nickname ?? null,
  email: m.email ?? null,
}));

/** Every failure body: `{message}` (a NestJS-style server may send an array of messages). */
export const ErrorBody = z.object({ message: z.union([z.string(), z.array(z.string())]) });

// ---- §3 creation -------------------------------------------------------------------------------------

const IdLike = z.union([z.string().min(1), z.number()]).transform(String);

/** §3.x reply: 201 {requestId} */
export const CreateReply = z.object({ requestId: IdLike });

/** Multipart field names per model, capitals exactly as the seed writes them. */
export const CREATE_FIELDS = {
  nerf2mesh: { path: '/atlas/item/nerf2mesh', video: 'payLoad', image: null, epoch: 'Epoch', resize: 'resize', deviceType: null, fileName: null },
  gs3d: { path: '/atlas/item/gs3d', video: 'Payload', image: null, epoch: 'Epoch', resize: null, deviceType: null, fileName: null },
  'instant-mesh': { path: '/atlas/item/instant-mesh', video: null, image: 'Image', epoch: 'Epoch', resize: null, deviceType: null, fileName: null },
  musepose: { path: '/atlas/item/musepose', video: 'payLoad', image: 'Image', epoch: 'Epoch', resize: null, deviceType: null, fileName: null },
  decal: { path: '/atlas/item/decal', video: 'payLoad', image: null, epoch: null, resize: null, deviceType: 'deviceType', fileName: 'fileName' },
} as const satisfies Record<CloudModel, { path: string; video: string | null; image: string | null; epoch: string | null; resize: string | null; deviceType: string | null; fileName: string | null }>;

// ---- §4 items ----------------------------------------------------------------------------------------

/** `PROGRESS` | `OK` | `NG`, in whatever case the server writes it. */
export const StatusValue = z
  .string()
  .transform((s) => s.trim().toUpperCase())
  .pipe(z.enum(['PROGRESS', 'OK', 'NG']));

/** The seed's model names and ids (§4.1) → the studio's model ids. */
export const MODEL_BY_NAME: Record<string, CloudModel> = {
  nerf2mesh: 'nerf2mesh',
  'gaussian-splatting': 'gs3d',
  gs3d: 'gs3d',
  decal: 'decal',
  musepose: 'musepose',
  instantmesh: 'instant-mesh',
  'instant-mesh': 'instant-mesh',
};
export const MODEL_BY_ID: Record<number, CloudModel> = { 1: 'nerf2mesh', 2: 'gs3d', 3: 'decal', 4: 'musepose', 5: 'instant-mesh' };

export function modelFrom(modelId: number | null, modelName: string | null): CloudModel | null {
  if (modelId !== null && MODEL_BY_ID[modelId]) return MODEL_BY_ID[modelId]!;
  return modelName ? (MODEL_BY_NAME[modelName.toLowerCase()] ?? null) : null;
}

const OptText = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v) => (v === null || v === undefined ? null : String(v)));
const OptInt = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v) => {
    if (v === null || v === undefined || v === '') return null;
    const n = Number(v);
    return Number.isInteger(n) ? n : null;
  });

/**
 * §4.1 detail and §4.4 detail/my: §4.1 spells it `Status`, §4.4 `status`; either is accepted. A reply with
 * neither is not understood (REMOTE).
 */
export const DetailReply = z
  .object({
    requestId: OptText,
    Status: StatusValue.optional(),
    status: StatusValue.optional(),
    itemName: OptText,
    modelId: OptInt,
    modelName: OptText,
    model: OptText,
    uploaderId: OptText,
    uploaderNickname: OptText,
    createdAt: OptText,
  })
  .refine((d) => d.Status !== undefined || d.status !== undefined, { message: 'the reply has no Status' })
  .transform((d) => ({
    requestId: d.requestId,
    status: (d.Status ?? d.status) as AtlasStatus,
    itemName: d.itemName,
    modelId: d.modelId,
    modelName: d.modelName ?? d.model,
    uploaderId: d.uploaderId,
    uploaderNickname: d.uploaderNickname,
    createdAt: d.createdAt,
  }));
export type DetailReply = z.output<typeof DetailReply>;

/** One row of §4.3 (its `model` is the model's name). */
export const MyItemRow = z
  .object({
    requestId: IdLike,
    status: StatusValue.optional(),
    Status: StatusValue.optional(),
    model: OptText,
    modelName: OptText,
    itemName: OptText,
    createdAt: OptText,
  })
  .refine((d) => d.Status !== undefined || d.status !== undefined, { message: 'an item has no status' })
  .transform((d) => ({
    requestId: d.requestId,
    status: (d.status ?? d.Status) as AtlasStatus,
    modelName: d.model ?? d.modelName ?? '',
    itemName: d.itemName,
    createdAt: d.createdAt,
  }));

/**
 * §4.3 GET /atlas/item/my/{ModelId}. The seed lists the row keys and `hasNextItem`/`nextCursor` in one table;
 * the studio reads `{items: [...], hasNextItem, nextCursor}` and also accepts the rows under `data` or
 * `list`, or a bare array (then there is no next page).
 */
export const MyItemsReply = z.union([
  z
    .object({
      items: z.array(MyItemRow).optional(),
      data: z.array(MyItemRow).optional(),
      list: z.array(MyItemRow).optional(),
      hasNextItem: z.union([z.boolean(), z.string()]).nullish(),
      nextCursor: OptText,
    })
    .transform((r) => ({
      items: r.items ?? r.data ?? r.list ?? [],
      hasNextItem: r.hasNextItem === true || r.hasNextItem === 'true',
      nextCursor: r.nextCursor,
    })),
  z.array(MyItemRow).transform((items) => ({ items, hasNextItem: false, nextCursor: null })),
]);
export type MyItemsReply = z.output<typeof MyItemsReply>;

/** §4.5 DELETE /atlas/item/{requestId} */
export const DeleteReply = z
  .object({ requestId: IdLike.optional() })
  .nullish()
  .transform((r) => ({ requestId: r?.requestId ?? null }));

/** §6.1 GET /atlas/version: a string, or an object holding one. */
export const VersionReply = z
  .union([z.string(), z.object({ version: z.string() }).transform((v) => v.version), z.unknown().transform(() => '')])
  .transform((v) => String(v));
