/**
 * DMD equals its PyTorch transcription (bench/engine/torch/dmd.py, fixtures from
 * test/fixtures/methods/dmd/gen_dmd.py): same weights, same batch → the same outputs of every
 * branch, every loss term, the total and every parameter's gradient (model and both graph units), on
 * wasm and cpu; and two batches through the phase (accumulated, clipped by value, one Adam step) give
 * the same weights.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { DatasetKind, Task } from '../../../../src-shared/domain';
import { dmdConfigSchema, type DmdConfig } from '../../../../src-main/engine/methods/dmd/card';
import { HETERO_PRIOR, HOMO_PRIOR, edgePrior } from '../../../../src-main/engine/methods/dmd/graph-distill';
import { buildDmd } from '../../../../src-main/engine/methods/dmd/model';
import { MODALITIES, type Modality } from '../../../../src-main/engine/methods/dmd/network';
import { hingeLabels, objective, TERMS } from '../../../../src-main/engine/methods/dmd/objective';
import type { Batch } from '../../../../src-main/engine/methods/method';
import { resolveConfig } from '../../../../src-main/engine/methods/registry';
import { EVAL, type NamedVariable } from '../../../../src-main/engine/nn';
import { createRng } from '../../../../src-main/engine/random';
import type { DatasetData, DataShape } from '../../../../src-main/engine/types';
import { BACKENDS, useBackend } from '../helpers/backends';
import { expectClose, loadParams, toTensor, type JsonParams, type JsonTensor } from '../helpers/fixtures';
import { lossesNow } from '../helpers/losses';

type PerModality = Record<Modality, JsonTensor>;

interface Case {
  shape: { kind: DatasetKind; task: Task; T: number; dims: [number, number, number]; labelDim: number };
  config: Partial<DmdConfig>;
  l: JsonTensor;
  a: JsonTensor;
  v: JsonTensor;
  y: JsonTensor;
  params: JsonParams;
  homo: JsonParams;
  hetero: JsonParams;
  outputs: {
    output: JsonTensor;
    fused: JsonTensor;
    logitsC: JsonTensor;
    logitsHomo: PerModality;
    reprHomo: PerModality;
    logitsHetero: PerModality;
    reprHetero: PerModality;
    cSim: PerModality;
    recon: PerModality;
    sCycle: PerModality;
  };
  terms: Record<string, number>;
  total: number;
  grads: JsonParams;
  homoGrads: JsonParams;
  heteroGrads: JsonParams;
  train?: {
    l2: JsonTensor;
    a2: JsonTensor;
    v2: JsonTensor;
    y2: JsonTensor;
    params: JsonParams;
    homo: JsonParams;
    hetero: JsonParams;
    grads: JsonParams;
    homoGrads: JsonParams;
    heteroGrads: JsonParams;
  };
}

const FIXTURE = fileURLToPath(new URL('../../../fixtures/methods/dmd/dmd_fixtures.json', import.meta.url));
const fx = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<'mosi' | 'mosei' | 'iemocap', Case>;
/** The bar for a method against its transcription. */
const TOL = 1e-4;

afterAll(() => {
  tf.disposeVariables();
});

function build(c: Case) {
  const shape: DataShape = c.shape;
  const config = dmdConfigSchema.parse({ ...c.config, epochs: 1 });
  const parts = buildDmd({ shape, config, seed: 1, rng: createRng('fixture') });
  loadParams(parts.net, c.params);
  loadParams(parts.units.homo, c.homo);
  loadParams(parts.units.hetero, c.hetero);
  return { ...parts, shape, config };
}

/**
 * Weights after one Adam step, to TOL, except where the summed gradient is (mathematically) zero: a
 * key-projection bias, the edge-score biases (softmax ignores a shift common to all scores). There
 * both sides hold rounding noise ν, and Adam's first step moves by lr·ν/(|ν| + eps), anything in
 * [0, lr]: only that bound is checked.
 */
function expectAdamStep(actual: tf.Variable, expected: JsonTensor, sum: JsonTensor, lr: number): void {
  const a = actual.dataSync();
  expect(a.length).toBe(expected.data.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const zero = Math.abs(sum.data[i]!) < 1e-6;
    const err = Math.abs(a[i]! - expected.data[i]!);
    worst = Math.max(worst, zero ? err - 2 * lr : err - TOL * Math.max(1, Math.abs(expected.data[i]!)));
  }
  expect(worst, `${actual.name}: worst excess over the tolerance ${worst}`).toBeLessThanOrEqual(0);
}

