/**
 * Builds the object the preload exposes as `window.kraken`: one named function per contract channel
 * (`kraken.projects.create(payload)` → the Envelope the main process sent), `kraken.events.on(name, cb)`
 * for contract events only, and `kraken.files.pathFor(file)` for drag-and-drop. Pure (no electron import),
 * so it is unit-tested under Node; preload/index.ts wires it to ipcRenderer.
 */

export type Invoke = (channel: string, payload: unknown) => Promise<unknown>;
/** Registers one raw listener for the event channel; returns how to remove it. */
export type Subscribe = (listener: (message: unknown) => void) => () => void;

export interface PreloadApiDeps {
  channels: readonly string[];
  eventNames: readonly string[];
  invoke: Invoke;
  subscribe: Subscribe;
  /** webUtils.getPathForFile: the real path of a dropped File ('' when it has none). */
  pathForFile: (file: unknown) => string;
}

type Listener = (payload: unknown) => void;

/** Names the bridge itself uses; a contract domain with one of these names would shadow it. */
const RESERVED = new Set(['events', 'files']);

/** The exposed API: frozen, with nothing on it that is not a contract channel, an event or `files.pathFor`. */
export function buildPreloadApi(deps: PreloadApiDeps): Record<string, Readonly<Record<string, (...args: never[]) => unknown>>> {
  // Plain objects (not null-prototype): contextBridge copies plain objects and functions faithfully.
  const api: Record<string, Record<string, (...args: never[]) => unknown>> = {};
  for (const channel of deps.channels) {
    const m = /^([a-z][a-zA-Z0-9]*)\.([a-z][a-zA-Z0-9]*)$/.exec(channel);
    if (!m) throw new Error(`Contract channel "${channel}" is not domain.verb`);
    const [, domain, verb] = m as unknown as [string, string, string];
    if (RESERVED.has(domain)) throw new Error(`Contract domain "${domain}" clashes with the bridge's own ${domain} object`);
    if (!Object.hasOwn(api, domain)) api[domain] = {};
    const group = api[domain]!;
    // Calls without an argument send {} (as api-client does), so `Empty` requests parse.
    group[verb] = (payload?: unknown) => deps.invoke(channel, payload === undefined ? {} : payload);
  }

  // One ipcRenderer listener for all subscribers, added on first use, dispatching by event name.
  const known = new Set(deps.eventNames);
  const listeners = new Map<string, Set<Listener>>();
  let subscribed = false;
  const dispatch = (message: unknown) => {
    if (typeof message !== 'object' || message === null) return;
    const { name, payload } = message as { name?: unknown; payload?: unknown };
    if (typeof name !== 'string' || !known.has(name)) return;
    for (const listener of [...(listeners.get(name) ?? [])]) {
      try {
        listener(payload);
      } catch (err) {
        // One failing page listener must not starve the others.
        console.error(`kraken.events: a listener for ${name} threw`, err);
      }
    }
  };

  api.events = {
    on: (name: string, listener: Listener) => {
      if (!known.has(name)) throw new TypeError(`Unknown event "${String(name)}"`);
      if (typeof listener !== 'function') throw new TypeError('The listener must be a function');
      if (!subscribed) {
        deps.subscribe(dispatch);
        subscribed = true;
      }
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      // Wrapped so the same function subscribed twice gets two independent unsubscribe handles.
      const entry: Listener = (payload) => listener(payload);
      set.add(entry);
      return () => {
        set.delete(entry);
      };
    },
  };

  api.files = {
    pathFor: (file: unknown) => {
      try {
        const p = deps.pathForFile(file);
        return typeof p === 'string' ? p : '';
      } catch {
        // Not a File (or one without a path, e.g. built in memory): the renderer falls back to an upload.
        return '';
      }
    },
  };

  for (const group of Object.values(api)) Object.freeze(group);
  return Object.freeze(api);
}
