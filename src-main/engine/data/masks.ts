/**
 * Missingness masks. A mask is, per modality, a [n, T] array of 1 (kept) / 0 (zeroed) frames;
 * missing data is represented by zero vectors (spec §1).
 *
 * Evaluation masks come from a generator keyed by (dataset, split, condition, p, mask seed), so
 * every method and every run evaluates on identical corrupted inputs (spec §5).
 */
import { MODALITIES, conditionModalities, type InterCondition, type Modality } from '../../../src-shared/domain';
import { createRng } from '../random';

export type ModalityMasks = Record<Modality, Float32Array>;

export interface MaskKey {
  dataset: string;
  split: string;
  condition: string;
  p: number;
  maskSeed: number;
}

export function maskStreamKey(k: MaskKey): string {
  return `${k.dataset}|${k.split}|${k.condition}|${k.p.toFixed(4)}|${k.maskSeed}`;
}

/** Inter-modality condition: the named modalities stay whole, the others are zeroed entirely. */
export function interMasks(condition: InterCondition, n: number, T: number): ModalityMasks {
  const keep = new Set(conditionModalities(condition));
  const out = {} as ModalityMasks;
  for (const m of MODALITIES) out[m] = new Float32Array(n * T).fill(keep.has(m) ? 1 : 0);
  return out;
}

/** Intra-modality ratio p: every frame of every modality dropped independently with probability p. */
export function intraMasks(key: Omit<MaskKey, 'condition'>, n: number, T: number): ModalityMasks {
  const rng = createRng(maskStreamKey({ ...key, condition: 'intra' }));
  const out = {} as ModalityMasks;
  for (const m of MODALITIES) out[m] = Float32Array.from({ length: n * T }, () => (rng.next() < key.p ? 0 : 1));
  return out;
}

/** Combination used for the paper's Figure 6: intra ratio p on top of an inter condition. */
export function combinedMasks(condition: InterCondition, key: Omit<MaskKey, 'condition'>, n: number, T: number): ModalityMasks {
  const inter = interMasks(condition, n, T);
  const intra = intraMasks(key, n, T);
  for (const m of MODALITIES) for (let i = 0; i < n * T; i++) inter[m][i]! *= intra[m][i]!;
  return inter;
}

/** Applies a [n, T] frame mask to [n, T, d] features in place. */
export function applyFrameMask(x: Float32Array, mask: Float32Array, d: number): Float32Array {
  for (let f = 0; f < mask.length; f++) {
    if (mask[f] === 0) x.fill(0, f * d, (f + 1) * d);
  }
  return x;
}
