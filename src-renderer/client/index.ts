import type { ContractClient } from '../../src-shared/contract';
import { ipcClient } from './ipc-client';
import { wsClient } from './ws-client';

/** Electron: the preload bridge. Browser mode: the WebSocket of the page's own origin, with its token. */
export function createClient(): ContractClient {
  if (window.api) return ipcClient(window.api);
  const token = new URLSearchParams(window.location.search).get('token') ?? '';
  return wsClient(`ws://${window.location.host}/ws?token=${encodeURIComponent(token)}`);
}

export const CLIENT_KEY = Symbol('contract-client');
