import { describe, expect, it } from 'vitest';
import { INTER_CONDITIONS, INTRA_RATIOS } from '../../../src-shared/domain';
import { checkPredictions, describeDegenerate, type PredictionSet } from '../../../src-shared/metrics/degenerate';
import { aggregate, buildTable, reportedConditions, PAPER_SCENARIO, type RunResult } from '../../../src-shared/results';
import type { RunDetail } from '../../../src-shared/models';
import { renderReport } from '../../../src-main/cli/train';
import { runResult } from '../results/helpers';

const N = 40;
const labels = Float32Array.from({ length: N }, (_, i) => -3 + (6 * i) / (N - 1));

function regression(protocol: 'inter' | 'intra', condition: string, pred: (i: number) => number): PredictionSet {
  return { protocol, condition, n: N, width: 1, labels, values: Float32Array.from({ length: N }, (_, i) => pred(i)) };
}

/** Every stored set of a run whose predictions follow `pred` (plus the prediction-less 'avg'). */
function allSets(pred: (i: number) => number): PredictionSet[] {
  return [
    ...INTER_CONDITIONS.map((c) => regression('inter', c, pred)),
    { protocol: 'inter', condition: 'avg', n: 0, width: 0, labels: [], values: [] },
    ...INTRA_RATIOS.map((p) => regression('intra', p.toFixed(1), p === 1 ? () => 0.3 : pred)),
  ];
}

describe('degenerate test predictions', () => {
  it('a model that follows the labels is not flagged; intra p = 1.0 (no input left) and Avg. are not checked', () => {
    const check = checkPredictions(allSets((i) => labels[i]! * 0.8 + 0.1));
    expect(check.findings).toEqual([]);
    expect(check.checked).toBe(INTER_CONDITIONS.length + INTRA_RATIOS.length - 1);
    expect(describeDegenerate(check.findings)).toBeNull();
  });

  it('finds constant predictions (spread below 1e-3 of the labels) and names the conditions', () => {
    const sets = [regression('inter', 'l', (i) => 0.2 + 1e-6 * i), regression('inter', 'a', (i) => labels[i]!), regression('intra', '0.3', () => -0.4)];
    const check = checkPredictions(sets);
    expect(check.findings.map((f) => [f.protocol, f.condition, f.kind])).toEqual([
      ['inter', 'l', 'constant'],
      ['intra', '0.3', 'constant'],
    ]);
    expect(describeDegenerate(check.findings)).toBe('constant predictions under {l} and p = 0.3');
  });

  it('finds one-sided predictions: every prediction > 0, or every one ≤ 0, as Acc-2 sees them', () => {
    const check = checkPredictions([regression('inter', 'v', (i) => 0.5 + labels[i]! / 10), regression('inter', 'l,a', (i) => -0.5 + labels[i]! / 10), regression('inter', 'l,v', (i) => labels[i]! / 10)]);
    expect(check.findings).toEqual([
      { protocol: 'inter', condition: 'v', kind: 'one-sided', detail: 'every prediction > 0' },
      { protocol: 'inter', condition: 'l,a', kind: 'one-sided', detail: 'every prediction ≤ 0' },
    ]);
  });

  it('summarises a run degenerate everywhere in one line', () => {
    const check = checkPredictions(allSets((i) => -0.2 - labels[i]! / 100));
    expect(check.findings).toHaveLength(INTER_CONDITIONS.length + INTRA_RATIOS.length - 1);
    expect(describeDegenerate(check.findings)).toBe('one-sided predictions (every prediction ≤ 0) under all 7 inter-modality conditions and every intra ratio p < 1');
  });

  it('IEMOCAP: an emotion head that predicts one class for every sample', () => {
    const n = 6;
    const y = Float32Array.from({ length: n * 4 }, (_, k) => ((k + Math.floor(k / 4)) % 3 === 0 ? 1 : 0));
    // Heads: Neutral follows the label; Happy always "absent" (logit 0 > logit 1); Sad always "present"; Angry follows.
    const logits = new Float32Array(n * 8);
    for (let i = 0; i < n; i++) {
      const yi = (e: number): number => y[i * 4 + e]!;
      logits.set([1 - yi(0), yi(0) + i * 0.01, 2, -1 + i * 0.1, -1 - i * 0.1, 3, 1 - yi(3), yi(3)], i * 8);
    }
    const check = checkPredictions([{ protocol: 'inter', condition: 'l,a,v', n, width: 8, labels: y, values: logits }]);
    expect(check.findings).toEqual([{ protocol: 'inter', condition: 'l,a,v', kind: 'one-sided', detail: 'Happy always absent, Sad always present' }]);
  });
});

