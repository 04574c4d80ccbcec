/**
 * MCTN (src-main/engine/methods/mctn/) against its PyTorch transcription, bench/engine/torch/mctn.py:
 * fixtures from test/fixtures/methods/mctn/gen_mctn.py (same weights, same batch), to 1e-4 on wasm
 * and cpu. Then what the fixtures cannot show: the knobs that choose inputs and targets, model
 * selection, the faithful variant's blindness to audio and vision, and refused knobs.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetKind } from '../../../../src-shared/domain';
import type { Config } from '../../../../src-main/engine/methods/card';
import type { MctnConfig } from '../../../../src-main/engine/methods/mctn/card';
import { lastSteps, mctnInstance } from '../../../../src-main/engine/methods/mctn/method';
import { MctnNetwork } from '../../../../src-main/engine/methods/mctn/network';
import type { Batch, Inputs } from '../../../../src-main/engine/methods/method';
import { ConfigError, getMethod, resolveRun } from '../../../../src-main/engine/methods/registry';
import { clipGradNorm, EVAL } from '../../../../src-main/engine/nn';
import { createRng } from '../../../../src-main/engine/random';
import type { DataShape } from '../../../../src-main/engine/types';
import { BACKENDS, useBackend } from '../helpers/backends';
import { lossesNow } from '../helpers/losses';
import { expectClose, loadParams, toTensor, type JsonParams, type JsonTensor } from '../helpers/fixtures';

type Mod = 'l' | 'a' | 'v';

interface Step {
  terms: Record<string, number>;
  total: number;
}

interface Case {
  method: 'mctn-faithful' | 'mctn-joint';
  task: 'regression' | 'classification';
  knobs: Record<string, unknown>;
  B: number;
  T: number;
  dims: [number, number, number];
  params: JsonParams;
  x: Record<Mod, JsonTensor>;
  masks: Record<Mod, JsonTensor>;
  y: JsonTensor;
  forward: Step & { logits: JsonTensor; rep: JsonTensor; predict: JsonTensor; grads: JsonParams };
  steps: Step[];
  after: JsonParams;
}

const fx = JSON.parse(readFileSync(fileURLToPath(new URL('../../../fixtures/methods/mctn/mctn_fixtures.json', import.meta.url)), 'utf8')) as Record<string, Case>;

const TOL = 1e-4;

function kindOf(c: Case): DatasetKind {
  return c.task === 'regression' ? 'mosi' : 'iemocap';
}

function shapeOf(c: Case): DataShape {
  return { kind: kindOf(c), task: c.task, T: c.T, dims: c.dims, labelDim: c.task === 'regression' ? 1 : 4 };
}

function configOf(method: string, kind: DatasetKind, knobs: Record<string, unknown>): MctnConfig {
  return resolveRun(kind, { method, overrides: knobs }).config as MctnConfig;
}

/** The case's network with the reference weights. */
function network(c: Case): MctnNetwork {
  const net = new MctnNetwork(shapeOf(c), configOf(c.method, kindOf(c), c.knobs), createRng(1));
  loadParams(net, c.params);
  return net;
}

function inputs(c: Case, masked: boolean): Inputs {
  const m = (k: Mod): tf.Tensor3D => {
    const x = toTensor(c.x[k]) as tf.Tensor3D;
    return masked ? tf.mul(x, tf.expandDims(toTensor(c.masks[k]), 2)) : x;
  };
  return { l: m('l'), a: m('a'), v: m('v') };
}

function expectTerms(actual: Record<string, number>, want: Step): void {
  const { total, ...terms } = actual;
  expect(Object.keys(terms).sort()).toEqual(Object.keys(want.terms).sort());
  for (const [k, v] of Object.entries(want.terms)) expectClose(terms[k]!, v, TOL);
  expectClose(total!, want.total, TOL);
}

