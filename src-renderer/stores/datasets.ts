import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { DatasetSummary, MethodSummary } from '../../src-shared/models';
import { useClient } from './client';

export const useCatalogStore = defineStore('catalog', () => {
  const datasets = ref<DatasetSummary[]>([]);
  const methods = ref<MethodSummary[]>([]);
  const error = ref<string | null>(null);

  async function load(): Promise<void> {
    try {
      const client = useClient();
      [datasets.value, methods.value] = await Promise.all([client.request('datasets.list', {}), client.request('methods.list', {})]);
      error.value = null;
    } catch (err) {
      error.value = (err as Error).message;
    }
  }

  return { datasets, methods, error, load };
});
