/**
 * Metric names as results and exports use them. Stored evaluations hold fractions: regression
 * runs a flat record (mae, corr, acc7, …), IEMOCAP runs one {f1, acc} record per emotion, which is
 * flattened here to "Happy.f1"-style names so every metric is one number per run and condition.
 */
import type { EvaluationRecord, MetricRecord } from '../models';

export const REGRESSION_METRICS = ['mae', 'corr', 'acc7', 'acc5', 'acc2_has0', 'f1_has0', 'acc2_non0', 'f1_non0'] as const;

/** The leaf metric name: "Happy.f1" → "f1". */
export function baseMetric(metric: string): string {
  const dot = metric.lastIndexOf('.');
  return dot < 0 ? metric : metric.slice(dot + 1);
}

/** The emotion of a flattened IEMOCAP metric, or null. */
export function metricClass(metric: string): string | null {
  const dot = metric.lastIndexOf('.');
  return dot < 0 ? null : metric.slice(0, dot);
}

/** MAE and Corr are shown as values; accuracies and F1 in percent, as in the paper. */
export function isPercentMetric(metric: string): boolean {
  const base = baseMetric(metric);
  return base !== 'mae' && base !== 'corr';
}

export function higherIsBetter(metric: string): boolean {
  return baseMetric(metric) !== 'mae';
}

/** Display value: percent metrics × 100. */
export function toDisplay(metric: string, value: number): number {
  return isPercentMetric(metric) ? value * 100 : value;
}

/** Digits a table shows: two for percentages (the paper's), three for MAE and Corr. */
export function displayDigits(metric: string): number {
  return isPercentMetric(metric) ? 2 : 3;
}

/** JSON has no NaN: a stored undefined metric comes back as null. */
function num(v: unknown): number {
  return typeof v === 'number' ? v : NaN;
}

/** One evaluation's metrics as flat name → value (NaN where the metric is undefined). */
export function flattenMetrics(metrics: EvaluationRecord['metrics']): MetricRecord {
  const out: MetricRecord = {};
  for (const [key, value] of Object.entries(metrics as Record<string, unknown>)) {
    if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[`${key}.${k}`] = num(v);
    } else {
      out[key] = num(value);
    }
  }
  return out;
}