describe('degenerate runs in results and the CLI report', () => {
  const finished = (seed: number, pred: (i: number) => number): RunResult => ({
    ...runResult({ run: seed, dataset: 'synth-mosi', datasetKind: 'mosi', method: 'hrlf', variant: '', seed, status: 'finished', evaluations: [] }),
    evaluations: [...INTER_CONDITIONS, 'avg'].map((c) => ({ protocol: 'inter' as const, condition: c, metrics: { f1_non0: 0.25 } })),
    predictionCheck: checkPredictions(allSets(pred)),
  });

  it('marks the cells (Avg. included) and the row, naming the seeds', () => {
    const runs = [finished(1111, (i) => -0.2 - labels[i]! / 100), finished(1112, (i) => labels[i]!)];
    const { groups, cells } = aggregate(runs, reportedConditions(PAPER_SCENARIO));
    const l = cells.find((c) => c.condition === 'l' && c.metric === 'f1_non0')!;
    expect(l.degenerateSeeds).toEqual([1111]);
    expect(cells.find((c) => c.condition === 'avg')!.degenerateSeeds).toEqual([1111]);
    expect(groups[0]!.degenerate).toEqual([{ run: 1111, seed: 1111, summary: expect.stringContaining('one-sided') as string }]);
    const table = buildTable(
      {
        id: 'experiment',
        title: 't',
        caption: '',
        metricLabel: 'F1',
        columns: ['l', 'avg'],
        blocks: [{ title: 'synth-mosi', dataset: 'synth-mosi', datasetKind: 'mosi', synthetic: true, metric: 'f1_non0', paperRows: {}, paperOrder: [], keepUnmatchedPaperRows: false }],
        reference: null,
        test: 'welch',
        markColumns: 'avg',
      },
      { groups, cells, comparisons: [], implemented: () => true, methodLabel: (m) => m },
    );
    const row = table.blocks[0]!.rows[0]!;
    expect(row.degenerate).toBe('1 of 2 seeds (1111): one-sided predictions (every prediction ≤ 0) under all 7 inter-modality conditions and every intra ratio p < 1');
    expect(row.cells.map((c) => c.degenerateSeeds)).toEqual([[1111], [1111]]);
  });

  it('hrlf train names the degenerate conditions in its table and warns below it', () => {
    const check = checkPredictions([regression('inter', 'v', () => -0.3), regression('inter', 'l', (i) => labels[i]!)]);
    const run = {
      id: 3,
      dataset: 'synth-mosi',
      method: 'hrlf',
      seed: 1111,
      status: 'finished',
      backend: 'wasm',
      outcome: 'completed',
      error: null,
      evaluations: [...INTER_CONDITIONS, 'avg'].map((c) => ({ protocol: 'inter', condition: c, metrics: { mae: 1, corr: 0.1, acc7: 0.2, acc5: 0.2, acc2_has0: 0.5, f1_has0: 0.5, acc2_non0: 0.5, f1_non0: 0.5 } })),
      predictionCheck: check,
    } as unknown as RunDetail;
    const text = renderReport(run);
    expect(text).toMatch(/^condition\s+MAE\s+Corr\s+Acc-7\s+Acc-5\s+Acc-2 \(Has0\)\s+F1 \(Has0\)\s+Acc-2 \(Non0\)\s+F1 \(Non0\)\s+predictions$/m);
    expect(text).toMatch(/^\{v\} .*constant$/m);
    expect(text).toMatch(/^\{l\} .*0\.5000$/m);
    expect(text).toMatch(/^Avg\. .*averages 1 degenerate condition\(s\)$/m);
    expect(text).toContain("warning: degenerate model: constant predictions under {v}; F1 and Acc-2 there are a constant predictor's scores");
  });
});
