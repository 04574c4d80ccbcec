import * as tf from '@tensorflow/tfjs-core';
import type { ForwardCtx } from './context';

/**
 * Inverted dropout with a seeded mask.
 *
 * Why not tf.dropout(x, rate, undefined, seed): it draws its noise through seedrandom's alea one
 * element at a time and then needs four more ops (add, floor, div, mul). Attention dropout alone
 * is B·H·T² ≈ 800k elements per layer at MOSI sizes, which made tf.dropout a large share of a
 * step. Here the mask (0 or 1/keep) is filled in one tight integer loop from a seed drawn from
 * the step's Rng, so runs stay reproducible, and applied with a single multiply.
 */
export function dropout<T extends tf.Tensor>(x: T, rate: number, ctx: ForwardCtx): T {
  if (!ctx.training || rate <= 0) return x;
  if (ctx.rng === null) throw new Error('dropout in training mode needs an Rng');
  if (rate >= 1) return tf.zerosLike(x);
  const mask = dropoutMask(x.size, rate, ctx.rng.seed());
  return tf.mul(x, tf.tensor(mask, x.shape, 'float32'));
}

/** Mask of 0 / (1/(1-rate)) values from mulberry32 seeded with `seed`. Exported for tests. */
export function dropoutMask(size: number, rate: number, seed: number): Float32Array {
  const mask = new Float32Array(size);
  const scale = 1 / (1 - rate);
  // Compare raw 32-bit draws against an integer threshold: no float conversion per element.
  const threshold = Math.floor(rate * 4294967296);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const u = (t ^ (t >>> 14)) >>> 0;
    mask[i] = u >= threshold ? scale : 0;
  }
  return mask;
}
