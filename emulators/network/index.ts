/** The local Kraken network emulator (contributor protocol v1). See CONTRACT.md; a reference for tests and demos, not the product. */
export { startNetworkEmulator, type EmulatorJob, type EmulatorLease, type EmulatorNode, type EmulatorReplica, type NetworkEmulator, type NetworkEmulatorOptions } from './emulator';
export { DEFAULT_SETTINGS, type NetworkSettings } from './service';
export type { FaultRule } from '../base/faults';
export type { RequestRecord } from '../base/http';
