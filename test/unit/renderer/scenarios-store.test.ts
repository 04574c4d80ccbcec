import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ScenarioPreviewInput } from '../../../src-shared/contract';
import type { ScenarioPreview } from '../../../src-shared/models';
import { PAPER_SCENARIO, type ScenarioSummary } from '../../../src-shared/results/scenario';
import { ClientError } from '../../../src-renderer/client/errors';
import { provideClient } from '../../../src-renderer/stores/client';
import { useScenariosStore } from '../../../src-renderer/stores/scenarios';
import { FakeClient } from './fake-client';

const paper: ScenarioSummary = { id: 1, name: 'paper', description: 'spec', builtin: true, spec: PAPER_SCENARIO, createdAt: '' };

const input = (index: number): ScenarioPreviewInput => ({ dataset: 'd', index, spec: PAPER_SCENARIO, condition: 'l,a,v', p: 0.5 });

let client: FakeClient;
let saved: ScenarioSummary[];

beforeEach(() => {
  setActivePinia(createPinia());
  saved = [paper];
  client = new FakeClient().handle('scenarios.list', () => saved);
  provideClient(client);
});

describe('scenarios store', () => {
  it('saves a scenario and reloads the list', async () => {
    client.handle('scenarios.save', (i: { name: string }) => {
      const s = { ...paper, id: 2, name: i.name, builtin: false };
      saved = [...saved, s];
      return s;
    });
    const store = useScenariosStore();
    const s = await store.save({ name: 'audio-missing', spec: PAPER_SCENARIO });
    expect(s?.id).toBe(2);
    expect(store.lastSaved?.name).toBe('audio-missing');
    expect(store.list.map((x) => x.name)).toEqual(['paper', 'audio-missing']);
  });

  it('keeps the field of a refused save', async () => {
    client.handle('scenarios.save', () => {
      throw new ClientError({ code: 'invalid_input', message: 'spec.evaluation.intra.0: an intra ratio of the protocol grid', field: 'spec.evaluation.intra.0' });
    });
    const store = useScenariosStore();
    expect(await store.save({ name: 'x', spec: PAPER_SCENARIO })).toBeNull();
    expect(store.saveError?.field).toBe('spec.evaluation.intra.0');
    expect(store.saving).toBe(false);
  });

  it('lets only the newest preview land when answers arrive out of order', async () => {
    const resolvers: ((p: ScenarioPreview) => void)[] = [];
    client.handle('scenarios.preview', () => new Promise<ScenarioPreview>((resolve) => resolvers.push(resolve)));
    const store = useScenariosStore();
    const first = store.loadPreview(input(1));
    const second = store.loadPreview(input(2));
    resolvers[1]!({ index: 2 } as ScenarioPreview);
    await second;
    resolvers[0]!({ index: 1 } as ScenarioPreview);
    await first;
    expect(store.preview?.index).toBe(2);
    expect(store.previewLoading).toBe(false);
  });

  it('shows a preview error on its field and clears the stale picture', async () => {
    client.handle('scenarios.preview', () => {
      throw new ClientError({ code: 'not_found', message: 'synth-mosei is generated on first use', field: 'dataset' });
    });
    const store = useScenariosStore();
    await store.loadPreview(input(0));
    expect(store.preview).toBeNull();
    expect(store.previewError).toEqual({ message: 'synth-mosei is generated on first use', field: 'dataset' });
  });

  it('starts the builder from a built-in as an unnamed copy', () => {
    const store = useScenariosStore();
    store.startFrom(paper);
    expect(store.draft.name).toBe('');
    expect(store.draft.inter).toHaveLength(7);
    expect(store.draft.maxDrop).toBe('1');
  });
});
