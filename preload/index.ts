/**
 * The preload: exposes `window.kraken` — named actions built from the IPC contract, contract events and
 * `files.pathFor` — and nothing else (never ipcRenderer, a generic invoke/send, or process).
 * Sandboxed preloads cannot require local files, so scripts/bundle-preload.mjs bundles this file.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { channelNames, eventNames } from '../main/common/contract';
import { EVENT_CHANNEL } from '../main/electron-main/ipc-channels';
import { buildPreloadApi } from './preload-api';

const api = buildPreloadApi({
  channels: channelNames,
  eventNames,
  invoke: (channel, payload) => ipcRenderer.invoke(channel, payload),
  subscribe: (listener) => {
    // The IpcRendererEvent (it has `sender`, i.e. ipcRenderer) is dropped here and never reaches the page.
    const wrapped = (_event: Electron.IpcRendererEvent, message: unknown) => listener(message);
    ipcRenderer.on(EVENT_CHANNEL, wrapped);
    return () => ipcRenderer.removeListener(EVENT_CHANNEL, wrapped);
  },
  // No instanceof check: a File crossing contextBridge may not be an instance of this world's File.
  pathForFile: (file) => webUtils.getPathForFile(file as File),
});

contextBridge.exposeInMainWorld('kraken', api);
