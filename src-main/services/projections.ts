/**
 * The embedding view's projections (the paper's Figure 6): t-SNE, UMAP or PCA of a run's stored
 * fused representation, computed in an engine process (never on the UI's process), seeded, and
 * cached in the store with their parameters and seed so a figure can be regenerated exactly.
 */
import { IEMOCAP_EMOTIONS } from '../../src-shared/domain';
import type { ParsedInput } from '../../src-shared/contract';
import { ContractFailure } from '../../src-shared/contract';
import type { ProjectedPoint, ProjectionView } from '../../src-shared/models';
import { readDatasetHeader } from '../engine/data/dataset-file';
import { labelClass, type ProjectionRequest } from '../engine/projection';
import type { Store } from '../store/store';
import type { DatasetCatalog } from './datasets';
import { engineJob } from './engine-job';
import type { Launcher } from './launcher';

interface StoredProjection {
  indices: number[];
  points: Float32Array;
  params: Record<string, number | string>;
}

export class ProjectionService {
  constructor(
    private readonly store: Store,
    private readonly catalog: DatasetCatalog,
    private readonly launch: Launcher,
  ) {}

  async compute(input: ParsedInput<'projections.compute'>): Promise<ProjectionView> {
    const run = this.store.runs.get(input.runId);
    if (!run) throw new ContractFailure({ code: 'not_found', message: `no run with id ${input.runId}`, field: 'runId' });
    const rep = this.store.runs.representation(input.runId, input.condition);
    if (!rep) {
      const stored = this.store.runs.representations(input.runId).map((r) => r.condition);
      throw new ContractFailure({
        code: 'not_found',
        message: `run ${input.runId} has no representation for '${input.condition}' (stored: ${stored.join(', ') || 'none'})`,
        field: 'condition',
      });
    }
    const labelDim = rep.labels.length / rep.n;
    const request: ProjectionRequest = {
      algorithm: input.algorithm,
      seed: input.seed,
      perClass: input.perClass,
      ...(input.perplexity !== undefined ? { perplexity: input.perplexity } : {}),
      ...(input.neighbors !== undefined ? { neighbors: input.neighbors } : {}),
      ...(input.minDist !== undefined ? { minDist: input.minDist } : {}),
    };
    const key = JSON.stringify(request);
    let cached = true;
    let result: StoredProjection | undefined = this.store.runs.projection(input.runId, input.condition, input.algorithm, key, input.seed);
    if (!result) {
      cached = false;
      result = await engineJob(
        this.launch,
        { type: 'project', values: Array.from(rep.values), width: rep.width, labels: Array.from(rep.labels), labelDim, request },
        `projecting run ${input.runId}`,
        (msg) => (msg.type === 'projected' ? { indices: msg.indices, points: Float32Array.from(msg.points), params: msg.params } : undefined),
      );
      this.store.runs.addProjection(input.runId, input.condition, input.algorithm, key, input.seed, result);
    }
    const ids = this.testIds(run.datasetId);
    const points: ProjectedPoint[] = result.indices.map((index, i) => ({
      index,
      id: ids[index] ?? String(index),
      label: labelDim === 1 ? rep.labels[index]! : IEMOCAP_EMOTIONS[labelClass(rep.labels, labelDim, index)]!,
      cls: labelClass(rep.labels, labelDim, index),
      x: result.points[2 * i]!,
      y: result.points[2 * i + 1]!,
    }));
    return { runId: input.runId, condition: input.condition, algorithm: input.algorithm, seed: input.seed, params: result.params, points, cached };
  }

  private testIds(datasetId: string): string[] {
    const row = this.store.datasets.get(datasetId);
    if (!row) return [];
    try {
      return readDatasetHeader(row.path).splits.test.ids;
    } catch {
      return [];
    }
  }
}
