import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Adam,
  Conv1dK3,
  EVAL,
  LayerNorm,
  Linear,
  Mlp,
  MultiHeadSelfAttention,
  EncoderLayer,
  TransformerEncoder,
  sinusoidalTable,
  stopGradient,
  trainCtx,
  dropoutMask,
  tuneWasmKernels,
} from '../../../src-main/engine/nn';
import { createRng } from '../../../src-main/engine/random';
import { BACKENDS, useBackend } from './helpers/backends';
import { expectClose, loadParams, nnFixtures, toTensor, type JsonParams, type JsonTensor } from './helpers/fixtures';

interface Fixtures {
  conv1d: { x: JsonTensor; weight: JsonTensor; y: JsonTensor; r: JsonTensor; dx: JsonTensor; dweight: JsonTensor };
  conv1d_t1: { x: JsonTensor; y: JsonTensor };
  positional: { T: number; d: number; pe: JsonTensor }[];
  layerNorm: { x: JsonTensor; params: JsonParams; y: JsonTensor; r: JsonTensor; dx: JsonTensor; dgamma: JsonTensor };
  mha: { d: number; heads: number; x: JsonTensor; params: JsonParams; y: JsonTensor; r: JsonTensor; dx: JsonTensor };
  encoderLayer: { d: number; heads: number; x: JsonTensor; params: JsonParams; y: JsonTensor; r: JsonTensor; dx: JsonTensor };
  encoder: {
    d: number;
    heads: number;
    layers: number;
    x: JsonTensor;
    params: JsonParams;
    y: JsonTensor;
    yLast: JsonTensor;
    r: JsonTensor;
    dxLast: JsonTensor;
  };
  mlp: { sizes: number[]; x: JsonTensor; params: JsonParams; y: JsonTensor };
  adam: { lr: number; init: JsonTensor[]; grads: JsonTensor[][]; after: JsonTensor[][] };
}

const fx = nnFixtures<Fixtures>();

/** Value of f(x) and d(sum(f(x)·r))/dx. */
function valueAndInputGrad(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, r: tf.Tensor): [tf.Tensor, tf.Tensor] {
  const y = f(x);
  const dx = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(f(xi), r)))(x);
  return [y, dx];
}

