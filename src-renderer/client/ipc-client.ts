import type { ContractClient, ResponseEnvelope } from '../../src-shared/contract';
import { unwrap } from './errors';

/** The contract over Electron IPC, through the preload's narrow bridge. */
export function ipcClient(api: NonNullable<Window['api']>): ContractClient {
  return {
    request: async (name, input) => unwrap((await api.request(name, input)) as ResponseEnvelope) as never,
    on: (name, listener) => api.on(name, listener as (p: unknown) => void),
  };
}
