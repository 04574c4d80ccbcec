/**
 * Group-by of an experiment's results over any config key: the per-seed values of every group
 * with the same key value are pooled (per dataset) and summarised as mean, std and 95 % CI.
 */
import { summarize } from '../../src-shared/stats';
import { toDisplay } from '../../src-shared/results/metrics';
import type { ExperimentResults, ResultGroup } from '../../src-shared/results/types';

export interface GroupByRow {
  dataset: string;
  value: string;
  /** Result groups (method × variant cells) pooled into this row. */
  groups: number;
  n: number;
  mean: number;
  std: number;
  ciLow: number;
  ciHigh: number;
}

/** Grid dimensions first, then config keys; keys whose value differs between groups lead. */
export function groupByKeys(groups: readonly ResultGroup[]): string[] {
  const keys = new Set<string>();
  for (const g of groups) for (const k of Object.keys(g.config)) keys.add(k);
  const varying = [...keys].filter((k) => new Set(groups.map((g) => JSON.stringify(g.config[k]))).size > 1).sort();
  const constant = [...keys].filter((k) => !varying.includes(k)).sort();
  return ['method', 'variant', ...varying, ...constant];
}

function keyValue(g: ResultGroup, key: string): string {
  if (key === 'method') return g.method;
  if (key === 'variant') return g.variant || '(none)';
  const v = g.config[key];
  return v === undefined ? '(unset)' : typeof v === 'string' ? v : JSON.stringify(v);
}

export function groupBy(results: ExperimentResults, key: string, protocol: 'inter' | 'intra', condition: string, metric: string): GroupByRow[] {
  const pooled = new Map<string, { dataset: string; value: string; groups: number; values: number[] }>();
  for (const g of results.groups) {
    const value = keyValue(g, key);
    const id = JSON.stringify([g.dataset, value]);
    const entry = pooled.get(id) ?? { dataset: g.dataset, value, groups: 0, values: [] };
    entry.groups++;
    const cell = results.cells.find(
      (c) => c.dataset === g.dataset && c.method === g.method && c.variant === g.variant && c.protocol === protocol && c.condition === condition && c.metric === metric,
    );
    if (cell) entry.values.push(...cell.values.filter((v) => typeof v === 'number' && Number.isFinite(v)));
    pooled.set(id, entry);
  }
  return [...pooled.values()].map((e) => {
    const s = summarize(e.values);
    const d = (x: number): number => toDisplay(metric, x);
    return { dataset: e.dataset, value: e.value, groups: e.groups, n: s.n, mean: d(s.mean), std: d(s.std), ciLow: d(s.ciLow), ciHigh: d(s.ciHigh) };
  });
}
