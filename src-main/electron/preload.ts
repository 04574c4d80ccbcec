/**
 * The narrow bridge: `window.api.request(name, input)` and `window.api.on(event, listener)`, for the
 * contract's names only. The renderer never sees ipcRenderer.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_NAMES, REQUEST_NAMES } from '../../src-shared/contract';

const requests = new Set<string>(REQUEST_NAMES);
const events = new Set<string>(EVENT_NAMES);

contextBridge.exposeInMainWorld('api', {
  request(name: string, input: unknown): Promise<unknown> {
    if (!requests.has(name)) return Promise.reject(new Error(`unknown operation '${name}'`));
    return ipcRenderer.invoke('hrlf:request', name, input);
  },
  on(name: string, listener: (payload: unknown) => void): () => void {
    if (!events.has(name)) throw new Error(`unknown event '${name}'`);
    const handler = (_e: IpcRendererEvent, event: string, payload: unknown): void => {
      if (event === name) listener(payload);
    };
    ipcRenderer.on('hrlf:event', handler);
    return () => ipcRenderer.off('hrlf:event', handler);
  },
});
