/** The local Solana emulator (seed 002). See CONTRACT.md for every endpoint and every reading of the seed. */
export { startSolanaEmulator, solanaUnavailable, SendError, type SolanaEmulator, type SolanaEmulatorOptions } from './emulator';
export { ENDPOINTS, API_BASE, RPC_PATH } from './routes';
export { MODEL_PROGRAM_ID, MIN_SUBSCRIPTION_LAMPORTS, modelPda, type ModelView } from './service';
export type { TxRow } from './store';
export type { FaultRule } from '../base/faults';
export type { RequestRecord } from '../base/http';
