/**
 * The renderer's one door to the studio: `api.domain.verb(req)` from the contract, over Electron's preload
 * bridge when it exists, else over the browser host's WebSocket.
 */
import { create } from 'zustand';
import { buildApi, RemoteError, type Transport } from '../../../main/common/api-client';
import { createElectronTransport, type KrakenBridge } from './transport-electron';
import { createWsTransport, ipcUrl, type ConnectionStatus } from './transport-ws';

export { RemoteError };
export { fileUrl, thumbWidthFor } from './file-url';
export type { ConnectionStatus };

interface ConnectionState {
  status: ConnectionStatus;
  /** Bumped after each reconnect so views reload what they may have missed. */
  generation: number;
}

export const useConnection = create<ConnectionState>(() => ({ status: 'connecting', generation: 0 }));

function pickTransport(): Transport {
  const bridge = (window as unknown as { kraken?: KrakenBridge }).kraken;
  if (bridge) {
    useConnection.setState({ status: 'open' });
    return createElectronTransport(bridge);
  }
  // The session rides on the page's path and its path-scoped cookie (see the host): no token in the page.
  return createWsTransport({
    url: ipcUrl(location),
    onStatus: (status, reconnected) =>
      useConnection.setState((s) => ({ status, generation: reconnected ? s.generation + 1 : s.generation })),
  });
}

export const api = buildApi(pickTransport());

/** True in the browser host, where files must be uploaded because the page cannot see paths. */
export function isBrowserHost(): boolean {
  return !(window as unknown as { kraken?: unknown }).kraken;
}
