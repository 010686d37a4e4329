import type { AppErrorShape, ErrorCode } from './contract/define';
import { say, type MessageCode, type MessageParams, type Said } from './messages';

/**
 * The one error type services throw; it crosses IPC as {code, message, details, messageCode?, messageParams?}.
 * `message` is English (CLI, logs); a message built with `say()` also carries its code and parameters so the UI
 * can show it in the creator's language.
 */
export class AppError extends Error {
  readonly messageCode?: MessageCode;
  readonly messageParams?: MessageParams;

  constructor(
    readonly code: ErrorCode,
    message: string | Said,
    readonly details?: Record<string, unknown>,
  ) {
    super(typeof message === 'string' ? message : message.message);
    this.name = 'AppError';
    if (typeof message !== 'string') {
      this.messageCode = message.messageCode;
      this.messageParams = message.messageParams;
    }
  }

  toShape(): AppErrorShape {
    const shape: AppErrorShape = { code: this.code, message: this.message };
    if (this.details) shape.details = this.details;
    if (this.messageCode) {
      shape.messageCode = this.messageCode;
      shape.messageParams = this.messageParams ?? {};
    }
    return shape;
  }

  static from(err: unknown): AppError {
    if (err instanceof AppError) return err;
    const e = err as ErrnoLike | undefined;
    if (e && typeof e === 'object' && typeof e.code === 'string' && /^(ENOSPC|EROFS|EACCES|EPERM|EEXIST|ENOTDIR|EISDIR|EMFILE)$/.test(e.code)) {
      return new AppError('IO_ERROR', ioMessage(e), { errno: e.code, path: e.path });
    }
    if (e && typeof e === 'object' && e.code === 'ENOENT') {
      return new AppError('NOT_FOUND', e.path ? say('error.file_not_found', { path: e.path }) : 'File not found:', { path: e.path });
    }
    return new AppError('INTERNAL', err instanceof Error ? err.message : String(err));
  }
}

interface ErrnoLike {
  code?: string;
  path?: string;
}

function ioMessage(e: ErrnoLike): Said {
  switch (e.code) {
    case 'ENOSPC':
      return say('error.disk_full', {});
    case 'EROFS':
    case 'EACCES':
    case 'EPERM':
      return e.path ? say('error.read_only', { path: e.path }) : say('error.read_only_folder', {});
    default:
      return say('error.file_system', { errno: e.code ?? '?', path: e.path ?? 'a file' });
  }
}
