/**
 * Electron's side of the IPC contract: every channel is registered with `ipcMain.handle` and goes through the
 * core's dispatcher (sender check, then zod parse, then the service). Core events are pushed to our windows.
 * Only types come from `electron`; `ipcMain` and the window list are passed in, so this is tested under Node.
 */
import type { BrowserWindow, IpcMain, IpcMainInvokeEvent, WebFrameMain } from 'electron';
import { channelNames, type Channel, type EventName } from '../common/contract';
import type { Core } from '../node/core';
import { createDispatcher, type Caller } from '../node/ipc/dispatch';
import { EVENT_CHANNEL } from './ipc-channels';
import { isTrustedAppUrl, TRUSTED_ORIGIN } from './security';

export { EVENT_CHANNEL };

/** Who called, as the dispatcher wants it: the frame's origin and whether it is the top-level frame. */
export function callerOfFrame(frame: Pick<WebFrameMain, 'origin' | 'parent'> | null | undefined): Caller {
  // A frame that navigated away or was destroyed mid-call has no origin we can trust.
  if (!frame) return { origin: '', isMainFrame: false };
  return { origin: frame.origin, isMainFrame: frame.parent === null };
}

export interface IpcRegistration {
  /** Removes every handler and stops forwarding events. */
  dispose(): void;
}

export interface RegisterIpcOptions {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  /** The windows events go to (BrowserWindow.getAllWindows in the app). */
  windows: () => BrowserWindow[];
  channels?: readonly Channel[];
  log?: (message: string) => void;
}

/** Registers every contract channel and forwards core events; returns how to undo it. */
export function registerIpc(core: Pick<Core, 'handlers' | 'bus'>, options: RegisterIpcOptions): IpcRegistration {
  const channels = options.channels ?? channelNames;
  const dispatch = createDispatcher(core.handlers, {
    trustedOrigins: [TRUSTED_ORIGIN],
    onError: (channel, err) => {
      if (err.code === 'INTERNAL') options.log?.(`[ipc] ${channel}: ${err.message}`);
    },
  });
  for (const channel of channels) {
    options.ipcMain.handle(channel, (event: IpcMainInvokeEvent, payload: unknown) => dispatch(channel, payload, callerOfFrame(event.senderFrame)));
  }
  const stopForwarding = core.bus.onAny((name: EventName, payload: unknown) => {
    for (const win of options.windows()) {
      if (win.isDestroyed()) continue;
      const contents = win.webContents;
      // Events carry project data: only a window that still shows our renderer receives them.
      if (contents.isDestroyed() || !isTrustedAppUrl(contents.getURL())) continue;
      contents.send(EVENT_CHANNEL, { name, payload });
    }
  });
  return {
    dispose() {
      stopForwarding();
      for (const channel of channels) options.ipcMain.removeHandler(channel);
    },
  };
}
