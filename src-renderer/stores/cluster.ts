import { defineStore } from 'pinia';
import { ref } from 'vue';
import { QueueUrlSchema, type ClusterState } from '../../src-shared/cluster';
import { useClient } from './client';
import { toFieldError, type FieldError } from './field-error';

/** Workers' heartbeats are read this often while the queue screen is open. */
const POLL_MS = 3000;

/** The queue setting (local or a cluster's Redis URL) and the cluster's workers. */
export const useClusterStore = defineStore('cluster', () => {
  const state = ref<ClusterState | null>(null);
  const error = ref<FieldError | null>(null);
  const saving = ref(false);
  let timer: ReturnType<typeof setInterval> | null = null;

  async function refresh(): Promise<void> {
    try {
      state.value = await useClient().request('cluster.state', {});
    } catch (err) {
      error.value = toFieldError(err);
    }
  }

  /** Polls while a view shows the workers; returns the stop function. */
  function watch(): () => void {
    void refresh();
    timer ??= setInterval(() => void refresh(), POLL_MS);
    return () => {
      if (timer) clearInterval(timer);
      timer = null;
    };
  }

  /** Validates with the contract's own schema first; null sends the queue back to this machine. */
  async function configure(url: string | null): Promise<boolean> {
    error.value = null;
    if (url !== null) {
      const parsed = QueueUrlSchema.safeParse(url);
      if (!parsed.success) {
        error.value = { message: parsed.error.issues[0]?.message ?? 'a Redis URL', field: 'url' };
        return false;
      }
    }
    saving.value = true;
    try {
      state.value = await useClient().request('cluster.configure', { url });
      return true;
    } catch (err) {
      error.value = toFieldError(err);
      return false;
    } finally {
      saving.value = false;
    }
  }

  return { state, error, saving, refresh, watch, configure };
});
