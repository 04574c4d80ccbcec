/**
 * The method contract: every registered method (describe.each over the registry, so a method added
 * later is covered without touching this file) on tiny data, on the wasm backend the engine runs:
 * its card is consistent, one train step per phase leaks no tensor, reads no tensor synchronously if
 * its card declares `asyncReads` (webgpu cannot in Node; the trainer reads the step's returned losses
 * asynchronously; methods without the flag may, and never train on webgpu), runs only kernels that
 * have a gradient and a wasm and cpu implementation, predict/represent have the right shapes, every
 * variable it creates is checkpointed (a resumed run ends bit-identical), dispose frees everything,
 * and evaluation shows it exactly the masked inputs it shows every other method.
 * The last block shows each check failing on a deliberately broken method.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineMethod, type Config, type MethodFactory, type RegisteredMethod } from '../../../src-main/engine/methods/card';
import { SPEC_TRAINING, trainingKnobs } from '../../../src-main/engine/methods/knobs';
import type { Inputs, Phase } from '../../../src-main/engine/methods/method';
import { METHODS, resolveRunOf } from '../../../src-main/engine/methods/registry';
import { taskLoss } from '../../../src-main/engine/methods/task-loss';
import { Adam, Linear } from '../../../src-main/engine/nn';
import { useBackend } from './helpers/backends';
import { checkCard, checkResumeAndEvaluation, checkSteps, kindsToTest } from './helpers/method-contract';

beforeAll(async () => {
  await useBackend('wasm');
});

afterAll(() => {
  tf.disposeVariables();
});

describe('the registry', () => {
  it('has unique ids, and every ablation ablates a registered method', () => {
    const ids = METHODS.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of METHODS) if (m.ablationOf !== undefined) expect(ids, `${m.id}.ablationOf`).toContain(m.ablationOf);
  });
});

describe.each(METHODS.map((m) => [m.id, m] as const))('method contract: %s', (_id, method) => {
  let create: MethodFactory<Config>;

  beforeAll(async () => {
    create = await method.load();
  });

  it('has a complete card: knobs described, epochs declared, defaults and presets valid for every kind it supports', () => {
    checkCard(method);
  });

  it.each(kindsToTest(method))(
    'on %s: one step per phase leaks no tensor, reads nothing synchronously if it declares asyncReads, and runs only kernels with a gradient on every engine backend; outputs have their shapes; every variable is checkpointed; dispose frees everything',
    async (kind) => {
      await checkSteps(method, create, kind);
    },
  );

  // GCNet's resume takes ~75 s alone on this machine: the default 120 s is too close under a loaded suite.
  it('resumes from its checkpoint bit-identically, and is evaluated on the same masked inputs as every other method', { timeout: 300_000 }, async () => {
    await checkResumeAndEvaluation(method, create);
  });
});

/** What a broken method gets wrong. */
interface Faults {
  leak?: boolean;
  hiddenVariable?: boolean;
  blocksGradient?: boolean;
  /** A loss scale counted in a closure: a resume forgets it. */
  hiddenState?: boolean;
  wrongEpochs?: boolean;
  /** Does not dispose its optimiser's variables. */
  keepsVariables?: boolean;
  /** Reads its loss with dataSync inside the step (cannot train on webgpu). */
  readsSync?: boolean;
}

/** A linear model on time-mean features, with the given faults. */
function brokenFactory(faults: Faults): MethodFactory<Config> {
  return ({ shape, config, rng }) => {
    const c = config as { lr: number; batchSize: number; epochs: number };
    const head = new Linear(shape.dims[0] + shape.dims[1] + shape.dims[2], shape.labelDim, rng);
    const params = [head.weight, head.bias!];
    let steps = 0;
    const adam = new Adam(params, { lr: c.lr });
    const hidden = faults.hiddenVariable ? tf.variable(tf.zeros([2])) : null;
    const features = (x: Inputs): tf.Tensor2D => tf.concat([tf.mean(x.l, 1), tf.mean(x.a, 1), tf.mean(x.v, 1)], 1) as tf.Tensor2D;
    const phase: Phase = {
      name: 'model',
      epochs: faults.wrongEpochs ? c.epochs + 1 : c.epochs,
      batchSize: c.batchSize,
      trainStep(batch) {
        if (faults.leak) tf.ones([1]);
        if (faults.hiddenState) steps++;
        return tf.tidy(() => {
          const value = adam.minimize(() => {
            const pred = head.apply(features(batch));
            if (faults.blocksGradient) tf.argMax(pred, 1);
            const loss = taskLoss(pred, batch.y, shape.task);
            return faults.hiddenState ? (tf.mul(loss, 1 / steps) as tf.Scalar) : loss;
          });
          return { total: faults.readsSync ? value.dataSync()[0]! : value };
        });
      },
      validate: (batch) => tf.tidy(() => ({ total: taskLoss(head.apply(features(batch)), batch.y, shape.task) })),
      variables: () => params,
      optimizerVariables: () => adam.variables(),
    };
    return {
      phases: [phase],
      predict: (x) => tf.tidy(() => head.apply(features(x))),
      represent: (x) => tf.tidy(() => features(x)),
      dispose: () => {
        tf.dispose(params);
        if (!faults.keepsVariables) adam.dispose();
        hidden?.dispose();
      },
    };
  };
}

