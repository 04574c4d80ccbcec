import { taskOf, type DatasetKind } from '../../../src-shared/domain';
import { createRng } from '../../../src-main/engine/random';
import type { DatasetData, SplitData } from '../../../src-main/engine/types';

/**
 * A small dataset whose label is a noisy linear function of the language frames. Regression kinds:
 * one sentiment in [−3, 3]; IEMOCAP: 4 binary emotion labels (two follow the score, two its sign flip).
 */
export function tinyDataset(n = { train: 96, valid: 32, test: 48 }, T = 6, dims: [number, number, number] = [8, 3, 4], kind: DatasetKind = 'mosi'): DatasetData {
  const rng = createRng('tiny');
  const task = taskOf(kind);
  const labelDim = task === 'regression' ? 1 : 4;
  const split = (count: number, name: string): SplitData => {
    const mk = (d: number): Float32Array => Float32Array.from({ length: count * T * d }, () => rng.normal());
    const l = mk(dims[0]);
    const y = new Float32Array(count * labelDim);
    for (let i = 0; i < count; i++) {
      let s = 0;
      for (let t = 0; t < T; t++) s += l[(i * T + t) * dims[0]]!;
      const score = Math.max(-3, Math.min(3, s / Math.sqrt(T) + 0.3 * rng.normal()));
      if (task === 'regression') y[i] = score;
      else for (let e = 0; e < labelDim; e++) y[i * labelDim + e] = (e % 2 === 0 ? score : -score) > 0 ? 1 : 0;
    }
    return { n: count, ids: Array.from({ length: count }, (_, i) => `${name}${i}`), l, a: mk(dims[1]), v: mk(dims[2]), y };
  };
  return { name: 'tiny', kind, task, T, dims, labelDim, train: split(n.train, 'tr'), valid: split(n.valid, 'va'), test: split(n.test, 'te'), sha256: 'tiny' };
}
