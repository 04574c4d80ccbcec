import type { ContractError, ResponseEnvelope } from '../../src-shared/contract';

/** A typed failure from the services; `field` tells a form where to show it. */
export class ClientError extends Error {
  constructor(readonly error: ContractError) {
    super(error.message);
    this.name = 'ClientError';
  }
}

export function unwrap(envelope: ResponseEnvelope): unknown {
  if (envelope.ok) return envelope.output;
  throw new ClientError(envelope.error);
}
