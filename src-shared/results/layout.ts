/**
 * Tables in the paper's layout: blocks (a dataset, or an IEMOCAP emotion) of rows (methods) by
 * the inter-modality columns {l} … {a,v}, Avg., {l,a,v}; each cell our mean ± std beside the
 * paper's number and the difference, the best mean per column marked, and `*` where the chosen
 * test against the reference method gives p < 0.05.
 */
import type { DatasetKind } from '../domain';
import { CellIndex, groupId } from './aggregate';
import { displayDigits, higherIsBetter, isPercentMetric, toDisplay } from './metrics';
import { PAPER_METHOD_IDS, paperLabelOf, paperRowName } from './paper';
import type { AggregateCell, Comparison, ResultGroup, ResultTable, RowState, RunCounts, SignificanceTest, TableBlock, TableCell, TableRow } from './types';

export interface BlockSpec {
  title: string;
  /** The dataset whose runs fill the block (null: none was run, the block shows the paper only). */
  dataset: string | null;
  datasetKind: DatasetKind;
  synthetic: boolean;
  metric: string;
  /** Paper row label → condition → value (percent); {} where the paper has no numbers. */
  paperRows: Record<string, Record<string, number>>;
  /** Paper labels in the paper's order. */
  paperOrder: string[];
  /** Keep paper rows that no group of the experiment fills ('not run' / 'not implemented'). */
  keepUnmatchedPaperRows: boolean;
}

export interface TableSpec {
  id: string;
  title: string;
  caption: string;
  metricLabel: string;
  columns: string[];
  blocks: BlockSpec[];
  reference: string | null;
  test: SignificanceTest;
  /** Columns that carry significance marks: the paper marks Avg. only. */
  markColumns: 'avg' | 'all';
  notes?: string[];
}

export interface LayoutContext {
  groups: readonly ResultGroup[];
  cells: readonly AggregateCell[];
  comparisons: readonly Comparison[];
  /** Whether a method id is registered in the engine. */
  implemented: (method: string) => boolean;
  /** Display name of a method that is not in the paper (e.g. lf-linear's title). */
  methodLabel: (method: string) => string;
}

function stateOf(c: RunCounts): RowState {
  if (c.total > 0 && c.finished === c.total) return 'done';
  if (c.finished > 0) return 'partial';
  if (c.queued + c.running > 0) return 'pending';
  return 'failed';
}

function stateNote(c: RunCounts): string | null {
  const parts: string[] = [];
  if (c.finished < c.total) parts.push(`${c.finished}/${c.total} runs finished`);
  if (c.queued + c.running > 0) parts.push(`${c.queued + c.running} queued or running`);
  if (c.failed + c.cancelled > 0) parts.push(`${c.failed + c.cancelled} failed or cancelled`);
  return parts.length > 0 ? parts.join(', ') : null;
}

/** "all 3 seeds: one-sided predictions …" or "seed 1111: …; seed 1113: …". */
function degenerateNote(g: ResultGroup): string | null {
  const list = g.degenerate ?? [];
  if (list.length === 0) return null;
  const summaries = new Set(list.map((d) => d.summary));
  if (summaries.size === 1) {
    const who = list.length === g.seeds.length ? (list.length === 1 ? 'its seed' : `all ${list.length} seeds`) : `${list.length} of ${g.seeds.length} seeds (${list.map((d) => d.seed).join(', ')})`;
    return `${who}: ${list[0]!.summary}`;
  }
  return list.map((d) => `seed ${d.seed}: ${d.summary}`).join('; ');
}

function emptyCell(condition: string, paper: number | null): TableCell {
  return { condition, ours: null, paper, diff: null, best: false, mark: '', p: null };
}

function comparisonKey(dataset: string, method: string, variant: string, condition: string, metric: string): string {
  return JSON.stringify([dataset, method, variant, condition, metric]);
}