const toTensorData = (t: tf.Tensor): JsonTensor => ({ shape: t.shape, data: Array.from(t.dataSync()) });

const batchOf = (l: JsonTensor, a: JsonTensor, v: JsonTensor, y: JsonTensor): Batch => ({
  l: toTensor(l) as tf.Tensor3D,
  a: toTensor(a) as tf.Tensor3D,
  v: toTensor(v) as tf.Tensor3D,
  y: toTensor(y) as tf.Tensor2D,
  index: Int32Array.from({ length: y.shape[0]! }, (_, i) => i),
});

describe.each(BACKENDS)('DMD against its PyTorch transcription (%s)', (backend) => {
  it.each(['mosi', 'mosei', 'iemocap'] as const)('%s: every branch output, every loss term and every gradient', async (name) => {
    await useBackend(backend);
    const c = fx[name];
    const { net, units, phase, shape, config, instance } = build(c);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const batch = batchOf(c.l, c.a, c.v, c.y);
      const labels = hingeLabels(batch.y.dataSync() as Float32Array, batch.index.length, shape.task);
      const held: { terms?: tf.Scalar[] } = {};
      const { value, grads } = tf.variableGrads(() => {
        const out = net.forward(batch, EVAL);
        const o = c.outputs;
        expectClose(out.output, o.output, TOL);
        expectClose(out.fused, o.fused, TOL);
        expectClose(out.logitsC, o.logitsC, TOL);
        for (const m of MODALITIES) {
          expectClose(out.logitsHomo[m], o.logitsHomo[m], TOL);
          expectClose(out.reprHomo[m], o.reprHomo[m], TOL);
          expectClose(out.logitsHetero[m], o.logitsHetero[m], TOL);
          expectClose(out.reprHetero[m], o.reprHetero[m], TOL);
          expectClose(out.cSim[m], o.cSim[m], TOL);
          expectClose(out.recon[m], o.recon[m], TOL);
          expectClose(out.sCycle[m], o.sCycle[m], TOL);
        }
        const obj = objective(out, units, batch.y, labels, shape.task, config);
        held.terms = TERMS.map((t) => tf.keep(obj.terms[t]));
        return obj.total;
      }, phase.params);
      expect([...TERMS].sort()).toEqual(Object.keys(c.terms).sort());
      TERMS.forEach((t, k) => expectClose(held.terms![k]!.dataSync()[0]!, c.terms[t]!, TOL));
      tf.dispose(held.terms);
      expectClose(value.dataSync()[0]!, c.total, TOL);
      for (const [n, v] of net.namedVariables()) expectClose(grads[v.name]!, c.grads[n]!, TOL);
      for (const [n, v] of units.homo.namedVariables()) expectClose(grads[v.name]!, c.homoGrads[n]!, TOL);
      for (const [n, v] of units.hetero.namedVariables()) expectClose(grads[v.name]!, c.heteroGrads[n]!, TOL);
      expectClose(instance.predict(batch), c.outputs.output, TOL);
      // Evaluation batches larger than one chunk (32): the same rows as the forward, in order.
      const eight = (t: tf.Tensor): tf.Tensor3D => tf.concat(Array.from({ length: 8 }, () => t)) as tf.Tensor3D;
      const big = { l: eight(batch.l), a: eight(batch.a), v: eight(batch.v) };
      expectClose(instance.predict(big), toTensorData(tf.concat(Array.from({ length: 8 }, () => toTensor(c.outputs.output)))), TOL);
      expect(instance.represent(big).shape).toEqual([8 * batch.index.length, 9 * config.d]);
    });
    expect(tf.memory().numTensors).toBe(before);
    instance.dispose();
  });

  it('mosi: two batches summed, clipped by value after each, one Adam step: the same weights', async () => {
    await useBackend(backend);
    const c = fx.mosi;
    const t = c.train!;
    const { net, units, phase, instance, config } = build(c);
    // An epoch of two batches: update_epochs (2) batches per Adam step.
    await phase.beginEpoch(1, { train: { n: 2 * phase.batchSize } } as unknown as DatasetData);
    const rng = createRng('dmd-train');
    for (const batch of [batchOf(c.l, c.a, c.v, c.y), batchOf(t.l2, t.a2, t.v2, t.y2)]) {
      const losses = lossesNow(phase.trainStep(batch, rng));
      expect(Number.isFinite(losses.total)).toBe(true);
      tf.dispose([batch.l, batch.a, batch.v, batch.y]);
    }
    const groups: [NamedVariable[], JsonParams, JsonParams][] = [
      [net.namedVariables(), t.params, t.grads],
      [units.homo.namedVariables(), t.homo, t.homoGrads],
      [units.hetero.namedVariables(), t.hetero, t.heteroGrads],
    ];
    const accumulated = new Map(phase.params.map((p, i) => [p, phase.accumulated[i]!]));
    for (const [named, weights, sums] of groups) {
      for (const [n, v] of named) {
        expectClose(accumulated.get(v)!, sums[n]!, TOL);
        expectAdamStep(v, weights[n]!, sums[n]!, config.lr);
      }
    }
    instance.dispose();
  });
});

