/**
 * Two-sided t-tests for comparing per-seed results, equal to scipy.stats.ttest_ind(equal_var=False)
 * and scipy.stats.ttest_rel, including what they return for degenerate samples.
 */

import { mean, variance, type NumericArray } from './describe';
import { studentTTwoSidedP } from './student-t';

export interface TTestResult {
  /** t statistic; ±Infinity when the variance is zero but the means differ, NaN when undefined. */
  t: number;
  /** Degrees of freedom (Welch–Satterthwaite for the Welch test); NaN where undefined. */
  df: number;
  /** Two-sided p-value. */
  p: number;
  /** Present when the result is degenerate (NaN or infinite t), saying why. */
  reason?: string;
}

/** p from t: scipy's `2 · stdtr(df, −|t|)`, with ±Infinity → 0 and NaN → NaN. */
function finish(t: number, df: number, degenerateReason: string | undefined): TTestResult {
  const p = Number.isNaN(t) ? NaN : Math.abs(t) === Infinity ? 0 : studentTTwoSidedP(t, df);
  return degenerateReason === undefined ? { t, df, p } : { t, df, p, reason: degenerateReason };
}

/**
 * Welch's two-sample t-test (unequal variances), two-sided.
 *   t = (m₁ − m₂) / √(v₁/n₁ + v₂/n₂),   df = (v₁/n₁ + v₂/n₂)² / ((v₁/n₁)²/(n₁−1) + (v₂/n₂)²/(n₂−1)).
 * Degenerate cases follow scipy: n < 2 on either side → t = p = NaN; both samples constant → t = ±Infinity,
 * p = 0 if the means differ, else t = p = NaN. scipy then substitutes an arbitrary df = 1; this reports
 * df = NaN instead, since no df is defined.
 */
export function welchTTest(a: NumericArray, b: NumericArray): TTestResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 < 2 || n2 < 2) return { t: NaN, df: NaN, p: NaN, reason: 'each sample needs n >= 2' };
  const vn1 = variance(a, 1) / n1;
  const vn2 = variance(b, 1) / n2;
  const df = (vn1 + vn2) ** 2 / (vn1 ** 2 / (n1 - 1) + vn2 ** 2 / (n2 - 1));
  const t = (mean(a) - mean(b)) / Math.sqrt(vn1 + vn2);
  let reason: string | undefined;
  if (vn1 + vn2 === 0) {
    reason = Number.isNaN(t) ? 'both samples constant and equal: t undefined' : 'both samples constant: infinite t';
  }
  return finish(t, df, reason);
}

/**
 * Paired t-test on the differences a[i] − b[i], two-sided: t = mean(d) / √(var(d)/n), df = n − 1.
 * Degenerate cases follow scipy: n < 2 → t = p = NaN (df = 0 for n = 1, NaN for n = 0, as scipy reports); all differences
 * equal → t = ±Infinity, p = 0, or t = p = NaN when they are all zero.
 */
export function pairedTTest(a: NumericArray, b: NumericArray): TTestResult {
  if (a.length !== b.length) throw new RangeError(`pairedTTest: lengths differ (${a.length} vs ${b.length})`);
  const n = a.length;
  const df = n - 1;
  if (n < 2) return { t: NaN, df: n === 0 ? NaN : df, p: NaN, reason: 'paired test needs n >= 2' };
  const differences = Float64Array.from(a, (value, i) => value - b[i]!);
  const v = variance(differences, 1);
  const t = mean(differences) / Math.sqrt(v / n);
  let reason: string | undefined;
  if (v === 0) reason = Number.isNaN(t) ? 'all differences are zero: t undefined' : 'constant differences: infinite t';
  return finish(t, df, reason);
}

/** The paper's significance mark: '*' when p < 0.05, else '' (also for NaN). */
export function significanceMark(p: number, alpha = 0.05): '*' | '' {
  return p < alpha ? '*' : '';
}
