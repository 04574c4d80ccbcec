import * as tf from '@tensorflow/tfjs-core';
import type { ForwardCtx } from './context';
import { DROPOUT } from './fused/dropout-kernel';
import './fused/dropout-webgpu';
import { hasFusedKernel, runKernel } from './fused/host';
import { maskStreamStart, maskThreshold } from './fused/mask-stream';

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
  const seed = ctx.rng.seed();
  // The fused kernel (host backends, webgpu) draws the same mask inline (no mask tensor); its
  // gradient redraws it.
  if (hasFusedKernel(DROPOUT)) return runKernel<T>(DROPOUT, { x }, { rate, seed });
  return tf.mul(x, dropoutMaskTensor(x.shape, rate, seed));
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

function fillDropoutMask(mask: Float32Array, rate: number, seed: number): Float32Array {
  const scale = 1 / (1 - rate);
  const threshold = maskThreshold(rate);
  let s = maskStreamStart(seed);
  for (let i = 0; i < mask.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    mask[i] = +(s >>> 0 >= threshold) * scale;
  }
  return mask;
}
