import { describe, expect, it } from 'vitest';
import { aggregate, compareToReference, groupRuns } from '../../../src-shared/results';
import type { TTestResult } from '../../../src-shared/stats';
import { expectClose, expectRelClose } from '../metrics/fixtures';
import { loadResultsFixture, runResult, type FixtureRun } from './helpers';

interface ExpectedCell {
  dataset: string;
  method: string;
  protocol: 'inter' | 'intra';
  condition: string;
  metric: string;
  n: number;
  mean: number;
  std: number;
  ciLow: number;
  ciHigh: number;
  seeds: number[];
  undefinedSeeds: number[];
}

interface ExpectedComparison {
  dataset: string;
  method: string;
  protocol: 'inter' | 'intra';
  condition: string;
  metric: string;
  welch: TTestResult | null;
  paired: TTestResult | null;
  pairedSeeds: number[];
}

interface Fixture {
  reference: string;
  selection: { inter: string[]; intra: string[] };
  runs: FixtureRun[];
  cells: ExpectedCell[];
  comparisons: ExpectedComparison[];
}

const fixture = loadResultsFixture<Fixture>('experiment.json');
const runs = fixture.runs.map(runResult);
const key = (c: { dataset: string; method: string; protocol: string; condition: string; metric: string }): string =>
  [c.dataset, c.method, c.protocol, c.condition, c.metric].join('|');

function expectTest(actual: TTestResult, expected: TTestResult, label: string): void {
  expectClose(actual.t, expected.t, `${label} t`);
  expectClose(actual.df, expected.df, `${label} df`);
  expectClose(actual.p, expected.p, `${label} p`);
  expectRelClose(actual.p, expected.p, `${label} p (relative)`, 1e-8);
}

describe('aggregation over seeds (vs numpy/scipy, test/fixtures/results)', () => {
  const { groups, cells } = aggregate(runs, fixture.selection);
  const byKey = new Map(cells.map((c) => [key(c), c]));

  it('groups runs by dataset, method and variant with their status counts', () => {
    expect(groups.map((g) => [g.dataset, g.method, g.counts.total, g.counts.finished, g.counts.failed])).toEqual([
      ['synth-mosi', 'hrlf', 5, 5, 0],
      ['synth-mosi', 'hrlf-wo-hal', 5, 5, 0],
      ['synth-mosi', 'lf-linear', 5, 4, 1],
      ['synth-iemocap', 'hrlf', 3, 3, 0],
      ['synth-iemocap', 'lf-linear', 3, 3, 0],
    ]);
    expect(groups.find((g) => g.method === 'lf-linear')!.seeds).toEqual([1111, 1112, 1113, 1114]);
  });

  it('gives every (group, condition, metric) the n, mean, std (ddof 1) and 95% t interval scipy gives', () => {
    expect(cells).toHaveLength(fixture.cells.length);
    for (const e of fixture.cells) {
      const label = key(e);
      const c = byKey.get(label);
      expect(c, label).toBeDefined();
      expect(c!.n, `${label} n`).toBe(e.n);
      expect(c!.seeds, `${label} seeds`).toEqual(e.seeds);
      expect(c!.undefinedSeeds, `${label} undefined seeds`).toEqual(e.undefinedSeeds);
      expectClose(c!.mean, e.mean, `${label} mean`, 1e-12);
      expectClose(c!.std, e.std, `${label} std`, 1e-12);
      // scipy's t.interval carries stdtrit's ~1e-9 relative error (the exact quantile is tested in stats.test.ts).
      expectClose(c!.ciLow, e.ciLow, `${label} ciLow`, 1e-8);
      expectClose(c!.ciHigh, e.ciHigh, `${label} ciHigh`, 1e-8);
    }
  });

  it('leaves undefined values (NaN, stored as null) out of n and lists their seeds', () => {
    const corr = byKey.get('synth-mosi|hrlf-wo-hal|inter|l|corr')!;
    expect(corr.n).toBe(4);
    expect(corr.undefinedSeeds).toEqual([1113]);
    const allUndefined = byKey.get('synth-mosi|hrlf|intra|1.0|corr')!;
    expect(allUndefined.n).toBe(0);
    expect(allUndefined.mean).toBeNaN();
  });

  it('compares against the reference: Welch and paired-by-seed t-tests equal scipy, * at p < 0.05', () => {
    const comparisons = compareToReference(groups, cells, fixture.reference, 'welch');
    const byCmp = new Map(comparisons.map((c) => [key(c), c]));
    expect(comparisons).toHaveLength(fixture.comparisons.length);
    let significant = 0;
    for (const e of fixture.comparisons) {
      const label = key(e);
      const c = byCmp.get(label)!;
      expect(c, label).toBeDefined();
      expect(c.reference).toBe(fixture.reference);
      if (e.welch) expectTest(c.welch, e.welch, `${label} welch`);
      else expect(c.welch.p).toBeNaN();
      expect(c.pairedSeeds, `${label} paired seeds`).toEqual(e.pairedSeeds);
      if (e.paired) expectTest(c.paired!, e.paired, `${label} paired`);
      else expect(c.paired).toBeNull();
      expect(c.mark, `${label} mark`).toBe(c.welch.p < 0.05 ? '*' : '');
      if (c.mark) significant++;
    }
    // The fixture's shifts make some, not all, differences significant: both branches are exercised.
    expect(significant).toBeGreaterThan(0);
    expect(significant).toBeLessThan(comparisons.length);
  });

  it('pairs only the seeds both methods finished (lf-linear lacks 1115; IEMOCAP seeds overlap in two)', () => {
    const comparisons = compareToReference(groups, cells, 'hrlf', 'paired');
    const lf = comparisons.find((c) => c.dataset === 'synth-mosi' && c.method === 'lf-linear' && c.condition === 'avg' && c.metric === 'f1_non0')!;
    expect(lf.pairedSeeds).toEqual([1111, 1112, 1113, 1114]);
    expect(lf.mark).toBe(lf.paired!.p < 0.05 ? '*' : '');
    const iemocap = comparisons.find((c) => c.dataset === 'synth-iemocap' && c.condition === 'avg' && c.metric === 'Happy.f1')!;
    expect(iemocap.pairedSeeds).toEqual([1112, 1113]);
  });

  it('uses the latest finished run when a seed was run twice, so each value is one seed', () => {
    const twice = [...runs, { ...runs[0]!, run: 999, evaluations: runs[0]!.evaluations.map((e) => ({ ...e, metrics: { ...e.metrics, f1_non0: 0.5 } })) }];
    const { cells: again } = aggregate(twice, fixture.selection);
    const cell = again.find((c) => key(c) === 'synth-mosi|hrlf|inter|avg|f1_non0')!;
    expect(cell.n).toBe(5);
    expect(cell.values[cell.seeds.indexOf(runs[0]!.seed)]).toBe(0.5);
    expect(groupRuns(twice)[0]!.runs).toHaveLength(6);
  });

  it('reports only the selected conditions', () => {
    const { cells: some } = aggregate(runs, { inter: ['l,v'], intra: ['0.5'] });
    expect(new Set(some.map((c) => `${c.protocol}:${c.condition}`))).toEqual(new Set(['inter:l,v', 'intra:0.5']));
  });
});
