/** IPC handlers of the cloud domain (Atlas). Until the Atlas services are wired every channel says so. */
import { AppError } from '../../../common/app-error';
import type { ChannelsOf, HandlerGroup } from '../../ipc/dispatch';

export function atlasHandlers(): HandlerGroup<ChannelsOf<'cloud'>> {
  const later = () => {
    throw new AppError('UNSUPPORTED', 'The Kraken cloud is not wired in this build yet');
  };
  return {
    'cloud.connection': later,
    'cloud.setConnection': later,
    'cloud.checkConnection': later,
    'cloud.signUp': later,
    'cloud.signIn': later,
    'cloud.signOut': later,
    'cloud.account': later,
    'cloud.resendConfirmation': later,
    'cloud.resetPassword': later,
    'cloud.changePassword': later,
    'cloud.deleteAccount': later,
    'cloud.submit': later,
    'cloud.jobs': later,
    'cloud.job': later,
    'cloud.retryJob': later,
    'cloud.cancelJob': later,
    'cloud.myItems': later,
    'cloud.itemDetail': later,
    'cloud.deleteItem': later,
    'cloud.itemFile': later,
    'cloud.outbox': later,
  };
}
