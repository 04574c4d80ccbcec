/**
 * SMIL equals its PyTorch transcription (bench/engine/torch/smil.py, fixtures from
 * test/fixtures/methods/smil/gen_smil.py): same weights, same K-means centres, same batch, masks and
 * noise → the same noised pass (prior reconstruction, softplus noise), the same clean pass, every
 * loss term of one first-order meta iteration and every parameter's update direction, on wasm and
 * cpu. Also: the meta iteration leaves the weights where they were (θ' is restored), Monte-Carlo
 * prediction is deterministic across calls, and the prior is the seeded K-means of the features.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { kMeans } from '../../../../src-main/engine/cluster';
import type { Inputs } from '../../../../src-main/engine/methods/method';
import { resolveConfig } from '../../../../src-main/engine/methods/registry';
import { smilConfig, type SmilConfig } from '../../../../src-main/engine/methods/smil/card';
import { createSmil } from '../../../../src-main/engine/methods/smil/method';
import { SmilNetwork, type Noise } from '../../../../src-main/engine/methods/smil/network';
import { metaGradients } from '../../../../src-main/engine/methods/smil/objective';
import { fitPrior } from '../../../../src-main/engine/methods/smil/prior';
import { EVAL } from '../../../../src-main/engine/nn';
import { createRng } from '../../../../src-main/engine/random';
import type { DataShape } from '../../../../src-main/engine/types';
import { tinyDataset } from '../../train/tiny-data';
import { BACKENDS, useBackend } from '../helpers/backends';
import { expectClose, loadParams, maskedInputs, toTensor, type JsonParams, type JsonTensor, type MaskedCase } from '../helpers/fixtures';

type Pass = Record<'logits' | 'fused' | 'hidden', JsonTensor>;

interface Case extends MaskedCase<SmilConfig> {
  lrInner: number;
  half: number;
  eps: { fused: JsonTensor; hidden?: JsonTensor };
  params: JsonParams;
  noised: Pass;
  cleanPass: Pass;
  terms: Record<string, number>;
  grads: JsonParams;
}

const FIXTURE = fileURLToPath(new URL('../../../fixtures/methods/smil/smil_fixtures.json', import.meta.url));
const fx = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<'defaults' | 'iemocap' | 'knobs', Case>;
/** The bar for a method against its transcription. */
const TOL = 1e-4;

afterAll(() => {
  tf.disposeVariables();
});

function rows(x: Inputs, start: number, size: number): Inputs {
  return { l: tf.slice(x.l, start, size), a: tf.slice(x.a, start, size), v: tf.slice(x.v, start, size) };
}

function expectPass(actual: { logits: tf.Tensor; fused: tf.Tensor; hidden: tf.Tensor }, expected: Pass): void {
  expectClose(actual.logits, expected.logits, TOL);
  expectClose(actual.fused, expected.fused, TOL);
  expectClose(actual.hidden, expected.hidden, TOL);
}

describe.each(BACKENDS)('SMIL against its PyTorch transcription (%s)', (backend) => {
  it.each(['defaults', 'iemocap', 'knobs'] as const)('%s: noised and clean passes, every meta-iteration term and update direction', async (name) => {
    await useBackend(backend);
    const c = fx[name];
    const shape: DataShape = c.shape;
    const config = smilConfig.parse({ ...c.config, lr: 1e-3, batchSize: 4, epochs: 1 });
    const net = new SmilNetwork(shape, config, createRng('fixture'));
    loadParams(net, c.params);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const { clean, corrupted: incomplete } = maskedInputs(c);
      const y = toTensor(c.y) as tf.Tensor2D;
      const b = y.shape[0];
      const eps: Noise = { fused: toTensor(c.eps.fused) as tf.Tensor2D, ...(c.eps.hidden ? { hidden: toTensor(c.eps.hidden) as tf.Tensor2D } : {}) };
      const train = { inputs: rows(incomplete, 0, c.half), y: tf.slice(y, 0, c.half), eps };
      const val = { incomplete: rows(incomplete, c.half, b - c.half), complete: rows(clean, c.half, b - c.half), y: tf.slice(y, c.half, b - c.half) };

      expectPass(net.noised(train.inputs, eps, EVAL), c.noised);
      expectPass(net.clean(val.complete, EVAL), c.cleanPass);

      const weights = net.namedVariables().map(([, v]) => Array.from(v.dataSync()));
      const result = metaGradients(net, { train, val }, shape.task, c.lrInner, EVAL);
      expect(Object.keys(result.terms).sort()).toEqual(Object.keys(c.terms).sort());
      for (const [k, v] of Object.entries(result.terms)) expectClose(v, c.terms[k]!, TOL);
      const named = new Map(net.namedVariables().map(([n, v]) => [v.name, n]));
      expect(result.params.map((p) => named.get(p.name)).sort()).toEqual(Object.keys(c.grads).sort());
      result.params.forEach((p, i) => expectClose(result.grads[i]!, c.grads[named.get(p.name)!]!, TOL));
      // θ' was only borrowed: every weight is back to its value.
      net.namedVariables().forEach(([n, v], i) => expect(Array.from(v.dataSync()), n).toEqual(weights[i]));
      // The terms outlive the step's tidy (the trainer reads and frees them): free them here.
      tf.dispose(Object.values(result.terms));
    });
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
  });
});