describe.each(BACKENDS)('nn layers match PyTorch on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
    tuneWasmKernels();
  });

  it('conv1d (kernel 3, same padding, no bias): output, input and weight gradients', () => {
    const c = fx.conv1d;
    const conv = new Conv1dK3(c.x.shape[2]!, c.y.shape[2]!, createRng(1));
    tf.tidy(() => conv.weight.assign(toTensor(c.weight)));
    tf.tidy(() => {
      const x = toTensor(c.x) as tf.Tensor3D;
      const r = toTensor(c.r);
      const [y, dx] = valueAndInputGrad((xi) => conv.apply(xi as tf.Tensor3D), x, r);
      expectClose(y, c.y);
      expectClose(dx, c.dx);
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(conv.apply(x), r)), [conv.weight]);
      expectClose(grads[conv.weight.name]!, c.dweight);
      expectClose(conv.apply(toTensor(fx.conv1d_t1.x) as tf.Tensor3D), fx.conv1d_t1.y);
    });
    conv.weight.dispose();
  });

  it('conv1d on zero-padded data: the present-rows path equals the dense one (value and weight gradient)', () => {
    const conv = new Conv1dK3(5, 4, createRng(31));
    tf.tidy(() => {
      const rng = createRng(32);
      const present = new Float32Array(3 * 7).map(() => (rng.next() < 0.3 ? 1 : 0));
      const rows = Int32Array.from([...present.keys()].filter((i) => present[i] === 1));
      const x = tf.mul(tf.randomNormal([3, 7, 5], 0, 1, 'float32', 33), tf.tensor3d(present, [3, 7, 1])) as tf.Tensor3D;
      const r = tf.randomNormal([3, 7, 4], 0, 1, 'float32', 34);
      const dense = tf.variableGrads(() => tf.sum(tf.mul(conv.apply(x), r)), [conv.weight]);
      const sparse = tf.variableGrads(() => tf.sum(tf.mul(conv.apply(x, rows), r)), [conv.weight]);
      expectClose(conv.apply(x, rows), { shape: [3, 7, 4], data: Array.from(conv.apply(x).dataSync()) });
      const want = dense.grads[conv.weight.name]!;
      expectClose(sparse.grads[conv.weight.name]!, { shape: want.shape, data: Array.from(want.dataSync()) });
      expectClose(conv.apply(x, new Int32Array(0)), { shape: [3, 7, 4], data: new Array<number>(84).fill(0) });
    });
    conv.weight.dispose();
  });

  it('sinusoidal positional encoding', () => {
    for (const p of fx.positional) {
      const table = sinusoidalTable(p.T, p.d);
      expectClose(tf.tensor(table, [p.T, p.d]), p.pe, 1e-6);
    }
  });

  it('LayerNorm: output, input and gamma gradients', () => {
    const c = fx.layerNorm;
    const ln = new LayerNorm(c.x.shape[2]!);
    loadParams(ln, c.params);
    tf.tidy(() => {
      const x = toTensor(c.x);
      const r = toTensor(c.r);
      const [y, dx] = valueAndInputGrad((xi) => ln.apply(xi), x, r);
      expectClose(y, c.y);
      expectClose(dx, c.dx);
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(ln.apply(x), r)), [ln.gamma]);
      expectClose(grads[ln.gamma.name]!, c.dgamma);
    });
  });

  it('multi-head self-attention (fused QKV): output and input gradient', () => {
    const c = fx.mha;
    const attn = new MultiHeadSelfAttention(c.d, c.heads, 0, createRng(2));
    loadParams(attn, c.params);
    tf.tidy(() => {
      const x = toTensor(c.x) as tf.Tensor3D;
      const [y, dx] = valueAndInputGrad((xi) => attn.apply(xi as tf.Tensor3D, EVAL), x, toTensor(c.r));
      expectClose(y, c.y);
      expectClose(dx, c.dx);
      // The last-position shortcut equals the full output's last row.
      const t = c.x.shape[1]!;
      const full = attn.apply(x, EVAL);
      const lastRow = tf.squeeze(tf.slice(full, [0, t - 1, 0], [-1, 1, -1]), [1]);
      expect(tf.max(tf.abs(tf.sub(attn.applyLast(x, EVAL), lastRow))).dataSync()[0]).toBeLessThan(1e-6);
    });
  });

  it('pre-LN encoder layer (dropout off): output and input gradient', () => {
    const c = fx.encoderLayer;
    const layer = new EncoderLayer(c.d, c.heads, 0.1, 4 * c.d, createRng(3));
    loadParams(layer, c.params);
    tf.tidy(() => {
      const x = toTensor(c.x) as tf.Tensor3D;
      const [y, dx] = valueAndInputGrad((xi) => layer.apply(xi as tf.Tensor3D, EVAL), x, toTensor(c.r));
      expectClose(y, c.y);
      expectClose(dx, c.dx);
    });
  });

  it('encoder stack with final LayerNorm: full output, last step, and its input gradient', () => {
    const c = fx.encoder;
    const encoder = new TransformerEncoder({ d: c.d, heads: c.heads, layers: c.layers, dropout: 0.1 }, createRng(4));
    loadParams(encoder, c.params);
    tf.tidy(() => {
      const x = toTensor(c.x) as tf.Tensor3D;
      expectClose(encoder.apply(x, EVAL), c.y);
      const [yLast, dx] = valueAndInputGrad((xi) => encoder.applyLast(xi as tf.Tensor3D, EVAL), x, toTensor(c.r));
      expectClose(yLast, c.yLast);
      expectClose(dx, c.dxLast);
    });
  });

  it('MLP', () => {
    const c = fx.mlp;
    const mlp = new Mlp(c.sizes, createRng(5));
    loadParams(mlp, c.params);
    tf.tidy(() => expectClose(mlp.apply(toTensor(c.x)), c.y));
  });

  it.each(['host', 'device'] as const)('Adam (%s update) follows torch.optim.Adam over three steps', (mode) => {
    const c = fx.adam;
    const params = c.init.map((t) => tf.variable(toTensor(t)));
    const adam = new Adam(params, { lr: c.lr, mode });
    c.grads.forEach((step, i) => {
      tf.tidy(() => adam.apply(step.map(toTensor)));
      params.forEach((p, j) => expectClose(p, c.after[i]![j]!));
    });
    expect(adam.variables().map((v) => v.size)).toEqual([1, 10, 10]);
    expect(adam.step.dataSync()[0]).toBe(3);
    adam.dispose();
    params.forEach((p) => p.dispose());
  });

  it('Adam (host) notices parameters and moments restored from outside', () => {
    const c = fx.adam;
    const run = (mode: 'host' | 'device'): number[][] => {
      const params = c.init.map((t) => tf.variable(toTensor(t)));
      const adam = new Adam(params, { lr: c.lr, mode });
      const step = (i: number): void => tf.tidy(() => adam.apply(c.grads[i]!.map(toTensor)));
      step(0);
      // snapshot, train on, restore (what best-epoch selection and checkpoint resume do)
      const saved = [...params, ...adam.variables()].map((v) => tf.clone(v));
      step(1);
      [...params, ...adam.variables()].forEach((v, i) => v.assign(saved[i]!));
      step(2);
      const out = params.map((p) => Array.from(p.dataSync()));
      tf.dispose(saved);
      adam.dispose();
      params.forEach((p) => p.dispose());
      return out;
    };
    const host = run('host');
    const device = run('device');
    host.forEach((h, i) => expectClose(tf.tensor(h), { shape: [h.length], data: device[i]! }));
  });

  it('Linear: fused forward and hand-written gradients equal the plain ops autodiff', () => {
    tf.tidy(() => {
      const lin = new Linear(5, 3, createRng(12));
      const x = tf.randomNormal([4, 5], 0, 1, 'float32', 3) as tf.Tensor2D;
      const r = tf.randomNormal([4, 3], 0, 1, 'float32', 4);
      for (const act of ['linear', 'relu'] as const) {
        const plain = (xi: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor): tf.Tensor => {
          const y = tf.add(tf.matMul(xi, w as tf.Tensor2D), b);
          return act === 'relu' ? tf.relu(y) : y;
        };
        const loss = (f: () => tf.Tensor): tf.Scalar => tf.sum(tf.mul(f(), r));
        const ours = tf.variableGrads(() => loss(() => lin.apply(x, act)), [lin.weight, lin.bias!]);
        const ref = tf.variableGrads(() => loss(() => plain(x, lin.weight, lin.bias!)), [lin.weight, lin.bias!]);
        expectClose(lin.apply(x, act), { shape: [4, 3], data: Array.from(plain(x, lin.weight, lin.bias!).dataSync()) });
        for (const v of [lin.weight, lin.bias!]) {
          const want = ref.grads[v.name]!;
          expectClose(ours.grads[v.name]!, { shape: want.shape, data: Array.from(want.dataSync()) });
        }
        const dxOurs = tf.grad((xi: tf.Tensor) => loss(() => lin.apply(xi as tf.Tensor2D, act)))(x);
        const dxRef = tf.grad((xi: tf.Tensor) => loss(() => plain(xi as tf.Tensor2D, lin.weight, lin.bias!)))(x);
        expectClose(dxOurs, { shape: dxRef.shape, data: Array.from(dxRef.dataSync()) });
      }
      lin.namedVariables().forEach(([, v]) => v.dispose());
    });
  });

  it('dropout is seeded, inverted, and off in eval mode', () => {
    const mask = dropoutMask(100_000, 0.25, 7);
    const kept = mask.filter((m) => m > 0);
    expect(Math.abs(kept.length / mask.length - 0.75)).toBeLessThan(0.01);
    expect(kept[0]).toBeCloseTo(1 / 0.75, 6);
    expect(dropoutMask(1000, 0.25, 7)).toEqual(dropoutMask(1000, 0.25, 7));
    expect(dropoutMask(1000, 0.25, 7)).not.toEqual(dropoutMask(1000, 0.25, 8));
    tf.tidy(() => {
      const layer = new EncoderLayer(8, 2, 0.5, 32, createRng(9));
      const x = tf.randomNormal([2, 4, 8], 0, 1, 'float32', 1) as tf.Tensor3D;
      const a = layer.apply(x, trainCtx(createRng(11))).dataSync();
      const b = layer.apply(x, trainCtx(createRng(11))).dataSync();
      const e1 = layer.apply(x, EVAL).dataSync();
      const e2 = layer.apply(x, EVAL).dataSync();
      expect(Array.from(a)).toEqual(Array.from(b));
      expect(Array.from(a)).not.toEqual(Array.from(e1));
      expect(Array.from(e1)).toEqual(Array.from(e2));
      layer.namedVariables().forEach(([, v]) => v.dispose());
    });
  });

  it('stopGradient passes values and blocks gradients', () => {
    tf.tidy(() => {
      const x = tf.tensor1d([1, 2, 3]);
      const g = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(xi, stopGradient(tf.square(xi)))))(x);
      // d/dx Σ x·sg(x²) = x² (the sg factor is a constant).
      expect(Array.from(g.dataSync())).toEqual([1, 4, 9]);
    });
  });
});
