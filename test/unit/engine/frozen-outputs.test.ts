/**
 * The frozen teacher's outputs cached per sample (src-main/engine/methods/frozen-outputs.ts): a
 * student trained on the trainer's batches (shuffled, each naming its split) gets the same losses
 * as one whose teacher runs on every batch, at synth-mosi's sizes on wasm, the engine's backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CorrkdNetwork } from '../../../src-main/engine/methods/corrkd/network';
import { HrlfNetwork } from '../../../src-main/engine/methods/hrlf/network';
import type { Batch, MethodInstance } from '../../../src-main/engine/methods/method';
import { instantiate, resolveConfig } from '../../../src-main/engine/methods/registry';
import { createRng, permutation } from '../../../src-main/engine/random';
import { batches } from '../../../src-main/engine/train/batches';
import { trainMethod } from '../../../src-main/engine/train/trainer';
import { snapshot } from '../../../src-main/engine/train/weights';
import { shapeOf, type DatasetData } from '../../../src-main/engine/types';
import { tinyDataset } from '../train/tiny-data';
import { useBackend } from './helpers/backends';
import { lossesNow } from './helpers/losses';

/** synth-mosi's sample shape (T 50, dims 300/5/20) on few samples: 4 shuffled batches of 16. */
const DATA = tinyDataset({ train: 64, valid: 24, test: 4 }, 50, [300, 5, 20], 'mosi');
const BATCH = 16;
const STEPS = 5;
/** Teacher epochs before the student phase. */
const TEACHER_STEPS = 1;
/** The brief's bound; on wasm (and cpu) the losses agree bit for bit. */
const REL_TOL = 1e-5;

/** The trainer's batches without their split: the teacher then runs on each batch. */
function uncached(batch: Batch): Batch {
  const { split: _split, ...rest } = batch;
  return rest;
}

interface StudentRun {
  losses: Record<string, number>[];
  /** Forward passes of the method's networks (teacher and student), over the whole run. */
  forwards: number;
  /** tf.memory().numTensors after each training step. */
  tensors: number[];
}

/**
 * The student phase of a fresh instance (teacher trained TEACHER_STEPS steps, so that its outputs
 * differ across samples well beyond float noise, then frozen), STEPS training steps over a
 * shuffled epoch (a second epoch's order when it runs out) then a validation pass, each batch
 * passed through `view`.
 */
async function studentRun(method: string, network: { prototype: { forward: unknown } }, view: (b: Batch) => Batch): Promise<StudentRun> {
  const config = resolveConfig('mosi', { method, overrides: { batchSize: BATCH } });
  const instance: MethodInstance = await instantiate(method, { shape: shapeOf(DATA), config, seed: 3, rng: createRng(3), trainSize: DATA.train.n });
  const [teacher, student] = instance.phases as [(typeof instance.phases)[0], (typeof instance.phases)[0]];
  const teacherRng = createRng('teacher');
  for (let i = 0; i < TEACHER_STEPS; i++) {
    for (const batch of batches(DATA, DATA.train, BATCH)) lossesNow(teacher.trainStep(batch, teacherRng));
  }
  teacher.finish?.();
  const forward = vi.spyOn(network.prototype as { forward: () => unknown }, 'forward');
  const out: StudentRun = { losses: [], forwards: 0, tensors: [] };
  try {
    const rng = createRng('steps');
    while (out.losses.length < STEPS) {
      for (const batch of batches(DATA, DATA.train, BATCH, { order: permutation(DATA.train.n, rng) })) {
        if (out.losses.length === STEPS) break;
        out.losses.push(lossesNow(student.trainStep(view(batch), rng)));
        out.tensors.push(tf.memory().numTensors);
      }
    }
    const validRng = createRng('valid');
    for (const batch of batches(DATA, DATA.valid, BATCH)) out.losses.push(lossesNow(student.validate(view(batch), validRng)));
    out.forwards = forward.mock.calls.length;
  } finally {
    forward.mockRestore();
    instance.dispose();
  }
  return out;
}

