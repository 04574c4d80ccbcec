/** Loads the JSON fixtures written by test/fixtures/metrics/gen_metrics.py and compares floats. */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const FIXTURE_DIR = fileURLToPath(new URL('../../fixtures/metrics/', import.meta.url));

/** JSON cannot hold NaN/±Infinity, so the generator writes them as strings; turn them back into numbers. */
function revive(_key: string, value: unknown): unknown {
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  return value;
}

export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(`${FIXTURE_DIR}${name}`, 'utf8'), revive) as T;
}

/**
 * |actual − expected| ≤ tol · max(1, |expected|): absolute near zero, relative for large values
 * (t statistics, quantiles). NaN matches only NaN, infinities only the same infinity.
 */
export function expectClose(actual: number, expected: number, label: string, tol = 1e-9): void {
  if (Number.isNaN(expected) || !Number.isFinite(expected)) {
    expect(actual, label).toBe(expected);
    return;
  }
  const error = Math.abs(actual - expected);
  expect(error <= tol * Math.max(1, Math.abs(expected)), `${label}: got ${actual}, expected ${expected}`).toBe(true);
}

/** Relative comparison for values that may be tiny but must keep their digits (p-values far in the tail). */
export function expectRelClose(actual: number, expected: number, label: string, tol = 1e-9): void {
  if (Number.isNaN(expected) || expected === 0 || !Number.isFinite(expected)) {
    expect(actual, label).toBe(expected);
    return;
  }
  const error = Math.abs(actual - expected) / Math.abs(expected);
  expect(error <= tol, `${label}: got ${actual}, expected ${expected} (relative error ${error})`).toBe(true);
}
