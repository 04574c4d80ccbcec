/** Label-vector metrics with scikit-learn semantics. */

import type { NumericArray } from '../stats/describe';

export function assertSameLength(a: ArrayLike<unknown>, b: ArrayLike<unknown>, what: string): void {
  if (a.length !== b.length) throw new RangeError(`${what}: lengths differ (${a.length} vs ${b.length})`);
}

/** sklearn `accuracy_score`: mean(a == b), symmetric; NaN for empty input. */
export function accuracy(yTrue: NumericArray, yPred: NumericArray): number {
  assertSameLength(yTrue, yPred, 'accuracy');
  if (yTrue.length === 0) return NaN;
  let hits = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hits++;
  return hits / yTrue.length;
}

interface ClassCounts {
  truePositive: number;
  /** Occurrences in y_true, the class's weight. */
  support: number;
  /** Occurrences in y_pred. */
  predicted: number;
}

function countPerClass(yTrue: NumericArray, yPred: NumericArray): Map<number, ClassCounts> {
  const counts = new Map<number, ClassCounts>();
  const entry = (label: number): ClassCounts => {
    let c = counts.get(label);
    if (!c) counts.set(label, (c = { truePositive: 0, support: 0, predicted: 0 }));
    return c;
  };
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i]!;
    const p = yPred[i]!;
    entry(t).support++;
    entry(p).predicted++;
    if (t === p) entry(t).truePositive++;
  }
  return counts;
}

/**
 * sklearn `f1_score(y_true, y_pred, average='weighted')`: per-class F1 over the labels of
 * y_true ∪ y_pred, averaged with weights = support in y_true. NOT symmetric in its arguments.
 *
 * F1_c = 2·TP / (2·TP + FP + FN), which equals 2PR/(P+R) and is 0 where sklearn's zero_division
 * (default 'warn' → 0) applies: a class never predicted has TP = 0, hence F1 = 0. The denominator
 * cannot be 0, since every listed class occurs in y_true or y_pred. A class found only in y_pred
 * weighs 0, but its predictions still count as misses (FN) of the true classes.
 * Empty input → NaN (sklearn would warn/raise).
 */
export function f1Weighted(yTrue: NumericArray, yPred: NumericArray): number {
  assertSameLength(yTrue, yPred, 'f1Weighted');
  if (yTrue.length === 0) return NaN;
  let weighted = 0;
  for (const c of countPerClass(yTrue, yPred).values()) {
    const falsePositive = c.predicted - c.truePositive;
    const falseNegative = c.support - c.truePositive;
    const f1 = (2 * c.truePositive) / (2 * c.truePositive + falsePositive + falseNegative);
    weighted += f1 * c.support;
  }
  return weighted / yTrue.length;
}

/**
 * numpy `argmax` of a two-logit head: ties go to index 0; a NaN wins at its first position, as in numpy.
 */
export function argmax2(first: number, second: number): 0 | 1 {
  if (Number.isNaN(first)) return 0;
  if (Number.isNaN(second)) return 1;
  return second > first ? 1 : 0;
}
