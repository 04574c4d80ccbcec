import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, it } from 'vitest';
import { MODALITIES } from '../../../src-shared/domain';
import { Discriminator, StatisticsNetwork } from '../../../src-main/engine/methods/hrlf/critics';
import { Factorisation, type PerModality } from '../../../src-main/engine/methods/hrlf/factorisation';
import { frfTerms } from '../../../src-main/engine/methods/hrlf/losses/frf';
import { halDiscriminatorLoss, halGeneratorLoss } from '../../../src-main/engine/methods/hrlf/losses/hal';
import { hmiLoss, mutualInformation, permutationMatrix } from '../../../src-main/engine/methods/hrlf/losses/hmi';
import { klLoss } from '../../../src-main/engine/methods/hrlf/losses/kl';
import { taskLoss } from '../../../src-main/engine/methods/task-loss';
import { scoped, tuneWasmKernels, type Module } from '../../../src-main/engine/nn';
import { createRng } from '../../../src-main/engine/random';
import { BACKENDS, useBackend } from './helpers/backends';
import { expectClose, loadParams, nnFixtures, toTensor, type JsonParams, type JsonTensor } from './helpers/fixtures';

interface FrfCase {
  distance: 'l2' | 'mse';
  stopGrad: boolean;
  self: number;
  cross: number;
  recon: number;
  total: number;
  dzl: JsonTensor;
}

interface Fixtures {
  frf: { d: number; params: JsonParams; z: PerModality<JsonTensor>; q: PerModality<JsonTensor>; u: PerModality<JsonTensor>; cases: FrfCase[] };
  hmi: { d: number; params: JsonParams; et: JsonTensor[]; es: JsonTensor[]; perms: number[][]; mi: number[]; loss: number };
  hal: { d: number; params: JsonParams; et: JsonTensor[]; es: JsonTensor[]; discriminatorLoss: number; generatorLoss: number };
  kl: Record<'classification' | 'regression', { teacher: JsonTensor; student: JsonTensor; value: number }>;
  task: {
    classification: { logits: JsonTensor; y: JsonTensor; value: number };
    regression: { pred: JsonTensor; y: JsonTensor; value: number };
  };
}

const fx = nnFixtures<Fixtures>();

function group(modules: readonly Module[]): Module {
  return { namedVariables: () => modules.flatMap((m, i) => scoped(String(i), m)) };
}

const tensors2d = (list: JsonTensor[]): tf.Tensor2D[] => list.map((t) => toTensor(t) as tf.Tensor2D);

describe.each(BACKENDS)('HRLF losses match the spec (PyTorch reference) on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
    tuneWasmKernels();
  });

  it('FRF self/cross/recon for both distances, and stop-gradient on the targets', () => {
    const c = fx.frf;
    const fac = new Factorisation(c.d, createRng(1));
    loadParams(fac, c.params);
    tf.tidy(() => {
      const z = { l: toTensor(c.z.l), a: toTensor(c.z.a), v: toTensor(c.z.v) } as PerModality<tf.Tensor2D>;
      const { q, u } = fac.factorise(z);
      for (const m of MODALITIES) {
        expectClose(q[m], c.q[m]);
        expectClose(u[m], c.u[m]);
      }
      for (const k of c.cases) {
        const opts = { distance: k.distance, stopGradTargets: k.stopGrad };
        const t = frfTerms(fac, z, q, u, opts);
        expectClose(t.self.dataSync()[0]!, k.self);
        expectClose(t.cross.dataSync()[0]!, k.cross);
        expectClose(t.recon.dataSync()[0]!, k.recon);
        const dzl = tf.grad((zl: tf.Tensor) => {
          const zz = { ...z, l: zl as tf.Tensor2D };
          const f = fac.factorise(zz);
          const r = frfTerms(fac, zz, f.q, f.u, opts);
          return tf.addN([r.self, r.cross, r.recon]);
        })(z.l);
        expectClose(dzl, k.dzl);
      }
    });
  });

  it('HMI: Jensen–Shannon MI per scale and L_HMI = −Σ MI', () => {
    const c = fx.hmi;
    const widths = [3 * c.d, 2 * c.d, c.d];
    const nets = widths.map((k) => new StatisticsNetwork(k, createRng(2)));
    loadParams(group(nets), c.params);
    tf.tidy(() => {
      const et = tensors2d(c.et);
      const es = tensors2d(c.es);
      const perms = c.perms.map((p) => permutationMatrix(Int32Array.from(p)));
      nets.forEach((n, i) => expectClose(mutualInformation(n, et[i]!, es[i]!, perms[i]!).dataSync()[0]!, c.mi[i]!));
      expectClose(hmiLoss(nets, et, es, perms).dataSync()[0]!, c.loss);
    });
  });

  it('HAL: discriminator loss and the non-saturating student loss', () => {
    const c = fx.hal;
    const discs = [3 * c.d, 2 * c.d, c.d].map((k) => new Discriminator(k, createRng(3)));
    loadParams(group(discs), c.params);
    tf.tidy(() => {
      const et = tensors2d(c.et);
      const es = tensors2d(c.es);
      expectClose(halDiscriminatorLoss(discs, et, es).dataSync()[0]!, c.discriminatorLoss);
      expectClose(halGeneratorLoss(discs, es).dataSync()[0]!, c.generatorLoss);
    });
  });

  it('KL (per binary head; Gaussian for regression) and task losses', () => {
    tf.tidy(() => {
      for (const task of ['classification', 'regression'] as const) {
        const k = fx.kl[task];
        expectClose(klLoss(toTensor(k.teacher) as tf.Tensor2D, toTensor(k.student) as tf.Tensor2D, task).dataSync()[0]!, k.value);
      }
      const cl = fx.task.classification;
      expectClose(taskLoss(toTensor(cl.logits) as tf.Tensor2D, toTensor(cl.y) as tf.Tensor2D, 'classification').dataSync()[0]!, cl.value);
      const rg = fx.task.regression;
      expectClose(taskLoss(toTensor(rg.pred) as tf.Tensor2D, toTensor(rg.y) as tf.Tensor2D, 'regression').dataSync()[0]!, rg.value);
    });
  });
});
