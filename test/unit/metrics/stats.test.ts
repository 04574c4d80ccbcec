import { describe, expect, it } from 'vitest';
import {
  lnBeta,
  lnGamma,
  pairedTTest,
  populationStd,
  regularizedIncompleteBeta,
  sampleStd,
  significanceMark,
  studentTCdf,
  studentTPdf,
  studentTQuantile,
  studentTSf,
  summarize,
  welchTTest,
  type TTestResult,
} from '../../../src-shared/stats';
import { expectClose, expectRelClose, loadFixture } from './fixtures';

interface TTestCase {
  name: string;
  a: number[];
  b: number[];
  welch: TTestResult;
  paired?: TTestResult;
}

interface SummaryCase {
  values: number[];
  n: number;
  mean: number;
  std: number;
  populationStd: number;
  ciLow: number;
  ciHigh: number;
  ciHalfWidth: number;
  /** scipy.stats.t.interval(0.95, ...), good to ~1e-9 relative only. */
  scipyInterval: [number, number];
}

interface Fixture {
  ttest: TTestCase[];
  summary: SummaryCase[];
  distribution: {
    cdf: { t: number; df: number; cdf: number; sf: number; pdf: number }[];
    ppf: { p: number; df: number; ppf: number; ppfExact: number }[];
  };
}

const fixture = loadFixture<Fixture>('stats.json');

function expectTTest(actual: TTestResult, expected: TTestResult, label: string): void {
  expectClose(actual.t, expected.t, `${label} t`);
  expectClose(actual.df, expected.df, `${label} df`);
  expectClose(actual.p, expected.p, `${label} p`);
  expectRelClose(actual.p, expected.p, `${label} p (relative)`, 1e-9);
  // A reason is given exactly when the result is degenerate.
  expect(actual.reason !== undefined, `${label} reason`).toBe(!Number.isFinite(expected.t));
}

describe('t-tests against scipy', () => {
  it.each(fixture.ttest.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expectTTest(welchTTest(c.a, c.b), c.welch, `${c.name} welch`);
    if (c.paired) expectTTest(pairedTTest(c.a, c.b), c.paired, `${c.name} paired`);
  });

  it('paired test rejects unequal lengths; empty input is NaN', () => {
    expect(() => pairedTTest([1, 2], [1, 2, 3])).toThrow(RangeError);
    const empty = pairedTTest([], []);
    expect([empty.t, empty.df, empty.p]).toEqual([NaN, NaN, NaN]);
  });

  it('significanceMark marks p < 0.05 only', () => {
    expect(significanceMark(0.049)).toBe('*');
    expect(significanceMark(0.05)).toBe('');
    expect(significanceMark(NaN)).toBe('');
  });
});

describe('summaries against numpy/scipy', () => {
  it.each(fixture.summary.map((c, i) => [i, c] as const))('case %i', (_i, c) => {
    const s = summarize(c.values);
    expect(s.n).toBe(c.n);
    expectClose(s.mean, c.mean, 'mean');
    expectClose(s.std, c.std, 'std');
    expectClose(sampleStd(c.values), c.std, 'sampleStd');
    expectClose(populationStd(c.values), c.populationStd, 'populationStd');
    expectClose(s.ciHalfWidth, c.ciHalfWidth, 'ciHalfWidth');
    expectClose(s.ciLow, c.ciLow, 'ciLow');
    expectClose(s.ciHigh, c.ciHigh, 'ciHigh');
    expectClose(s.ciLow, c.scipyInterval[0], 'ciLow vs scipy t.interval', 1e-8);
    expectClose(s.ciHigh, c.scipyInterval[1], 'ciHigh vs scipy t.interval', 1e-8);
  });

  it('n < 2 gives NaN spread with a reason', () => {
    const one = summarize([3]);
    expect(one.mean).toBe(3);
    expect(one.std).toBeNaN();
    expect(one.ciLow).toBeNaN();
    expect(one.reason).toMatch(/n < 2/);
    expect(summarize([]).mean).toBeNaN();
  });
});

