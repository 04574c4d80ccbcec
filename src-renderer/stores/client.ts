import type { ContractClient } from '../../src-shared/contract';

let current: ContractClient | null = null;

/** Stores get their client by injection so tests can hand them a fake. */
export function provideClient(client: ContractClient): void {
  current = client;
}

export function useClient(): ContractClient {
  if (!current) throw new Error('no contract client provided (call provideClient first)');
  return current;
}
