/**
 * CubeMLP equals its PyTorch transcription (bench/engine/torch/cubemlp.py, after kiva12138/CubeMLP) on
 * the same weights and batch: composed features, outputs, every loss, every parameter's gradient and
 * the weights after one training step (clip by value, Adam, StepLR), on wasm and cpu. Fixtures from
 * test/fixtures/methods/cubemlp/gen_cubemlp.py. Also: the card refuses inconsistent knobs by name,
 * and the StepLR schedule; the engine/nn pieces it added (orthogonal init, the Abs gradient).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '../../../../src-shared/domain';
import { cubemlp, cubemlpConfigSchema } from '../../../../src-main/engine/methods/cubemlp/card';
import { buildCubeMlp, cubeMlpLoss, stepLr } from '../../../../src-main/engine/methods/cubemlp/method';
import { ConfigError, resolveConfig, resolveRun } from '../../../../src-main/engine/methods/registry';
import { EVAL, orthogonalMatrix } from '../../../../src-main/engine/nn';
import { createRng } from '../../../../src-main/engine/random';
import type { DatasetData } from '../../../../src-main/engine/types';
import { BACKENDS, useBackend } from '../helpers/backends';
import { lossesNow } from '../helpers/losses';
import { expectAdamFirstStep, expectClose, expectNamedClose, fixtureBatch, loadParams, type JsonParams, type JsonTensor } from '../helpers/fixtures';

interface Case {
  name: string;
  task: Task;
  labelDim: number;
  config: Record<string, unknown>;
  epoch: number;
  lr: number;
  lengths: number[];
  l: JsonTensor;
  a: JsonTensor;
  v: JsonTensor;
  y: JsonTensor;
  params: JsonParams;
  features: JsonTensor;
  output: JsonTensor;
  losses: Record<string, number>;
  trainingLoss: number;
  grads: JsonParams;
  adamM: JsonParams;
  stepped: JsonParams;
}

const fx = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../fixtures/methods/cubemlp/cubemlp_fixtures.json', import.meta.url)), 'utf8'),
) as { B: number; T: number; dims: [number, number, number]; cases: Case[] };

/** The parity bound. */
const TOL = 1e-4;

describe.each(BACKENDS)('CubeMLP equals its PyTorch transcription on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  afterAll(() => {
    tf.disposeVariables();
  });

  it.each(fx.cases.map((c) => [c.name, c] as const))('%s: features, outputs, losses, gradients and one training step', (_name, c) => {
    const shape = { kind: c.task === 'regression' ? ('mosi' as const) : ('iemocap' as const), task: c.task, T: fx.T, dims: fx.dims, labelDim: c.labelDim };
    const config = cubemlpConfigSchema.parse(c.config);
    const { instance, net } = buildCubeMlp({ shape, config, seed: 1, rng: createRng(1) });
    loadParams(net, c.params);
    const batch = fixtureBatch(c);
    const phase = instance.phases[0]!;
    const held = tf.memory().numTensors;

    tf.tidy(() => {
      const features = net.features(batch, EVAL);
      expectClose(features, c.features, TOL);
      expectClose(net.logits(features, EVAL), c.output, TOL);
      const named = net.namedVariables();
      const { value, grads } = tf.variableGrads(() => cubeMlpLoss(net.logits(net.features(batch, EVAL), EVAL), batch.y, c.task, config), named.map(([, v]) => v));
      expectClose(value.dataSync()[0]!, c.trainingLoss, TOL);
      expect(Object.keys(c.grads).sort()).toEqual(named.map(([n]) => n).sort());
      for (const [name, v] of named) expectNamedClose(`d ${name}`, grads[v.name]!, c.grads[name]!, TOL);
    });

    // validate: selection on MAE (regression) or cross-entropy (IEMOCAP), with every loss named.
    const valid = lossesNow(phase.validate(batch, createRng(2)));
    if (c.task === 'regression') {
      expectClose(valid.total!, c.losses.mae!, TOL);
      expectClose(valid.mae!, c.losses.mae!, TOL);
      if (config.loss === 'mse') expectClose(valid.mse!, c.losses.mse!, TOL);
    } else {
      expectClose(valid.total!, c.losses.ce!, TOL);
    }

    // One step at epoch c.epoch: clip by value, Adam at the StepLR rate (dropout is 0 in the fixtures).
    expect(stepLr(config, c.epoch)).toBeCloseTo(c.lr, 12);
    phase.beginEpoch!(c.epoch, {} as DatasetData);
    const losses = lossesNow(phase.trainStep(batch, createRng(3)));
    expectClose(losses.total!, c.trainingLoss, TOL);
    for (const [name, v] of net.namedVariables()) expectAdamFirstStep(name, v, { stepped: c.stepped[name]!, grad: c.grads[name]!, before: c.params[name]! }, c.lr, TOL);
    // Adam's first moment is (1 − β1)·the clipped gradient, flat in parameter order: the clipping shows here.
    expect(tf.memory().numTensors, 'no tensor kept by validate or trainStep').toBe(held);
    const m = phase.optimizerVariables()[1]!.dataSync();
    let offset = 0;
    for (const [name, v] of net.namedVariables()) {
      tf.tidy(() => expectNamedClose(`Adam m of ${name}`, tf.tensor(m.slice(offset, offset + v.size), v.shape), c.adamM[name]!, TOL));
      offset += v.size;
    }

    tf.dispose([batch.l, batch.a, batch.v, batch.y]);
    instance.dispose();
  });
});

