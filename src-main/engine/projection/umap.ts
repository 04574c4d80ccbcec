import { UMAP } from 'umap-js';
import type { Rng } from '../random';

export interface UmapOptions {
  neighbors: number;
  minDist: number;
}

export const UMAP_DEFAULTS: UmapOptions = { neighbors: 15, minDist: 0.1 };

/** UMAP through umap-js (MIT), driven by the seeded stream so a figure can be regenerated. */
export function umap(rows: Float32Array, n: number, k: number, rng: Rng, options: Partial<UmapOptions> = {}): Float32Array {
  const opts = { ...UMAP_DEFAULTS, ...options };
  if (n < 3) return new Float32Array(n * 2);
  const data = Array.from({ length: n }, (_, i) => Array.from(rows.subarray(i * k, (i + 1) * k)));
  const model = new UMAP({ nComponents: 2, nNeighbors: Math.min(opts.neighbors, n - 1), minDist: opts.minDist, random: () => rng.next() });
  const embedding = model.fit(data);
  return Float32Array.from(embedding.flat());
}
