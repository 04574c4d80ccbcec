import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Adam,
  causalMask,
  Conv1d,
  Conv1dK3,
  dropout,
  EncoderLayer,
  LayerNorm,
  MultiHeadAttention,
  MultiHeadSelfAttention,
  trainCtx,
  tuneWasmKernels,
  useFusedKernels,
  variablesOf,
  EVAL,
  type ForwardCtx,
  type Module,
} from '../../../src-main/engine/nn';
import { createRng } from '../../../src-main/engine/random';
import { BACKENDS, useBackend } from './helpers/backends';

/**
 * The engine's fused kernels (nn/fused/) against the composite tf ops they replace, on each host
 * backend: values and every gradient, with dropout ON (both paths must drop the same elements).
 * Covers the SIMD attention kernels (head size 4, wasm) and the JS ones (other head sizes, cpu).
 */

interface Result {
  values: number[][];
}

type Inputs = (xs: tf.Tensor[], ctx: ForwardCtx) => tf.Tensor;

/** f's output and the gradients of sum(f·r) w.r.t. every input and the module's variables, on one path. */
function run(fused: boolean, module: Module, f: Inputs, xs: tf.Tensor[], seed: number, rate: number): Result {
  useFusedKernels(fused);
  return tf.tidy(() => {
    const ctx = (): ForwardCtx => (rate > 0 ? trainCtx(createRng(seed)) : EVAL);
    const y = f(xs, ctx());
    const r = tf.randomNormal(y.shape, 0, 1, 'float32', 7);
    const vars = variablesOf(module);
    const g = tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(f(args.slice(0, xs.length), ctx()), r)));
    const dxs = g([...xs, ...vars]).slice(0, xs.length);
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(f(xs, ctx()), r)) as tf.Scalar, vars);
    return { values: [y, ...dxs, ...vars.map((v) => grads[v.name]!)].map((t) => Array.from(t.dataSync())) };
  });
}

function expectSame(a: Result, b: Result, tol: number): void {
  expect(a.values.length).toBe(b.values.length);
  a.values.forEach((av, k) => {
    const bv = b.values[k]!;
    let worst = 0;
    let scale = 1;
    for (let i = 0; i < av.length; i++) {
      worst = Math.max(worst, Math.abs(av[i]! - bv[i]!));
      scale = Math.max(scale, Math.abs(bv[i]!));
    }
    expect(worst, `output ${k}: max abs diff ${worst}`).toBeLessThanOrEqual(tol * scale);
  });
}

function both(module: Module, f: (x: tf.Tensor, ctx: ForwardCtx) => tf.Tensor, x: tf.Tensor, rate: number, tol = 2e-5): void {
  const g: Inputs = (xs, ctx) => f(xs[0]!, ctx);
  expectSame(run(true, module, g, [x], 11, rate), run(false, module, g, [x], 11, rate), tol);
}

