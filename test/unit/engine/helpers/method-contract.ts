/**
 * The checks of the method contract (test/unit/engine/method-contract.test.ts), as functions of a
 * card and its factory so the test can also show that each check fails on a broken method.
 * Every check runs on tiny data on the active backend (the test uses wasm, the engine's).
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { taskOf, type DatasetKind } from '../../../../src-shared/domain';
import { METHOD_FAMILIES, TRAINING_CONDITIONS } from '../../../../src-shared/methods';
import { MSM_KNOBS } from '../../../../src-shared/results/scenario';
import type { Config, MethodFactory, RegisteredMethod } from '../../../../src-main/engine/methods/card';
import type { Inputs, MethodInstance, StepLosses } from '../../../../src-main/engine/methods/method';
import { describeMethod, knobsOf, resolveRunOf } from '../../../../src-main/engine/methods/registry';
import { outputWidth } from '../../../../src-main/engine/methods/task-loss';
import { createRng } from '../../../../src-main/engine/random';
import { batches } from '../../../../src-main/engine/train/batches';
import { evaluate } from '../../../../src-main/engine/train/evaluate';
import { readLosses } from '../../../../src-main/engine/train/losses';
import { trainMethod } from '../../../../src-main/engine/train/trainer';
import { snapshot } from '../../../../src-main/engine/train/weights';
import { shapeOf, type DatasetData } from '../../../../src-main/engine/types';
import { tinyDataset } from '../../train/tiny-data';
import { recordKernels } from './kernels';

/** Tiny sizes: 24 training samples in batches of 8 (3 steps an epoch), T 8. */
const TINY_N = { train: 24, valid: 8, test: 12 };
const BATCH = 8;
const STEPS = 3;
/** Backends a run may fall back to: every kernel a step runs must exist on each. */
const ENGINE_BACKENDS = ['wasm', 'cpu'];

const registeredVariables = (): Record<string, tf.Variable> => (tf.engine() as unknown as { state: { registeredVariables: Record<string, tf.Variable> } }).state.registeredVariables;

function tinyData(kind: DatasetKind): DatasetData {
  return tinyDataset(TINY_N, 8, [6, 3, 4], kind);
}

/** One kind per task the method supports: shapes differ between regression and classification. */
export function kindsToTest(method: RegisteredMethod): DatasetKind[] {
  const byTask = new Map<string, DatasetKind>();
  for (const k of method.kinds) if (!byTask.has(taskOf(k))) byTask.set(taskOf(k), k);
  return [...byTask.values()];
}

/** The method's defaults for the kind, with tiny epochs and batches where it has those knobs. */
function tinyConfig(method: RegisteredMethod, kind: DatasetKind, epochs: number): Config {
  const overrides = knobsOf(method).includes('batchSize') ? { batchSize: BATCH } : {};
  return resolveRunOf(method, kind, { epochs, overrides }).config;
}

/** A fingerprint of the inputs a model is shown (evaluation sees identical masks across methods). */
function fingerprint(x: Inputs): string {
  return [x.l, x.a, x.v].map((t) => Array.from(t.dataSync()).reduce((h, v, i) => (h + v * ((i % 97) + 1)) % 1e9, 0).toFixed(6)).join('/');
}

/**
 * Runs `fn` and fails if it read a tensor synchronously (dataSync, arraySync: the backend's
 * readSync): GPU backends (webgpu) cannot in Node, so a step that does could not train there.
 */
async function withoutSyncReads<T>(what: string, fn: () => T | Promise<T>): Promise<T> {
  const backend = tf.backend() as unknown as { readSync(dataId: unknown): unknown; read(dataId: unknown): Promise<unknown> };
  const original = backend.readSync;
  const originalRead = backend.read;
  let reads = 0;
  // The host backends' asynchronous read (t.data()) calls readSync inside its synchronous part: not a synchronous read.
  let inAsyncRead = false;
  backend.read = function (this: unknown, dataId: unknown) {
    inAsyncRead = true;
    try {
      return originalRead.call(this, dataId);
    } finally {
      inAsyncRead = false;
    }
  };
  backend.readSync = function (this: unknown, dataId: unknown) {
    if (!inAsyncRead) reads++;
    return original.call(this, dataId);
  };
  let result: T;
  try {
    result = await fn();
  } finally {
    backend.readSync = original;
    backend.read = originalRead;
  }
  expect(reads, `${what} read a tensor synchronously (dataSync/arraySync): return the losses as tensors (StepLosses), or await t.data()`).toBe(0);
  return result;
}

