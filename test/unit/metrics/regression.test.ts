import { describe, expect, it } from 'vitest';
import { clip, meanAbsoluteError, pearson, regressionMetrics, roundHalfEven, type RegressionMetrics } from '../../../src-shared/metrics';
import { expectClose, loadFixture } from './fixtures';

interface RegressionCase {
  name: string;
  pred: number[];
  label: number[];
  expected: RegressionMetrics;
}

const { cases } = loadFixture<{ cases: RegressionCase[] }>('regression.json');

describe('regressionMetrics against numpy/sklearn (MMSA metricsTop)', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const actual = regressionMetrics(c.pred, c.label);
    for (const key of Object.keys(c.expected) as (keyof RegressionMetrics)[]) {
      expectClose(actual[key], c.expected[key], `${c.name} ${key}`);
    }
    expect(Object.keys(actual).sort()).toEqual(Object.keys(c.expected).sort());
  });

  it('accepts Float32Array and Float64Array inputs', () => {
    const c = cases.find((x) => x.name === 'tie-heavy halves and zeros')!;
    // Halves are exact in float32, but the 1e-300/0.49999999999999994 entries are not: keep to exact ones.
    const exact = c.pred.map((p, i) => [p, c.label[i]!] as const).filter(([p, y]) => Math.fround(p) === p && Math.fround(y) === y);
    const pred = exact.map(([p]) => p);
    const label = exact.map(([, y]) => y);
    const reference = regressionMetrics(pred, label);
    expect(regressionMetrics(Float32Array.from(pred), Float32Array.from(label))).toEqual(reference);
    expect(regressionMetrics(Float64Array.from(pred), label)).toEqual(reference);
  });
});

describe('roundHalfEven (numpy np.round)', () => {
  it('rounds halves to the even neighbour, where Math.round would round up', () => {
    const cases: [number, number][] = [
      [0.5, 0], [1.5, 2], [2.5, 2], [3.5, 4], [-0.5, -0], [-1.5, -2], [-2.5, -2], [-3.5, -4],
    ];
    for (const [x, expected] of cases) expect(roundHalfEven(x), `round(${x})`).toBe(expected);
    expect(Object.is(roundHalfEven(-0.5), -0)).toBe(true);
    expect(Math.round(2.5)).toBe(3); // the bug this guards against
  });

  it('rounds non-halves to nearest, keeps signed zero, integers, infinities and NaN', () => {
    expect(roundHalfEven(0.49999999999999994)).toBe(0);
    expect(roundHalfEven(2.5000000000000004)).toBe(3);
    expect(roundHalfEven(-2.4999999999999996)).toBe(-2);
    expect(Object.is(roundHalfEven(-0.3), -0)).toBe(true);
    expect(roundHalfEven(2 ** 53 + 2)).toBe(2 ** 53 + 2);
    expect(roundHalfEven(4503599627370495.5)).toBe(4503599627370496); // 2^52 − 0.5: a half at the edge of precision
    expect(roundHalfEven(Infinity)).toBe(Infinity);
    expect(roundHalfEven(NaN)).toBeNaN();
  });

  it('changes Acc-7 exactly where Math.round would disagree', () => {
    // Labels at +2.5 and +0.5 are class 2 and 0 under numpy; predictions 2.6 and 0.6 are 3 and 1.
    const m = regressionMetrics([2.6, 0.6, -1.4], [2.5, 0.5, -1.5]);
    expect(m.acc7).toBe(0);
    // With Math.round every pair would match (3, 1, -1).
  });
});

describe('clip, MAE and Pearson edge cases', () => {
  it('clip keeps NaN', () => {
    expect(clip(5, -3, 3)).toBe(3);
    expect(clip(-5, -3, 3)).toBe(-3);
    expect(clip(NaN, -3, 3)).toBeNaN();
  });

  it('Pearson is NaN for constant vectors and short inputs', () => {
    expect(pearson([0.1, 0.1, 0.1], [1, 2, 3])).toBeNaN(); // numpy gives rounding noise (0) here
    expect(pearson([1], [2])).toBeNaN();
    expect(pearson([1, 2, 3], [2, 4, 6])).toBe(1);
  });

  it('empty input gives NaN; all-zero labels make Non0 NaN', () => {
    expect(meanAbsoluteError([], [])).toBeNaN();
    const m = regressionMetrics([0.5, -0.5, 1], [0, 0, 0]);
    expect(m.acc2_non0).toBeNaN();
    expect(m.f1_non0).toBeNaN();
    expect(m.acc2_has0).toBeCloseTo(2 / 3, 15);
  });

  it('rejects mismatched lengths', () => {
    expect(() => regressionMetrics([1, 2], [1])).toThrow(RangeError);
  });
});
