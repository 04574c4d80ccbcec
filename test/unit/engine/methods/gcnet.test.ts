/**
 * GCNet equals its PyTorch transcription (bench/engine/torch/gcnet.py, after zeroQiaoba/GCNet) on the
 * same weights, batch and masks: the last node's state, the outputs, the reconstruction, every loss,
 * every parameter's gradient and the weights after one Adam step with weight decay, on wasm and cpu.
 * Fixtures from test/fixtures/methods/gcnet/gen_gcnet.py. Also: the node flags read from front-padded
 * rows, GCNet's random_mask, and the card's defaults and refusals.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '../../../../src-shared/domain';
import { gcnetConfig } from '../../../../src-main/engine/methods/gcnet/card';
import { buildGcnet, drawNodeMasks, gcnetLosses, type NodeMasks } from '../../../../src-main/engine/methods/gcnet/method';
import { nodeValidity, sharedPadding } from '../../../../src-main/engine/methods/gcnet/network';
import { gcnetRandomMask } from '../../../../src-main/engine/methods/gcnet/random-mask';
import type { Batch } from '../../../../src-main/engine/methods/method';
import { ConfigError, resolveConfig, resolveRun } from '../../../../src-main/engine/methods/registry';
import { EVAL } from '../../../../src-main/engine/nn';
import { createRng } from '../../../../src-main/engine/random';
import { BACKENDS, useBackend } from '../helpers/backends';
import { lossesNow } from '../helpers/losses';
import { expectAdamFirstStep, expectClose, expectNamedClose, fixtureBatch, loadParams, toTensor, type JsonParams, type JsonTensor } from '../helpers/fixtures';

interface Case {
  name: string;
  task: Task;
  labelDim: number;
  config: Record<string, unknown>;
  lengths: number[];
  l: JsonTensor;
  a: JsonTensor;
  v: JsonTensor;
  y: JsonTensor;
  keep: Record<'a' | 'l' | 'v', JsonTensor>;
  params: JsonParams;
  last: JsonTensor;
  output: JsonTensor;
  recon: JsonTensor;
  losses: { task: number; recon: number; total: number };
  grads: JsonParams;
  stepped: JsonParams;
}

const fx = JSON.parse(readFileSync(fileURLToPath(new URL('../../../fixtures/methods/gcnet/gcnet_fixtures.json', import.meta.url)), 'utf8')) as {
  B: number;
  T: number;
  dims: [number, number, number];
  cases: Case[];
};

/** The parity bound. */
const TOL = 1e-4;

/** Front padding: sample b's nodes are its last lengths[b] steps. */
function validOf(lengths: number[]): Float32Array {
  const valid = new Float32Array(fx.B * fx.T);
  lengths.forEach((n, b) => valid.fill(1, b * fx.T + fx.T - n, (b + 1) * fx.T));
  return valid;
}

function masksOf(c: Case): NodeMasks {
  return { a: Float32Array.from(c.keep.a.data), l: Float32Array.from(c.keep.l.data), v: Float32Array.from(c.keep.v.data) };
}

describe.each(BACKENDS)('GCNet equals its PyTorch transcription on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  afterAll(() => {
    tf.disposeVariables();
  });

  it.each(fx.cases.map((c) => [c.name, c] as const))('%s: node states, outputs, reconstruction, losses, gradients and one Adam step', (_name, c) => {
    const shape = { kind: c.task === 'regression' ? ('mosi' as const) : ('iemocap' as const), task: c.task, T: fx.T, dims: fx.dims, labelDim: c.labelDim };
    const config = gcnetConfig.parse(c.config);
    const { instance, net, step } = buildGcnet({ shape, config, seed: 1, rng: createRng(1) });
    loadParams(net, c.params);
    const batch = fixtureBatch(c);
    const valid = validOf(c.lengths);
    const masks = masksOf(c);
    const held = tf.memory().numTensors;

    tf.tidy(() => {
      // The node flags the method reads from the rows equal the fixture's lengths.
      expect(Array.from(nodeValidity(batch).dataSync())).toEqual(Array.from(valid));
      const keep = (m: 'l' | 'a' | 'v'): tf.Tensor => tf.expandDims(toTensor(c.keep[m]), 2);
      const masked = { l: tf.mul(batch.l, keep('l')), a: tf.mul(batch.a, keep('a')), v: tf.mul(batch.v, keep('v')) } as Batch;
      const out = net.forward(masked, valid, EVAL);
      expectClose(out.last, c.last, TOL);
      expectClose(out.logits, c.output, TOL);
      expectClose(net.reconstruct(out.hidden), c.recon, TOL);
      const losses = gcnetLosses(net, batch, masks, valid, config, c.task, EVAL);
      expectClose(losses.task, c.losses.task, TOL);
      expectClose(losses.recon, c.losses.recon, TOL);
      expectClose(losses.total, c.losses.total, TOL);
      const named = net.namedVariables();
      expect(Object.keys(c.grads).sort()).toEqual(named.map(([n]) => n).sort());
      const { grads } = tf.variableGrads(() => gcnetLosses(net, batch, masks, valid, config, c.task, EVAL).total, named.map(([, v]) => v));
      for (const [name, v] of named) expectNamedClose(`d ${name}`, grads[v.name] ?? tf.zerosLike(v), c.grads[name]!, TOL);
    });

    const stepped = lossesNow(step(batch, masks, valid, EVAL));
    expectClose(stepped.total!, c.losses.total, TOL);
    expectClose(stepped.task!, c.losses.task, TOL);
    expectClose(stepped.recon!, c.losses.recon, TOL);
    for (const [name, v] of net.namedVariables()) {
      expectAdamFirstStep(name, v, { stepped: c.stepped[name]!, grad: c.grads[name]!, before: c.params[name]! }, config.lr, TOL, config.weightDecay);
    }
    expect(tf.memory().numTensors, 'no tensor kept by the step').toBe(held);

    tf.dispose([batch.l, batch.a, batch.v, batch.y]);
    instance.dispose();
  });
});

