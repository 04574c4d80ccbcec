import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { DatasetImportEvent, DatasetImportInput } from '../../src-shared/contract';
import type { DatasetImportResult } from '../../src-shared/models';
import { ClientError } from '../client/errors';
import { useClient } from './client';
import { useCatalogStore } from './datasets';

/** The import form's state: the request in flight, its progress events, and a typed error per field. */
export const useDatasetImportStore = defineStore('datasetImport', () => {
  const busy = ref(false);
  const progress = ref<DatasetImportEvent | null>(null);
  const error = ref<{ message: string; field?: string } | null>(null);
  const last = ref<DatasetImportResult | null>(null);
  let subscribed = false;
  let currentPath: string | null = null;

  function subscribe(): void {
    if (subscribed) return;
    subscribed = true;
    useClient().on('dataset.import', (e) => {
      // Another window's import of another file is not this form's progress.
      if (busy.value && e.path === currentPath) progress.value = e;
    });
  }

  async function run(input: DatasetImportInput): Promise<DatasetImportResult | null> {
    subscribe();
    busy.value = true;
    error.value = null;
    progress.value = null;
    currentPath = input.path;
    try {
      const result = await useClient().request('datasets.import', input);
      last.value = result;
      await useCatalogStore().load();
      return result;
    } catch (err) {
      error.value = err instanceof ClientError ? { message: err.message, ...(err.error.field ? { field: err.error.field } : {}) } : { message: (err as Error).message };
      return null;
    } finally {
      busy.value = false;
      progress.value = null;
      currentPath = null;
    }
  }

  return { busy, progress, error, last, run };
});
