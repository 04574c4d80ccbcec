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

/** What is wrong with the settings, checked before anything is sent (the contract's own limits). */
export function embeddingSettingsErrors(s: EmbeddingSettings): string[] {
  const e: string[] = [];
  if (!Number.isInteger(s.seed) || s.seed < 0) e.push('seed: a non-negative integer');
  if (!Number.isInteger(s.perClass) || s.perClass < 2 || s.perClass > 2000) e.push('samples per class: an integer from 2 to 2000');
  if (!(s.perplexity >= 2 && s.perplexity <= 100)) e.push('perplexity: 2 to 100');
  if (!Number.isInteger(s.neighbors) || s.neighbors < 2 || s.neighbors > 200) e.push('neighbours: an integer from 2 to 200');
  if (!(s.minDist >= 0 && s.minDist <= 1)) e.push('min-dist: 0 to 1');
  return e;
}
