/** IPC handlers of the contributor domain: status, opt-in/out, policy, pause/finish/resume, ledger, viewer sessions. */
import type { ParsedRequestOf, ResponseOf } from '../../common/contract';
import type { ChannelsOf, HandlerGroup } from '../ipc/dispatch';

type C = ChannelsOf<'contributor'>;
type Method<K extends C> = (req: ParsedRequestOf<K>) => Promise<ResponseOf<K>> | ResponseOf<K>;

/** What the handlers need: one method per channel (ContributorService implements them). */
export interface ContributorHandlerDeps {
  status: Method<'contributor.status'>;
  optIn: Method<'contributor.optIn'>;
  optOut: Method<'contributor.optOut'>;
  policy: Method<'contributor.policy'>;
  setPolicy: Method<'contributor.setPolicy'>;
  pauseNow: Method<'contributor.pauseNow'>;
  finishThenStop: Method<'contributor.finishThenStop'>;
  resume: Method<'contributor.resume'>;
  ledger: Method<'contributor.ledger'>;
  viewerSessionStart: Method<'contributor.viewerSessionStart'>;
  viewerSessionStop: Method<'contributor.viewerSessionStop'>;
}

export function contributorHandlers(d: ContributorHandlerDeps): HandlerGroup<C> {
  return {
    'contributor.status': (req) => d.status(req),
    'contributor.optIn': (req) => d.optIn(req),
    'contributor.optOut': (req) => d.optOut(req),
    'contributor.policy': (req) => d.policy(req),
    'contributor.setPolicy': (req) => d.setPolicy(req),
    'contributor.pauseNow': (req) => d.pauseNow(req),
    'contributor.finishThenStop': (req) => d.finishThenStop(req),
    'contributor.resume': (req) => d.resume(req),
    'contributor.ledger': (req) => d.ledger(req),
    'contributor.viewerSessionStart': (req) => d.viewerSessionStart(req),
    'contributor.viewerSessionStop': (req) => d.viewerSessionStop(req),
  };
}
