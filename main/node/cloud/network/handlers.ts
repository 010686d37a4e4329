/** IPC handlers of the network domain (the creator's side of the Kraken network): submit, jobs, job, cancel, account. */
import type { ChannelsOf, HandlerGroup } from '../../ipc/dispatch';
import type { NetworkService } from './network-service';

type C = ChannelsOf<'network'>;

export function networkHandlers(s: NetworkService): HandlerGroup<C> {
  return {
    'network.submit': (req) => s.submit(req),
    'network.jobs': (req) => s.jobs(req),
    'network.job': (req) => s.job(req),
    'network.cancel': (req) => s.cancel(req),
    'network.account': () => s.account(),
  };
}