/** What the evaluation shows a model, recorded by a stand-in that is not a registered method. */
async function referenceInputs(data: DatasetData): Promise<string[]> {
  const seen: string[] = [];
  const width = outputWidth(data.task, data.labelDim);
  const standIn: MethodInstance = {
    phases: [],
    predict: (x) => (seen.push(fingerprint(x)), tf.zeros([x.l.shape[0], width]) as tf.Tensor2D),
    represent: (x) => tf.mean(x.l, 1) as tf.Tensor2D,
    dispose: () => undefined,
  };
  await evaluate(standIn, data, 0);
  return seen;
}

/** The card is complete and consistent: knobs described, `epochs` declared, defaults and presets valid for every kind. */
export function checkCard(method: RegisteredMethod): void {
  expect(method.id).toMatch(/^[a-z0-9][a-z0-9.-]*$/);
  expect(METHOD_FAMILIES).toContain(method.family);
  for (const text of [method.title, method.description, method.representation]) expect(text.trim()).not.toBe('');
  expect(method.ablationOf).not.toBe(method.id);
  expect(method.kinds.length).toBeGreaterThan(0);
  expect(Object.keys(method.defaults ?? {}).filter((k) => !method.kinds.includes(k as DatasetKind))).toEqual([]);
  const knobs = knobsOf(method);
  expect(knobs, '`--epochs` sets the epochs knob').toContain('epochs');
  const summary = describeMethod(method);
  expect(summary.knobs.filter((k) => k.description === '').map((k) => k.key), 'knobs without .describe()').toEqual([]);
  for (const k of summary.kinds) {
    expect(TRAINING_CONDITIONS).toContain(k.training);
    expect(k.phases.length).toBeGreaterThan(0);
    if (k.training === 'msm') expect(knobs, 'MSM-trained: scenarios set its MSM knobs').toEqual(expect.arrayContaining(Object.values(MSM_KNOBS)));
    if (method.teacher) expect(k.phases.map((p) => p.name)).toContain(method.teacher.phase);
    for (const preset of summary.presets) expect(() => resolveRunOf(method, k.kind, { preset })).not.toThrow();
  }
}

/**
 * On `kind`: the instance's phases are the card's; one step per phase leaks no tensor, reads no
 * tensor synchronously where the card declares `asyncReads` (so it trains on webgpu too: the trainer
 * reads the returned losses), and runs only kernels with a gradient on every engine backend; outputs have their shapes; every
 * variable is checkpointed; dispose frees everything.
 */
export async function checkSteps(method: RegisteredMethod, create: MethodFactory<Config>, kind: DatasetKind): Promise<void> {
  const data = tinyData(kind);
  const shape = shapeOf(data);
  const config = tinyConfig(method, kind, 1);
  const before = { tensors: tf.memory().numTensors, variables: Object.keys(registeredVariables()) };

  const instance = create({ shape, config, seed: 1, rng: createRng('contract'), trainSize: data.train.n });
  expect(instance.phases.map((p) => ({ name: p.name, epochs: p.epochs })), 'phases as the card plans them').toEqual(method.phases(config));
  if ('batchSize' in config) for (const p of instance.phases) expect(p.batchSize).toBe(config.batchSize);

  // Only a card that declares asyncReads (it can train on webgpu) is held to no synchronous reads.
  const reads = method.asyncReads ? withoutSyncReads : <T>(_what: string, fn: () => T | Promise<T>): Promise<T> => Promise.resolve(fn());
  const rng = createRng('steps');
  for (const phase of instance.phases) {
    await reads(`${phase.name} beginEpoch`, () => phase.beginEpoch?.(1, data));
    const loop = batches(data, data.train, BATCH);
    const batch = loop.next().value!;
    const counts: number[] = [];
    for (let step = 0; step < STEPS; step++) {
      let pending: StepLosses | Promise<StepLosses> = {};
      const kernels = await reads(`${phase.name} trainStep`, () =>
        recordKernels(() => {
          pending = phase.trainStep(batch, rng);
          return pending;
        }),
      );
      const losses = await readLosses(pending);
      counts.push(tf.memory().numTensors);
      expect(Object.keys(losses), `${phase.name} losses`).toContain('total');
      for (const [name, value] of Object.entries(losses)) expect(Number.isFinite(value), `${phase.name} loss ${name} = ${value}`).toBe(true);
      if (step === 0) {
        expect([...kernels.blockingGradient], `${phase.name} step: kernels without a registered gradient applied to values computed from trainable variables`).toEqual([]);
        // tf.profile also lists op and custom-gradient scopes: the kernels are what the active backend registers.
        const ran = [...kernels.ran].filter((k) => tf.getKernel(k, tf.getBackend()) !== undefined);
        for (const backend of ENGINE_BACKENDS) {
          const missing = ran.filter((k) => tf.getKernel(k, backend) === undefined);
          expect(missing, `${phase.name} step: kernels with no ${backend} implementation`).toEqual([]);
        }
      }
    }
    expect(counts, `${phase.name}: tf.memory().numTensors after each step`).toEqual(counts.map(() => counts[0]));
    const valid = await readLosses(await reads(`${phase.name} validate`, () => phase.validate(batch, createRng('valid'))));
    expect(Number.isFinite(valid.total), `${phase.name} validation total`).toBe(true);
    expect(tf.memory().numTensors, `${phase.name}: validate leaks`).toBe(counts[0]);
    loop.return(undefined);
    phase.finish?.();
  }

  const batch = batches(data, data.test, BATCH).next().value!;
  const held = tf.memory().numTensors;
  const outputs = [instance.predict(batch), instance.represent(batch), ...(instance.predictTeacher ? [instance.predictTeacher(batch)] : [])];
  expect(outputs[0]!.shape, 'predict').toEqual([BATCH, outputWidth(shape.task, shape.labelDim)]);
  expect(outputs[1]!.shape.length, 'represent is [B, k]').toBe(2);
  expect(outputs[1]!.shape[0]).toBe(BATCH);
  expect(outputs[1]!.shape[1]).toBeGreaterThan(0);
  if (outputs[2]) expect(outputs[2].shape, 'predictTeacher').toEqual(outputs[0]!.shape);
  tf.dispose(outputs);
  expect(tf.memory().numTensors, 'predict/represent leak').toBe(held);
  tf.dispose([batch.l, batch.a, batch.v, batch.y]);

  const checkpointed = new Set(instance.phases.flatMap((p) => [...p.variables(), ...p.optimizerVariables()]).map((v) => v.name));
  const created = Object.keys(registeredVariables()).filter((n) => !before.variables.includes(n));
  expect(created.filter((n) => !checkpointed.has(n)), 'variables outside every phase\'s variables()/optimizerVariables(): a resume would lose them').toEqual([]);

  instance.dispose();
  expect(Object.keys(registeredVariables()).filter((n) => !before.variables.includes(n)), 'variables left after dispose').toEqual([]);
  expect(tf.memory().numTensors, 'tensors left after dispose').toBe(before.tensors);
}

