/** Descriptive statistics for seed-averaged results. */

import { studentTQuantile } from './student-t';

/** Plain arrays and typed arrays alike; all arithmetic is done in float64. */
export type NumericArray = ArrayLike<number>;

/** Arithmetic mean; NaN for an empty input (as numpy, without the warning). */
export function mean(values: NumericArray): number {
  if (values.length === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/** Σ(x − mean)² / (n − ddof), two-pass so constant inputs give exactly 0. NaN when n ≤ ddof. */
export function variance(values: NumericArray, ddof: number): number {
  const n = values.length;
  if (n - ddof <= 0) return NaN;
  const m = mean(values);
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const deviation = values[i]! - m;
    squares += deviation * deviation;
  }
  return squares / (n - ddof);
}

/** Sample standard deviation (ddof = 1, what the t-test uses); NaN for n < 2. */
export function sampleStd(values: NumericArray): number {
  return Math.sqrt(variance(values, 1));
}

/** Population standard deviation (ddof = 0, numpy's `np.std` default and MMSA's exported std). */
export function populationStd(values: NumericArray): number {
  return Math.sqrt(variance(values, 0));
}

export interface Summary {
  n: number;
  mean: number;
  /** Sample standard deviation, ddof = 1. */
  std: number;
  /** Standard error of the mean, std / √n. */
  sem: number;
  /** Confidence level of the interval, e.g. 0.95. */
  level: number;
  /** t quantile (n − 1 dof) times sem: the interval is mean ± ciHalfWidth. */
  ciHalfWidth: number;
  ciLow: number;
  ciHigh: number;
  /** Present when std/CI are NaN, saying why. */
  reason?: string;
}

/**
 * n, mean, sample std and the Student-t confidence interval of the mean (the interval of
 * `scipy.stats.t.interval(level, n − 1, loc=mean, scale=sem)`).
 */
export function summarize(values: NumericArray, level = 0.95): Summary {
  const n = values.length;
  const m = mean(values);
  const std = sampleStd(values);
  const sem = std / Math.sqrt(n);
  const ciHalfWidth = n >= 2 ? studentTQuantile(0.5 + level / 2, n - 1) * sem : NaN;
  const summary: Summary = { n, mean: m, std, sem, level, ciHalfWidth, ciLow: m - ciHalfWidth, ciHigh: m + ciHalfWidth };
  if (n === 0) summary.reason = 'no values';
  else if (n === 1) summary.reason = 'n < 2: standard deviation and confidence interval are undefined';
  return summary;
}
