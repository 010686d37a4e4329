/**
 * Turns a transport (Electron preload or the browser host's socket) into the named-action API
 * the renderer uses. Errors come back as RemoteError with the service's code.
 */
import { channelNames, type AppErrorShape, type Channel, type Envelope, type EventName, type KrakenApi } from './contract';

export interface Transport {
  call(channel: Channel, payload: unknown): Promise<Envelope<unknown>>;
  subscribe(listener: (name: EventName, payload: unknown) => void): () => void;
}

export class RemoteError extends Error {
  readonly code: AppErrorShape['code'];
  readonly details: Record<string, unknown> | undefined;
  /** The sentence's code and parameters (main/common/messages.ts), for the UI to translate; `message` is its English. */
  readonly messageCode: string | undefined;
  readonly messageParams: Record<string, string | number> | undefined;
  constructor(shape: AppErrorShape) {
    super(shape.message);
    this.name = 'RemoteError';
    this.code = shape.code;
    this.details = shape.details;
    this.messageCode = shape.messageCode;
    this.messageParams = shape.messageParams;
  }
}

/** Builds `api.domain.verb(req)` for every channel of the contract. */
export function buildApi(transport: Transport): KrakenApi {
  const api: Record<string, Record<string, unknown>> = {};
  for (const name of channelNames) {
    const [domain, verb] = name.split('.') as [string, string];
    const group = (api[domain] ??= {});
    group[verb] = async (req: unknown) => {
      const env = await transport.call(name, req ?? {});
      if (!env.ok) throw new RemoteError(env.error);
      return env.value;
    };
  }
  const listeners = new Map<EventName, Set<(p: unknown) => void>>();
  transport.subscribe((name, payload) => listeners.get(name)?.forEach((l) => l(payload)));
  api.events = {
    on(name: EventName, listener: (p: unknown) => void) {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
  };
  return api as unknown as KrakenApi;
}
