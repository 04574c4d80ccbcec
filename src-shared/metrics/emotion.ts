/**
 * IEMOCAP per-emotion binary metrics (MulT protocol, baselines.md §10.4): each emotion has a
 * two-logit head; pred_e = argmax of the head, scored against truth_e ∈ {0, 1}.
 */

import { IEMOCAP_EMOTIONS, type Emotion } from '../domain';
import type { NumericArray } from '../stats/describe';
import { accuracy, argmax2, f1Weighted } from './classification';

export interface BinaryScore {
  /** Weighted F1 (sklearn average='weighted', truth first). */
  f1: number;
  acc: number;
}

export type EmotionMetrics = Record<Emotion, BinaryScore>;

/** A matrix as one row-major flat array, or as one array per row (e.g. tfjs `arraySync()` output). */
export type Matrix = NumericArray | readonly NumericArray[];

const HEADS = IEMOCAP_EMOTIONS.length;

function flatten(matrix: Matrix, columns: number, what: string): NumericArray {
  const isRows = matrix.length > 0 && typeof matrix[0] !== 'number';
  if (!isRows) {
    const flat = matrix as NumericArray;
    if (flat.length % columns !== 0) throw new RangeError(`${what}: flat length ${flat.length} is not a multiple of ${columns}`);
    return flat;
  }
  const rows = matrix as readonly NumericArray[];
  const flat = new Float64Array(rows.length * columns);
  rows.forEach((row, r) => {
    if (row.length !== columns) throw new RangeError(`${what}: row ${r} has ${row.length} values, expected ${columns}`);
    for (let c = 0; c < columns; c++) flat[r * columns + c] = row[c]!;
  });
  return flat;
}

/**
 * Scores one binary head. `logits` holds the head's two logits per sample, flat [N·2]
 * (or rows of 2); `truth` the 0/1 label per sample.
 */
export function binaryHeadMetrics(logits: Matrix, truth: NumericArray): BinaryScore {
  const flat = flatten(logits, 2, 'binaryHeadMetrics logits');
  if (flat.length / 2 !== truth.length) throw new RangeError('binaryHeadMetrics: logits and truth disagree on N');
  const pred = Float64Array.from(truth, (_, i) => argmax2(flat[2 * i]!, flat[2 * i + 1]!));
  return { f1: f1Weighted(truth, pred), acc: accuracy(truth, pred) };
}

/**
 * Per-emotion F1 and accuracy. `logits`: [N, 8] = [N, 4, 2] row-major (flat or rows of 8), the model
 * output; `truth`: [N, 4] of 0/1 (flat or rows of 4), i.e. argmax of the [N, 4, 2] one-hot labels.
 * Emotion order is the label tensor's: Neutral, Happy, Sad, Angry.
 */
export function emotionMetrics(logits: Matrix, truth: Matrix): EmotionMetrics {
  const flatLogits = flatten(logits, 2 * HEADS, 'emotionMetrics logits');
  const flatTruth = flatten(truth, HEADS, 'emotionMetrics truth');
  const n = flatTruth.length / HEADS;
  if (flatLogits.length / (2 * HEADS) !== n) throw new RangeError('emotionMetrics: logits and truth disagree on N');

  const result = {} as EmotionMetrics;
  IEMOCAP_EMOTIONS.forEach((emotion, e) => {
    const headLogits = new Float64Array(2 * n);
    const headTruth = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      headLogits[2 * i] = flatLogits[i * 2 * HEADS + 2 * e]!;
      headLogits[2 * i + 1] = flatLogits[i * 2 * HEADS + 2 * e + 1]!;
      headTruth[i] = flatTruth[i * HEADS + e]!;
    }
    result[emotion] = binaryHeadMetrics(headLogits, headTruth);
  });
  return result;
}
