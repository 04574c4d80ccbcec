/**
 * Modality Stochastic Missing, host side: mask draws only (no tfjs), shared by every method that
 * trains under MSM and by the scenario preview, so both draw exactly the same masks. msm-batch.ts
 * applies them to a batch's tensors.
 */
import type { Rng } from '../random';

/** Frame-presence masks [B·T] per modality: 1 keeps the frame, 0 zeroes it. */
export interface MsmMasks {
  l: Float32Array;
  a: Float32Array;
  v: Float32Array;
}

/**
 * Modality Stochastic Missing (spec §4.2 [fill]). Per sample: the available set is uniform over
 * the 7 non-empty subsets of {L, A, V} (bit 0 = L, 1 = A, 2 = V), absent modalities are zeroed,
 * and each frame of an available one is dropped with probability p ~ U[0, 1), one p per sample.
 * Draw order (sample-major: subset, p, then L, A, V frames) is part of reproducibility.
 */
export interface MsmOptions {
  /** Allowed available-modality sets as bitmasks (bit 0 = L, 1 = A, 2 = V), ascending. Default: all 7. */
  subsets: readonly number[];
  /** p is drawn from U[0, maxDrop); 1 is the spec's U[0, 1). */
  maxDrop: number;
}

export const MSM_SPEC: MsmOptions = { subsets: [1, 2, 3, 4, 5, 6, 7], maxDrop: 1 };

/** 'l;a,v;l,a,v' → ascending bitmasks; the spec's seven subsets give MSM_SPEC's draws exactly. */
export function subsetBitmasks(spec: string): number[] {
  const bit: Record<string, number> = { l: 1, a: 2, v: 4 };
  const masks = spec.split(';').map((set) => set.split(',').reduce((m, x) => m | (bit[x.trim()] ?? 0), 0));
  return [...new Set(masks)].sort((a, b) => a - b);
}

export function drawMsmMasks(batch: number, length: number, rng: Rng, options: MsmOptions = MSM_SPEC): MsmMasks {
  const masks: MsmMasks = {
    l: new Float32Array(batch * length),
    a: new Float32Array(batch * length),
    v: new Float32Array(batch * length),
  };
  const order = [masks.l, masks.a, masks.v];
  for (let b = 0; b < batch; b++) {
    const subset = options.subsets[rng.int(options.subsets.length)]!;
    const p = rng.next() * options.maxDrop;
    order.forEach((mask, m) => {
      if ((subset & (1 << m)) === 0) return;
      for (let t = 0; t < length; t++) mask[b * length + t] = rng.next() >= p ? 1 : 0;
    });
  }
  return masks;
}

/** Indices of the kept rows (b·T + t) of each mask. */
export function presentRows(masks: MsmMasks): { l: Int32Array; a: Int32Array; v: Int32Array } {
  const rows = (mask: Float32Array): Int32Array => {
    const out: number[] = [];
    for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) out.push(i);
    return Int32Array.from(out);
  };
  return { l: rows(masks.l), a: rows(masks.a), v: rows(masks.v) };
}

/** The MSM options a config's knobs (knobs.ts msmKnobs) ask for. */
export function msmOptionsOf(config: { msmSubsets: string; msmMaxDrop: number }): MsmOptions {
  return { subsets: subsetBitmasks(config.msmSubsets), maxDrop: config.msmMaxDrop };
}
