/**
 * Typed failures of the viewer's parsers. The worker sends `code` across the thread boundary and the page
 * turns it into a translated sentence (`viewer:errors.<code>`), so the code set is part of the UI contract.
 */
export const viewerErrorCodes = [
  'unknown-format', // neither the name nor the first bytes say what the file is
  'truncated', // the file ends before the data its header announces
  'header-mismatch', // the body disagrees with the header (row width, index out of range, chunk sizes)
  'malformed', // syntax the format does not allow
  'unsupported', // a valid file using a feature the viewer does not read
  'empty', // nothing to show
  'read-failed', // the bytes could not be read or fetched
] as const;
export type ViewerErrorCode = (typeof viewerErrorCodes)[number];

export class ViewerFormatError extends Error {
  override name = 'ViewerFormatError';
  constructor(
    readonly code: ViewerErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isViewerErrorCode(x: unknown): x is ViewerErrorCode {
  return typeof x === 'string' && (viewerErrorCodes as readonly string[]).includes(x);
}

/** Any thrown value as a code + message pair (foreign errors from three's loaders become `malformed`). */
export function toViewerError(err: unknown): { code: ViewerErrorCode; message: string } {
  if (err instanceof ViewerFormatError) return { code: err.code, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'malformed', message };
}
