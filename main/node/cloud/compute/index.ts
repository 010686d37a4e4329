/**
 * The compute domain (GPU sessions, seed 003) wired from the core's parts. core.ts calls `createCompute` once.
 * (First slice: the contract is in place; the service lands next — until then every call says so.)
 */
import { AppError } from '../../../common/app-error';
import type { ComputeHandlerDeps } from './handlers';

export { computeHandlers } from './handlers';

export interface Compute {
  handlerDeps: ComputeHandlerDeps;
  close(): void;
}

export function createCompute(): Compute {
  const notYet = () => {
    throw new AppError('UNSUPPORTED', 'GPU sessions are not available in this build yet.');
  };
  const handlerDeps: ComputeHandlerDeps = {
    connection: notYet,
    setConnection: notYet,
    checkConnection: notYet,
    user: notYet,
    setUser: notYet,
    register: notYet,
    status: notYet,
    quota: notYet,
    sessions: notYet,
    run: notYet,
    container: notYet,
    extend: notYet,
    edit: notYet,
    stop: notYet,
    unregister: notYet,
  };
  return { handlerDeps, close: () => undefined };
}
