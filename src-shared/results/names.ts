/**
 * The one display name of every evaluation condition and metric, used by the UI, the CLI and the
 * human-readable exports (LaTeX, CSV in the paper's layout). Stored data, JSON and the long CSV keep
 * the keys ('l,a,v', 'f1_non0'), which are identifiers, not names.
 *
 * Conditions follow the paper: {l} … {l,a,v} name the modalities that remain, "Avg." the mean over
 * the six missing-modality conditions, "p = 0.3" an intra-modality drop ratio.
 */
import { baseMetric, isPercentMetric, metricClass } from './metrics';

const METRIC_NAMES: Record<string, string> = {
  mae: 'MAE',
  corr: 'Corr',
  acc7: 'Acc-7',
  acc5: 'Acc-5',
  acc2_has0: 'Acc-2 (Has0)',
  f1_has0: 'F1 (Has0)',
  acc2_non0: 'Acc-2 (Non0)',
  f1_non0: 'F1 (Non0)',
  f1: 'F1',
  acc: 'Acc',
};

/** "Avg.", "{l,a,v}", "p = 0.3" (intra ratio), "p = 0.5, {l}" (the embedding view's mixed condition). */
export function conditionName(key: string): string {
  if (key === 'avg') return 'Avg.';
  const mixed = /^p=(\d(?:\.\d+)?)\+([lav](?:,[lav])*)$/.exec(key);
  if (mixed) return `p = ${mixed[1]}, {${mixed[2]}}`;
  if (/^\d(\.\d+)?$/.test(key)) return `p = ${key}`;
  if (/^[lav](,[lav])*$/.test(key)) return `{${key}}`;
  return key;
}

/** "F1 (Non0)", "Happy F1": the metric's name without its unit. */
export function metricName(metric: string): string {
  const cls = metricClass(metric);
  const base = METRIC_NAMES[baseMetric(metric)] ?? baseMetric(metric);
  return cls ? `${cls} ${base}` : base;
}

/** The name with the unit it is shown in: "F1 (Non0) %" (percent), "MAE" (a value). */
export function metricLabel(metric: string): string {
  return isPercentMetric(metric) ? `${metricName(metric)} %` : metricName(metric);
}