describe.each(BACKENDS)('MCTN matches its PyTorch transcription on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  afterAll(() => {
    tf.disposeVariables();
  });

  it.each(Object.keys(fx))('%s: every loss term, logits, representation, predict and every parameter gradient', (name) => {
    const c = fx[name]!;
    const net = network(c);
    tf.tidy(() => {
      const shown = inputs(c, true);
      const clean = inputs(c, false);
      const y = toTensor(c.y) as tf.Tensor2D;
      const { terms, total } = net.losses(shown, clean, y, EVAL);
      expectTerms({ total: total.dataSync()[0]!, ...Object.fromEntries(Object.entries(terms).map(([k, v]) => [k, v.dataSync()[0]!])) }, c.forward);
      expectClose(net.predict(shown), c.forward.predict, TOL);
      expectClose(net.predict(shown), c.forward.logits, TOL);
      expectClose(net.represent(shown), c.forward.rep, TOL);
      const named = net.namedVariables();
      const { grads } = tf.variableGrads(() => net.losses(shown, clean, y, EVAL).total, named.map(([, v]) => v));
      expect(named.map(([n]) => n).sort()).toEqual(Object.keys(c.forward.grads).sort());
      for (const [n, v] of named) expectClose(grads[v.name]!, c.forward.grads[n]!, TOL);
    });
    tf.dispose(net.variables());
  });

  it.each(Object.keys(fx))('%s: two training steps (MSM off, sequence crop, clipped gradient norm, Adam): terms and weights after', (name) => {
    const c = fx[name]!;
    const net = network(c);
    // MSM switched off so both sides train on the same batch: every modality kept, no frame dropped.
    const config = configOf(c.method, kindOf(c), { ...c.knobs, msmSubsets: 'l,a,v', msmMaxDrop: 0 });
    const instance = mctnInstance(new MctnNetwork(shapeOf(c), config, createRng(1)));
    const phase = instance.phases[0]!;
    const vars = phase.variables();
    const names = net.namedVariables().map(([n]) => n);
    expect(vars.length).toBe(names.length);
    vars.forEach((v, i) => tf.tidy(() => v.assign(toTensor(c.params[names[i]!]!))));
    const batch: Batch = { ...inputs(c, false), y: toTensor(c.y) as tf.Tensor2D, index: Int32Array.from({ length: c.B }, (_, i) => i) };
    const rng = createRng(3);
    c.steps.forEach((want) => expectTerms(lossesNow(phase.trainStep(batch, rng)), want));
    vars.forEach((v, i) => expectClose(v, c.after[names[i]!]!, TOL));
    tf.dispose([batch.l, batch.a, batch.v, batch.y]);
    instance.dispose();
    tf.dispose(net.variables());
  });
});

