import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Adam,
  AttentionLstmDecoder,
  AttentionPooling,
  EVAL,
  Gru,
  Lstm,
  disposeModule,
  trainCtx,
  tuneWasmKernels,
  type Module,
} from '../../../src-main/engine/nn';
import { createRng } from '../../../src-main/engine/random';
import { BACKENDS, useBackend } from './helpers/backends';
import { expectClose, loadParams, toTensor, type JsonParams, type JsonTensor } from './helpers/fixtures';

/** One case of test/fixtures/nn/gen_nn_recurrent.py's `rnn` section. */
interface RnnCase {
  kind: 'lstm' | 'gru';
  layers: number;
  bidirectional: boolean;
  merge: 'concat' | 'sum';
  inputSize: number;
  hiddenSize: number;
  x: JsonTensor;
  mask: JsonTensor | null;
  params: JsonParams;
  y: JsonTensor;
  r: JsonTensor;
  h: JsonTensor;
  rh: JsonTensor;
  c?: JsonTensor;
  rc?: JsonTensor;
  h0?: JsonTensor;
  c0?: JsonTensor;
  dx: JsonTensor;
  dh0?: JsonTensor;
  dc0?: JsonTensor;
  dparams: JsonParams;
}

interface DecoderCase {
  outputSize: number;
  memorySize: number;
  hiddenSize: number;
  attentionSize: number;
  memory: JsonTensor;
  targets: JsonTensor;
  mask: JsonTensor | null;
  params: JsonParams;
  y: JsonTensor;
  attention: JsonTensor;
  h: JsonTensor;
  c: JsonTensor;
  r: JsonTensor;
  rh: JsonTensor;
  rc: JsonTensor;
  h0?: JsonTensor;
  c0?: JsonTensor;
  dmemory: JsonTensor;
  dtargets: JsonTensor;
  dh0?: JsonTensor;
  dc0?: JsonTensor;
  dparams: JsonParams;
}

interface PoolingCase {
  size: number;
  hidden: number | null;
  x: JsonTensor;
  mask: JsonTensor | null;
  params: JsonParams;
  pooled: JsonTensor;
  weights: JsonTensor;
  r: JsonTensor;
  dx: JsonTensor;
  dparams: JsonParams;
}

interface Fixtures {
  rnn: Record<string, RnnCase>;
  decoder: Record<string, DecoderCase>;
  pooling: Record<string, PoolingCase>;
}

const fx = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../fixtures/nn/nn_recurrent_fixtures.json', import.meta.url)), 'utf8'),
) as Fixtures;

/** Gradients of `loss` w.r.t. every parameter of `module`, compared by name with the PyTorch ones. */
function expectParamGrads(module: Module, loss: () => tf.Scalar, want: JsonParams): void {
  const named = module.namedVariables();
  const { grads } = tf.variableGrads(loss, named.map(([, v]) => v));
  expect(Object.keys(want).sort()).toEqual(named.map(([n]) => n).sort());
  for (const [name, v] of named) expectClose(grads[v.name]!, want[name]!);
}

/** Σ output·r over pairs. */
function dot(pairs: [tf.Tensor, tf.Tensor][]): tf.Scalar {
  return tf.addN(pairs.map(([a, b]) => tf.sum(tf.mul(a, b)))) as tf.Scalar;
}

function build(c: RnnCase): Lstm | Gru {
  const options = {
    inputSize: c.inputSize,
    hiddenSize: c.hiddenSize,
    layers: c.layers,
    bidirectional: c.bidirectional,
    merge: c.merge,
  };
  return c.kind === 'lstm' ? new Lstm(options, createRng(7)) : new Gru(options, createRng(7));
}

