/**
 * Which samples a projection shows: at most `perClass` per label class, drawn with the seeded
 * stream (the paper's Figure 6 uses 100 per emotion). Regression labels are binned like Acc-7
 * (round-half-to-even of the clipped score, −3…3).
 */
import { clip, roundHalfEven } from '../../../src-shared/metrics';
import { permutation, type Rng } from '../random';

export function labelClass(labels: Float32Array, labelDim: number, i: number): number {
  if (labelDim === 1) return roundHalfEven(clip(labels[i]!, -3, 3));
  let best = 0;
  for (let e = 1; e < labelDim; e++) if (labels[i * labelDim + e]! > labels[i * labelDim + best]!) best = e;
  return best;
}

export function stratifiedSample(labels: Float32Array, labelDim: number, perClass: number, rng: Rng): number[] {
  const n = labels.length / labelDim;
  const taken = new Map<number, number>();
  const chosen: number[] = [];
  for (const i of permutation(n, rng)) {
    const c = labelClass(labels, labelDim, i);
    const count = taken.get(c) ?? 0;
    if (count < perClass) {
      taken.set(c, count + 1);
      chosen.push(i);
    }
  }
  return chosen.sort((a, b) => a - b);
}
