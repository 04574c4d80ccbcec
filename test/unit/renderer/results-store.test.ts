import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ExperimentResults, ExportDocument } from '../../../src-shared/results/types';
import { ClientError } from '../../../src-renderer/client/errors';
import { provideClient } from '../../../src-renderer/stores/client';
import { useResultsStore } from '../../../src-renderer/stores/results';
import { FakeClient } from './fake-client';

let client: FakeClient;

beforeEach(() => {
  setActivePinia(createPinia());
  client = new FakeClient()
    .handle('experiments.results', (i: { id: number; reference?: string | null }) => ({ experiment: { id: i.id }, reference: i.reference ?? 'own' }) as unknown as ExperimentResults)
    .handle('experiments.export', (i: { format: string }) => ({ format: i.format, filename: `experiment-1.${i.format}`, mimeType: 'text/plain', content: `${i.format} content` }) as ExportDocument);
  provideClient(client);
});

describe('results store', () => {
  it('asks with the chosen options; an unset reference means the experiment’s own', async () => {
    const store = useResultsStore();
    await store.load({ kind: 'experiment', id: 1 });
    expect(client.calls[0]?.input).toEqual({ id: 1, test: 'welch', metric: 'f1_non0', marks: 'avg' });
    expect(store.results?.reference).toBe('own');
    await store.load({ kind: 'experiment', id: 1 }, { reference: null, test: 'paired', table: 3 });
    expect(client.calls[1]?.input).toEqual({ id: 1, test: 'paired', metric: 'f1_non0', marks: 'avg', reference: null, table: 3 });
  });

  it('keeps only the newest answer', async () => {
    const resolvers: ((r: ExperimentResults) => void)[] = [];
    client.handle('experiments.results', () => new Promise<ExperimentResults>((resolve) => resolvers.push(resolve)));
    const store = useResultsStore();
    const a = store.load({ kind: 'experiment', id: 1 });
    const b = store.load({ kind: 'experiment', id: 2 });
    resolvers[1]!({ experiment: { id: 2 } } as unknown as ExperimentResults);
    await b;
    resolvers[0]!({ experiment: { id: 1 } } as unknown as ExperimentResults);
    await a;
    expect(store.results?.experiment.id).toBe(2);
    expect(store.experimentId).toBe(2);
  });

  it('exports with the same options and keeps each format', async () => {
    const store = useResultsStore();
    await store.load({ kind: 'experiment', id: 1 }, { reference: 'hrlf' });
    const doc = await store.exportAs('latex', true);
    expect(doc?.content).toBe('latex content');
    expect(client.calls.at(-1)?.input).toMatchObject({ id: 1, format: 'latex', paperRows: true, reference: 'hrlf' });
    await store.exportAs('csv');
    expect(Object.keys(store.exports).sort()).toEqual(['csv', 'latex']);
  });

  it('takes a selection of runs: runs.results and runs.export with the same options; an empty selection shows nothing', async () => {
    client
      .handle('runs.results', (i: { runs: number[] }) => ({ experiment: { id: 0 }, selection: i.runs, reference: null }) as unknown as ExperimentResults)
      .handle('runs.export', (i: { format: string }) => ({ format: i.format, filename: `runs-3-5.${i.format}`, mimeType: 'text/plain', content: 'x' }) as ExportDocument);
    const store = useResultsStore();
    await store.load({ kind: 'runs', ids: [3, 5] }, { metric: 'acc7' });
    expect(client.calls.at(-1)).toMatchObject({ name: 'runs.results', input: { runs: [3, 5], metric: 'acc7', test: 'welch', marks: 'avg' } });
    expect(store.results?.selection).toEqual([3, 5]);
    expect(store.experimentId).toBeNull();
    await store.exportAs('csv-wide', true);
    expect(client.calls.at(-1)).toMatchObject({ name: 'runs.export', input: { runs: [3, 5], format: 'csv-wide', paperRows: true, metric: 'acc7' } });
    const calls = client.calls.length;
    await store.load({ kind: 'runs', ids: [] });
    expect(client.calls.length).toBe(calls);
    expect(store.results).toBeNull();
  });

  it('shows a refused export', async () => {
    client.handle('experiments.export', () => {
      throw new ClientError({ code: 'conflict', message: 'experiment 1 has no finished runs: nothing to export' });
    });
    const store = useResultsStore();
    await store.load({ kind: 'experiment', id: 1 });
    expect(await store.exportAs('csv')).toBeNull();
    expect(store.exportError).toMatch(/no finished runs/);
  });
});
