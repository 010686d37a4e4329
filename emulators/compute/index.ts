/** The local compute-container emulator (seed 003). See CONTRACT.md for every endpoint and every reading of the seed. */
export { startComputeEmulator, DEFAULT_FAIL_MESSAGE, type ComputeEmulator, type ComputeEmulatorOptions, type EmulatorContainer } from './emulator';
export { ENDPOINTS } from './routes';
export type { ComputeSettings, ContainerView, CreationDelays, Quota, SeedStatus, UserStatusView } from './service';
export type { ClusterId } from './store';
export type { FaultRule } from '../base/faults';
export type { RequestRecord } from '../base/http';
