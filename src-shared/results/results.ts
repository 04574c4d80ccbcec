/**
 * An experiment's results document: aggregates, comparisons, tables in the paper's layout and the
 * robustness curves, from its runs. Pure: the services load the runs and the paper's numbers.
 */
import { IEMOCAP_EMOTIONS, type DatasetKind } from '../domain';
import { aggregate, compareToReference } from './aggregate';
import { buildCurves } from './curves';
import { buildTable, type BlockSpec, type TableSpec } from './layout';
import { baseMetric } from './metrics';
import { metricLabel } from './names';
import { PAPER_REFERENCE_LABEL, TABLE2_EMOTIONS, paperRowsFor, paperTableDef, type PaperTables, type TableNumber } from './paper';
import { reportedConditions } from './scenario';
import type { CurveSet, ExperimentGrid, ExperimentResults, ExperimentSummary, ResultTable, RunResult, SignificanceTest } from './types';

export interface ResultsOptions {
  /** Method id to compare against; null: no significance. */
  reference: string | null;
  test: SignificanceTest;
  level: number;
  /** Render in the layout of this paper table (default: the experiment's own table, if it reproduces one). */
  table: TableNumber | null;
  /** Metric of the regression blocks of an experiment's own table (default f1_non0, the paper's F1). */
  metric: string;
  marks: 'avg' | 'all';
}

export interface ResultsContext {
  experiment: ExperimentSummary;
  grid: ExperimentGrid;
  runs: RunResult[];
  paper: PaperTables;
  implemented: (method: string) => boolean;
  methodLabel: (method: string) => string;
  /** Whether a dataset id is a built-in synthetic one. */
  synthetic: (dataset: string) => boolean;
  /** Kind of a dataset of the grid (runs carry it; this covers datasets with no runs). */
  kindOf: (dataset: string) => DatasetKind;
}

/** Paper rows in the paper's order, Table 1's then Table 3's ablations. */
function paperOrder(paper: PaperTables): string[] {
  const labels = Object.keys(paper.table1.data.MOSI ?? {});
  for (const l of Object.keys(paper.table3.data)) if (!labels.includes(l)) labels.push(l);
  for (const l of Object.keys(paper.table2.data)) if (!labels.includes(l)) labels.push(l);
  return labels;
}

function emotionMetric(metric: string, emotion: string): string {
  return `${emotion}.${metric === 'acc' || metric.endsWith('.acc') ? 'acc' : 'f1'}`;
}

export function buildResults(ctx: ResultsContext, opts: ResultsOptions): ExperimentResults {
  const { grid } = ctx;
  const selection = reportedConditions(grid.scenario.spec);
  const { groups, cells } = aggregate(ctx.runs, selection, opts.level);
  const notes: string[] = [];
  let reference = opts.reference;
  if (reference !== null && !groups.some((g) => g.method === reference)) {
    notes.push(`reference '${reference}' has no runs in this experiment: no significance marks`);
    reference = null;
  }
  if (reference === null && groups.some((g) => g.method !== groups[0]?.method)) {
    notes.push(`no reference method chosen: no significance marks (the paper compares against ${PAPER_REFERENCE_LABEL}, which is ${ctx.implemented('corrkd') ? 'available' : 'not implemented yet'})`);
  }
  const comparisons = reference ? compareToReference(groups, cells, reference, opts.test) : [];
  const table = opts.table ?? grid.table;
  const columns = selection.inter;
  const kinds = new Map(grid.datasets.map((d) => [d, ctx.kindOf(d)]));
  const layoutCtx = { groups, cells, comparisons, implemented: ctx.implemented, methodLabel: ctx.methodLabel };

  const tables: ResultTable[] = [];
  if (table !== null) {
    const def = paperTableDef(ctx.paper, table);
    const blocks: BlockSpec[] = def.blocks.map((b) => {
      const dataset = grid.datasets.find((d) => kinds.get(d) === b.kind) ?? null;
      return {
        title: b.title,
        dataset,
        datasetKind: b.kind,
        synthetic: dataset !== null && ctx.synthetic(dataset),
        metric: b.metric,
        paperRows: b.rows,
        paperOrder: def.rowLabels,
        keepUnmatchedPaperRows: true,
      };
    });
    const tableNotes = blocks.filter((b) => b.synthetic).map((b) => `${b.title}: run on the synthetic ${b.dataset}, not the real dataset: compare trends, not numbers`);
    tables.push(
      buildTable(
        {
          id: `table${table}`,
          title: `Table ${table}`,
          caption: def.caption,
          // Our name of the metric, not the transcription's: one name per metric everywhere.
          metricLabel: metricLabel(baseMetric(blocks[0]?.metric ?? 'f1_non0')),
          columns,
          blocks,
          reference,
          test: opts.test,
          markColumns: opts.marks,
          notes: tableNotes,
        } satisfies TableSpec,
        layoutCtx,
      ),
    );
  } else {
    const order = paperOrder(ctx.paper);
    const blocks: BlockSpec[] = grid.datasets.flatMap((dataset): BlockSpec[] => {
      const kind = kinds.get(dataset)!;
      const synthetic = ctx.synthetic(dataset);
      if (kind === 'iemocap') {
        return TABLE2_EMOTIONS.filter((e) => (IEMOCAP_EMOTIONS as readonly string[]).includes(e)).map((e) => {
          const metric = emotionMetric(opts.metric, e);
          return { title: `${dataset}: ${e}`, dataset, datasetKind: kind, synthetic, metric, paperRows: paperRowsFor(ctx.paper, kind, metric), paperOrder: order, keepUnmatchedPaperRows: false };
        });
      }
      const metric = opts.metric.includes('.') ? 'f1_non0' : opts.metric;
      return [{ title: dataset, dataset, datasetKind: kind, synthetic, metric, paperRows: paperRowsFor(ctx.paper, kind, metric), paperOrder: order, keepUnmatchedPaperRows: false }];
    });
    const first = blocks[0];
    tables.push(
      buildTable(
        {
          id: 'experiment',
          title: ctx.experiment.name,
          caption: `Inter-modality missingness, scenario ${grid.scenario.name}`,
          metricLabel: first ? metricLabel(first.metric) : '',
          columns,
          blocks,
          reference,
          test: opts.test,
          markColumns: opts.marks,
        },
        layoutCtx,
      ),
    );
  }

  const curves: CurveSet[] = [];
  for (const dataset of grid.datasets) {
    const kind = kinds.get(dataset)!;
    const ablationOnly = table === 3;
    const figure = kind === 'iemocap' ? 'Figure 3' : ablationOnly ? 'Figure 5' : 'Figure 4';
    const metrics = kind === 'iemocap' ? TABLE2_EMOTIONS.map((e) => emotionMetric(opts.metric, e)) : [opts.metric.includes('.') ? 'f1_non0' : opts.metric];
    for (const metric of metrics) {
      curves.push(
        buildCurves(
          {
            figure,
            title: `${dataset}: ${metricLabel(metric)} vs intra-modality drop ratio p`,
            dataset,
            datasetKind: kind,
            metric,
            ratios: selection.intra,
          },
          groups,
          cells,
          ctx.methodLabel,
        ),
      );
    }
  }

  const runs = ctx.runs.map(({ evaluations: _evaluations, ...provenance }) => provenance);
  return { experiment: ctx.experiment, grid, reference, test: opts.test, level: opts.level, groups, cells, comparisons, tables, curves, runs, notes };
}
