import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
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