describe('Student t distribution against scipy.stats.t', () => {
  it('cdf, sf and pdf', () => {
    for (const { t, df, cdf, sf, pdf } of fixture.distribution.cdf) {
      const label = `t=${t} df=${df}`;
      expectRelClose(studentTCdf(t, df), cdf, `${label} cdf`, 1e-9);
      expectRelClose(studentTSf(t, df), sf, `${label} sf`, 1e-9);
      expectRelClose(studentTPdf(t, df), pdf, `${label} pdf`, 1e-9);
    }
  });

  it('quantile (ppf)', () => {
    for (const { p, df, ppf, ppfExact } of fixture.distribution.ppf) {
      const actual = studentTQuantile(p, df);
      expectClose(actual, ppfExact, `p=${p} df=${df} vs mpmath`, 1e-12);
      // scipy 1.10's t.ppf (cephes stdtrit) is itself only good to a few 1e-9 relative.
      expectClose(actual, ppf, `p=${p} df=${df} vs scipy`, 1e-8);
    }
    expect(studentTQuantile(0, 3)).toBe(-Infinity);
    expect(studentTQuantile(1, 3)).toBe(Infinity);
    expect(studentTQuantile(1.5, 3)).toBeNaN();
    expect(studentTQuantile(0.5, -1)).toBeNaN();
  });

  it('quantile inverts the cdf far in the tails', () => {
    for (const df of [1, 2.5, 9]) {
      for (const p of [1e-300, 1e-100, 1e-20]) {
        const t = studentTQuantile(p, df);
        expectRelClose(studentTCdf(t, df), p, `df=${df} p=${p}`, 1e-11);
      }
    }
  });

  it('closed forms: ν = 1 is Cauchy, ν = 2 has cdf ½ + t / (2√(2 + t²))', () => {
    for (const t of [-30, -1, 0.3, 2, 1e3]) {
      expectRelClose(studentTCdf(t, 1), 0.5 + Math.atan(t) / Math.PI, `cauchy ${t}`, 1e-13);
      expectRelClose(studentTCdf(t, 2), 0.5 + t / (2 * Math.sqrt(2 + t * t)), `nu=2 ${t}`, 1e-13);
    }
  });

  it('special functions match known values', () => {
    expectClose(lnGamma(0.5), 0.5 * Math.log(Math.PI), 'lnGamma(1/2)', 5e-15);
    expectClose(lnGamma(1), 0, 'lnGamma(1)', 5e-15);
    expectClose(lnGamma(10), Math.log(362880), 'lnGamma(10)', 5e-15);
    expectRelClose(lnGamma(171), 706.5730622457874, 'lnGamma(171)', 1e-14);
    expectClose(lnBeta(0.5, 0.5), Math.log(Math.PI), 'lnBeta(1/2,1/2)', 5e-15);
    expectClose(lnBeta(3, 4), Math.log(1 / 60), 'lnBeta(3,4)', 5e-15);
    // B(a, ½) = Γ(½)Γ(a)/Γ(a+½), and Γ(a+½)/Γ(a) = √a·(1 − 1/(8a) + 1/(128a²) + O(a⁻³))
    expectRelClose(lnBeta(5e5, 0.5), lnGamma(0.5) - 0.5 * Math.log(5e5) + -Math.log1p(-1 / 4e6 + 1 / (128 * 25e10)), 'lnBeta(5e5,1/2)', 1e-12);
    expectClose(regularizedIncompleteBeta(0.3, 1, 1), 0.3, 'I(1,1)', 5e-15);
    expectClose(regularizedIncompleteBeta(0.3, 2, 3), 1 - 0.7 ** 4 - 4 * 0.3 * 0.7 ** 3, 'I(2,3)', 5e-15);
    expect(regularizedIncompleteBeta(0, 2, 3)).toBe(0);
    expect(regularizedIncompleteBeta(1, 2, 3)).toBe(1);
  });
});
