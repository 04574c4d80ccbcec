import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import type { DatasetKind, Task } from '../../../../src-shared/domain';
import { presentRows, type MsmMasks } from '../../../../src-main/engine/data/msm';
import { applyMasks } from '../../../../src-main/engine/data/msm-batch';
import type { Batch, Inputs } from '../../../../src-main/engine/methods/method';
import type { Module } from '../../../../src-main/engine/nn';

/** A tensor as the PyTorch generator stores it. */
export interface JsonTensor {
  shape: number[];
  data: number[];
}

export type JsonParams = Record<string, JsonTensor>;

const FIXTURE = fileURLToPath(new URL('../../../fixtures/nn/nn_fixtures.json', import.meta.url));

let cache: unknown = null;

/** The generated fixture file (see test/fixtures/nn/gen_nn.py); typed by the caller. */
export function nnFixtures<T>(): T {
  cache ??= JSON.parse(readFileSync(FIXTURE, 'utf8'));
  return cache as T;
}

export function toTensor(t: JsonTensor): tf.Tensor {
  return tf.tensor(t.data, t.shape, 'float32');
}

/** Assigns every named variable of `module` from `params`; fails on a missing name or a shape mismatch. */
export function loadParams(module: Module, params: JsonParams): void {
  const names = module.namedVariables().map(([n]) => n);
  expect(Object.keys(params).sort()).toEqual([...names].sort());
  for (const [name, v] of module.namedVariables()) {
    const p = params[name];
    if (!p) throw new Error(`fixture lacks parameter ${name}`);
    expect(v.shape, name).toEqual(p.shape);
    tf.tidy(() => v.assign(toTensor(p)));
  }
}

/** Max-abs-error comparison with a tolerance scaled by the reference's magnitude. */
export function expectClose(actual: tf.Tensor | number, expected: JsonTensor | number, tol = 1e-5): void {
  const a = typeof actual === 'number' ? [actual] : Array.from(actual.dataSync());
  const e = typeof expected === 'number' ? [expected] : expected.data;
  if (typeof actual !== 'number' && typeof expected !== 'number') expect(actual.shape).toEqual(expected.shape);
  expect(a.length).toBe(e.length);
  let worst = 0;
  let scale = 1;
  for (let i = 0; i < a.length; i++) {
    worst = Math.max(worst, Math.abs(a[i]! - e[i]!));
    scale = Math.max(scale, Math.abs(e[i]!));
  }
  expect(worst, `max abs error ${worst} (scale ${scale})`).toBeLessThanOrEqual(tol * scale);
}

/** expectClose for a named tensor (a parameter, a gradient): the failure names it. */
export function expectNamedClose(name: string, actual: tf.Tensor, expected: JsonTensor, tol: number): void {
  expect(actual.shape, name).toEqual(expected.shape);
  const a = actual.dataSync();
  let worst = 0;
  let scale = 1;
  expected.data.forEach((e, i) => {
    worst = Math.max(worst, Math.abs(a[i]! - e));
    scale = Math.max(scale, Math.abs(e));
  });
  expect(worst, `${name}: max abs error ${worst} (scale ${scale})`).toBeLessThanOrEqual(tol * scale);
}

/**
 * The weights after Adam's first step from zero moments, w − lr·g'/(|g'| + ε) with g' = g + λ·w
 * (PyTorch's weight_decay λ; 0 without): where |g'| is resolved by the gradient check's own
 * tolerance (tol·max(1, max|g|)) the update is lr·sign(g') and must match the reference to tol;
 * elsewhere its sign is not pinned down (e.g. LayerNorm gains with ~1e-7 gradients), so only the
 * step's bound |Δw| ≤ lr is checked.
 */
export function expectAdamFirstStep(
  name: string,
  actual: tf.Tensor,
  ref: { stepped: JsonTensor; grad: JsonTensor; before: JsonTensor },
  lr: number,
  tol: number,
  weightDecay = 0,
): void {
  const a = actual.dataSync();
  const { stepped, grad, before } = ref;
  const scale = Math.max(1, ...stepped.data.map(Math.abs));
  const gTol = tol * Math.max(1, ...grad.data.map(Math.abs));
  stepped.data.forEach((e, i) => {
    const resolved = Math.abs(grad.data[i]! + weightDecay * before.data[i]!) > gTol;
    const error = resolved ? Math.abs(a[i]! - e) : Math.abs(a[i]! - before.data[i]!);
    expect(error, `${name}[${i}] (${resolved ? 'against the reference' : 'step bound'})`).toBeLessThanOrEqual(resolved ? tol * scale : lr * 1.0001);
  });
}

/** A fixture case's batch (l, a, v, y as the generator stored them; rows 0..B-1). */
export function fixtureBatch(c: { l: JsonTensor; a: JsonTensor; v: JsonTensor; y: JsonTensor }): Batch {
  return {
    l: toTensor(c.l) as tf.Tensor3D,
    a: toTensor(c.a) as tf.Tensor3D,
    v: toTensor(c.v) as tf.Tensor3D,
    y: toTensor(c.y) as tf.Tensor2D,
    index: Int32Array.from({ length: c.y.shape[0]! }, (_, i) => i),
  };
}

type Mod = 'l' | 'a' | 'v';

/** What every parity case of a method trained on masked inputs (TransM, CorrKD, SMIL) holds. */
export interface MaskedCase<Config> {
  shape: { kind: DatasetKind; task: Task; T: number; dims: [number, number, number]; labelDim: number };
  config: Partial<Config>;
  clean: Record<Mod, JsonTensor>;
  masks: Record<Mod, JsonTensor>;
  y: JsonTensor;
}

/**
 * A fixture case's clean inputs and its fixed frame masks (1 keeps the frame), applied as the
 * engine's MSM applies them: the masked copy and each modality's present rows.
 */
export function maskedInputs(c: Pick<MaskedCase<unknown>, 'clean' | 'masks'>): {
  clean: Inputs;
  corrupted: Inputs;
  rows: Record<Mod, Int32Array>;
} {
  const clean = { l: toTensor(c.clean.l), a: toTensor(c.clean.a), v: toTensor(c.clean.v) } as Inputs;
  const masks: MsmMasks = { l: new Float32Array(c.masks.l.data), a: new Float32Array(c.masks.a.data), v: new Float32Array(c.masks.v.data) };
  return { clean, corrupted: applyMasks(clean, masks), rows: presentRows(masks) };
}
