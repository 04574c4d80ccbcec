/** Plain data of experiments and their results, as the contract, CLI and exports carry them. */
import type { DatasetKind } from '../domain';
import type { Backend, EvaluationRecord, RunStatus } from '../models';
import type { PredictionCheck } from '../metrics/degenerate';
import type { TTestResult } from '../stats';
import type { ScenarioSpec } from './scenario';

export type Protocol = 'inter' | 'intra';
export type SignificanceTest = 'welch' | 'paired';
export type ConfigValue = number | boolean | string;

export interface ExperimentVariant {
  /** '' for the single unnamed variant of an experiment without config variants. */
  name: string;
  config: Record<string, ConfigValue>;
}

/** One cell of the grid: a (dataset, method, variant) combination and the config its runs share. */
export interface ExperimentCell {
  dataset: string;
  method: string;
  variant: string;
  configHash: string;
  /** Scenario knobs this method received (its schema declares them), and those it has no knob for. */
  scenarioKnobs: Record<string, ConfigValue>;
  scenarioKnobsNotApplied: string[];
}

/** What `experiments.grid` stores: the request as resolved, with a snapshot of its scenario. */
export interface ExperimentGrid {
  methods: string[];
  datasets: string[];
  seeds: number[];
  variants: ExperimentVariant[];
  /** Applies to every run; variants' config is merged over it. */
  config: Record<string, ConfigValue>;
  epochs: number | null;
  preset: string | null;
  backend: Backend | null;
  reference: string | null;
  /** Set for `hrlf reproduce --table N` experiments: the paper table the experiment reproduces. */
  table: 1 | 2 | 3 | null;
  scenario: { id: number; name: string; spec: ScenarioSpec };
  cells: ExperimentCell[];
  warnings: string[];
}

export interface RunCounts {
  total: number;
  queued: number;
  running: number;
  finished: number;
  failed: number;
  cancelled: number;
}

export interface ExperimentSummary {
  id: number;
  name: string;
  createdAt: string;
  scenario: string;
  methods: string[];
  datasets: string[];
  seeds: number[];
  variants: string[];
  table: 1 | 2 | 3 | null;
  reference: string | null;
  counts: RunCounts;
}

export interface ExperimentRunRef {
  id: number;
  dataset: string;
  method: string;
  variant: string;
  seed: number;
  status: RunStatus;
  epochsDone: number;
  epochsPlanned: number;
  error: string | null;
  /** The cluster worker that runs or ran it; null: this machine. */
  worker?: string | null;
}

export interface ExperimentDetail extends ExperimentSummary {
  grid: ExperimentGrid;
  runs: ExperimentRunRef[];
}

/** A run with everything needed to reproduce and cite it (issue item 7). */
export interface RunProvenance {
  run: number;
  dataset: string;
  datasetKind: DatasetKind;
  datasetSha256: string | null;
  method: string;
  variant: string;
  seed: number;
  status: RunStatus;
  outcome: string | null;
  error: string | null;
  config: Record<string, unknown>;
  configHash: string;
  codeVersion: string;
  backend: string | null;
  host: string;
  maskSeed: number;
  timings: Record<string, number> | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** Where the run's test predictions are constant or one-sided (finished runs; null otherwise). */
  predictionCheck?: PredictionCheck | null;
}

export interface RunResult extends RunProvenance {
  evaluations: EvaluationRecord[];
}

export interface GroupKey {
  dataset: string;
  method: string;
  variant: string;
}

export interface ResultGroup extends GroupKey {
  datasetKind: DatasetKind;
  configHash: string;
  config: Record<string, unknown>;
  counts: RunCounts;
  /** Seeds of the finished runs, ascending: the values aggregated. */
  seeds: number[];
  /** Aggregated runs whose test predictions are constant or one-sided somewhere, and where. */
  degenerate?: { run: number; seed: number; summary: string }[];
}

/**
 * mean ± std (ddof 1), 95 % Student-t interval of the mean, over the finished seeds. Fractions, as
 * stored. Undefined statistics (n < 2, or no defined value) are NaN, which JSON (WebSocket, --json,
 * exports) carries as null.
 */
export interface AggregateCell extends GroupKey {
  protocol: Protocol;
  condition: string;
  metric: string;
  n: number;
  mean: number;
  std: number;
  sem: number;
  ciLow: number;
  ciHigh: number;
  ciHalfWidth: number;
  /** Per-seed values behind the summary (finite ones only), aligned with `seeds`. */
  seeds: number[];
  values: number[];
  /** Seeds whose value is undefined (NaN: e.g. Pearson r of a constant prediction), left out of n. */
  undefinedSeeds: number[];
  /**
   * Seeds whose test predictions under this condition are constant or one-sided (Avg.: under any
   * of the six conditions it averages): their value is a constant predictor's score.
   */
  degenerateSeeds?: number[];
}

