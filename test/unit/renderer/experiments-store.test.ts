import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { QueueState, RunDetail, RunSummary } from '../../../src-shared/models';
import type { ExperimentDetail, ExperimentSummary } from '../../../src-shared/results/types';
import { ClientError } from '../../../src-renderer/client/errors';
import { provideClient } from '../../../src-renderer/stores/client';
import { useExperimentsStore } from '../../../src-renderer/stores/experiments';
import { FakeClient } from './fake-client';

const summary = (id: number): ExperimentSummary => ({
  id,
  name: `exp ${id}`,
  createdAt: '2026-01-01T00:00:00Z',
  scenario: 'paper',
  methods: ['hrlf'],
  datasets: ['synth-mosi'],
  seeds: [1111, 1112],
  variants: [],
  table: null,
  reference: null,
  counts: { total: 2, queued: 2, running: 0, finished: 0, failed: 0, cancelled: 0 },
});

const detail = (id: number): ExperimentDetail =>
  ({
    ...summary(id),
    grid: { warnings: [] },
    runs: [
      { id: 1, dataset: 'synth-mosi', method: 'hrlf', variant: '', seed: 1111, status: 'running', epochsDone: 0, epochsPlanned: 4, error: null },
      { id: 2, dataset: 'synth-mosi', method: 'hrlf', variant: '', seed: 1112, status: 'queued', epochsDone: 0, epochsPlanned: 4, error: null },
    ],
  }) as unknown as ExperimentDetail;

const queue: QueueState = { paused: false, running: 1, queued: 1, concurrency: 2 };

let client: FakeClient;
let experiments: ExperimentSummary[];

beforeEach(() => {
  setActivePinia(createPinia());
  experiments = [];
  client = new FakeClient()
    .handle('experiments.list', () => experiments)
    .handle('queue.state', () => queue)
    .handle('experiments.get', (i: { id: number }) => detail(i.id))
    .handle('experiments.create', () => {
      experiments = [summary(1)];
      return detail(1);
    })
    .handle('queue.pause', () => ({ ...queue, paused: true }))
    .handle('runs.retry', () => {
      throw new ClientError({ code: 'conflict', message: 'run 1 is running; only failed or cancelled runs can be retried', field: 'id' });
    });
  provideClient(client);
});

afterEach(() => {
  vi.useRealTimers();
});

describe('experiments store', () => {
  it('creates an experiment, selects it and refreshes the list and queue', async () => {
    const store = useExperimentsStore();
    const created = await store.create({ methods: ['hrlf'], datasets: ['synth-mosi'], seeds: [1111, 1112] });
    expect(created?.id).toBe(1);
    expect(store.selectedId).toBe(1);
    expect(store.detail?.runs).toHaveLength(2);
    expect(store.list.map((e) => e.id)).toEqual([1]);
    expect(store.queue?.concurrency).toBe(2);
    expect(client.names()).toEqual(['experiments.create', 'experiments.list', 'queue.state', 'experiments.get']);
  });

  it('keeps the server error and its field for the builder', async () => {
    client.handle('experiments.create', () => {
      throw new ClientError({ code: 'invalid_input', message: "variant 'lr=x': lr: expected number", field: 'config.lr' });
    });
    const store = useExperimentsStore();
    expect(await store.create({ methods: ['hrlf'], datasets: ['synth-mosi'] })).toBeNull();
    expect(store.createError).toEqual({ message: "variant 'lr=x': lr: expected number", field: 'config.lr' });
    expect(store.creating).toBe(false);
  });

  it('refreshes once per burst of status events', async () => {
    vi.useFakeTimers();
    const store = useExperimentsStore();
    store.subscribe();
    await store.select(1);
    const before = client.calls.length;
    client.push('run.status', { runId: 1, status: 'finished', error: null });
    client.push('run.status', { runId: 2, status: 'running', error: null });
    await vi.advanceTimersByTimeAsync(300);
    expect(client.names().slice(before)).toEqual(['experiments.list', 'queue.state', 'experiments.get']);
  });

  it('counts epochs of the displayed experiment as they arrive', async () => {
    const store = useExperimentsStore();
    store.subscribe();
    await store.select(1);
    client.push('run.epoch', { runId: 1, phase: 'teacher', epoch: 1, train: { total: 1 }, valid: { total: 1 }, seconds: 2 });
    expect(store.detail?.runs[0]?.epochsDone).toBe(1);
    expect(store.detail?.runs[1]?.epochsDone).toBe(0);
  });

  it('pauses the queue and shows a refused action instead of throwing', async () => {
    const store = useExperimentsStore();
    await store.pause();
    expect(client.names()[0]).toBe('queue.pause');
    await store.retryRun(1);
    expect(store.actionError).toMatch(/only failed or cancelled runs/);
  });

  it('measures seconds per epoch from the newest finished run of each pair', async () => {
    const finished = (id: number, method: string): RunSummary => ({
      id,
      dataset: 'synth-mosi',
      method,
      seed: 1111,
      status: 'finished',
      backend: 'wasm',
      epochsPlanned: 2,
      epochsDone: 2,
      createdAt: '',
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:30.000Z',
      error: null,
      outcome: 'completed',
      headline: null,
    });
    client.handle('runs.list', () => [finished(3, 'hrlf'), finished(7, 'hrlf'), finished(5, 'lf-linear')]);
    client.handle('runs.get', (i: { id: number }) => ({
      ...finished(i.id, i.id === 5 ? 'lf-linear' : 'hrlf'),
      config: { epochs: 1 },
      configHash: 'h',
      codeVersion: 'c',
      datasetSha256: 's',
      host: 'x',
      epochs: [
        { phase: 'teacher', epoch: 1, train: {}, valid: {}, seconds: 8 },
        { phase: 'student', epoch: 1, train: {}, valid: {}, seconds: 12 },
      ],
      evaluations: [],
      representations: [],
    }) satisfies RunDetail);
    const store = useExperimentsStore();
    await store.measure(['hrlf'], ['synth-mosi']);
    const gets = client.calls.filter((c) => c.name === 'runs.get').map((c) => c.input);
    expect(gets).toEqual([{ id: 7 }]);
    expect(store.measurements['hrlf|synth-mosi']).toMatchObject({ runId: 7, secondsPerEpoch: 10, overheadSeconds: 10, epochsPerPhase: 1, phases: 2 });
  });
});
