import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { RunProgressEvent, RunStartInput } from '../../src-shared/contract';
import type { EpochRecord, RunDetail, RunSummary } from '../../src-shared/models';
import { ClientError } from '../client/errors';
import { useClient } from './client';

export interface LossPoint {
  /** Fractional epoch within the phase (epoch − 1 + step/steps). */
  x: number;
  phase: string;
  total: number;
}

/** Live points are thinned to this many per run so a long run never bloats the chart. */
const MAX_LIVE_POINTS = 2000;

export const useRunsStore = defineStore('runs', () => {
  const runs = ref<RunSummary[]>([]);
  const details = ref<Record<number, RunDetail>>({});
  const progress = ref<Record<number, RunProgressEvent>>({});
  const live = ref<Record<number, LossPoint[]>>({});
  const selectedId = ref<number | null>(null);
  const startError = ref<{ message: string; field?: string } | null>(null);
  let subscribed = false;

  const selected = computed(() => (selectedId.value === null ? null : (details.value[selectedId.value] ?? null)));

  async function refresh(): Promise<void> {
    runs.value = await useClient().request('runs.list', {});
  }

  async function loadDetail(id: number): Promise<void> {
    details.value = { ...details.value, [id]: await useClient().request('runs.get', { id }) };
  }

  async function select(id: number | null): Promise<void> {
    selectedId.value = id;
    if (id !== null) await loadDetail(id);
  }

  function subscribe(): void {
    if (subscribed) return;
    subscribed = true;
    const client = useClient();
    client.on('run.progress', (p) => {
      progress.value = { ...progress.value, [p.runId]: p };
      const points = live.value[p.runId] ?? [];
      points.push({ x: p.epoch - 1 + p.step / p.steps, phase: p.phase, total: p.losses.total ?? NaN });
      if (points.length > MAX_LIVE_POINTS) points.splice(0, points.length - MAX_LIVE_POINTS);
      live.value = { ...live.value, [p.runId]: points };
    });
    client.on('run.epoch', (e) => {
      const d = details.value[e.runId];
      if (d) {
        const record: EpochRecord = { phase: e.phase, epoch: e.epoch, train: e.train, valid: e.valid, seconds: e.seconds };
        details.value = { ...details.value, [e.runId]: { ...d, epochs: [...d.epochs, record], epochsDone: d.epochsDone + 1 } };
      }
      runs.value = runs.value.map((r) => (r.id === e.runId ? { ...r, epochsDone: r.epochsDone + 1 } : r));
    });
    client.on('run.status', (s) => {
      void refresh();
      if (details.value[s.runId] || selectedId.value === s.runId) void loadDetail(s.runId);
    });
  }

  async function start(input: RunStartInput): Promise<RunSummary | null> {
    startError.value = null;
    try {
      const run = await useClient().request('runs.start', input);
      await refresh();
      await select(run.id);
      return run;
    } catch (err) {
      startError.value = err instanceof ClientError ? { message: err.message, ...(err.error.field ? { field: err.error.field } : {}) } : { message: (err as Error).message };
      return null;
    }
  }

  async function cancel(id: number): Promise<void> {
    await useClient().request('runs.cancel', { id });
    await refresh();
  }

  return { runs, details, progress, live, selectedId, selected, startError, refresh, select, subscribe, start, cancel, loadDetail };
});
