import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig, getMethod } from '../../../src-main/engine/methods/registry';
import { createRng } from '../../../src-main/engine/random';
import { trainMethod, type TrainHooks } from '../../../src-main/engine/train/trainer';
import { shapeOf } from '../../../src-main/engine/types';
import { snapshot } from '../../../src-main/engine/train/weights';
import { tinyDataset } from './tiny-data';

const data = tinyDataset();
const shape = shapeOf(data);

function build(epochs: number) {
  const method = getMethod('lf-linear');
  const config = resolveConfig(shape, { method: 'lf-linear', epochs, overrides: { batchSize: 16 } });
  return method.create({ shape, config, seed: 5, rng: createRng('5|init|lf-linear') });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('trainer', () => {
  it('resumes after an interruption and ends with the same weights as an uninterrupted run', async () => {
    const whole = build(4);
    await trainMethod(whole, data, { seed: 5, checkpointDir: mkdtempSync(join(tmpdir(), 'ck-a-')) });
    const expected = snapshot(whole.phases[0]!.variables());

    const dir = mkdtempSync(join(tmpdir(), 'ck-b-'));
    let epochsSeen = 0;
    const interrupt: TrainHooks = { onEpoch: () => void epochsSeen++, cancelled: () => epochsSeen >= 2 };
    const first = build(4);
    expect((await trainMethod(first, data, { seed: 5, checkpointDir: dir }, interrupt)).kind).toBe('cancelled');
    first.dispose();

    const reported: number[] = [];
    const trained = new Set<number>();
    const second = build(4);
    const outcome = await trainMethod(second, data, { seed: 5, checkpointDir: dir }, { onEpoch: (e) => void reported.push(e.epoch), onStep: (p) => void trained.add(p.epoch) });
    expect(outcome.kind).toBe('completed');
    // Epochs 1–2 are re-reported from the checkpoint (idempotent for the store), only 3–4 are trained.
    expect(reported).toEqual([1, 2, 3, 4]);
    expect([...trained]).toEqual([3, 4]);
    const got = snapshot(second.phases[0]!.variables());
    got.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(expected[i]!)));
  });

  it('reports a non-finite loss with the phase, epoch and step', async () => {
    const model = build(2);
    const phase = model.phases[0]!;
    const broken = { ...phase, trainStep: () => ({ total: Number.NaN, task: Number.NaN }), variables: () => phase.variables(), optimizerVariables: () => phase.optimizerVariables() };
    await expect(trainMethod({ ...model, phases: [broken] }, data, { seed: 1 })).rejects.toThrow(/loss total became NaN in model epoch 1 step 1/);
  });

  it('stops a run whose predictions no longer vary, naming the epoch and the dominating loss', async () => {
    const model = build(3);
    const constant = { ...model, predict: (x: { l: tf.Tensor3D }) => tf.zeros([x.l.shape[0], 1]) as tf.Tensor2D };
    const outcome = await trainMethod(constant, data, { seed: 1 });
    expect(outcome).toEqual({ kind: 'collapsed', message: expect.stringMatching(/collapsed at epoch 1 of model: the predictions no longer vary .*dominating loss: task/) });
  });

  it('is deterministic for a seed and differs across seeds', async () => {
    const run = async (seed: number): Promise<number[]> => {
      const m = getMethod('lf-linear').create({ shape, config: resolveConfig(shape, { method: 'lf-linear', epochs: 2, overrides: { batchSize: 16 } }), seed, rng: createRng(`${seed}|init`) });
      await trainMethod(m, data, { seed });
      return Array.from(snapshot(m.phases[0]!.variables())[0]!);
    };
    expect(await run(1)).toEqual(await run(1));
    expect(await run(1)).not.toEqual(await run(2));
  });
});
