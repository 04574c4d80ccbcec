/**
 * The data behind the paper's Figures 3–5: a metric against the intra-modality drop ratio p, one
 * series per method (and config variant) with the mean and the 95 % CI band over seeds.
 */
import type { DatasetKind } from '../domain';
import { CellIndex } from './aggregate';
import { isPercentMetric, toDisplay } from './metrics';
import { metricLabel } from './names';
import { paperLabelOf, paperRowName } from './paper';
import type { AggregateCell, CurvePoint, CurveSet, ResultGroup } from './types';

export interface CurveSpec {
  figure: string | null;
  title: string;
  dataset: string;
  datasetKind: DatasetKind;
  metric: string;
  /** Intra condition keys ("0.0" … "1.0") in order. */
  ratios: readonly string[];
  /** Restrict to these methods (e.g. Figure 5: HRLF and its ablations); all when absent. */
  methods?: readonly string[];
}

export function buildCurves(spec: CurveSpec, groups: readonly ResultGroup[], cells: readonly AggregateCell[], methodLabel: (m: string) => string): CurveSet {
  const index = new CellIndex(cells);
  const series = groups
    .filter((g) => g.dataset === spec.dataset && (!spec.methods || spec.methods.includes(g.method)))
    .map((g) => {
      const points: CurvePoint[] = [];
      for (const ratio of spec.ratios) {
        const c = index.get(g, 'intra', ratio, spec.metric);
        if (!c || c.n === 0) continue;
        const d = (x: number): number => toDisplay(spec.metric, x);
        points.push({ p: Number(ratio), n: c.n, mean: d(c.mean), std: d(c.std), ciLow: d(c.ciLow), ciHigh: d(c.ciHigh) });
      }
      const paperLabel = paperLabelOf(g.method);
      const base = paperLabel ? paperRowName(paperLabel, spec.datasetKind) : methodLabel(g.method);
      return { dataset: g.dataset, method: g.method, variant: g.variant, label: g.variant ? `${base} [${g.variant}]` : base, points };
    });
  return {
    figure: spec.figure,
    title: spec.title,
    dataset: spec.dataset,
    datasetKind: spec.datasetKind,
    metric: spec.metric,
    metricLabel: metricLabel(spec.metric),
    percent: isPercentMetric(spec.metric),
    series,
  };
}
