import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Split } from '../../src-shared/domain';
import type { DatasetDetail, DatasetSample } from '../../src-shared/models';
import { useClient } from './client';

/** The dataset page: which dataset is open, its details and report, and the sample on display. */
export const useDatasetInspectorStore = defineStore('datasetInspector', () => {
  const selectedId = ref<string | null>(null);
  const detail = ref<DatasetDetail | null>(null);
  const error = ref<string | null>(null);
  const sample = ref<DatasetSample | null>(null);
  const sampleError = ref<string | null>(null);
  const sampleLoading = ref(false);
  /** Answers arrive out of order when the user clicks fast; only the latest request may land. */
  let sampleTicket = 0;

  async function open(id: string): Promise<void> {
    selectedId.value = id;
    detail.value = null;
    sample.value = null;
    sampleError.value = null;
    error.value = null;
    try {
      const d = await useClient().request('datasets.get', { id });
      if (selectedId.value !== id) return;
      detail.value = d;
      if (d.ready) await loadSample('train', 0);
      else sampleError.value = `${id} is generated on first use: train on it once to see its samples`;
    } catch (err) {
      if (selectedId.value === id) error.value = (err as Error).message;
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

  return { selectedId, detail, error, sample, sampleError, sampleLoading, open, close, loadSample };
});
