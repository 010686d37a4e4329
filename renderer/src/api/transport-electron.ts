/**
 * The Electron transport: the preload exposes `window.kraken[domain][verb](payload) → Promise<Envelope>`
 * (named actions built from the contract) and `window.kraken.events.on(name, cb) → unsubscribe`.
 */
import type { Transport } from '../../../main/common/api-client';
import { eventNames, type Envelope, type EventName } from '../../../main/common/contract';

type Action = (payload: unknown) => Promise<Envelope<unknown>>;

export interface KrakenBridge {
  [domain: string]: unknown;
  events: { on(name: EventName, listener: (payload: unknown) => void): () => void };
}

export function createElectronTransport(bridge: KrakenBridge): Transport {
  return {
    async call(channel, payload) {
      const [domain, verb] = channel.split('.') as [string, string];
      const action = (bridge[domain] as Record<string, Action> | undefined)?.[verb];
      if (typeof action !== 'function') {
        return { ok: false, error: { code: 'UNSUPPORTED', message: `The desktop shell does not offer ${channel}.` } };
      }
      try {
        return await action(payload);
      } catch (err) {
        return { ok: false, error: { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) } };
      }
    },
    subscribe(listener) {
      const offs = eventNames.map((name) => bridge.events.on(name, (payload) => listener(name, payload)));
      return () => offs.forEach((off) => off());
    },
  };
}
