import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { RunDetail, RunSummary } from '../../../src-shared/models';
import { ClientError } from '../../../src-renderer/client/errors';
import { provideClient } from '../../../src-renderer/stores/client';
import { useRunsStore } from '../../../src-renderer/stores/runs';
import { FakeClient } from './fake-client';

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

/** The runs store's server: runs.start appends a run, runs.list lists them; `failStartWith` makes start fail. */
function runsServer(): { client: FakeClient; failStartWith: { error: ClientError | null } } {
  const state = { runs: [] as RunSummary[], failStartWith: { error: null as ClientError | null } };
  const client = new FakeClient()
    .handle('runs.list', () => state.runs)
    .handle('runs.get', (input: { id: number }) => ({
      ...summary(input.id),
      config: {},
      configHash: 'h',
      codeVersion: 'c',
      datasetSha256: 's',
      host: 'x',
      epochs: [],
      evaluations: [],
      representations: [],
    }) satisfies RunDetail)
    .handle('runs.start', () => {
      if (state.failStartWith.error) throw state.failStartWith.error;
      const run = summary(state.runs.length + 1);
      state.runs = [run, ...state.runs];
      return run;
    })
    .handle('runs.cancel', (input: { id: number }) => summary(input.id, 'cancelled'));
  return { client, failStartWith: state.failStartWith };
}

let client: FakeClient;
let server: ReturnType<typeof runsServer>;

beforeEach(() => {
  setActivePinia(createPinia());
  server = runsServer();
  client = server.client;
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
    server.failStartWith.error = new ClientError({ code: 'invalid_input', message: 'config lr: Too big', field: 'config.lr' });
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
