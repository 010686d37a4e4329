/**
 * The network domain (the creator's side of the Kraken network, docs/contributor-protocol.md) wired from the
 * core's parts. core.ts calls `createNetwork` once, then `start()` to carry on with jobs a previous run left open.
 */
export { networkHandlers } from './handlers';
export { NetworkApi } from './network-api';
export { NetworkService, networkTask, toInferenceOutput, type NetworkServiceOptions } from './network-service';
export { openNetworkKit, type NetworkKit, type NetworkKitOptions } from './kit';