describe.each(BACKENDS)('recurrent layers match PyTorch on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
    tuneWasmKernels();
  });

  it.each(Object.keys(fx.rnn))('%s: outputs, final states, input and parameter gradients', (name) => {
    const c = fx.rnn[name]!;
    const rnn = build(c);
    loadParams(rnn, c.params);
    tf.tidy(() => {
      const x = toTensor(c.x) as tf.Tensor3D;
      const mask = c.mask ? (toTensor(c.mask) as tf.Tensor2D) : undefined;
      const h0 = c.h0 ? (toTensor(c.h0) as tf.Tensor3D) : undefined;
      const c0 = c.c0 ? (toTensor(c.c0) as tf.Tensor3D) : undefined;
      const forward = (xi: tf.Tensor, h0i?: tf.Tensor, c0i?: tf.Tensor): { output: tf.Tensor; h: tf.Tensor; c?: tf.Tensor } => {
        const call = { mask, h0: h0i as tf.Tensor3D | undefined };
        return rnn instanceof Lstm ? rnn.apply(xi as tf.Tensor3D, EVAL, { ...call, c0: c0i as tf.Tensor3D | undefined }) : rnn.apply(xi as tf.Tensor3D, EVAL, call);
      };
      const loss = (xi: tf.Tensor, h0i?: tf.Tensor, c0i?: tf.Tensor): tf.Scalar => {
        const out = forward(xi, h0i, c0i);
        return dot([
          [out.output, toTensor(c.r)],
          [out.h, toTensor(c.rh)],
          ...(out.c ? [[out.c, toTensor(c.rc!)] as [tf.Tensor, tf.Tensor]] : []),
        ]);
      };

      const out = forward(x, h0, c0);
      expectClose(out.output, c.y);
      expectClose(out.h, c.h);
      expect(out.c === undefined).toBe(c.kind === 'gru');
      if (out.c) expectClose(out.c, c.c!);

      const inputs = [x, ...(h0 ? [h0] : []), ...(c0 ? [c0] : [])];
      const grads = tf.grads((...xs: tf.Tensor[]) => loss(xs[0]!, h0 ? xs[1] : undefined, c0 ? xs[2] : undefined))(inputs);
      expectClose(grads[0]!, c.dx);
      if (h0) expectClose(grads[1]!, c.dh0!);
      if (c0) expectClose(grads[2]!, c.dc0!);
      expectParamGrads(rnn, () => loss(x, h0, c0), c.dparams);
    });
    disposeModule(rnn);
  });

  it.each(Object.keys(fx.decoder))('attention LSTM decoder with teacher forcing (%s): outputs, attention, gradients', (name) => {
    const c = fx.decoder[name]!;
    const decoder = new AttentionLstmDecoder(
      { outputSize: c.outputSize, memorySize: c.memorySize, hiddenSize: c.hiddenSize, attentionSize: c.attentionSize },
      createRng(8),
    );
    loadParams(decoder, c.params);
    tf.tidy(() => {
      const memoryMask = c.mask ? (toTensor(c.mask) as tf.Tensor2D) : undefined;
      const run = (memory: tf.Tensor, targets: tf.Tensor, h0?: tf.Tensor, c0?: tf.Tensor) =>
        decoder.apply(memory as tf.Tensor3D, targets as tf.Tensor3D, { memoryMask, h0: h0 as tf.Tensor2D, c0: c0 as tf.Tensor2D });
      const loss = (memory: tf.Tensor, targets: tf.Tensor, h0?: tf.Tensor, c0?: tf.Tensor): tf.Scalar => {
        const out = run(memory, targets, h0, c0);
        return dot([
          [out.output, toTensor(c.r)],
          [out.h, toTensor(c.rh)],
          [out.c, toTensor(c.rc)],
        ]);
      };
      const inputs = [toTensor(c.memory), toTensor(c.targets), ...(c.h0 ? [toTensor(c.h0), toTensor(c.c0!)] : [])];
      const out = run(inputs[0]!, inputs[1]!, inputs[2], inputs[3]);
      expectClose(out.output, c.y);
      expectClose(out.attention, c.attention);
      expectClose(out.h, c.h);
      expectClose(out.c, c.c);
      const grads = tf.grads((...xs: tf.Tensor[]) => loss(xs[0]!, xs[1]!, xs[2], xs[3]))(inputs);
      expectClose(grads[0]!, c.dmemory);
      expectClose(grads[1]!, c.dtargets);
      if (c.h0) {
        expectClose(grads[2]!, c.dh0!);
        expectClose(grads[3]!, c.dc0!);
      }
      expectParamGrads(decoder, () => loss(inputs[0]!, inputs[1]!, inputs[2], inputs[3]), c.dparams);
    });
    disposeModule(decoder);
  });

  it.each(Object.keys(fx.pooling))('attention pooling (%s): pooled vector, weights, gradients', (name) => {
    const c = fx.pooling[name]!;
    const pool = new AttentionPooling(c.size, createRng(9), c.hidden === null ? {} : { hidden: c.hidden });
    loadParams(pool, c.params);
    tf.tidy(() => {
      const x = toTensor(c.x) as tf.Tensor3D;
      const mask = c.mask ? (toTensor(c.mask) as tf.Tensor2D) : undefined;
      const loss = (xi: tf.Tensor): tf.Scalar => dot([[pool.apply(xi as tf.Tensor3D, mask).pooled, toTensor(c.r)]]);
      const out = pool.apply(x, mask);
      expectClose(out.pooled, c.pooled);
      expectClose(out.weights, c.weights);
      expectClose(tf.grad(loss)(x), c.dx);
      expectParamGrads(pool, () => loss(x), c.dparams);
    });
    disposeModule(pool);
  });

  it('inter-layer dropout is seeded, active only in training, and never on the last layer', () => {
    const lstm = new Lstm({ inputSize: 4, hiddenSize: 5, layers: 2, bidirectional: true, dropout: 0.5 }, createRng(3));
    const single = new Gru({ inputSize: 4, hiddenSize: 5, dropout: 0.5 }, createRng(4));
    tf.tidy(() => {
      const x = tf.randomNormal([3, 6, 4], 0, 1, 'float32', 5) as tf.Tensor3D;
      const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());
      const a = values(lstm.apply(x, trainCtx(createRng(11))).output);
      const b = values(lstm.apply(x, trainCtx(createRng(11))).output);
      const e = values(lstm.apply(x, EVAL).output);
      expect(a).toEqual(b);
      expect(a).not.toEqual(e);
      expect(values(lstm.apply(x, EVAL).output)).toEqual(e);
      // One layer: no dropout at all (PyTorch applies it between layers only).
      expect(values(single.apply(x, trainCtx(createRng(12))).output)).toEqual(values(single.apply(x, EVAL).output));
    });
    disposeModule(lstm);
    disposeModule(single);
  });

  it('an all-ones mask equals no mask; padded steps output zeros and carry the state', () => {
    const gru = new Gru({ inputSize: 3, hiddenSize: 4, bidirectional: true }, createRng(5));
    tf.tidy(() => {
      const x = tf.randomNormal([2, 5, 3], 0, 1, 'float32', 6) as tf.Tensor3D;
      const plain = gru.apply(x);
      const ones = gru.apply(x, EVAL, { mask: tf.ones([2, 5]) as tf.Tensor2D });
      expectClose(ones.output, { shape: plain.output.shape, data: Array.from(plain.output.dataSync()) }, 0);
      // Front padding by two steps: the forward direction's final state equals a run on the valid suffix.
      const mask = tf.tensor2d([0, 0, 1, 1, 1, 1, 1, 1, 1, 1], [2, 5]);
      const masked = gru.apply(x, EVAL, { mask });
      const y = masked.output.arraySync();
      expect(y[0]![0]!.every((v) => v === 0) && y[0]![1]!.every((v) => v === 0)).toBe(true);
      const suffix = gru.apply(tf.slice(x, [0, 2, 0], [1, 3, 3]) as tf.Tensor3D);
      expectClose(tf.slice(masked.h, [0, 0, 0], [2, 1, 4]), {
        shape: [2, 1, 4],
        data: Array.from(tf.slice(suffix.h, [0, 0, 0], [2, 1, 4]).dataSync()),
      });
    });
    disposeModule(gru);
  });

  it('leadingPadding cuts steps padded in every sample without changing outputs, states, gradients or dropout draws', () => {
    const lstm = new Lstm({ inputSize: 4, hiddenSize: 3, layers: 2, bidirectional: true, dropout: 0.5 }, createRng(31));
    const gru = new Gru({ inputSize: 4, hiddenSize: 3, layers: 2, bidirectional: true, dropout: 0.5 }, createRng(32));
    const asJson = (t: tf.Tensor): JsonTensor => ({ shape: t.shape, data: Array.from(t.dataSync()) });
    tf.tidy(() => {
      const x = tf.randomNormal([3, 7, 4], 0, 1, 'float32', 33) as tf.Tensor3D;
      // Front padding: samples start at steps 3, 5 and 4, so the first 3 steps are padding in all.
      const starts = [3, 5, 4];
      const mask = tf.tensor2d(starts.flatMap((s) => Array.from({ length: 7 }, (_, t) => (t >= s ? 1 : 0))), [3, 7]);
      const h0 = tf.randomNormal([4, 3, 3], 0, 1, 'float32', 34) as tf.Tensor3D;
      const c0 = tf.randomNormal([4, 3, 3], 0, 1, 'float32', 35) as tf.Tensor3D;
      const weights = tf.randomNormal([3, 7, 6], 0, 1, 'float32', 36);
      for (const layer of [lstm, gru]) {
        const params = layer.namedVariables().map(([, v]) => v);
        const run = (leadingPadding: number): tf.Tensor[] => {
          const ctx = trainCtx(createRng(37));
          let parts: tf.Tensor[] = [];
          const { value, grads } = tf.variableGrads(() => {
            const out: tf.Tensor[] =
              layer instanceof Lstm
                ? Object.values(layer.apply(x, ctx, { mask, h0, c0, leadingPadding }))
                : Object.values(layer.apply(x, ctx, { mask, h0, leadingPadding }));
            parts = out.map((t) => tf.keep(t)); // output, h (, c)
            return tf.addN(parts.map((t, i) => tf.sum(i === 0 ? tf.mul(t, weights) : t))) as tf.Scalar;
          }, params);
          return [value, ...parts, ...params.map((p) => grads[p.name]!)];
        };
        const cut = run(3);
        run(0).forEach((expected, i) => expectClose(cut[i]!, asJson(expected), 1e-6));
      }
      expect(() => lstm.apply(x, EVAL, { leadingPadding: 3 })).toThrow(/leadingPadding needs the mask/);
      expect(() => lstm.apply(x, EVAL, { mask, leadingPadding: 7 })).toThrow(/leadingPadding must be an integer in \[0, T − 1\] = \[0, 6\], got 7/);
    });
    disposeModule(lstm);
    disposeModule(gru);
  });

  it('single steps and single rows work; a sequence without valid steps keeps its initial state', () => {
    const lstm = new Lstm({ inputSize: 3, hiddenSize: 2, layers: 2, bidirectional: true }, createRng(13));
    const decoder = new AttentionLstmDecoder({ outputSize: 2, memorySize: 4, hiddenSize: 3 }, createRng(14));
    tf.tidy(() => {
      const x = tf.randomNormal([1, 1, 3], 0, 1, 'float32', 15) as tf.Tensor3D;
      const out = lstm.apply(x);
      expect([out.output.shape, out.h.shape, out.c.shape]).toEqual([
        [1, 1, 4],
        [4, 1, 2],
        [4, 1, 2],
      ]);
      const dx = tf.grad((xi: tf.Tensor) => tf.sum(lstm.apply(xi as tf.Tensor3D).output))(x);
      expect(Array.from(dx.dataSync()).every(Number.isFinite)).toBe(true);
      const dec = decoder.apply(tf.ones([1, 1, 4]) as tf.Tensor3D, tf.ones([1, 1, 2]) as tf.Tensor3D);
      expect([dec.output.shape, dec.attention.shape]).toEqual([
        [1, 1, 2],
        [1, 1, 1],
      ]);
      // Row 1 is all padding: no output, and every layer and direction ends in its initial state.
      const x2 = tf.randomNormal([2, 3, 3], 0, 1, 'float32', 16) as tf.Tensor3D;
      const h0 = tf.randomNormal([4, 2, 2], 0, 1, 'float32', 17) as tf.Tensor3D;
      const c0 = tf.randomNormal([4, 2, 2], 0, 1, 'float32', 18) as tf.Tensor3D;
      const padded = lstm.apply(x2, EVAL, { mask: tf.tensor2d([1, 1, 1, 0, 0, 0], [2, 3]), h0, c0 });
      const row1 = (t: tf.Tensor3D): number[] => Array.from(tf.slice(t, [0, 1, 0], [-1, 1, -1]).dataSync());
      expect(Array.from(tf.slice(padded.output, [1, 0, 0], [1, -1, -1]).dataSync()).every((v) => v === 0)).toBe(true);
      expect(row1(padded.h)).toEqual(row1(h0));
      expect(row1(padded.c)).toEqual(row1(c0));
    });
    disposeModule(lstm);
    disposeModule(decoder);
  });

  it('rejects inputs, masks and states of the wrong shape with a message naming them', () => {
    const lstm = new Lstm({ inputSize: 3, hiddenSize: 2, layers: 2 }, createRng(6));
    tf.tidy(() => {
      expect(() => lstm.apply(tf.zeros([2, 4, 5]) as tf.Tensor3D)).toThrow(/Lstm: input must be \[B, T ≥ 1, 3\], got \[2, 4, 5\]/);
      expect(() => lstm.apply(tf.zeros([2, 4, 3]) as tf.Tensor3D, EVAL, { mask: tf.ones([2, 5]) as tf.Tensor2D })).toThrow(/mask must be float32 \[B, T\] = \[2, 4\], got float32 \[2, 5\]/);
      expect(() => lstm.apply(tf.zeros([2, 4, 3]) as tf.Tensor3D, EVAL, { h0: tf.zeros([1, 2, 2]) as tf.Tensor3D })).toThrow(/h0 must be \[layers·dirs, B, H\] = \[2, 2, 2\]/);
    });
    expect(() => new Gru({ inputSize: 3, hiddenSize: 0 }, createRng(1))).toThrow(/hiddenSize must be a positive integer/);
    disposeModule(lstm);
  });

  it('a training step (biLSTM, biGRU, decoder, pooling, Adam) leaks no tensors and lowers the loss', () => {
    const rng = createRng(21);
    const encoder = new Lstm({ inputSize: 4, hiddenSize: 6, layers: 2, bidirectional: true, merge: 'sum', dropout: 0.2 }, rng);
    const gru = new Gru({ inputSize: 6, hiddenSize: 5, bidirectional: true }, rng);
    const decoder = new AttentionLstmDecoder({ outputSize: 3, memorySize: 6, hiddenSize: 4 }, rng);
    const pool = new AttentionPooling(10, rng);
    const modules: Module[] = [encoder, gru, decoder, pool];
    const vars = modules.flatMap((m) => m.namedVariables().map(([, v]) => v));
    const adam = new Adam(vars, { lr: 0.01 });
    const x = tf.randomNormal([4, 6, 4], 0, 1, 'float32', 22) as tf.Tensor3D;
    const target = tf.randomNormal([4, 5, 3], 0, 1, 'float32', 23) as tf.Tensor3D;
    const mask = tf.tensor2d([1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 1], [4, 6]);
    const stepRng = createRng(24);
    const step = (): number =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => {
          const ctx = trainCtx(stepRng);
          const enc = encoder.apply(x, ctx, { mask });
          const dec = decoder.apply(enc.output, target, { memoryMask: mask });
          const pooled = pool.apply(gru.apply(enc.output, ctx, { mask }).output, mask).pooled;
          return tf.add(tf.mean(tf.square(tf.sub(dec.output, target))), tf.mean(tf.square(pooled))) as tf.Scalar;
        }, vars);
        adam.apply(vars.map((v) => grads[v.name]!));
        return value.dataSync()[0]!;
      });
    const first = step();
    step();
    const before = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 20; i++) last = step();
    expect(tf.memory().numTensors).toBe(before);
    expect(last).toBeLessThan(first);
    adam.dispose();
    modules.forEach(disposeModule);
    tf.dispose([x, target, mask]);
  });
});