/** A run interrupted after its first epoch resumes bit-identically; evaluation shows it the same masked inputs as any method. */
export async function checkResumeAndEvaluation(method: RegisteredMethod, create: MethodFactory<Config>): Promise<void> {
  const kind = method.kinds[0]!;
  const data = tinyData(kind);
  const shape = shapeOf(data);
  const config = tinyConfig(method, kind, 2);
  const build = (): MethodInstance => create({ shape, config, seed: 7, rng: createRng('7|init'), trainSize: data.train.n });
  const dirs = [mkdtempSync(join(tmpdir(), 'contract-a-')), mkdtempSync(join(tmpdir(), 'contract-b-'))];
  try {
    const whole = build();
    const expected = await trainMethod(whole, data, { seed: 7, checkpointDir: dirs[0] });
    const weights = await snapshot(whole.phases.flatMap((p) => p.variables()));

    let epochs = 0;
    const first = build();
    const interrupted = await trainMethod(first, data, { seed: 7, checkpointDir: dirs[1] }, { onEpoch: () => void epochs++, cancelled: () => epochs >= 1 });
    expect(interrupted.kind).toBe('cancelled');
    first.dispose();
    const resumed = build();
    expect(await trainMethod(resumed, data, { seed: 7, checkpointDir: dirs[1] })).toEqual(expected);
    const got = await snapshot(resumed.phases.flatMap((p) => p.variables()));
    got.forEach((w, i) => expect(Array.from(w), `variable ${i} after resume`).toEqual(Array.from(weights[i]!)));

    const seen: string[] = [];
    const recording: MethodInstance = {
      phases: resumed.phases,
      predict: (x) => (seen.push(fingerprint(x)), resumed.predict(x)),
      represent: (x) => resumed.represent(x),
      dispose: () => resumed.dispose(),
      ...(resumed.predictTeacher ? { predictTeacher: (x: Inputs) => resumed.predictTeacher!(x) } : {}),
    };
    const result = await evaluate(recording, data, 0);
    expect(seen).toEqual(await referenceInputs(data));
    expect(result.results.filter((r) => r.width > 0).every((r) => r.width === outputWidth(shape.task, shape.labelDim))).toBe(true);
    expect(result.representations.map((r) => r.width > 0)).toEqual([true, true, true]);
    expect(result.teacher !== null).toBe(resumed.predictTeacher !== undefined);
    whole.dispose();
    resumed.dispose();
  } finally {
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  }
}
