import type { ContractClient, EventName, EventPayload, RequestName, RequestOutput } from '../../../src-shared/contract';

type Handler = (input: unknown) => unknown;

/** A contract client for store tests: canned handlers per operation, recorded calls, pushed events. */
export class FakeClient implements ContractClient {
  calls: { name: string; input: unknown }[] = [];
  private handlers = new Map<string, Handler>();
  private listeners = new Map<string, ((p: unknown) => void)[]>();

  handle<K extends RequestName>(name: K, handler: (input: never) => RequestOutput<K> | Promise<RequestOutput<K>>): this {
    this.handlers.set(name, handler as Handler);
    return this;
  }

  async request<K extends RequestName>(name: K, input: unknown): Promise<never> {
    this.calls.push({ name, input });
    const h = this.handlers.get(name);
    if (!h) throw new Error(`unexpected ${name}`);
    return (await h(input)) as never;
  }

  on<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): () => void {
    const list = this.listeners.get(name) ?? [];
    list.push(listener as (p: unknown) => void);
    this.listeners.set(name, list);
    return () => undefined;
  }

  push<K extends EventName>(name: K, payload: EventPayload<K>): void {
    for (const l of this.listeners.get(name) ?? []) l(payload);
  }

  names(): string[] {
    return this.calls.map((c) => c.name);
  }
}
