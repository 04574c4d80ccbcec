import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { tuneWasmKernels } from '../../../src-main/engine/nn';
import { useBackend } from './helpers/backends';

type Case = { shape: number[]; begin: number[]; size: number[] };

const CASES: Case[] = [
  { shape: [10], begin: [3], size: [4] },
  { shape: [5, 6], begin: [1, 0], size: [3, 6] },
  { shape: [5, 6], begin: [1, 2], size: [3, 3] },
  { shape: [4, 7, 6], begin: [0, 1, 2], size: [4, 5, 2] },
  { shape: [4, 7, 6], begin: [2, 0, 0], size: [1, 7, 6] },
  { shape: [3, 2, 4, 5], begin: [1, 1, 0, 1], size: [2, 1, 4, 3] },
  { shape: [2, 3, 2, 4, 3], begin: [0, 1, 1, 0, 0], size: [2, 2, 1, 4, 3] },
  { shape: [3, 4], begin: [0, 0], size: [-1, 2] },
  { shape: [3, 0, 2], begin: [0, 0, 0], size: [3, 0, 2] },
];

function values(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => i * 0.5 - 3);
}

/** Runs `f` on cpu (reference) and on wasm with the tuned kernels; returns both results as arrays. */
async function onBoth(f: () => tf.Tensor | tf.Tensor[]): Promise<[number[][], number[][]]> {
  const read = (): number[][] => {
    const r = f();
    const list = Array.isArray(r) ? r : [r];
    const out = list.map((t) => [...t.shape, -999, ...Array.from(t.dataSync())]);
    tf.dispose(list);
    return out;
  };
  await useBackend('cpu');
  const reference = read();
  await useBackend('wasm');
  tuneWasmKernels();
  return [reference, read()];
}

describe('tuned wasm kernels', () => {
  it('slice matches the cpu backend for contiguous and strided cases, ranks 1–5', async () => {
    for (const c of CASES) {
      const n = c.shape.reduce((a, b) => a * b, 1);
      const [want, got] = await onBoth(() => tf.slice(tf.tensor(values(n), c.shape), c.begin, c.size));
      expect(got, JSON.stringify(c)).toEqual(want);
    }
  });

  it('split and unstack match the cpu backend along every axis', async () => {
    const shape = [4, 6, 3];
    for (let axis = 0; axis < 3; axis++) {
      const [want, got] = await onBoth(() => tf.split(tf.tensor(values(72), shape), axis === 1 ? [1, 2, 3] : shape[axis]!, axis));
      expect(got).toEqual(want);
      const [w2, g2] = await onBoth(() => tf.unstack(tf.tensor(values(72), shape), axis));
      expect(g2).toEqual(w2);
    }
  });

  it('batched matMul matches the cpu backend for every transpose combination; 2-D and broadcast fall back', async () => {
    const shapes: [number[], number[], boolean, boolean][] = [
      [[3, 2, 5, 4], [3, 2, 4, 6], false, false],
      [[3, 2, 5, 4], [3, 2, 6, 4], false, true],
      [[6, 4, 5], [6, 4, 7], true, false],
      [[6, 4, 5], [6, 7, 4], true, true],
      [[5, 4], [4, 3], false, false],
      [[5, 4], [3, 4], false, true],
      [[2, 5, 4], [4, 3], false, false],
      // short reductions with a remainder (k = 1, 3, 6), odd row counts, short outputs
      [[4, 5, 1], [4, 1, 7], false, false],
      [[4, 3, 5], [4, 7, 3], true, true],
      [[2, 7, 6], [2, 9, 6], false, true],
      [[3, 9, 10], [3, 10, 3], false, false],
      [[3, 10, 9], [3, 5, 10], true, true],
    ];
    for (const [sa, sb, ta, tb] of shapes) {
      const na = sa.reduce((x, y) => x * y, 1);
      const nb = sb.reduce((x, y) => x * y, 1);
      const [want, got] = await onBoth(() => tf.matMul(tf.tensor(values(na), sa), tf.tensor(values(nb).reverse(), sb), ta, tb));
      expect(got.length).toBe(want.length);
      got.forEach((g, i) => g.forEach((v, j) => expect(v).toBeCloseTo(want[i]![j]!, 3)));
    }
  });

  it('clone shares the buffer and frees it only when both are gone', async () => {
    await useBackend('wasm');
    tuneWasmKernels();
    const before = tf.memory();
    const a = tf.tensor([1, 2, 3]);
    const b = tf.clone(a);
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3]);
    b.dispose();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });

  it('is idempotent and survives a re-registration of the originals', async () => {
    await useBackend('wasm');
    tuneWasmKernels();
    const tuned = tf.getKernel(tf.Slice, 'wasm')?.kernelFunc;
    tuneWasmKernels();
    expect(tf.getKernel(tf.Slice, 'wasm')?.kernelFunc).toBe(tuned);
  });
});
