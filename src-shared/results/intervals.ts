/**
 * How the workbench shows spread over seeds. The statistics stay exact (std with ddof 1, the 95 %
 * Student-t interval of the mean); what is drawn is clipped to the range the metric can take, and
 * every display says which statistic it shows, over how many seeds, and when that says little.
 */
import { baseMetric, isPercentMetric } from './metrics';

/** Seeds below which a 95 % interval is not worth drawing: with 2, t(0.975, 1 df) = 12.71 standard errors. */
export const MIN_SEEDS_FOR_INTERVAL = 3;

/** The values a metric can take, in display units (percent for F1 and accuracies). */
export function metricRange(metric: string): [number, number] {
  if (isPercentMetric(metric)) return [0, 100];
  if (baseMetric(metric) === 'corr') return [-1, 1];
  return [0, Number.POSITIVE_INFINITY];
}

/** [low, high] clipped to the metric's range, and whether anything was cut off. */
export function clipInterval(metric: string, low: number, high: number): { low: number; high: number; clipped: boolean } {
  const [min, max] = metricRange(metric);
  const lo = Math.max(min, low);
  const hi = Math.min(max, high);
  return { low: lo, high: hi, clipped: lo !== low || hi !== high };
}

/** Why an interval over n seeds says little; null when it is fine (or when, with one seed, none is shown). */
export function intervalWarning(n: number): string | null {
  if (n < 2) return null;
  if (n < MIN_SEEDS_FOR_INTERVAL) return `${n} seeds give no useful interval (the 95 % t-interval of the mean is ±12.7 standard errors wide); run 3 or more (the paper uses 5)`;
  return null;
}
