/**
 * Rows of the CSV exports, as plain arrays (the Node side stringifies them with csv-stringify).
 *   long: one row per run × condition × p × metric, values as stored (fractions), with the run's
 *         seed, config hash and provenance;
 *   wide: the paper's layout, "mean ± std" per condition in display units, our row and the paper's.
 */
import { baseMetric, displayDigits, flattenMetrics, metricClass } from './metrics';
import { conditionName, metricLabel } from './names';
import type { ConditionSelection } from './aggregate';
import type { ResultGroup, ResultTable, RunResult } from './types';

export type Cell = string | number;

export const LONG_HEADER = [
  'experiment',
  'run',
  'dataset',
  'dataset_kind',
  'dataset_sha256',
  'method',
  'variant',
  'seed',
  'config_hash',
  'code_version',
  'backend',
  'host',
  'mask_seed',
  'protocol',
  'condition',
  'p',
  'class',
  'metric',
  'value',
  'train_seconds',
  'total_seconds',
] as const;

function seconds(timings: Record<string, number> | null, key: string): Cell {
  const v = timings?.[key];
  return typeof v === 'number' ? v : '';
}

/**
 * Finished runs only (the others have no results); NaN values are written empty. `experiment`: the
 * experiment id, or empty for a selection of runs.
 */
export function longRows(experiment: number | '', runs: readonly RunResult[], selection: ConditionSelection): Cell[][] {
  const rows: Cell[][] = [];
  const wanted = { inter: new Set(selection.inter), intra: new Set(selection.intra) };
  for (const r of runs) {
    if (r.status !== 'finished') continue;
    for (const e of r.evaluations) {
      if (!wanted[e.protocol].has(e.condition)) continue;
      for (const [metric, value] of Object.entries(flattenMetrics(e.metrics))) {
        rows.push([
          experiment,
          r.run,
          r.dataset,
          r.datasetKind,
          r.datasetSha256 ?? '',
          r.method,
          r.variant,
          r.seed,
          r.configHash,
          r.codeVersion,
          r.backend ?? '',
          r.host,
          r.maskSeed,
          e.protocol,
          e.protocol === 'intra' ? 'intra' : e.condition,
          e.protocol === 'intra' ? e.condition : '',
          metricClass(metric) ?? '',
          baseMetric(metric),
          Number.isFinite(value) ? value : '',
          seconds(r.timings, 'trainSeconds'),
          seconds(r.timings, 'totalSeconds'),
        ]);
      }
    }
  }
  return rows;
}

export function wideHeader(table: ResultTable): string[] {
  return ['block', 'dataset', 'metric', 'method', 'variant', 'source', 'statistic', 'n', ...table.columns.map(conditionName), 'state', 'config_hash', 'seeds', 'code_version', 'dataset_sha256'];
}

/**
 * The table in the paper's layout: per row our "mean ± std" (with "*" where significant) and, where
 * the paper reports the row, its numbers on a 'paper' line below — for synthetic blocks only with
 * `paper` (they are the real dataset's numbers). Provenance per our row: config hash, seeds, code
 * version(s) and dataset SHA-256 of its runs.
 */
export function wideRows(table: ResultTable, groups: readonly ResultGroup[], runs: readonly RunResult[], options: { paper?: boolean } = {}): Cell[][] {
  const rows: Cell[][] = [];
  for (const block of table.blocks) {
    const digits = displayDigits(block.metric);
    for (const row of block.rows) {
      const lead = [block.title, block.dataset ?? '', metricLabel(block.metric)];
      if (row.method !== null) {
        const group = groups.find((g) => g.dataset === block.dataset && g.method === row.method && g.variant === row.variant);
        const mine = runs.filter((r) => r.dataset === block.dataset && r.method === row.method && r.variant === row.variant && r.status === 'finished');
        const versions = [...new Set(mine.map((r) => r.codeVersion))].join(' ');
        const shas = [...new Set(mine.map((r) => r.datasetSha256 ?? ''))].join(' ');
        rows.push([
          ...lead,
          row.label,
          row.variant ?? '',
          'ours',
          'mean ± sample std over n seeds',
          row.n,
          ...row.cells.map((c) => {
            if (!c.ours || !Number.isFinite(c.ours.mean)) return '';
            const std = Number.isFinite(c.ours.std) ? ` ± ${c.ours.std.toFixed(digits)}` : '';
            return `${c.ours.mean.toFixed(digits)}${c.mark}${std}`;
          }),
          row.state,
          group?.configHash ?? '',
          (group?.seeds ?? []).join(' '),
          versions,
          shas,
        ]);
      }
      if ((!block.synthetic || options.paper === true) && row.cells.some((c) => c.paper !== null)) {
        rows.push([...lead, row.paperLabel ?? row.label, '', block.synthetic ? 'paper (real data)' : 'paper', 'published', '', ...row.cells.map((c) => (c.paper === null ? '' : c.paper.toFixed(digits))), row.method === null ? row.state : '', '', '', '', '']);
      }
    }
  }
  return rows;
}