export function buildTable(spec: TableSpec, ctx: LayoutContext): ResultTable {
  const index = new CellIndex(ctx.cells);
  const comparisons = new Map<string, Comparison>();
  for (const c of ctx.comparisons) if (c.protocol === 'inter') comparisons.set(comparisonKey(c.dataset, c.method, c.variant, c.condition, c.metric), c);
  const marked = (condition: string): boolean => spec.markColumns === 'all' || condition === 'avg';

  const blocks: TableBlock[] = spec.blocks.map((b) => {
    const groups = b.dataset === null ? [] : ctx.groups.filter((g) => g.dataset === b.dataset);
    const used = new Set<string>();
    const rows: TableRow[] = [];

    const groupRow = (g: ResultGroup, label: string, paperLabel: string | null): TableRow => {
      used.add(groupId(g));
      const paper = paperLabel ? (b.paperRows[paperLabel] ?? {}) : {};
      const cells = spec.columns.map((condition): TableCell => {
        const paperValue = paper[condition] ?? null;
        const cell = index.get(g, 'inter', condition, b.metric);
        if (!cell || cell.n === 0) return emptyCell(condition, paperValue);
        const ours = {
          n: cell.n,
          mean: toDisplay(b.metric, cell.mean),
          std: toDisplay(b.metric, cell.std),
          ciLow: toDisplay(b.metric, cell.ciLow),
          ciHigh: toDisplay(b.metric, cell.ciHigh),
        };
        const cmp = comparisons.get(comparisonKey(g.dataset, g.method, g.variant, condition, b.metric));
        const p = cmp ? (spec.test === 'welch' ? cmp.welch.p : (cmp.paired?.p ?? NaN)) : null;
        return {
          condition,
          ours,
          paper: paperValue,
          // A difference to the paper means something only on the paper's own data: never on synthetic data.
          diff: paperValue === null || b.synthetic ? null : ours.mean - paperValue,
          best: false,
          mark: cmp && marked(condition) ? cmp.mark : '',
          p: p === null || Number.isNaN(p) ? null : p,
          degenerateSeeds: cell.degenerateSeeds ?? [],
        };
      });
      const isReference = spec.reference !== null && g.method === spec.reference;
      const note = [isReference ? 'reference' : null, stateNote(g.counts)].filter((x) => x !== null).join('; ');
      const name = paperLabel ? paperRowName(label, b.datasetKind) : label;
      return {
        label: g.variant ? `${name} [${g.variant}]` : name,
        method: g.method,
        variant: g.variant,
        paperLabel,
        state: stateOf(g.counts),
        note: note || null,
        degenerate: degenerateNote(g),
        n: g.seeds.length,
        cells,
      };
    };

    for (const label of b.paperOrder) {
      const mine = groups.filter((g) => paperLabelOf(g.method) === label);
      if (mine.length > 0) {
        for (const g of mine) rows.push(groupRow(g, label, label));
        continue;
      }
      if (!b.keepUnmatchedPaperRows) continue;
      const ids = PAPER_METHOD_IDS[label] ?? [];
      const implemented = ids.some((id) => ctx.implemented(id));
      const paper = b.paperRows[label] ?? {};
      rows.push({
        label: paperRowName(label, b.datasetKind),
        method: null,
        variant: null,
        paperLabel: label,
        state: implemented ? 'not run' : 'not implemented',
        note: implemented ? 'not in this experiment' : 'method not implemented yet: paper numbers only',
        n: 0,
        cells: spec.columns.map((condition) => emptyCell(condition, paper[condition] ?? null)),
      });
    }
    for (const g of groups) {
      if (used.has(groupId(g))) continue;
      const paperLabel = paperLabelOf(g.method);
      rows.push(groupRow(g, paperLabel ?? ctx.methodLabel(g.method), paperLabel !== null && paperLabel in b.paperRows ? paperLabel : null));
    }

    // Best mean per column among our rows (lowest for MAE).
    spec.columns.forEach((_, col) => {
      const better = higherIsBetter(b.metric) ? (a: number, c: number) => a > c : (a: number, c: number) => a < c;
      let best: number | null = null;
      for (const r of rows) {
        const m = r.cells[col]?.ours?.mean;
        if (m !== undefined && Number.isFinite(m) && (best === null || better(m, best))) best = m;
      }
      if (best === null) return;
      // Ties at the shown precision are all best: a reader cannot tell them apart.
      const digits = displayDigits(b.metric);
      for (const r of rows) {
        const cell = r.cells[col];
        if (cell?.ours && Number.isFinite(cell.ours.mean) && cell.ours.mean.toFixed(digits) === best.toFixed(digits)) cell.best = true;
      }
    });

    return { title: b.title, dataset: b.dataset, datasetKind: b.datasetKind, synthetic: b.synthetic, metric: b.metric, rows };
  });

  return {
    id: spec.id,
    title: spec.title,
    caption: spec.caption,
    metricLabel: spec.metricLabel,
    percent: spec.blocks.every((b) => isPercentMetric(b.metric)),
    columns: spec.columns,
    blocks,
    reference: spec.reference,
    test: spec.test,
    marks: spec.markColumns,
    notes: spec.notes ?? [],
  };
}
