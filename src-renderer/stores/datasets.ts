import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
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

  const methodById = computed(() => new Map(methods.value.map((m) => [m.id, m])));
  /** What a run of `method` stores as its representation (the embedding view's title), from its card. */
  function representationOf(method: string): string {
    return methodById.value.get(method)?.representation ?? 'representation';
  }

  return { datasets, methods, methodById, representationOf, error, load };
});