describe('the steps the LSTMs skip (sharedPadding)', () => {
  it('are those padded in every sample, at most T − 1', () => {
    expect(sharedPadding([0, 0, 1, 1, 0, 1, 1, 1], 2, 4)).toBe(1);
    expect(sharedPadding([1, 1, 1, 1, 0, 0, 0, 1], 2, 4)).toBe(0);
    expect(sharedPadding([0, 0, 0, 0, 0, 0, 0, 0], 2, 4)).toBe(3);
  });

  it('the parity cases run both with and without skipped steps', () => {
    expect(fx.cases.map((c) => sharedPadding(validOf(c.lengths), fx.B, fx.T))).toEqual([0, 1, 0]);
  });
});

describe("GCNet's random_mask (train_gcnet.py L155-198)", () => {
  const rowsKept = (m: Uint8Array): number[] => Array.from({ length: m.length / 3 }, (_, r) => m[3 * r]! + m[3 * r + 1]! + m[3 * r + 2]!);

  it.each([0.1, 0.2, 0.35, 0.5, 0.6])('at missing rate %f keeps one modality per node at least and realises the rate within 0.005', (rate) => {
    const m = gcnetRandomMask(1600, rate, createRng(rate * 1000));
    expect(Math.min(...rowsKept(m))).toBeGreaterThanOrEqual(1);
    const kept = m.reduce((s, x) => s + x, 0) / m.length;
    expect(Math.abs(1 - rate - kept)).toBeLessThan(0.005);
  });

  it('keeps exactly one modality per node at a keep rate ≤ 1/3, all at rate 0', () => {
    expect(new Set(rowsKept(gcnetRandomMask(500, 0.7, createRng(1))))).toEqual(new Set([1]));
    expect(gcnetRandomMask(50, 0, createRng(1)).every((x) => x === 1)).toBe(true);
  });

  it('ends where the reference would loop forever (keep rate just above 1/3), with the closest draw', () => {
    const m = gcnetRandomMask(64, 0.66, createRng(3));
    expect(m.length).toBe(64 * 3);
    expect(Math.min(...rowsKept(m))).toBeGreaterThanOrEqual(1);
  });

  it('draws a batch at a rate within [maskRateMin, maskRateMax]; the msm generator gives frame masks', () => {
    const config = gcnetConfig.parse({ maskRateMin: 0.2, maskRateMax: 0.2 });
    const masks = drawNodeMasks(8, 50, config, createRng(5));
    const kept = (masks.a.reduce((s, x) => s + x, 0) + masks.l.reduce((s, x) => s + x, 0) + masks.v.reduce((s, x) => s + x, 0)) / (3 * 400);
    expect(Math.abs(kept - 0.8)).toBeLessThan(0.005);
    const msm = drawNodeMasks(8, 50, gcnetConfig.parse({ maskGenerator: 'msm' }), createRng(5));
    expect(msm.l.length).toBe(400);
  });
});

describe('the GCNet card', () => {
  it("defaults to the reference README's command on every kind, trained on its own masks", () => {
    for (const kind of ['mosi', 'mosei', 'iemocap'] as const) {
      const run = resolveRun(kind, { method: 'gcnet' });
      expect(run.training).toBe('own');
      expect(run.phases).toEqual([{ name: 'model', epochs: 100 }]);
      expect(run.config).toMatchObject({
        lr: 1e-3,
        weightDecay: 1e-5,
        batchSize: 32,
        hidden: 200,
        baseModel: 'lstm',
        windowPast: 2,
        windowFuture: 2,
        dropout: 0.5,
        timeAttention: false,
        speakerGraph: false,
        lossRecon: true,
        maskGenerator: 'gcnet',
        maskRateMin: 0,
        maskRateMax: 0.7,
        patience: null,
      });
    }
    expect(resolveRun('mosi', { method: 'gcnet', overrides: { maskGenerator: 'msm' } }).training).toBe('msm');
  });

  it.each([
    [{ maskRateMax: 0.8 }, 'maskRateMax'],
    [{ maskRateMin: 0.5, maskRateMax: 0.3 }, 'maskRateMin'],
    [{ windowPast: -1 }, 'windowPast'],
    [{ baseModel: 'transformer' }, 'baseModel'],
  ])('refuses %j, naming %s', (overrides, field) => {
    let error: unknown = null;
    try {
      resolveConfig('mosi', { method: 'gcnet', overrides });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe(field);
  });
});
