import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
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

/** What the analysis screens show: one experiment, or any selection of runs (single runs included). */
export type ResultSource = { kind: 'experiment'; id: number } | { kind: 'runs'; ids: number[] };

export function sameSource(a: ResultSource | null, b: ResultSource | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The results document of an experiment or a selection of runs (the services aggregate), its options, exports. */
export const useResultsStore = defineStore('results', () => {
  const results = ref<ExperimentResults | null>(null);
  const source = ref<ResultSource | null>(null);
  const options = ref<ResultOptions>({ ...DEFAULT_RESULT_OPTIONS });
  /** Beside synthetic results the paper's numbers are shown only on request (the UI's own choice). */
  const showPaper = ref(false);
  const loading = ref(false);
  const error = ref<FieldError | null>(null);
  const exports = ref<Partial<Record<ExportFormat, ExportDocument>>>({});
  const exportError = ref<string | null>(null);
  let ticket = 0;

  const experimentId = computed(() => (source.value?.kind === 'experiment' ? source.value.id : null));

  function optionsInput() {
    const o = options.value;
    return {
      test: o.test,
      metric: o.metric,
      marks: o.marks,
      ...(o.reference !== undefined ? { reference: o.reference } : {}),
      ...(o.table !== undefined ? { table: o.table } : {}),
    };
  }

  /** Shows `next` (an experiment, or runs; an empty selection clears the screen). */
  async function load(next: ResultSource, changed: Partial<ResultOptions> = {}): Promise<void> {
    if (!sameSource(source.value, next)) exports.value = {};
    source.value = next;
    options.value = { ...options.value, ...changed };
    const mine = ++ticket;
    if (next.kind === 'runs' && next.ids.length === 0) {
      results.value = null;
      error.value = null;
      loading.value = false;
      return;
    }
    loading.value = true;
    try {
      const client = useClient();
      const r =
        next.kind === 'experiment'
          ? await client.request('experiments.results', { id: next.id, ...optionsInput() })
          : await client.request('runs.results', { runs: next.ids, ...optionsInput() });
      if (mine !== ticket) return;
      results.value = r;
      error.value = null;
    } catch (err) {
      if (mine === ticket) error.value = toFieldError(err);
    } finally {
      if (mine === ticket) loading.value = false;
    }
  }

  /** The same source with other options. */
  async function reload(changed: Partial<ResultOptions> = {}): Promise<void> {
    if (source.value) await load(source.value, changed);
    else options.value = { ...options.value, ...changed };
  }

  async function exportAs(format: ExportFormat, paperRows = false): Promise<ExportDocument | null> {
    const s = source.value;
    if (s === null) return null;
    exportError.value = null;
    try {
      const client = useClient();
      const common = { ...optionsInput(), format, paperRows };
      const doc = s.kind === 'experiment' ? await client.request('experiments.export', { id: s.id, ...common }) : await client.request('runs.export', { runs: s.ids, ...common });
      exports.value = { ...exports.value, [format]: doc };
      return doc;
    } catch (err) {
      exportError.value = toFieldError(err).message;
      return null;
    }
  }

  return { results, source, experimentId, options, showPaper, loading, error, exports, exportError, load, reload, exportAs };
});
