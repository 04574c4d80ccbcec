import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ContractClient, EventName, EventPayload, RequestName } from '../../../src-shared/contract';
import type { RunDetail, RunSummary } from '../../../src-shared/models';
import { ClientError } from '../../../src-renderer/client/errors';
import { provideClient } from '../../../src-renderer/stores/client';
import { useRunsStore } from '../../../src-renderer/stores/runs';

const summary = (id: number, status: RunSummary['status'] = 'queued'): RunSummary => ({
  id,
  dataset: 'synth-mosi',
  method: 'lf-linear',
  seed: 1111,
  status,
  backend: null,
  epochsPlanned: 2,
  epochsDone: 0,
  createdAt: '2026-01-01T00:00:00Z',
  startedAt: null,
  finishedAt: null,
  error: null,
  outcome: null,
  headline: null,
});

/** A fake contract client: canned answers, recorded calls, and events pushed by the test. */
class FakeClient implements ContractClient {
  calls: { name: string; input: unknown }[] = [];
  runs: RunSummary[] = [];
  failStartWith: ClientError | null = null;
  private listeners = new Map<string, ((p: unknown) => void)[]>();

  async request<K extends RequestName>(name: K, input: unknown): Promise<never> {
    this.calls.push({ name, input });
    if (name === 'runs.list') return this.runs as never;
    if (name === 'runs.get') {
      const id = (input as { id: number }).id;
      return { ...summary(id), config: {}, configHash: 'h', codeVersion: 'c', datasetSha256: 's', host: 'x', epochs: [], evaluations: [], representations: [] } satisfies RunDetail as never;
    }
    if (name === 'runs.start') {
      if (this.failStartWith) throw this.failStartWith;
      const run = summary(this.runs.length + 1);
      this.runs = [run, ...this.runs];
      return run as never;
    }
    if (name === 'runs.cancel') return summary((input as { id: number }).id, 'cancelled') as never;
    throw new Error(`unexpected ${name}`);
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
}

let client: FakeClient;

beforeEach(() => {
  setActivePinia(createPinia());
  client = new FakeClient();
  provideClient(client);
});

describe('runs store', () => {
  it('starts a run, refreshes the list and selects it', async () => {
    const store = useRunsStore();
    const run = await store.start({ dataset: 'synth-mosi', method: 'lf-linear', seed: 1111 });
    expect(run?.id).toBe(1);
    expect(store.runs.map((r) => r.id)).toEqual([1]);
    expect(store.selectedId).toBe(1);
    expect(store.selected?.id).toBe(1);
    expect(client.calls.map((c) => c.name)).toEqual(['runs.start', 'runs.list', 'runs.get']);
  });

  it('keeps a typed server error with its field for the form', async () => {
    const store = useRunsStore();
    client.failStartWith = new ClientError({ code: 'invalid_input', message: 'config lr: Too big', field: 'config.lr' });
    expect(await store.start({ dataset: 'synth-mosi', method: 'lf-linear' })).toBeNull();
    expect(store.startError).toEqual({ message: 'config lr: Too big', field: 'config.lr' });
  });

  it('applies pushed progress, epochs and status changes', async () => {
    const store = useRunsStore();
    store.subscribe();
    await store.start({ dataset: 'synth-mosi', method: 'lf-linear' });
    client.push('run.progress', { runId: 1, phase: 'model', epoch: 1, epochs: 2, step: 5, steps: 10, losses: { total: 1.5 }, etaSeconds: 3 });
    expect(store.progress[1]?.step).toBe(5);
    expect(store.live[1]).toEqual([{ x: 0.5, phase: 'model', total: 1.5 }]);
    client.push('run.epoch', { runId: 1, phase: 'model', epoch: 1, train: { total: 1.4 }, valid: { total: 1.6 }, seconds: 0.2 });
    expect(store.selected?.epochs).toHaveLength(1);
    expect(store.runs[0]?.epochsDone).toBe(1);
    const before = client.calls.length;
    client.push('run.status', { runId: 1, status: 'finished', error: null });
    await Promise.resolve();
    expect(client.calls.slice(before).map((c) => c.name)).toEqual(['runs.list', 'runs.get']);
  });

  it('thins the live curve of a long run', async () => {
    const store = useRunsStore();
    store.subscribe();
    for (let i = 0; i < 2500; i++) client.push('run.progress', { runId: 9, phase: 'model', epoch: 1, epochs: 1, step: i + 1, steps: 2500, losses: { total: 1 }, etaSeconds: null });
    expect(store.live[9]).toHaveLength(2000);
  });
});
