import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Split } from '../../src-shared/domain';
import type { DatasetDetail, DatasetSample } from '../../src-shared/models';
import type { DatasetSummary } from '../../src-shared/models';
import { useClient } from './client';
import { useCatalogStore } from './datasets';

/** "generating synth-mosei for its first view (once; about 1.9 GB of float32 in the data home)…" */
export function generatingMessage(d: DatasetSummary): string {
  const n = d.splits.train + d.splits.valid + d.splits.test;
  const bytes = 4 * n * d.T * (d.dims[0] + d.dims[1] + d.dims[2]);
  const size = bytes >= 1 << 30 ? `${(bytes / (1 << 30)).toFixed(1)} GB` : `${Math.round(bytes / (1 << 20))} MB`;
  return `Generating ${d.id} for its first view (once; about ${size} of float32 in the data home)…`;
}

/** The dataset page: which dataset is open, its details and report, and the sample on display. */
export const useDatasetInspectorStore = defineStore('datasetInspector', () => {
  const selectedId = ref<string | null>(null);
  const detail = ref<DatasetDetail | null>(null);
  const error = ref<string | null>(null);
  const sample = ref<DatasetSample | null>(null);
  const sampleError = ref<string | null>(null);
  const sampleLoading = ref(false);
  /** Set while a built-in dataset is generated for its first view: what happens and how big it is. */
  const generating = ref<string | null>(null);
  /** Answers arrive out of order when the user clicks fast; only the latest request may land. */
  let sampleTicket = 0;

  async function open(id: string): Promise<void> {
    selectedId.value = id;
    detail.value = null;
    sample.value = null;
    sampleError.value = null;
    error.value = null;
    const catalog = useCatalogStore();
    const summary = catalog.datasets.find((x) => x.id === id);
    generating.value = summary && summary.builtin && !summary.ready ? generatingMessage(summary) : null;
    try {
      const d = await useClient().request('datasets.get', { id });
      if (selectedId.value !== id) return;
      detail.value = d;
      if (generating.value) void catalog.load();
      if (d.ready) await loadSample('train', 0);
      else sampleError.value = `the file of ${id} is missing: import it again to see its samples`;
    } catch (err) {
      if (selectedId.value === id) error.value = (err as Error).message;
    } finally {
      if (selectedId.value === id) generating.value = null;
    }
  }

  function close(): void {
    selectedId.value = null;
    detail.value = null;
    sample.value = null;
  }

  async function loadSample(split: Split, index: number): Promise<void> {
    const id = selectedId.value;
    if (id === null) return;
    const ticket = ++sampleTicket;
    sampleLoading.value = true;
    try {
      const s = await useClient().request('datasets.sample', { id, split, index });
      if (ticket !== sampleTicket) return;
      sample.value = s;
      sampleError.value = null;
    } catch (err) {
      if (ticket === sampleTicket) sampleError.value = (err as Error).message;
    } finally {
      if (ticket === sampleTicket) sampleLoading.value = false;
    }
  }

  return { selectedId, detail, error, sample, sampleError, sampleLoading, generating, open, close, loadSample };
});