describe('DMD card and schedule', () => {
  it("takes the reference's MOSI and MOSEI settings (IEMOCAP reuses MOSEI's) and refuses out-of-range knobs naming them", () => {
    expect(resolveConfig('mosi', { method: 'dmd' })).toMatchObject({ d: 50, heads: 10, kernelA: 5, kernelV: 5, lr: 1e-4, batchSize: 16, updateEpochs: 10, earlyStop: 10, gradientClip: 0.6, textDropout: 0.5 });
    expect(resolveConfig('mosei', { method: 'dmd' })).toMatchObject({ d: 30, heads: 6, kernelL: 5, kernelA: 1, kernelV: 3, attnDropout: 0.4, attnDropoutA: 0 });
    expect(resolveConfig('iemocap', { method: 'dmd' })).toMatchObject({ d: 30, heads: 6, kernelA: 1 });
    expect(() => resolveConfig('mosi', { method: 'dmd', overrides: { heads: 3 } })).toThrow(/config heads: d \(50\) must be divisible by heads \(3\)/);
    expect(() => resolveConfig('mosi', { method: 'dmd', overrides: { ortAxis: 'time' } })).toThrow(/config ortAxis:/);
    expect(() => resolveConfig('mosi', { method: 'dmd', overrides: { outputDropout: 1 } })).toThrow(/config outputDropout:/);
    expect(() => resolveConfig('mosi', { method: 'dmd', overrides: { kernelL: 0 } })).toThrow(/config kernelL:/);
  });

  it("the graph priors are run.py's softmax([…] / 0.25)", () => {
    expect(HOMO_PRIOR.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const e4 = Math.exp(4);
    expect(HOMO_PRIOR[2]).toBeCloseTo(e4 / (4 + 2 * e4), 12);
    expect(HETERO_PRIOR[5]).toBeCloseTo(e4 / (3 + 3 * e4), 12);
    expect(edgePrior([0, 0], 1)).toEqual([0.5, 0.5]);
  });

  it('halves the learning rate after more than lrPatience epochs without a better validation loss (ReduceLROnPlateau)', async () => {
    await useBackend('cpu');
    const shape: DataShape = { kind: 'mosi', task: 'regression', T: 6, dims: [5, 3, 4], labelDim: 1 };
    const config = dmdConfigSchema.parse({ d: 4, heads: 2, layers: 1, kernelL: 3, kernelA: 3, kernelV: 3, lrPatience: 1, epochs: 10 });
    const { phase, instance } = buildDmd({ shape, config, seed: 1, rng: createRng('plateau') });
    const data = { train: { n: 32 } } as unknown as DatasetData;
    const y = tf.zeros([2, 1]) as tf.Tensor2D;
    const x = tf.ones([2, 6, 5]) as tf.Tensor3D;
    const batch: Batch = { l: x, a: tf.ones([2, 6, 3]) as tf.Tensor3D, v: tf.ones([2, 6, 4]) as tf.Tensor3D, y, index: Int32Array.from([0, 1]) };
    const lrs: number[] = [];
    for (let epoch = 1; epoch <= 5; epoch++) {
      await phase.beginEpoch(epoch, data);
      lrs.push(phase.learningRate);
      lossesNow(phase.validate(batch));
    }
    // Same weights every epoch: epoch 2 sets best; epochs 3 and 4 are bad; the second bad epoch (> patience 1) halves.
    expect(lrs).toEqual([1e-4, 1e-4, 1e-4, 5e-5, 5e-5]);
    tf.dispose([x, y, batch.a, batch.v]);
    instance.dispose();
  });
});
