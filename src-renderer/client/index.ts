import type { ContractClient } from '../../src-shared/contract';
import { ClientError } from './errors';
import { ipcClient } from './ipc-client';
import { wsClient } from './ws-client';

const WHERE_THE_URL_IS = 'open the URL that “npm start” or “hrlf serve” printed (http://127.0.0.1:<port>/?token=…); a new token is made at every start';

/** Every request fails with one message: the page cannot talk to the server at all. */
function refusingClient(message: string): ContractClient {
  return {
    request: () => Promise.reject(new ClientError({ code: 'forbidden', message })),
    on: () => () => undefined,
  };
}

/** Electron: the preload bridge. Browser mode: the WebSocket of the page's own origin, with its token. */
export function createClient(): ContractClient {
  if (window.api) return ipcClient(window.api);
  const token = new URLSearchParams(window.location.search).get('token') ?? '';
  if (token === '') return refusingClient(`This page has no access token in its address: ${WHERE_THE_URL_IS}.`);
  return wsClient(`ws://${window.location.host}/ws?token=${encodeURIComponent(token)}`, {
    unreachable: `Cannot reach the workbench server at ${window.location.host}, or it refused this page's token (one from an earlier start?): check that it runs and ${WHERE_THE_URL_IS}.`,
  });
}

export const CLIENT_KEY = Symbol('contract-client');
