import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Config, MethodFactory } from '../../../src-main/engine/methods/card';
import { getMethod, resolveConfig } from '../../../src-main/engine/methods/registry';
import type { Batch } from '../../../src-main/engine/methods/method';
import { createRng, type Rng } from '../../../src-main/engine/random';
import { trainMethod, type TrainHooks } from '../../../src-main/engine/train/trainer';
import { shapeOf } from '../../../src-main/engine/types';
import { snapshot } from '../../../src-main/engine/train/weights';
import { tinyDataset } from './tiny-data';

const data = tinyDataset();
const shape = shapeOf(data);

let create: MethodFactory<Config>;

function build(epochs: number) {
  const config = resolveConfig(shape.kind, { method: 'lf-linear', epochs, overrides: { batchSize: 16 } });
  return create({ shape, config, seed: 5, rng: createRng('5|init|lf-linear') });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  create = await getMethod('lf-linear').load();
});

describe('trainer', () => {
  it('resumes after an interruption and ends with the same weights as an uninterrupted run', async () => {
    const whole = build(4);
    await trainMethod(whole, data, { seed: 5, checkpointDir: mkdtempSync(join(tmpdir(), 'ck-a-')) });
    const expected = await snapshot(whole.phases[0]!.variables());

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
    const got = await snapshot(second.phases[0]!.variables());
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

  it('calls beginEpoch before every epoch trained (from the resume point on), and batches carry their split rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ck-e-'));
    const watch = (model: ReturnType<typeof build>, begun: number[], rows: number[]) => {
      const phase = model.phases[0]!;
      const watched = {
        ...phase,
        beginEpoch: (epoch: number) => void begun.push(epoch),
        trainStep: (b: Batch, rng: Rng) => (rows.push(...b.index), phase.trainStep(b, rng)),
        variables: () => phase.variables(),
        optimizerVariables: () => phase.optimizerVariables(),
      };
      return { ...model, phases: [watched] };
    };
    const [begun, rows]: [number[], number[]] = [[], []];
    let epochs = 0;
    await trainMethod(watch(build(3), begun, rows), data, { seed: 5, checkpointDir: dir }, { onEpoch: () => void epochs++, cancelled: () => epochs >= 1 });
    expect(begun).toEqual([1, 2]);
    // Every training row once per epoch, shuffled.
    expect(rows.slice(0, data.train.n).sort((a, b) => a - b)).toEqual(Array.from({ length: data.train.n }, (_, i) => i));
    expect(rows.slice(0, data.train.n)).not.toEqual([...rows.slice(0, data.train.n)].sort((a, b) => a - b));
    const resumed: number[] = [];
    await trainMethod(watch(build(3), resumed, []), data, { seed: 5, checkpointDir: dir });
    expect(resumed).toEqual([2, 3]);
  });

  it('stops a phase after `patience` epochs without a better validation loss', async () => {
    const model = build(6);
    const phase = model.phases[0]!;
    let calls = 0;
    // Validation gets worse every epoch: epoch 1 stays the best.
    const worsening = { ...phase, patience: 2, validate: () => ({ total: ++calls }), variables: () => phase.variables(), optimizerVariables: () => phase.optimizerVariables() };
    const trained: number[] = [];
    await trainMethod({ ...model, phases: [worsening] }, data, { seed: 1 }, { onEpoch: (e) => void trained.push(e.epoch) });
    expect(trained).toEqual([1, 2, 3]);
  });

  it('is deterministic for a seed and differs across seeds', async () => {
    const run = async (seed: number): Promise<number[]> => {
      const m = create({ shape, config: resolveConfig(shape.kind, { method: 'lf-linear', epochs: 2, overrides: { batchSize: 16 } }), seed, rng: createRng(`${seed}|init`) });
      await trainMethod(m, data, { seed });
      return Array.from((await snapshot(m.phases[0]!.variables()))[0]!);
    };
    expect(await run(1)).toEqual(await run(1));
    expect(await run(1)).not.toEqual(await run(2));
  });
});