describe.each([
  { method: 'hrlf', network: HrlfNetwork },
  { method: 'corrkd', network: CorrkdNetwork },
])('$method student with its frozen teacher cached (wasm, synth-mosi sizes)', ({ method, network }) => {
  beforeAll(async () => {
    await useBackend('wasm');
  });
  afterAll(() => {
    tf.disposeVariables();
  });

  it('has the losses of a teacher run on every batch, runs the teacher once per sample, leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const fresh = await studentRun(method, network, uncached);
    const cached = await studentRun(method, network, (b) => b);
    expect(tf.memory().numTensors, 'dispose frees the cache').toBe(before);

    expect(cached.losses.map((r) => Object.keys(r).sort())).toEqual(fresh.losses.map((r) => Object.keys(r).sort()));
    cached.losses.forEach((record, step) => {
      for (const [name, value] of Object.entries(record)) {
        const expected = fresh.losses[step]![name]!;
        expect(Math.abs(value - expected), `step ${step} ${name}: ${value} vs ${expected}`).toBeLessThanOrEqual(REL_TOL * Math.max(Math.abs(expected), 1e-6));
      }
    });

    const steps = fresh.losses.length;
    expect(fresh.forwards, 'teacher and student on every batch').toBe(2 * steps);
    // The student on every batch; the teacher once per split (each fits one fill pass).
    expect(cached.forwards).toBe(steps + 2);
    // The cache is filled by the first step, then held.
    expect(cached.tensors.slice(1)).toEqual(cached.tensors.slice(1).map(() => cached.tensors[0]));
  });

  it('resumed in the middle of its student phase, ends with the weights of an uninterrupted run (the cache is rebuilt)', async () => {
    const data = tinyDataset({ train: 24, valid: 8, test: 4 });
    const config = resolveConfig('mosi', { method, epochs: 2, overrides: { batchSize: 8, d: 16, heads: 2, layers: 1 } });
    const build = (): Promise<MethodInstance> => instantiate(method, { shape: shapeOf(data), config, seed: 7, rng: createRng(7), trainSize: data.train.n });
    const dirs = [mkdtempSync(join(tmpdir(), 'frozen-a-')), mkdtempSync(join(tmpdir(), 'frozen-b-'))];
    const weights = async (instance: MethodInstance): Promise<number[][]> => (await snapshot(instance.phases.flatMap((p) => p.variables()))).map((w) => Array.from(w));
    try {
      const whole = await build();
      expect(await trainMethod(whole, data, { seed: 7, checkpointDir: dirs[0] })).toEqual({ kind: 'completed' });
      const expected = await weights(whole);
      whole.dispose();

      // Two teacher epochs and the student's first, then a fresh instance resumes the student.
      let epochs = 0;
      const first = await build();
      const outcome = await trainMethod(first, data, { seed: 7, checkpointDir: dirs[1] }, { onEpoch: () => void epochs++, cancelled: () => epochs >= 3 });
      expect(outcome).toEqual({ kind: 'cancelled' });
      first.dispose();
      const trained: string[] = [];
      const resumed = await build();
      await trainMethod(resumed, data, { seed: 7, checkpointDir: dirs[1] }, { onStep: (p) => void trained.push(`${p.phase}${p.epoch}`) });
      expect(new Set(trained)).toEqual(new Set(['student2']));
      expect(await weights(resumed)).toEqual(expected);
      resumed.dispose();
    } finally {
      dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
    }
  });
});

describe('batches name their split only when unmasked', () => {
  it('sets Batch.split for clean rows, leaves it out for masked ones', () => {
    const data: DatasetData = tinyDataset({ train: 4, valid: 2, test: 2 });
    const masks = { l: new Float32Array(4 * data.T), a: new Float32Array(4 * data.T).fill(1), v: new Float32Array(4 * data.T).fill(1) };
    const clean = batches(data, data.train, 4).next().value!;
    expect(clean.split).toBe(data.train);
    const masked = batches(data, data.train, 4, { masks }).next().value!;
    expect(masked.split).toBeUndefined();
    tf.dispose([clean.l, clean.a, clean.v, clean.y, masked.l, masked.a, masked.v, masked.y]);
  });
});
