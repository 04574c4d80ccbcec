/**
 * MOSI/MOSEI regression metrics of spec §6 / baselines.md §10.2 (MMSA's metricsTop), as fractions in [0, 1].
 * Everything is computed in float64, as numpy does on float64 arrays.
 */

import { mean, type NumericArray } from '../stats/describe';
import { accuracy, assertSameLength, f1Weighted } from './classification';
import { clip, roundHalfEven } from './rounding';

export interface RegressionMetrics {
  mae: number;
  /** Pearson r; NaN when either vector is constant. */
  corr: number;
  acc7: number;
  acc5: number;
  /** Has0: (y ≥ 0) vs (p ≥ 0), all samples. */
  acc2_has0: number;
  f1_has0: number;
  /** Non0: (y > 0) vs (p > 0), samples with y ≠ 0 only; NaN when every label is 0. */
  acc2_non0: number;
  f1_non0: number;
}

/** Mean absolute error; NaN for empty input. */
export function meanAbsoluteError(pred: NumericArray, label: NumericArray): number {
  assertSameLength(pred, label, 'meanAbsoluteError');
  return mean(Float64Array.from(pred, (p, i) => Math.abs(p - label[i]!)));
}

function isConstant(values: NumericArray): boolean {
  for (let i = 1; i < values.length; i++) if (values[i] !== values[0]) return false;
  return true;
}

/**
 * Pearson r as `np.corrcoef(p, y)[0, 1]`, clipped to [−1, 1] as numpy does.
 * A constant vector (or fewer than 2 samples) gives NaN, numpy's 0/0. numpy reaches that NaN only when
 * the constant's mean is computed exactly; for constants like 0.1 its rounding noise yields an
 * arbitrary number instead, so the NaN is decided here by an explicit constancy check.
 */
export function pearson(x: NumericArray, y: NumericArray): number {
  assertSameLength(x, y, 'pearson');
  if (x.length < 2 || isConstant(x) || isConstant(y)) return NaN;
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return clip(sxy / Math.sqrt(sxx * syy), -1, 1);
}

/** mean(round(clip(p, ±bound)) == round(clip(y, ±bound))), round = half-to-even. Acc-7: bound 3, Acc-5: bound 2. */
export function roundedClassAccuracy(pred: NumericArray, label: NumericArray, bound: number): number {
  assertSameLength(pred, label, 'roundedClassAccuracy');
  const toClass = (v: number): number => roundHalfEven(clip(v, -bound, bound));
  return accuracy(Float64Array.from(label, toClass), Float64Array.from(pred, toClass));
}

/** 0/1 vectors from a threshold test, the binary labels of Has0/Non0. */
function binarize(values: NumericArray, positive: (v: number) => boolean): Float64Array {
  return Float64Array.from(values, (v) => (positive(v) ? 1 : 0));
}

export function regressionMetrics(pred: NumericArray, label: NumericArray): RegressionMetrics {
  assertSameLength(pred, label, 'regressionMetrics');

  const has0True = binarize(label, (v) => v >= 0);
  const has0Pred = binarize(pred, (v) => v >= 0);

  const nonZero: number[] = [];
  for (let i = 0; i < label.length; i++) if (label[i] !== 0) nonZero.push(i);
  const non0True = binarize(Float64Array.from(nonZero, (i) => label[i]!), (v) => v > 0);
  const non0Pred = binarize(Float64Array.from(nonZero, (i) => pred[i]!), (v) => v > 0);

  return {
    mae: meanAbsoluteError(pred, label),
    corr: pearson(pred, label),
    acc7: roundedClassAccuracy(pred, label, 3),
    acc5: roundedClassAccuracy(pred, label, 2),
    acc2_has0: accuracy(has0True, has0Pred),
    f1_has0: f1Weighted(has0True, has0Pred),
    acc2_non0: accuracy(non0True, non0Pred),
    f1_non0: f1Weighted(non0True, non0Pred),
  };
}
