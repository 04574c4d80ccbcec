import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ProjectionInput } from '../../src-shared/contract';
import type { ProjectionView } from '../../src-shared/models';
import { useClient } from './client';

export type Algorithm = ProjectionInput['algorithm'];

export interface EmbeddingSettings {
  algorithm: Algorithm;
  seed: number;
  perClass: number;
  perplexity: number;
  neighbors: number;
  minDist: number;
}

/** Defaults of the TensorBoard projector and the paper's Figure 6 (100 samples per class). */
export const EMBEDDING_DEFAULTS: EmbeddingSettings = { algorithm: 'tsne', seed: 0, perClass: 100, perplexity: 30, neighbors: 15, minDist: 0.1 };

/** Projections are computed by the services (off the UI thread) and cached; panels are keyed run|condition. */
export const useEmbeddingsStore = defineStore('embeddings', () => {
  const panels = ref<Record<string, ProjectionView>>({});
  const loading = ref<Record<string, boolean>>({});
  const errors = ref<Record<string, string>>({});

  async function compute(runId: number, condition: string, s: EmbeddingSettings): Promise<void> {
    const key = `${runId}|${condition}`;
    loading.value = { ...loading.value, [key]: true };
    try {
      const view = await useClient().request('projections.compute', {
        runId,
        condition,
        algorithm: s.algorithm,
        seed: s.seed,
        perClass: s.perClass,
        ...(s.algorithm === 'tsne' ? { perplexity: s.perplexity } : {}),
        ...(s.algorithm === 'umap' ? { neighbors: s.neighbors, minDist: s.minDist } : {}),
      });
      panels.value = { ...panels.value, [key]: view };
      const { [key]: _done, ...rest } = errors.value;
      errors.value = rest;
    } catch (err) {
      errors.value = { ...errors.value, [key]: (err as Error).message };
    } finally {
      loading.value = { ...loading.value, [key]: false };
    }
  }

  return { panels, loading, errors, compute };
});
