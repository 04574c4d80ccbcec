import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ExperimentCreateInput, ReproduceInput } from '../../src-shared/contract';
import type { QueueState } from '../../src-shared/models';
import type { ExperimentDetail, ExperimentSummary, ReproducePlan } from '../../src-shared/results/types';
import { measurementOf, pairKey, type Measurement } from '../../src-shared/results/eta';
import { useClient } from './client';
import { toFieldError, type FieldError } from './field-error';

/** Status events arrive in bursts (two runs ending at once); one refresh per burst is enough. */
const REFRESH_DELAY_MS = 250;

/** Experiments, the one on display, the queue's state and controls, and measured step times for estimates. */
export const useExperimentsStore = defineStore('experiments', () => {
  const list = ref<ExperimentSummary[]>([]);
  const selectedId = ref<number | null>(null);
  const detail = ref<ExperimentDetail | null>(null);
  const createError = ref<FieldError | null>(null);
  const creating = ref(false);
  const queue = ref<QueueState | null>(null);
  const actionError = ref<string | null>(null);
  const measurements = ref<Record<string, Measurement>>({});
  const plan = ref<ReproducePlan | null>(null);
  const reproduceError = ref<FieldError | null>(null);
  let subscribed = false;
  let refreshTimer: ReturnType<typeof setTimeout> | null = null;

  const selected = computed(() => list.value.find((e) => e.id === selectedId.value) ?? null);

  async function refresh(): Promise<void> {
    const client = useClient();
    const [experiments, state] = await Promise.all([client.request('experiments.list', {}), client.request('queue.state', {})]);
    list.value = experiments;
    queue.value = state;
    if (selectedId.value !== null) detail.value = await client.request('experiments.get', { id: selectedId.value });
  }

  function scheduleRefresh(): void {
    refreshTimer ??= setTimeout(() => {
      refreshTimer = null;
      void refresh().catch((err: unknown) => (actionError.value = toFieldError(err).message));
    }, REFRESH_DELAY_MS);
  }

  async function select(id: number | null): Promise<void> {
    selectedId.value = id;
    detail.value = id === null ? null : await useClient().request('experiments.get', { id });
  }

  function subscribe(): void {
    if (subscribed) return;
    subscribed = true;
    const client = useClient();
    client.on('run.status', () => scheduleRefresh());
    client.on('run.epoch', (e) => {
      const d = detail.value;
      if (d?.runs.some((r) => r.id === e.runId)) {
        detail.value = { ...d, runs: d.runs.map((r) => (r.id === e.runId ? { ...r, epochsDone: r.epochsDone + 1 } : r)) };
      }
    });
  }

  async function create(input: ExperimentCreateInput): Promise<ExperimentDetail | null> {
    creating.value = true;
    createError.value = null;
    try {
      const created = await useClient().request('experiments.create', input);
      selectedId.value = created.id;
      detail.value = created;
      await refresh();
      return created;
    } catch (err) {
      createError.value = toFieldError(err);
      return null;
    } finally {
      creating.value = false;
    }
  }

  /** What reproducing a paper table would queue (datasets chosen, rows, runs); nothing is created. */
  async function planReproduction(input: ReproduceInput): Promise<void> {
    reproduceError.value = null;
    try {
      plan.value = await useClient().request('reproduce.plan', input);
    } catch (err) {
      plan.value = null;
      reproduceError.value = toFieldError(err);
    }
  }

  async function reproduce(input: ReproduceInput): Promise<ExperimentDetail | null> {
    reproduceError.value = null;
    try {
      const started = await useClient().request('reproduce.start', input);
      plan.value = started.plan;
      selectedId.value = started.experiment.id;
      detail.value = started.experiment;
      await refresh();
      return started.experiment;
    } catch (err) {
      reproduceError.value = toFieldError(err);
      return null;
    }
  }

  /** Runs a queue or run action; a refused one (e.g. retrying a finished run) is shown, not thrown. */
  async function act(action: () => Promise<unknown>): Promise<void> {
    actionError.value = null;
    try {
      await action();
      await refresh();
    } catch (err) {
      actionError.value = toFieldError(err).message;
    }
  }

  const pause = (): Promise<void> => act(() => useClient().request('queue.pause', {}));
  const resume = (): Promise<void> => act(() => useClient().request('queue.resume', {}));
  const cancelRun = (id: number): Promise<void> => act(() => useClient().request('runs.cancel', { id }));
  const retryRun = (id: number): Promise<void> => act(() => useClient().request('runs.retry', { id }));

  /** Measures seconds per epoch of each method × dataset pair from its newest finished run. */
  async function measure(methods: readonly string[], datasets: readonly string[]): Promise<void> {
    const client = useClient();
    const runs = await client.request('runs.list', {});
    const wanted = new Set(methods.flatMap((m) => datasets.map((d) => pairKey(m, d))));
    const newest = new Map<string, number>();
    for (const r of runs) {
      const key = pairKey(r.method, r.dataset);
      if (r.status !== 'finished' || !wanted.has(key) || measurements.value[key]) continue;
      if ((newest.get(key) ?? -1) < r.id) newest.set(key, r.id);
    }
    const details = await Promise.all([...newest.values()].map((id) => client.request('runs.get', { id })));
    const next = { ...measurements.value };
    for (const d of details) {
      const m = measurementOf(d);
      if (m) next[pairKey(m.method, m.dataset)] = m;
    }
    measurements.value = next;
  }

  return { plan, reproduceError, planReproduction, reproduce, list, selectedId, selected, detail, createError, creating, queue, actionError, measurements, refresh, select, subscribe, create, pause, resume, cancelRun, retryRun, measure };
});
