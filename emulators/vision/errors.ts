/**
 * Seed 001's error body `{ error: { code, message, details, request_id } }` and its status ↔ code table. Every
 * error the vision emulator sends goes through here, also the ones the shared host answers itself (no route,
 * 405, injected 5xx, bad JSON).
 */
import { randomBytes } from 'node:crypto';

export const CODE_BY_STATUS: Record<number, string> = {
  400: 'INVALID_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  422: 'VALIDATION_ERROR',
  429: 'RATE_LIMIT_EXCEEDED',
  500: 'INTERNAL_ERROR',
  503: 'SERVICE_UNAVAILABLE',
};

/** The seed's code for a status; statuses the table lacks take the code of their class (4xx → INVALID_REQUEST, 5xx → INTERNAL_ERROR). */
export function codeFor(status: number): string {
  return CODE_BY_STATUS[status] ?? (status === 405 || status === 413 || status < 500 ? 'INVALID_REQUEST' : status === 502 || status === 504 ? 'SERVICE_UNAVAILABLE' : 'INTERNAL_ERROR');
}

export const requestId = (): string => `req_${randomBytes(6).toString('hex')}`;

export class VisionError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
    readonly code: string = codeFor(status),
  ) {
    super(message);
  }
}

export function errorBody(status: number, message: string, details: Record<string, unknown> = {}, code = codeFor(status)): { error: { code: string; message: string; details: Record<string, unknown>; request_id: string } } {
  return { error: { code, message, details, request_id: requestId() } };
}

export interface FieldError {
  field: string;
  message: string;
  value?: unknown;
}

/** 422 with the seed's `details.errors[]`, each naming its field. */
export function validationError(errors: FieldError[], message = 'Request validation failed'): VisionError {
  return new VisionError(422, message, { errors });
}

/** 400 for a bad query parameter or path value: `details.field` / `details.reason` as in the seed's 400 example. */
export function invalidRequest(field: string, reason: string, message = `Invalid ${field}`, extra: Record<string, unknown> = {}): VisionError {
  return new VisionError(400, message, { field, reason, ...extra });
}

export const notFound = (what: string, id: string): VisionError => new VisionError(404, `${what} '${id}' not found`, { resource: what.toLowerCase(), id });