describe('SMIL inference and prior', () => {
  it('Monte-Carlo prediction is deterministic across calls, and differs from the noise mean (mcSamples 0)', async () => {
    await useBackend('wasm');
    const data = tinyDataset({ train: 24, valid: 8, test: 12 }, 8, [6, 3, 4], 'mosi');
    const shape: DataShape = { kind: 'mosi', task: 'regression', T: data.T, dims: data.dims, labelDim: 1 };
    const base = resolveConfig('mosi', { method: 'smil', overrides: { d: 8, heads: 2, clusters: 3, hidden: 6 } }) as SmilConfig;
    const mc = createSmil({ shape, config: base, seed: 5, rng: createRng('init') });
    const mean = createSmil({ shape, config: { ...base, mcSamples: 0 }, seed: 5, rng: createRng('init') });
    const x = {
      l: tf.tensor3d(data.test.l.subarray(0, 4 * 8 * 6), [4, 8, 6]),
      a: tf.zeros([4, 8, 3]) as tf.Tensor3D, // audio missing: the prior reconstruction runs
      v: tf.tensor3d(data.test.v.subarray(0, 4 * 8 * 4), [4, 8, 4]),
    };
    await mc.phases[1]!.beginEpoch!(1, data);
    await mean.phases[1]!.beginEpoch!(1, data);
    const first = await mc.predict(x).data();
    const second = await mc.predict(x).data();
    expect(Array.from(second)).toEqual(Array.from(first));
    const noiseMean = await mean.predict(x).data();
    expect(Array.from(noiseMean)).not.toEqual(Array.from(first));
    tf.dispose([x.l, x.a, x.v]);
    mc.dispose();
    mean.dispose();
  });

  it('fits each modality’s prior as the seeded K-means of the encoder features of the training samples', async () => {
    await useBackend('cpu');
    const data = tinyDataset({ train: 24, valid: 8, test: 12 }, 8, [6, 3, 4], 'mosi');
    const shape: DataShape = { kind: 'mosi', task: 'regression', T: data.T, dims: data.dims, labelDim: 1 };
    const config = resolveConfig('mosi', { method: 'smil', overrides: { d: 8, heads: 2, clusters: 3, hidden: 6 } }) as SmilConfig;
    const net = new SmilNetwork(shape, config, createRng('init'));
    await fitPrior(net, data.train, data.T, data.dims, 11);
    const features = tf.tidy(() => net.features({ l: tf.tensor3d(data.train.l, [24, 8, 6]), a: tf.tensor3d(data.train.a, [24, 8, 3]), v: tf.tensor3d(data.train.v, [24, 8, 4]) }, EVAL).a);
    const expected = kMeans(await features.data(), 8, { k: 3, rng: createRng('11:smil-prior:a'), nInit: config.kmeansRestarts });
    features.dispose();
    expectClose(net.centres.a, { shape: [3, 8], data: Array.from(expected.centres) }, 1e-5);
    net.dispose();
  });
});

describe('SMIL card', () => {
  it('takes the release’s lr and batch, HRLF’s heads and epochs per dataset, and refuses out-of-range knobs naming them', () => {
    expect(resolveConfig('mosi', { method: 'smil' })).toMatchObject({ heads: 10, lr: 1e-3, batchSize: 128, epochs: 50, clusters: 10, mcSamples: 30, lrInner: 1e-3 });
    expect(resolveConfig('mosei', { method: 'smil' })).toMatchObject({ heads: 8, epochs: 20 });
    expect(resolveConfig('iemocap', { method: 'smil' })).toMatchObject({ heads: 10, epochs: 30 });
    expect(() => resolveConfig('mosi', { method: 'smil', overrides: { heads: 3 } })).toThrow(/config heads: d \(40\) must be divisible by heads \(3\)/);
    expect(() => resolveConfig('mosi', { method: 'smil', overrides: { clusters: 0 } })).toThrow(/config clusters:/);
    expect(() => resolveConfig('mosi', { method: 'smil', overrides: { priorWeights: 'uniform' } })).toThrow(/config priorWeights:/);
    expect(() => resolveConfig('mosi', { method: 'smil', overrides: { mcSamples: -1 } })).toThrow(/config mcSamples:/);
  });
});
