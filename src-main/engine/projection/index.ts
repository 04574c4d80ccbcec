import { createRng } from '../random';
import { pca } from './pca';
import { stratifiedSample } from './sample';
import { tsne, TSNE_DEFAULTS } from './tsne';
import { umap, UMAP_DEFAULTS } from './umap';

export { labelClass, stratifiedSample } from './sample';

export type ProjectionAlgorithm = 'tsne' | 'umap' | 'pca';

export interface ProjectionRequest {
  algorithm: ProjectionAlgorithm;
  seed: number;
  perClass: number;
  perplexity?: number;
  neighbors?: number;
  minDist?: number;
}

export interface ProjectionResult {
  /** Indices into the test split of the projected samples. */
  indices: number[];
  /** [indices.length, 2] */
  points: Float32Array;
  /** Parameters actually used (defaults filled), stored with the projection. */
  params: Record<string, number | string>;
}

/** Projects stored representations [n, width] to 2-D; deterministic in the request. */
export function project(values: Float32Array, width: number, labels: Float32Array, labelDim: number, req: ProjectionRequest): ProjectionResult {
  const sampleRng = createRng(`projection-sample|${req.seed}`);
  const indices = stratifiedSample(labels, labelDim, req.perClass, sampleRng);
  const rows = new Float32Array(indices.length * width);
  indices.forEach((src, i) => rows.set(values.subarray(src * width, (src + 1) * width), i * width));
  const rng = createRng(`projection|${req.algorithm}|${req.seed}`);
  const n = indices.length;
  if (req.algorithm === 'pca') return { indices, points: pca(rows, n, width, rng), params: { algorithm: 'pca', perClass: req.perClass } };
  if (req.algorithm === 'tsne') {
    const perplexity = req.perplexity ?? TSNE_DEFAULTS.perplexity;
    return { indices, points: tsne(rows, n, width, rng, { perplexity }), params: { algorithm: 'tsne', perplexity, perClass: req.perClass } };
  }
  const neighbors = req.neighbors ?? UMAP_DEFAULTS.neighbors;
  const minDist = req.minDist ?? UMAP_DEFAULTS.minDist;
  return { indices, points: umap(rows, n, width, rng, { neighbors, minDist }), params: { algorithm: 'umap', neighbors, minDist, perClass: req.perClass } };
}
