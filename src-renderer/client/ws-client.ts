import type { ContractClient, ContractError, EventName } from '../../src-shared/contract';
import { ClientError } from './errors';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

/**
 * The contract over the browser mode's WebSocket. Requests made before the socket opens wait for it;
 * a lost connection fails the pending requests with a clear error and reconnects.
 */
export function wsClient(url: string, messages: { unreachable: string } = { unreachable: 'cannot reach the workbench server' }): ContractClient {
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let nextId = 1;
  let socket: WebSocket;
  let opened: Promise<void>;

  const connect = (): void => {
    socket = new WebSocket(url);
    opened = new Promise((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      // The browser does not tell a refused token (HTTP 401 on the upgrade) from a server that is down.
      socket.addEventListener('error', () => reject(new Error(messages.unreachable)), { once: true });
    });
    opened.catch(() => undefined);
    socket.addEventListener('message', (ev) => {
      const msg = JSON.parse(String(ev.data)) as { id?: number; ok?: boolean; output?: unknown; error?: ContractError; event?: string; payload?: unknown };
      if (msg.event) {
        listeners.get(msg.event)?.forEach((l) => l(msg.payload));
        return;
      }
      const p = msg.id !== undefined ? pending.get(msg.id) : undefined;
      if (!p || msg.id === undefined) return;
      pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.output);
      else p.reject(new ClientError(msg.error ?? { code: 'internal', message: 'malformed response' }));
    });
    socket.addEventListener('close', () => {
      for (const p of pending.values()) p.reject(new ClientError({ code: 'internal', message: 'connection to the workbench server was lost' }));
      pending.clear();
      setTimeout(connect, 1000);
    });
  };
  connect();

  return {
    async request(name, input) {
      await opened;
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        socket.send(JSON.stringify({ id, op: name, input }));
      }) as never;
    },
    on(name: EventName, listener) {
      const set = listeners.get(name) ?? new Set();
      set.add(listener as (p: unknown) => void);
      listeners.set(name, set);
      return () => set.delete(listener as (p: unknown) => void);
    },
  };
}