export interface Comparison extends GroupKey {
  reference: string;
  protocol: Protocol;
  condition: string;
  metric: string;
  /** mean(group) − mean(reference), fractions. */
  meanDiff: number;
  welch: TTestResult;
  /** Paired by seed over the seeds both have; null when fewer than two are shared. */
  paired: TTestResult | null;
  pairedSeeds: number[];
  /** '*' when the chosen test's p < 0.05. */
  mark: '*' | '';
}

export interface CellValue {
  n: number;
  mean: number;
  std: number;
  ciLow: number;
  ciHigh: number;
}

/** One cell of a table in the paper's layout, in display units (percent for F1 and accuracies). */
export interface TableCell {
  condition: string;
  ours: CellValue | null;
  paper: number | null;
  /** ours.mean − paper; null on synthetic data, where the difference means nothing. */
  diff: number | null;
  best: boolean;
  mark: '*' | '';
  /** p of the chosen test vs the reference row, where computed. */
  p: number | null;
  /** Seeds whose predictions under this condition are constant or one-sided. */
  degenerateSeeds?: number[];
}

export type RowState = 'done' | 'partial' | 'pending' | 'failed' | 'not run' | 'not implemented';

export interface TableRow {
  label: string;
  method: string | null;
  variant: string | null;
  /** The paper's row this row stands beside, if any. */
  paperLabel: string | null;
  state: RowState;
  note: string | null;
  /** Seeds whose test predictions are constant or one-sided somewhere, and where; null when none. */
  degenerate?: string | null;
  n: number;
  cells: TableCell[];
}

export interface TableBlock {
  title: string;
  dataset: string | null;
  datasetKind: DatasetKind;
  synthetic: boolean;
  metric: string;
  rows: TableRow[];
}

export interface ResultTable {
  /** 'table1' … 'table3' for the paper's layouts, 'experiment' for an experiment's own. */
  id: string;
  title: string;
  caption: string;
  metricLabel: string;
  percent: boolean;
  /** Condition keys: the six missing conditions, "avg", "l,a,v" (or the scenario's selection). */
  columns: string[];
  blocks: TableBlock[];
  reference: string | null;
  test: SignificanceTest;
  /** Columns whose cells carry significance marks: the paper marks Avg. only. */
  marks: 'avg' | 'all';
  notes: string[];
}

export interface CurvePoint {
  p: number;
  n: number;
  mean: number;
  std: number;
  ciLow: number;
  ciHigh: number;
}

export interface CurveSeries extends GroupKey {
  label: string;
  points: CurvePoint[];
}

/** Metric vs intra ratio p, one series per method, with a CI band (the paper's Figures 3–5). */
export interface CurveSet {
  figure: string | null;
  title: string;
  dataset: string;
  datasetKind: DatasetKind;
  metric: string;
  metricLabel: string;
  percent: boolean;
  series: CurveSeries[];
}

export interface ExperimentResults {
  experiment: ExperimentSummary;
  grid: ExperimentGrid;
  reference: string | null;
  test: SignificanceTest;
  level: number;
  groups: ResultGroup[];
  cells: AggregateCell[];
  comparisons: Comparison[];
  tables: ResultTable[];
  curves: CurveSet[];
  runs: RunProvenance[];
  notes: string[];
  /** Set when the results are of a selection of runs (runs.results) rather than an experiment: their ids. */
  selection?: number[];
}

export type ExportFormat = 'csv' | 'csv-wide' | 'latex' | 'json';

export interface ExportDocument {
  format: ExportFormat;
  filename: string;
  mimeType: string;
  content: string;
}

/** Seeds of an experiment when none are given: the five of the paper's protocol (spec §5). */
export const DEFAULT_SEEDS: readonly number[] = [1111, 1112, 1113, 1114, 1115];

export interface ReproduceDatasetChoice {
  kind: DatasetKind;
  dataset: string;
  synthetic: boolean;
  /** Why this dataset: "imported mosi_data (newest imported MOSI)" or "no imported MOSI: synthetic". */
  reason: string;
}

export interface ReproduceMethodRow {
  /** The paper's row label, or the method's title for extra methods. */
  label: string;
  method: string | null;
  implemented: boolean;
  run: boolean;
  note: string;
}

/** What `hrlf reproduce --table N` will create: datasets, methods, seeds, runs. */
export interface ReproducePlan {
  table: 1 | 2 | 3;
  title: string;
  caption: string;
  figure: string;
  datasets: ReproduceDatasetChoice[];
  rows: ReproduceMethodRow[];
  methods: string[];
  seeds: number[];
  epochs: number | null;
  reference: string | null;
  runs: number;
  /**
   * Wall seconds from measured runs (the newest finished run of each method on each dataset, at the
   * planned epochs, `concurrency` runs at a time); null when none was measured. Pairs never run are
   * listed in `unmeasured` and not counted.
   */
  estimate?: { seconds: number | null; concurrency: number; unmeasured: string[] };
  notes: string[];
}

export interface ReproduceStarted {
  plan: ReproducePlan;
  experiment: ExperimentDetail;
}
