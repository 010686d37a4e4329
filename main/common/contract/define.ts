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
  'CANCELLED',
  'MODEL_INVALID',
  'NETWORK', // a remote service is unreachable, timed out, or the connection dropped
  'UNAUTHORIZED', // a remote service refused the credentials (sign in again)
  'RATE_LIMITED', // a remote service asked us to slow down (429)
  'REMOTE', // a remote service failed (5xx) or sent a reply the studio does not understand
  'INTERNAL',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const AppErrorShape = z.object({
  code: ErrorCode,
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type AppErrorShape = z.infer<typeof AppErrorShape>;

/** What travels back for every call: never a thrown exception across the boundary. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: AppErrorShape };

export const Empty = z.object({}).strict();
export const Id = z.number().int().positive();
export const IsoTime = z.string();