function brokenCard(faults: Faults, card: Partial<Pick<RegisteredMethod, 'training' | 'asyncReads'>> & { undescribed?: boolean } = {}): RegisteredMethod {
  const knobs = card.undescribed ? { ...trainingKnobs, epochs: z.number().int().min(1) } : trainingKnobs;
  return defineMethod({
    id: 'broken',
    title: 'Broken',
    description: 'A method that breaks the contract on purpose.',
    family: 'other',
    config: z.strictObject(knobs),
    kinds: ['mosi'],
    defaults: { mosi: SPEC_TRAINING.mosi },
    phases: (c) => [{ name: 'model', epochs: c.epochs }],
    training: card.training ?? (() => 'complete'),
    representation: 'time-mean features',
    ...(card.asyncReads ? { asyncReads: true } : {}),
    load: () => Promise.resolve(brokenFactory(faults)),
  });
}

describe('the method contract catches a method that', () => {
  it.each([
    ['leaks a tensor every step', { leak: true }, /numTensors after each step/],
    ['keeps a variable outside its phases', { hiddenVariable: true }, /a resume would lose them/],
    ['applies a kernel without a gradient to a model output', { blocksGradient: true }, /without a registered gradient.*ArgMax/],
    ['trains other epochs than its card plans', { wrongEpochs: true }, /phases as the card plans them/],
    ['leaves its optimiser\'s variables after dispose', { keepsVariables: true }, /variables left after dispose/],
  ] as const)('%s', async (_what, faults, message) => {
    const card = brokenCard(faults);
    await expect(checkSteps(card, await card.load(), 'mosi')).rejects.toThrow(message);
    tf.disposeVariables();
  });

  it('declares asyncReads but reads its loss synchronously inside the step (it could not train on webgpu)', async () => {
    const card = brokenCard({ readsSync: true }, { asyncReads: true });
    await expect(checkSteps(card, await card.load(), 'mosi')).rejects.toThrow(/model trainStep read a tensor synchronously/);
    tf.disposeVariables();
  });

  it('keeps training state outside its variables (a resume differs)', async () => {
    const card = brokenCard({ hiddenState: true });
    await expect(checkResumeAndEvaluation(card, await card.load())).rejects.toThrow(/after resume/);
  });

  it('has an undescribed knob, or trains under MSM without MSM knobs', () => {
    expect(() => checkCard(brokenCard({}, { undescribed: true }))).toThrow(/knobs without .describe\(\)/);
    expect(() => checkCard(brokenCard({}, { training: () => 'msm' }))).toThrow(/MSM-trained/);
    expect(() => checkCard(brokenCard({}))).not.toThrow();
  });
});

describe('a method whose card does not declare asyncReads', () => {
  it('may read its loss synchronously inside the step (host numbers), and passes the step checks', async () => {
    const card = brokenCard({ readsSync: true });
    await checkSteps(card, await card.load(), 'mosi');
    tf.disposeVariables();
  });

  it('is refused on webgpu before anything is queued, with the method named and wasm/cpu suggested', () => {
    expect(() => resolveRunOf(brokenCard({}), 'mosi', { backend: 'webgpu' })).toThrow(/broken cannot train on webgpu.*use --backend wasm or cpu/);
    expect(() => resolveRunOf(brokenCard({}), 'mosi', { backend: 'wasm' })).not.toThrow();
    expect(() => resolveRunOf(brokenCard({}, { asyncReads: true }), 'mosi', { backend: 'webgpu' })).not.toThrow();
  });
});
