/**
 * The paper's Tables 1–3 (resources/papers/hrlf-tables.json, percent) and how their rows map to
 * the workbench's method ids. The numbers are read from that file, never written here.
 */
import { z } from 'zod';
import { IEMOCAP_EMOTIONS, type DatasetKind } from '../domain';

const conditionValues = z.record(z.string(), z.number());

export const PaperTablesSchema = z.object({
  source: z.string(),
  conditions: z.array(z.string()),
  table1: z.object({ caption: z.string(), metric: z.string(), data: z.record(z.string(), z.record(z.string(), conditionValues)) }),
  table2: z.object({ caption: z.string(), metric: z.string(), data: z.record(z.string(), z.record(z.string(), conditionValues)) }),
  table3: z.object({ caption: z.string(), metric: z.string(), data: z.record(z.string(), conditionValues) }),
});
export type PaperTables = z.infer<typeof PaperTablesSchema>;

export type TableNumber = 1 | 2 | 3;

/**
 * Paper row → method ids that produce it, first registered one wins. HRLF and its ablations are
 * the engine's; the baselines' ids are the ones their issue will register (MCTN comes in two
 * variants, docs/baselines.md), so their rows fill in once they exist.
 */
export const PAPER_METHOD_IDS: Record<string, readonly string[]> = {
  'Self-MM': ['self-mm'],
  CubeMLP: ['cubemlp'],
  DMD: ['dmd'],
  MCTN: ['mctn', 'mctn-joint', 'mctn-faithful'],
  TransM: ['transm'],
  SMIL: ['smil'],
  GCNet: ['gcnet'],
  CorrKD: ['corrkd'],
  HRLF: ['hrlf'],
  'w/o FRF': ['hrlf-wo-frf'],
  'w/o HMI': ['hrlf-wo-hmi'],
  'w/o HAL': ['hrlf-wo-hal'],
};

/** The paper row a method id stands for, or null (e.g. lf-linear is not in the paper). */
export function paperLabelOf(method: string): string | null {
  for (const [label, ids] of Object.entries(PAPER_METHOD_IDS)) if (ids.includes(method)) return label;
  return null;
}

/**
 * How a paper row is named on one kind of dataset when the method runs as a variant there
 * (baselines.md §2: Self-MM has no ULGM on IEMOCAP, and its results say so).
 */
const ROW_NAME_ON_KIND: Record<string, Partial<Record<DatasetKind, string>>> = {
  'Self-MM': { iemocap: 'Self-MM (no ULGM)' },
};

/** A paper row's name as results show it on a dataset of `kind`. */
export function paperRowName(label: string, kind: DatasetKind): string {
  return ROW_NAME_ON_KIND[label]?.[kind] ?? label;
}

/** The paper's significance reference (spec §5). */
export const PAPER_REFERENCE_LABEL = 'CorrKD';

/** Table 2's emotion order (the paper's), whatever order the runs store them in. */
export const TABLE2_EMOTIONS = ['Happy', 'Sad', 'Angry', 'Neutral'] as const satisfies readonly (typeof IEMOCAP_EMOTIONS)[number][];

export interface PaperBlockDef {
  title: string;
  kind: DatasetKind;
  /** Flattened metric name the block shows (f1_non0, "Happy.f1", …). */
  metric: string;
  /** Paper row label → condition → value (percent). */
  rows: Record<string, Record<string, number>>;
}

export interface PaperTableDef {
  table: TableNumber;
  caption: string;
  /** Row labels in the paper's order. */
  rowLabels: string[];
  blocks: PaperBlockDef[];
  /** Figure whose data (metric vs intra ratio p) the same runs give. */
  figure: string;
  figureTitle: string;
}

/** The layout of one of the paper's tables: which dataset kinds, metric and rows. */
export function paperTableDef(tables: PaperTables, table: TableNumber): PaperTableDef {
  if (table === 1) {
    const blocks = (['mosi', 'mosei'] as const).map((kind) => ({ title: kind.toUpperCase(), kind, metric: 'f1_non0', rows: tables.table1.data[kind.toUpperCase()] ?? {} }));
    return {
      table,
      caption: tables.table1.caption,
      rowLabels: Object.keys(blocks[0]!.rows),
      blocks,
      figure: 'Figure 4',
      figureTitle: 'Intra-modality missingness on MOSI and MOSEI: F1 vs drop ratio p',
    };
  }
  if (table === 2) {
    const rowLabels = Object.keys(tables.table2.data);
    const blocks = TABLE2_EMOTIONS.map((emotion) => ({
      title: emotion,
      kind: 'iemocap' as const,
      metric: `${emotion}.f1`,
      rows: Object.fromEntries(rowLabels.map((label) => [label, tables.table2.data[label]?.[emotion] ?? {}])),
    }));
    return {
      table,
      caption: tables.table2.caption,
      rowLabels,
      blocks,
      figure: 'Figure 3',
      figureTitle: 'Intra-modality missingness on IEMOCAP: per-emotion F1 vs drop ratio p',
    };
  }
  return {
    table,
    caption: tables.table3.caption,
    rowLabels: Object.keys(tables.table3.data),
    blocks: [{ title: 'MOSI', kind: 'mosi', metric: 'f1_non0', rows: tables.table3.data }],
    figure: 'Figure 5',
    figureTitle: 'Ablations under intra-modality missingness on MOSI: F1 vs drop ratio p',
  };
}

/**
 * Paper numbers for a dataset kind and metric, merged over the tables that report it (MOSI's
 * ablation rows come from Table 3), for experiments that are not a table reproduction.
 */
export function paperRowsFor(tables: PaperTables, kind: DatasetKind, metric: string): Record<string, Record<string, number>> {
  if (kind === 'iemocap') {
    const emotion = metric.endsWith('.f1') ? metric.slice(0, -3) : null;
    if (!emotion) return {};
    return Object.fromEntries(Object.entries(tables.table2.data).map(([label, byEmotion]) => [label, byEmotion[emotion] ?? {}]));
  }
  if (metric !== 'f1_non0') return {};
  const rows = { ...(tables.table1.data[kind.toUpperCase()] ?? {}) };
  if (kind === 'mosi') for (const [label, values] of Object.entries(tables.table3.data)) if (!(label in rows)) rows[label] = values;
  return rows;
}