describe('the CubeMLP card', () => {
  it('defaults to the reference MOSI command on every kind, trained on complete data', () => {
    for (const kind of ['mosi', 'mosei', 'iemocap'] as const) {
      const run = resolveRun(kind, { method: 'cubemlp' });
      expect(run.training).toBe('complete');
      expect(run.phases).toEqual([{ name: 'model', epochs: 70 }]);
      expect(run.config).toMatchObject({
        lr: 4e-3,
        batchSize: 128,
        lrStepEvery: 60,
        lrStepRate: 0.1,
        gradientClip: 1,
        loss: 'mae',
        dCommon: 128,
        encoder: 'gru',
        timeLen: 50,
        dHiddens: '50-3-128=10-3-32',
        dOuts: '50-3-128=10-3-32',
        resProject: '1-1',
        bias: true,
        lnFirst: true,
        activation: 'gelu',
        dropoutMlp: 0.1,
        dropout: 0.1,
        composeT: 'mean',
        composeK: 'cat',
        validSteps: 'any',
      });
    }
    expect(cubemlp.family).toBe('complete-modality');
  });

  it.each([
    [{ dOuts: '50-3-128' }, 'dOuts', /1 blocks, but dHiddens has 2/],
    [{ resProject: '1' }, 'resProject', /1 flags for 2 blocks/],
    [{ resProject: '1-0' }, 'resProject', /block 2 maps 50-3-128 to 10-3-32/],
    [{ dHiddens: '50-3' }, 'dHiddens', /L-K-D triples/],
    [{ loss: 'huber' }, 'loss', /.+/],
    [{ gradientClip: -1 }, 'gradientClip', /.+/],
    [{ encoder: 'transformer' }, 'encoder', /.+/],
  ])('refuses %j, naming %s', (overrides, field, message) => {
    let error: unknown = null;
    try {
      resolveConfig('mosi', { method: 'cubemlp', overrides });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe(field);
    expect((error as ConfigError).message).toMatch(message);
  });

  it('steps the learning rate every lrStepEvery epochs, from the epoch alone', () => {
    const config = cubemlpConfigSchema.parse({});
    const expected = [4e-3, 4e-3, 4e-4, 4e-4, 4e-5];
    [1, 60, 61, 120, 121].forEach((epoch, i) => expect(stepLr(config, epoch)).toBeCloseTo(expected[i]!, 15));
  });
});

describe("the engine/nn pieces CubeMLP added", () => {
  it.each([
    [3, 5],
    [6, 4],
    [4, 4],
  ])('orthogonalMatrix(%i, %i) has orthonormal rows or columns, as nn.init.orthogonal_', (rows, cols) => {
    const q = orthogonalMatrix(rows, cols, createRng(7));
    // Gram matrix over the shorter side: rows (rows ≤ cols) or columns must be orthonormal.
    const n = Math.min(rows, cols);
    const m = Math.max(rows, cols);
    const at = (i: number, k: number): number => (rows <= cols ? q[i * cols + k]! : q[k * cols + i]!);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let dot = 0;
        for (let k = 0; k < m; k++) dot += at(i, k) * at(j, k);
        expect(Math.abs(dot - (i === j ? 1 : 0)), `(${i}, ${j})`).toBeLessThan(1e-6);
      }
    }
  });

  it.each(BACKENDS)('the Abs gradient is sign(x), 0 at 0 (PyTorch), on %s', async (backend) => {
    await useBackend(backend);
    const g = tf.tidy(() => Array.from(tf.grad((x: tf.Tensor) => tf.sum(tf.abs(x)))(tf.tensor1d([-2, 0, 3])).dataSync()));
    expect(g).toEqual([-1, 0, 1]);
  });
});
