import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ExportDocument, ExportFormat, ExperimentResults, SignificanceTest } from '../../src-shared/results/types';
import { useClient } from './client';
import { toFieldError, type FieldError } from './field-error';

export interface ResultOptions {
  /** undefined: the experiment's own reference; null: no significance marks. */
  reference: string | null | undefined;
  test: SignificanceTest;
  metric: string;
  table: 1 | 2 | 3 | undefined;
  marks: 'avg' | 'all';
}

export const DEFAULT_RESULT_OPTIONS: ResultOptions = { reference: undefined, test: 'welch', metric: 'f1_non0', table: undefined, marks: 'avg' };

/** One experiment's results document (services aggregate), the options it was made with, and exports. */
export const useResultsStore = defineStore('results', () => {
  const results = ref<ExperimentResults | null>(null);
  const experimentId = ref<number | null>(null);
  const options = ref<ResultOptions>({ ...DEFAULT_RESULT_OPTIONS });
  const loading = ref(false);
  const error = ref<FieldError | null>(null);
  const exports = ref<Partial<Record<ExportFormat, ExportDocument>>>({});
  const exportError = ref<string | null>(null);
  let ticket = 0;

  function request(id: number) {
    const o = options.value;
    return {
      id,
      test: o.test,
      metric: o.metric,
      marks: o.marks,
      ...(o.reference !== undefined ? { reference: o.reference } : {}),
      ...(o.table !== undefined ? { table: o.table } : {}),
    };
  }

  async function load(id: number, next: Partial<ResultOptions> = {}): Promise<void> {
    if (experimentId.value !== id) exports.value = {};
    experimentId.value = id;
    options.value = { ...options.value, ...next };
    const mine = ++ticket;
    loading.value = true;
    try {
      const r = await useClient().request('experiments.results', request(id));
      if (mine !== ticket) return;
      results.value = r;
      error.value = null;
    } catch (err) {
      if (mine === ticket) error.value = toFieldError(err);
    } finally {
      if (mine === ticket) loading.value = false;
    }
  }

  async function exportAs(format: ExportFormat, paperRows = false): Promise<ExportDocument | null> {
    const id = experimentId.value;
    if (id === null) return null;
    exportError.value = null;
    try {
      const doc = await useClient().request('experiments.export', { ...request(id), format, paperRows });
      exports.value = { ...exports.value, [format]: doc };
      return doc;
    } catch (err) {
      exportError.value = toFieldError(err).message;
      return null;
    }
  }

  return { results, experimentId, options, loading, error, exports, exportError, load, exportAs };
});
