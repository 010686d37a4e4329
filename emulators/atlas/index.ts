/** The local Atlas emulator (seed 000). See CONTRACT.md for every endpoint and every reading of the seed. */
export { startAtlasEmulator, type AtlasEmulator, type AtlasEmulatorOptions, type CreateUserInput, type EmulatorItem } from './emulator';
export type { FaultRule } from '../base/faults';
export type { SentMail } from '../base/mailbox';
export type { RequestRecord } from '../base/http';
export { MODELS, type ModelKey } from './models';
