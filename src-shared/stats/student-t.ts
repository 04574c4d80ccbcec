/** Student t distribution with ν > 0 degrees of freedom (ν may be fractional, as Welch's is). */

import { lnBeta, regularizedIncompleteBeta } from './special';

function validDf(df: number): boolean {
  return df > 0 && Number.isFinite(df);
}

/** Density: 1 / (√ν·B(ν/2, ½)) · (1 + t²/ν)^(−(ν+1)/2). */
export function studentTPdf(t: number, df: number): number {
  if (Number.isNaN(t) || !validDf(df)) return NaN;
  return Math.exp(-lnBeta(df / 2, 0.5) - 0.5 * Math.log(df) - ((df + 1) / 2) * Math.log1p((t * t) / df));
}

/** Beyond this |t|, t² is near overflow and x = ν/(ν+t²) may underflow. */
const HUGE_T = 1e150;

/**
 * P(|T| ≥ t) for t > 1e150, from the leading term of I_x(a, b) = x^a (1−x)^b / (a·B(a,b)) · (1 + O(x)),
 * with ln x = ln ν − 2 ln t taken in logs because x itself underflows; the O(x) terms are below 1e-290.
 */
function farTail(absT: number, df: number): number {
  const a = df / 2;
  const logX = Math.log(df) - 2 * Math.log(absT);
  return Math.exp(a * logX - lnBeta(a, 0.5) - Math.log(a));
}

/**
 * Two-sided tail P(|T| ≥ |t|) = I_{ν/(ν+t²)}(ν/2, ½). Computed directly (not as 2·(1 − cdf)) so
 * that tiny p-values keep their relative precision.
 */
export function studentTTwoSidedP(t: number, df: number): number {
  if (Number.isNaN(t) || !validDf(df)) return NaN;
  const absT = Math.abs(t);
  if (absT === Infinity) return 0;
  if (absT > HUGE_T) return farTail(absT, df);
  const t2 = t * t;
  return regularizedIncompleteBeta(df / (df + t2), df / 2, 0.5, t2 / (df + t2));
}

/** Survival function P(T > t). */
export function studentTSf(t: number, df: number): number {
  const tail = 0.5 * studentTTwoSidedP(t, df);
  return t >= 0 ? tail : 1 - tail;
}

/** Cumulative distribution P(T ≤ t). */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * studentTTwoSidedP(t, df);
  return t >= 0 ? 1 - tail : tail;
}

const QUANTILE_MAX_STEPS = 200;

/**
 * The t > 0 with P(T > t) = alpha, for 0 < alpha < ½. Solved in u = ln t on g(u) = ln sf(eᵘ) − ln alpha:
 * in the tails sf ~ C·t^(−ν), so g is nearly linear in u and Newton converges in a few steps even where
 * t is astronomically large (ν = 1, alpha = 1e-300). A bracket makes it fall back to bisection when a
 * Newton step leaves it.
 */
function upperTailQuantile(alpha: number, df: number): number {
  const logAlpha = Math.log(alpha);
  const g = (u: number): number => Math.log(studentTSf(Math.exp(u), df)) - logAlpha;

  // Bracket [lo, hi] with g(lo) > 0 > g(hi), growing outward from t = 1 in steps of e.
  let lo = 0;
  let hi = 0;
  if (g(0) > 0) {
    while (g(hi) > 0 && hi < 800) {
      lo = hi;
      hi += 1;
    }
  } else {
    while (g(lo) <= 0 && lo > -800) {
      hi = lo;
      lo -= 1;
    }
  }

  let u = (lo + hi) / 2;
  for (let step = 0; step < QUANTILE_MAX_STEPS; step++) {
    const t = Math.exp(u);
    const sf = studentTSf(t, df);
    const value = Math.log(sf) - logAlpha;
    if (value > 0) lo = u;
    else hi = u;
    // d/du ln sf(eᵘ) = −pdf(t)·t / sf(t)
    const slope = (-studentTPdf(t, df) * t) / sf;
    let next = u - value / slope;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - u) <= 1e-15 * Math.max(1, Math.abs(u)) || hi - lo <= 1e-15 * Math.max(1, Math.abs(u))) {
      return Math.exp(next);
    }
    u = next;
  }
  return Math.exp(u);
}

/** Inverse CDF: the t with P(T ≤ t) = p. ±Infinity at p = 0, 1; NaN outside [0, 1] or for ν ≤ 0. */
export function studentTQuantile(p: number, df: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1 || !validDf(df)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  // Solve in the smaller tail; 1 − p is exact for p ≥ ½.
  return p > 0.5 ? upperTailQuantile(1 - p, df) : -upperTailQuantile(p, df);
}
