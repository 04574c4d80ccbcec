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
  return tf.mul(x, dropoutMaskTensor(x.shape, rate, ctx.rng.seed()));
}

/** The 0 or 1/(1-rate) mask as a tensor of `shape`, drawn from `seed`. */
export function dropoutMaskTensor(shape: number[], rate: number, seed: number): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  // The wasm backend copies a new tensor's values into its heap at once, so one scratch array
  // can be refilled for every mask (a fresh 3 MB array per attention mask was a GC cost); other
  // backends may keep a reference to the array, so they get their own.
  const target = tf.getBackend() === 'wasm' ? scratch(size) : new Float32Array(size);
  return tf.tensor(fillDropoutMask(target, rate, seed), shape, 'float32');
}

let scratchBuffer = new Float32Array(0);

function scratch(size: number): Float32Array {
  if (scratchBuffer.length < size) scratchBuffer = new Float32Array(size);
  return scratchBuffer.subarray(0, size);
}

/** Mask of 0 / (1/(1-rate)) values; exported for tests. */
export function dropoutMask(size: number, rate: number, seed: number): Float32Array {
  return fillDropoutMask(new Float32Array(size), rate, seed);
}

/**
 * xorshift32 (Marsaglia), seeded through one splitmix step so nearby seeds give unrelated masks;
 * raw 32-bit draws are compared with an integer threshold, no float conversion per element, and
 * the comparison is turned into a number instead of branched on (a 10% branch mispredicts
 * often: the branchless loop is ~2x faster). Statistical quality is ample for Bernoulli masks.
 */
function fillDropoutMask(mask: Float32Array, rate: number, seed: number): Float32Array {
  const scale = 1 / (1 - rate);
  const threshold = Math.floor(rate * 4294967296);
  let s = Math.imul((seed ^ 0x9e3779b9) >>> 0, 0x85ebca6b) >>> 0;
  s = (s ^ (s >>> 13)) >>> 0 || 0x6d2b79f5;
  for (let i = 0; i < mask.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    mask[i] = +(s >>> 0 >= threshold) * scale;
  }
  return mask;
}
