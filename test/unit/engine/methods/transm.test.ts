/**
 * TransM equals its PyTorch transcription (bench/engine/torch/transm.py, fixtures from
 * test/fixtures/methods/transm/gen_transm.py): same weights, same batch, same MSM masks → the same
 * logits, representation, decoded sequences, every loss term and every parameter's gradient, on wasm
 * and cpu. The training path runs as trainStep does (encoders on the corrupted rows only); the
 * inference path (last-step shortcut) gives the same logits.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../../src-main/engine/methods/registry';
import { transmConfig, type TransmConfig } from '../../../../src-main/engine/methods/transm/card';
import { objective, TransmNetwork } from '../../../../src-main/engine/methods/transm/network';
import { EVAL } from '../../../../src-main/engine/nn';
import { createRng } from '../../../../src-main/engine/random';
import type { DataShape } from '../../../../src-main/engine/types';
import { BACKENDS, useBackend } from '../helpers/backends';
import { expectClose, loadParams, maskedInputs, toTensor, type JsonParams, type JsonTensor, type MaskedCase } from '../helpers/fixtures';

interface Case extends MaskedCase<TransmConfig> {
  params: JsonParams;
  logits: JsonTensor;
  representation: JsonTensor;
  decoded: Record<string, JsonTensor>;
  terms: Record<string, number>;
  grads: JsonParams;
}

interface Fixtures {
  defaults: Case;
  iemocap: Case;
  knobs: Case;
  abs: { x: JsonTensor; r: JsonTensor; dx: JsonTensor };
}

const FIXTURE = fileURLToPath(new URL('../../../fixtures/methods/transm/transm_fixtures.json', import.meta.url));
const fx = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Fixtures;
/** The bar for a method against its transcription. */
const TOL = 1e-4;

afterAll(() => {
  tf.disposeVariables();
});

describe.each(BACKENDS)('TransM against its PyTorch transcription (%s)', (backend) => {
  it.each(['defaults', 'iemocap', 'knobs'] as const)('%s: forward outputs, every loss term and every gradient', async (name) => {
    await useBackend(backend);
    const c = fx[name];
    const shape: DataShape = c.shape;
    const config = transmConfig.parse({ ...c.config, lr: 1e-3, batchSize: 4, epochs: 1 });
    const net = new TransmNetwork(shape, config, createRng('fixture'));
    loadParams(net, c.params);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const { clean, corrupted, rows } = maskedInputs(c);
      const targets = config.translationTarget === 'clean' ? clean : corrupted;
      const y = toTensor(c.y) as tf.Tensor2D;
      const held: { names?: string[]; values?: tf.Scalar[] } = {};
      const { grads } = tf.variableGrads(() => {
        const out = net.forward(corrupted, targets, EVAL, rows);
        expectClose(out.logits, c.logits, TOL);
        expectClose(out.representation, c.representation, TOL);
        net.routes.forEach((r, i) => expectClose(out.decoded[i]!, c.decoded[r.name]!, TOL));
        const o = objective(net, out, targets, y, shape, config);
        held.names = o.names;
        held.values = o.values.map((v) => tf.keep(v));
        return o.total;
      }, net.variables());
      expect([...(held.names ?? [])].sort()).toEqual(Object.keys(c.terms).sort());
      held.names!.forEach((n, i) => expectClose(held.values![i]!.dataSync()[0]!, c.terms[n]!, TOL));
      tf.dispose(held.values);
      for (const [n, v] of net.namedVariables()) expectClose(grads[v.name]!, c.grads[n]!, TOL);
      // Inference: encoders only (last-step shortcut where pooling is 'last'), same logits.
      const inferred = net.infer(corrupted, EVAL);
      expectClose(inferred.logits, c.logits, TOL);
      expectClose(inferred.representation, c.representation, TOL);
    });
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
  });

  it("engine/nn's Abs gradient is PyTorch's (sign(x), 0 at x = 0)", async () => {
    await useBackend(backend);
    tf.tidy(() => {
      const x = toTensor(fx.abs.x);
      const r = toTensor(fx.abs.r);
      const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.abs(t), r)))(x);
      expectClose(dx, fx.abs.dx, 0);
    });
  });
});

describe('TransM card', () => {
  it('takes HRLF’s per-dataset settings (spec §4) and refuses out-of-range knobs naming them', () => {
    expect(resolveConfig('mosi', { method: 'transm' })).toMatchObject({ heads: 10, lr: 1e-3, batchSize: 128, epochs: 50, d: 40, layers: 2, pairs: 'la,al,lv,vl' });
    expect(resolveConfig('mosei', { method: 'transm' })).toMatchObject({ heads: 8, lr: 2e-3, batchSize: 16, epochs: 20 });
    expect(resolveConfig('iemocap', { method: 'transm' })).toMatchObject({ heads: 10, lr: 4e-3, batchSize: 32, epochs: 30 });
    expect(() => resolveConfig('mosi', { method: 'transm', overrides: { heads: 3 } })).toThrow(/config heads: d \(40\) must be divisible by heads \(3\)/);
    expect(() => resolveConfig('mosi', { method: 'transm', overrides: { pairs: 'll' } })).toThrow(/config pairs:/);
    expect(() => resolveConfig('mosi', { method: 'transm', overrides: { pairs: 'la,la' } })).toThrow(/config pairs: each pair at most once/);
    expect(() => resolveConfig('mosi', { method: 'transm', overrides: { pooling: 'max' } })).toThrow(/config pooling:/);
    expect(() => resolveConfig('mosi', { method: 'transm', overrides: { dropout: 1 } })).toThrow(/config dropout:/);
    expect(() => resolveConfig('mosi', { method: 'transm', overrides: { patience: 0 } })).toThrow(/config patience:/);
  });
});