describe('MCTN knobs and variants', () => {
  const shape: DataShape = { kind: 'mosi', task: 'regression', T: 6, dims: [5, 3, 4], labelDim: 1 };
  const small = { hidden: 4, regHidden: 3 };

  beforeAll(async () => {
    await useBackend('wasm');
  });

  afterAll(() => {
    tf.disposeVariables();
  });

  function batchOf(seed: number, n = 4): Batch {
    const rng = createRng(seed);
    const t = (d: number): tf.Tensor3D => tf.tensor3d(Array.from({ length: n * shape.T * d }, () => rng.normal()), [n, shape.T, d]);
    return { l: t(5), a: t(3), v: t(4), y: tf.tensor2d(Array.from({ length: n }, () => rng.normal()), [n, 1]), index: Int32Array.from({ length: n }, (_, i) => i) };
  }

  it('lastSteps keeps the end of front-padded sequences', () => {
    tf.tidy(() => {
      const x = tf.reshape(tf.range(0, 2 * 5 * 1), [2, 5, 1]) as tf.Tensor3D;
      const out = lastSteps({ l: x, a: x, v: x }, 3);
      expect(Array.from(out.l.dataSync())).toEqual([2, 3, 4, 7, 8, 9]);
      expect(lastSteps({ l: x, a: x, v: x }, 9).l).toBe(x);
    });
  });

  it('clipGradNorm scales every gradient by maxNorm / (‖g‖ + 1e-6) when the norm exceeds it, and leaves small ones', () => {
    tf.tidy(() => {
      const g = [tf.tensor1d([3, 0]), undefined, tf.tensor2d([[4]])];
      const clipped = clipGradNorm(g, 1);
      const coef = 1 / (5 + 1e-6);
      expectClose(clipped[0]!, { shape: [2], data: [3 * coef, 0] }, 1e-6);
      expect(clipped[1]).toBeUndefined();
      expectClose(clipped[2]!, { shape: [1, 1], data: [4 * coef] }, 1e-6);
      expectClose(clipGradNorm(g, 10)[0]!, { shape: [2], data: [3, 0] }, 1e-6);
    });
  });

  it("translationTargets: 'clean' reconstructs the complete batch, 'corrupted' what the encoders were shown", () => {
    // MSM that always keeps text alone, frames intact: audio and vision are shown as zeros.
    const msm = { msmSubsets: 'l', msmMaxDrop: 0 };
    const batch = batchOf(11);
    const lossesOf = (translationTargets: 'clean' | 'corrupted'): { phase: Record<string, number>; clean: number; corrupted: number } => {
      const config = configOf('mctn-joint', 'mosi', { ...small, ...msm, translationTargets });
      const net = new MctnNetwork(shape, config, createRng(2));
      const instance = mctnInstance(net);
      const phase = lossesNow(instance.phases[0]!.validate(batch, createRng(0)));
      const [clean, corrupted] = tf.tidy(() => {
        const shown = { l: batch.l, a: tf.zerosLike(batch.a), v: tf.zerosLike(batch.v) };
        return [net.losses(shown, batch, batch.y, EVAL).total.dataSync()[0]!, net.losses(shown, shown, batch.y, EVAL).total.dataSync()[0]!];
      });
      instance.dispose();
      return { phase, clean, corrupted };
    };
    const clean = lossesOf('clean');
    const corrupted = lossesOf('corrupted');
    expect(clean.clean).not.toBeCloseTo(clean.corrupted, 4);
    expectClose(clean.phase.total!, clean.clean, 1e-6);
    expectClose(corrupted.phase.total!, corrupted.corrupted, 1e-6);
    tf.dispose([batch.l, batch.a, batch.v, batch.y]);
  });

  it("selection: validation's total is every weighted term by default, the task loss alone with 'task'", () => {
    const batch = batchOf(12);
    for (const selection of ['total', 'task'] as const) {
      const instance = mctnInstance(new MctnNetwork(shape, configOf('mctn-faithful', 'mosi', { ...small, selection }), createRng(4)));
      const v = lossesNow(instance.phases[0]!.validate(batch, createRng(0)));
      const sum = v.translation! + v.cycle! + v.translation2! + v.task!;
      expectClose(v.total!, selection === 'total' ? sum : v.task!, 1e-6);
      instance.dispose();
    }
    tf.dispose([batch.l, batch.a, batch.v, batch.y]);
  });

  it('mctn-faithful reads text only: without text it predicts one constant; mctn-joint reads audio and vision', () => {
    const batch = batchOf(13);
    const predictions = (method: string): { full: number[]; noText: number[]; otherAv: number[] } => {
      const instance = mctnInstance(new MctnNetwork(shape, configOf(method, 'mosi', small), createRng(5)));
      const other = batchOf(14);
      const run = (x: Inputs): number[] => {
        const p = instance.predict(x);
        const out = Array.from(p.dataSync());
        p.dispose();
        return out;
      };
      const noTextL = tf.zerosLike(batch.l);
      const result = { full: run(batch), noText: run({ ...batch, l: noTextL }), otherAv: run({ ...batch, a: other.a, v: other.v }) };
      tf.dispose([noTextL, other.l, other.a, other.v, other.y]);
      instance.dispose();
      return result;
    };
    const faithful = predictions('mctn-faithful');
    expect(faithful.otherAv).toEqual(faithful.full);
    expect(new Set(faithful.noText).size).toBe(1);
    const joint = predictions('mctn-joint');
    expect(joint.otherAv).not.toEqual(joint.full);
    expect(new Set(joint.noText).size).toBeGreaterThan(1);
    tf.dispose([batch.l, batch.a, batch.v, batch.y]);
  });

  it('refuses out-of-range knobs by name, and a variant cannot take the other source', () => {
    const refused = (method: string, overrides: Config): ConfigError => {
      try {
        resolveRun('mosi', { method, overrides });
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return e as ConfigError;
      }
      throw new Error(`${JSON.stringify(overrides)} was accepted`);
    };
    expect(refused('mctn-joint', { hidden: 0 }).field).toBe('hidden');
    expect(refused('mctn-joint', { gradClip: -1 }).field).toBe('gradClip');
    expect(refused('mctn-faithful', { modalityIo: 'pad' }).field).toBe('modalityIo');
    expect(refused('mctn-faithful', { source: 'joint' }).field).toBe('source');
    expect(refused('mctn-joint', { source: 'text' }).field).toBe('source');
    expect(getMethod('mctn-joint').training(configOf('mctn-joint', 'mosi', {}))).toBe('msm');
  });
});
