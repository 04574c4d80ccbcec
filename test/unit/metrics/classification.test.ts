import { describe, expect, it } from 'vitest';
import {
  accuracy,
  argmax2,
  averageMetricsOverMissing,
  averageOverMissing,
  emotionMetrics,
  f1Weighted,
  type EmotionMetrics,
} from '../../../src-shared/metrics';
import { IEMOCAP_EMOTIONS } from '../../../src-shared/domain';
import { expectClose, loadFixture } from './fixtures';

interface F1Case {
  name: string;
  yTrue: number[];
  yPred: number[];
  f1Weighted: number;
  f1Macro: number;
  accuracy: number;
}

interface EmotionCase {
  name: string;
  logits: number[][];
  truth: number[][];
  expected: EmotionMetrics;
}

const fixture = loadFixture<{ f1: F1Case[]; emotion: EmotionCase[] }>('classification.json');

describe('f1Weighted against sklearn f1_score(average="weighted")', () => {
  it.each(fixture.f1.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expectClose(f1Weighted(c.yTrue, c.yPred), c.f1Weighted, `${c.name} f1`);
    expectClose(accuracy(c.yTrue, c.yPred), c.accuracy, `${c.name} accuracy`);
  });

  it('differs from macro F1 (the fixtures would catch a naive macro average)', () => {
    const differing = fixture.f1.filter((c) => Math.abs(c.f1Macro - c.f1Weighted) > 1e-3);
    expect(differing.length).toBeGreaterThanOrEqual(3);
    for (const c of differing) expect(Math.abs(f1Weighted(c.yTrue, c.yPred) - c.f1Macro)).toBeGreaterThan(1e-3);
  });

  it('weights by support in y_true, so it is not symmetric', () => {
    // truth: 8 zeros, 2 ones; prediction: all zeros.
    // F1_0 = 2·8/(2·8 + 2) = 8/9, F1_1 = 0 (never predicted: zero_division → 0).
    const yTrue = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1];
    const yPred = new Array<number>(10).fill(0);
    expect(f1Weighted(yTrue, yPred)).toBeCloseTo((8 / 9) * 0.8, 15); // macro would be 4/9
    // Swapped: weights come from the all-zero vector, so only F1_0 counts.
    expect(f1Weighted(yPred, yTrue)).toBeCloseTo(8 / 9, 15);
  });

  it('is 0 when truth and prediction share no class, 1 when both are one identical class', () => {
    expect(f1Weighted([1, 1, 1], [0, 0, 0])).toBe(0);
    expect(f1Weighted([1, 1, 1], [1, 1, 1])).toBe(1);
    expect(f1Weighted([], [])).toBeNaN();
    expect(accuracy([], [])).toBeNaN();
  });
});

describe('emotionMetrics against MulT eval_iemocap (numpy argmax + sklearn)', () => {
  it.each(fixture.emotion.map((c) => [c.name, c] as const))('%s (rows)', (_name, c) => {
    const actual = emotionMetrics(c.logits, c.truth);
    for (const emotion of IEMOCAP_EMOTIONS) {
      expectClose(actual[emotion].f1, c.expected[emotion].f1, `${c.name} ${emotion} f1`);
      expectClose(actual[emotion].acc, c.expected[emotion].acc, `${c.name} ${emotion} acc`);
    }
    expect(Object.keys(actual)).toEqual([...IEMOCAP_EMOTIONS]);
  });

  it('accepts flat row-major arrays with the same result', () => {
    const c = fixture.emotion[0]!;
    expect(emotionMetrics(Float32Array.from(c.logits.flat()), c.truth.flat())).toEqual(emotionMetrics(c.logits, c.truth));
  });

  it('argmax ties go to index 0, NaN wins like numpy', () => {
    expect(argmax2(1, 1)).toBe(0);
    expect(argmax2(0, 1)).toBe(1);
    expect(argmax2(NaN, 5)).toBe(0);
    expect(argmax2(5, NaN)).toBe(1);
  });

  it('rejects shapes that do not fit', () => {
    expect(() => emotionMetrics([1, 2, 3], [0, 1, 0, 1])).toThrow(RangeError);
    expect(() => emotionMetrics([[1, 2, 3, 4, 5, 6, 7, 8]], [[0, 1, 0]])).toThrow(RangeError);
    expect(() => emotionMetrics(new Array<number>(16).fill(0), [0, 1, 0, 1])).toThrow(RangeError);
  });
});

describe('average over the six missing-modality conditions', () => {
  const byCondition = { l: 1, a: 2, v: 3, 'l,a': 4, 'l,v': 5, 'a,v': 6, 'l,a,v': 100 };

  it('excludes the complete condition', () => {
    expect(averageOverMissing(byCondition)).toBe(3.5);
  });

  it('averages metric records key by key', () => {
    const records = Object.fromEntries(Object.entries(byCondition).map(([k, v]) => [k, { f1: v, acc: 2 * v }]));
    expect(averageMetricsOverMissing(records)).toEqual({ f1: 3.5, acc: 7 });
  });

  it('refuses to average fewer than six conditions', () => {
    expect(() => averageOverMissing({ l: 1, a: 2, v: 3, 'l,a': 4, 'l,v': 5 })).toThrow(/a,v/);
  });
});
