/** IPC handlers of the compute domain (GPU sessions, seed 003): connection, user, status, quota, sessions. */
import type { ParsedRequestOf, ResponseOf } from '../../../common/contract';
import type { ChannelsOf, HandlerGroup } from '../../ipc/dispatch';

type C = ChannelsOf<'compute'>;
type Method<K extends C> = (req: ParsedRequestOf<K>) => Promise<ResponseOf<K>> | ResponseOf<K>;

/** What the handlers need: one method per channel (ComputeService implements them). */
export interface ComputeHandlerDeps {
  connection: Method<'compute.connection'>;
  setConnection: Method<'compute.setConnection'>;
  checkConnection: Method<'compute.checkConnection'>;
  user: Method<'compute.user'>;
  setUser: Method<'compute.setUser'>;
  register: Method<'compute.register'>;
  status: Method<'compute.status'>;
  quota: Method<'compute.quota'>;
  sessions: Method<'compute.sessions'>;
  run: Method<'compute.run'>;
  container: Method<'compute.container'>;
  extend: Method<'compute.extend'>;
  edit: Method<'compute.edit'>;
  stop: Method<'compute.stop'>;
  unregister: Method<'compute.unregister'>;
}

export function computeHandlers(d: ComputeHandlerDeps): HandlerGroup<C> {
  return {
    'compute.connection': (req) => d.connection(req),
    'compute.setConnection': (req) => d.setConnection(req),
    'compute.checkConnection': (req) => d.checkConnection(req),
    'compute.user': (req) => d.user(req),
    'compute.setUser': (req) => d.setUser(req),
    'compute.register': (req) => d.register(req),
    'compute.status': (req) => d.status(req),
    'compute.quota': (req) => d.quota(req),
    'compute.sessions': (req) => d.sessions(req),
    'compute.run': (req) => d.run(req),
    'compute.container': (req) => d.container(req),
    'compute.extend': (req) => d.extend(req),
    'compute.edit': (req) => d.edit(req),
    'compute.stop': (req) => d.stop(req),
    'compute.unregister': (req) => d.unregister(req),
  };
}
