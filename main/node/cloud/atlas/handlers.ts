/** IPC handlers of the cloud domain: connection, Atlas account, 3D jobs, My items, outbox. */
import type { CloudConnection, CloudOutboxEntry, CloudReachability, CloudService } from '../../../common/contract';
import type { ChannelsOf, HandlerGroup } from '../../ipc/dispatch';
import type { AtlasService } from './atlas-service';
import type { AtlasSession } from './session';

export interface AtlasHandlerDeps {
  atlas: AtlasService;
  session: AtlasSession;
  connection: {
    get(service: CloudService): CloudConnection;
    set(service: CloudService, baseUrl: string | null): CloudConnection;
    check(service: CloudService): Promise<CloudReachability>;
  };
  outbox: () => Promise<CloudOutboxEntry[]> | CloudOutboxEntry[];
  /** After a sign-in: jobs stopped by an ended session continue. */
  onSignedIn?: () => void;
}

export function atlasHandlers(d: AtlasHandlerDeps): HandlerGroup<ChannelsOf<'cloud'>> {
  return {
    'cloud.connection': (req) => d.connection.get(req.service),
    'cloud.setConnection': (req) => d.connection.set(req.service, req.baseUrl),
    'cloud.checkConnection': (req) => d.connection.check(req.service),
    'cloud.signUp': (req) => d.session.signUp(req),
    'cloud.signIn': async (req) => {
      const account = await d.session.signIn(req);
      d.onSignedIn?.();
      return account;
    },
    'cloud.signOut': () => d.session.signOut(),
    'cloud.account': (req) => d.session.account(req.refresh),
    'cloud.resendConfirmation': (req) => d.session.resendConfirmation(req.email),
    'cloud.resetPassword': (req) => d.session.resetPassword(req.email),
    'cloud.changePassword': (req) => d.session.changePassword(req.password),
    'cloud.deleteAccount': (req) => d.session.deleteAccount(req.confirmEmail),
    'cloud.submit': (req) => d.atlas.submit(req),
    'cloud.jobs': (req) => d.atlas.list(req),
    'cloud.job': (req) => d.atlas.get(req.id),
    'cloud.retryJob': (req) => d.atlas.retry(req.id),
    'cloud.cancelJob': (req) => d.atlas.cancel(req.id),
    'cloud.myItems': (req) => d.atlas.myItems(req),
    'cloud.itemDetail': (req) => d.atlas.itemDetail(req.requestId),
    'cloud.deleteItem': (req) => d.atlas.deleteItem(req.requestId),
    'cloud.itemFile': (req) => d.atlas.itemFile(req.requestId, req.type),
    'cloud.outbox': () => d.outbox(),
  };
}