describe.each(BACKENDS)('fused kernels equal the composite ops on %s', (backend) => {
  afterAll(() => useFusedKernels(true));

  it('multi-head attention, full and last-query, head sizes 4 and 3, dropout on and off', async () => {
    await useBackend(backend);
    tuneWasmKernels();
    for (const [d, heads] of [
      [40, 10],
      [12, 4],
    ] as const) {
      const attn = new MultiHeadSelfAttention(d, heads, 0.25, createRng(d));
      const x = tf.randomNormal([3, 9, d], 0, 1, 'float32', 3);
      for (const rate of [0, 0.25]) {
        both(attn, (xi, ctx) => attn.apply(xi as tf.Tensor3D, ctx), x, rate);
        both(attn, (xi, ctx) => attn.applyLast(xi as tf.Tensor3D, ctx), x, rate);
      }
      x.dispose();
      for (const [, v] of attn.namedVariables()) v.dispose();
    }
  });

  it('MultiHeadAttention: self, cross (Tq ≠ Tk, key = value or not), causal or no mask, dropout on and off; other masks stay composite', async () => {
    await useBackend(backend);
    for (const [d, heads] of [
      [40, 10],
      [12, 4],
    ] as const) {
      const attn = new MultiHeadAttention(d, heads, createRng(d), { dropout: 0.25 });
      for (const [tq, tk] of [
        [7, 7],
        [5, 9],
        [9, 5],
        [1, 6],
      ] as const) {
        const xq = tf.randomNormal([3, tq, d], 0, 1, 'float32', 3);
        const xk = tf.randomNormal([3, tk, d], 0, 1, 'float32', 4);
        const xv = tf.randomNormal([3, tk, d], 0, 1, 'float32', 5);
        for (const causal of [false, true]) {
          const masks = (t: number): { attn?: tf.Tensor2D } => (causal ? { attn: causalMask(tq, t) } : {});
          const cases: [Inputs, tf.Tensor[]][] = [
            [(xs, ctx) => attn.apply(xs[0] as tf.Tensor3D, xs[1] as tf.Tensor3D, xs[1] as tf.Tensor3D, ctx, masks(tk)), [xq, xk]],
            [(xs, ctx) => attn.apply(xs[0] as tf.Tensor3D, xs[1] as tf.Tensor3D, xs[2] as tf.Tensor3D, ctx, masks(tk)), [xq, xk, xv]],
          ];
          if (tq === tk) cases.push([(xs, ctx) => attn.apply(xs[0] as tf.Tensor3D, xs[0] as tf.Tensor3D, xs[0] as tf.Tensor3D, ctx, masks(tq)), [xq]]);
          for (const [f, xs] of cases) {
            for (const rate of [0, 0.25]) {
              const fused = run(true, attn, f, xs, 11, rate);
              expectSame(fused, run(false, attn, f, xs, 11, rate), 1e-5);
              // Same seed, same dropout mask: bit-identical.
              expect(run(true, attn, f, xs, 11, rate).values).toEqual(fused.values);
            }
          }
        }
        tf.dispose([xq, xk, xv]);
      }
      for (const [, v] of attn.namedVariables()) v.dispose();
    }

    const attn = new MultiHeadAttention(8, 2, createRng(3));
    const kernelsOf = async (masks: Parameters<MultiHeadAttention['apply']>[4], self: boolean): Promise<string[]> => {
      const profile = await tf.profile(() => {
        const x = tf.randomNormal([2, 4, 8], 0, 1, 'float32', 1) as tf.Tensor3D;
        const m = tf.randomNormal([2, 4, 8], 0, 1, 'float32', 2) as tf.Tensor3D;
        return attn.apply(x, self ? x : m, self ? x : m, EVAL, masks);
      });
      return profile.kernelNames;
    };
    const padding = tf.tensor2d([[0, 0, 0, 1], [0, 0, 0, 0]]);
    const sameValues = tf.tensor2d(causalMask(4).dataSync(), [4, 4]);
    const cases: [Parameters<MultiHeadAttention['apply']>[4], boolean][] = [
      [{}, true],
      [{ attn: causalMask(4) }, true],
      [{ attn: causalMask(4) }, false],
      [{ attn: causalMask(4), keyPadding: padding }, false],
      [{ keyPadding: padding }, true],
      [{ attn: sameValues }, false],
    ];
    const fusedRan: boolean[] = [];
    for (const [masks, self] of cases) {
      const names = await kernelsOf(masks, self);
      fusedRan.push(names.includes('HrlfSelfAttention') || names.includes('HrlfCrossAttention'));
      expect(names.includes('Softmax'), JSON.stringify(names)).toBe(!fusedRan.at(-1));
    }
    expect(fusedRan).toEqual([true, true, true, false, false, false]);
    tf.dispose([padding, sameValues, ...attn.namedVariables().map(([, v]) => v)]);
  });

  it('encoder layer with dropout (LayerNorm, attention, dropout kernels together)', async () => {
    await useBackend(backend);
    tuneWasmKernels();
    const layer = new EncoderLayer(40, 10, 0.1, 160, createRng(5));
    const x = tf.randomNormal([4, 50, 40], 0, 1, 'float32', 4);
    both(layer, (xi, ctx) => layer.apply(xi as tf.Tensor3D, ctx), x, 0.1);
    both(layer, (xi, ctx) => layer.applyLast(xi as tf.Tensor3D, ctx), x, 0.1);
    x.dispose();
    for (const [, v] of layer.namedVariables()) v.dispose();
  });

  it('LayerNorm, dropout and conv taps with scale and positional table', async () => {
    await useBackend(backend);
    tuneWasmKernels();
    const ln = new LayerNorm(7);
    tf.tidy(() => ln.gamma.assign(tf.randomNormal([7], 1, 0.3, 'float32', 1)));
    const x = tf.randomNormal([5, 6, 7], 0, 2, 'float32', 2);
    both(ln, (xi) => ln.apply(xi), x, 0);
    both(ln, (xi, ctx) => dropout(ln.apply(xi), 0.3, ctx), x, 0.3);
    const conv = new Conv1dK3(7, 4, createRng(9));
    const pe = tf.randomNormal([6, 4], 0, 1, 'float32', 5) as tf.Tensor2D;
    both(conv, (xi) => conv.apply(xi as tf.Tensor3D, undefined, { scale: 1.7, add: pe }), x, 0);
    both(conv, (xi) => conv.apply(tf.slice(xi, [0, 0, 0], [5, 1, 7]) as tf.Tensor3D, undefined, { scale: 2 }), x, 0);
    tf.dispose([x, pe, ln.gamma, ln.beta, conv.weight]);
  });

  it('general Conv1d taps: kernel sizes 1–5, valid/same/explicit padding, bias, epilogue, sequences shorter than the kernel', async () => {
    await useBackend(backend);
    const x = tf.randomNormal([3, 4, 6], 0, 1, 'float32', 6);
    for (const [k, padding, bias] of [
      [5, 'same', true],
      [4, 'same', false],
      [3, 'valid', true],
      [2, 3, true],
      [1, 1, false],
      [5, 2, true],
    ] as const) {
      const conv = new Conv1d(6, 5, k, createRng(k), { padding, bias });
      both(conv, (xi) => conv.apply(xi as tf.Tensor3D), x, 0);
      const tOut = conv.outputLength(4);
      const add = tf.randomNormal([tOut, 5], 0, 1, 'float32', k) as tf.Tensor2D;
      both(conv, (xi) => conv.apply(xi as tf.Tensor3D, undefined, { scale: 0.7, add }), x, 0);
      tf.dispose([add, ...conv.namedVariables().map(([, v]) => v)]);
    }
    x.dispose();
  });

  it('Adam: the fused update equals the per-parameter host update over several steps', async () => {
    await useBackend(backend);
    const steps = (fused: boolean): number[][] => {
      useFusedKernels(fused);
      const params = [tf.variable(tf.randomNormal([3, 4], 0, 1, 'float32', 1)), tf.variable(tf.randomNormal([5], 0, 1, 'float32', 2))];
      const adam = new Adam(params, { lr: 0.01 });
      for (let s = 0; s < 4; s++) {
        tf.tidy(() => adam.apply([tf.randomNormal([3, 4], 0, 1, 'float32', 10 + s), s === 2 ? null : tf.randomNormal([5], 0, 1, 'float32', 20 + s)]));
      }
      const out = [...params, adam.m, adam.v, adam.step].map((t) => Array.from(t.dataSync()));
      adam.dispose();
      tf.dispose(params);
      return out;
    };
    expect(steps(true)).toEqual(steps(false));
  });
});
