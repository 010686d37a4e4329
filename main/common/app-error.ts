import type { AppErrorShape, ErrorCode } from './contract/define';

/** The one error type services throw; it crosses IPC as {code, message, details}. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }

  toShape(): AppErrorShape {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }

  static from(err: unknown): AppError {
    if (err instanceof AppError) return err;
    const e = err as ErrnoLike | undefined;
    if (e && typeof e === 'object' && typeof e.code === 'string' && /^(ENOSPC|EROFS|EACCES|EPERM|EEXIST|ENOTDIR|EISDIR|EMFILE)$/.test(e.code)) {
      return new AppError('IO_ERROR', ioMessage(e), { errno: e.code, path: e.path });
    }
    if (e && typeof e === 'object' && e.code === 'ENOENT') {
      return new AppError('NOT_FOUND', `File not found: ${e.path ?? ''}`.trim(), { path: e.path });
    }
    return new AppError('INTERNAL', err instanceof Error ? err.message : String(err));
  }
}

interface ErrnoLike {
  code?: string;
  path?: string;
}

function ioMessage(e: ErrnoLike): string {
  switch (e.code) {
    case 'ENOSPC':
      return 'The disk is full. Free some space and try again.';
    case 'EROFS':
    case 'EACCES':
    case 'EPERM':
      return `Cannot write to ${e.path ?? 'the folder'}: it is read-only or access is denied. Choose another folder.`;
    default:
      return `File system error ${e.code} on ${e.path ?? 'a file'}.`;
  }
}
