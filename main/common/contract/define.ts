/**
 * Building blocks of the IPC contract. A channel is `domain.verb`, with a zod schema for
 * the request and one for the response. Runtime-agnostic: imported by main, preload and renderer.
 */
import { z } from 'zod';

export interface ChannelSpec<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  /** One line for humans and for the generated API docs. */
  readonly summary: string;
  readonly request: Req;
  readonly response: Res;
}

/** Declares one channel. */
export function channel<Req extends z.ZodType, Res extends z.ZodType>(
  summary: string,
  request: Req,
  response: Res,
): ChannelSpec<Req, Res> {
  return { summary, request, response };
}

/** Error codes every service may raise; the renderer translates them by code. */
export const ErrorCode = z.enum([
  'INVALID_INPUT', // the payload broke the contract or a value is out of range
  'FORBIDDEN', // the caller is not our own page
  'NOT_FOUND',
  'CONFLICT',
  'UNSUPPORTED', // the current shell or platform cannot do this
  'MEDIA_UNREADABLE', // empty, truncated, not media, no video stream
  'FFMPEG_MISSING',
  'IO_ERROR', // disk full, read-only folder, permission denied
  'DATABASE_DAMAGED', // the library (studio.db) fails SQLite's integrity check; restore a backup
  'CANCELLED',
  'MODEL_INVALID',
  'NETWORK', // a remote service is unreachable, timed out, or the connection dropped
  'UNAUTHORIZED', // a remote service refused the credentials (sign in again)
  'RATE_LIMITED', // a remote service asked us to slow down (429)
  'REMOTE', // a remote service failed (5xx) or sent a reply the studio does not understand
  'INTERNAL',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/**
 * A sentence the UI translates: a code of main/common/messages.ts with its parameters. It travels beside the
 * English `message` (kept for the CLI and logs, and the UI's fallback for a code it does not know).
 */
export const MessageCodeField = z.string().min(1).max(120);
export const MessageParamsField = z.record(z.string(), z.union([z.string(), z.number()]));

export const AppErrorShape = z.object({
  code: ErrorCode,
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
  messageCode: MessageCodeField.optional(),
  messageParams: MessageParamsField.optional(),
});
export type AppErrorShape = z.infer<typeof AppErrorShape>;

/** What travels back for every call: never a thrown exception across the boundary. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: AppErrorShape };

export const Empty = z.object({}).strict();
export const Id = z.number().int().positive();
export const IsoTime = z.string();

/**
 * NUL and the bidirectional controls (LRE…RLO U+202A–U+202E, LRI…PDI U+2066–U+2069, LRM/RLM U+200E/U+200F,
 * ALM U+061C): in a name that is shown or saved as a file name they cut it short or reorder what the user
 * reads ("invoice\u202Egpj.exe" displays as "invoiceexe.jpg").
 */
export function isUnsafeNameCodePoint(cp: number): boolean {
  return cp === 0 || cp === 0x061c || cp === 0x200e || cp === 0x200f || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

export function hasUnsafeNameChar(s: string): boolean {
  for (const ch of s) if (isUnsafeNameCodePoint(ch.codePointAt(0)!)) return true;
  return false;
}

/** Refuses NUL and bidirectional controls in a name that becomes or looks like a file name (projects, models, exports). */
export function fileSafeName<T extends z.ZodString>(schema: T): T {
  return schema.refine((v) => !hasUnsafeNameChar(v), { message: 'A name cannot contain NUL or bidirectional control characters (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C).' }) as T;
}
