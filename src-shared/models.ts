/** Plain data that crosses the contract: what the UI and the CLI show. */
import type { DatasetKind, Emotion, Modality, Split, Task } from './domain';

export const BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type Backend = (typeof BACKENDS)[number];

export const RUN_STATUSES = ['queued', 'running', 'finished', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface AppInfo {
  version: string;
  codeVersion: string;
  home: string;
  mode: 'electron' | 'browser' | 'cli';
}

export interface DatasetSummary {
  id: string;
  name: string;
  kind: DatasetKind;
  task: Task;
  builtin: boolean;
  T: number;
  dims: [number, number, number];
  splits: { train: number; valid: number; test: number };
  sha256: string | null;
  /** Builtin synthetic datasets are generated on first use. */
  ready: boolean;
  description: string;
}

export interface MethodSummary {
  id: string;
  title: string;
  description: string;
}

export type MetricRecord = Record<string, number>;

export interface RunSummary {
  id: number;
  dataset: string;
  method: string;
  seed: number;
  status: RunStatus;
  backend: string | null;
  epochsPlanned: number;
  epochsDone: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  outcome: string | null;
  /** Headline test metrics under the complete condition (regression: mae, corr, f1_non0 ...). */
  headline: MetricRecord | null;
}

export interface EpochRecord {
  phase: string;
  epoch: number;
  train: Record<string, number>;
  valid: Record<string, number>;
  seconds: number;
}

export interface EvaluationRecord {
  protocol: 'inter' | 'intra';
  condition: string;
  metrics: MetricRecord | Record<string, MetricRecord>;
}

export interface QueueState {
  /** A paused queue starts no new runs; running ones go on. */
  paused: boolean;
  running: number;
  queued: number;
  concurrency: number;
}

/** One projected sample of the embedding view. */
export interface ProjectedPoint {
  /** Row in the test split. */
  index: number;
  id: string;
  /** Sentiment score, or the emotion's name for IEMOCAP. */
  label: number | string;
  /** Colour class: Acc-7 bin (−3…3) or emotion index. */
  cls: number;
  x: number;
  y: number;
}

export interface ProjectionView {
  runId: number;
  condition: string;
  algorithm: 'tsne' | 'umap' | 'pca';
  seed: number;
  params: Record<string, number | string>;
  points: ProjectedPoint[];
  cached: boolean;
}

export interface RunDetail extends RunSummary {
  config: Record<string, unknown>;
  configHash: string;
  codeVersion: string;
  datasetSha256: string;
  host: string;
  epochs: EpochRecord[];
  evaluations: EvaluationRecord[];
  /** Conditions under which the fused representation was stored (for the embedding view). */
  representations: string[];
}

/* ---------------------------------------------------------------------------------------------
 * Datasets in detail: the import's validation report, the inspector's view of one dataset, and
 * one sample for display. The report mirrors the engine importer's ImportReport field for field
 * (src-main/engine/data/import/report.ts); the services check assignability at compile time, so
 * the two cannot drift apart silently. It lives here because the renderer may not import engine code.
 * ------------------------------------------------------------------------------------------- */

export interface ModalityReportData {
  key: string;
  sourceDtype: string;
  shape: number[];
  nan: number;
  posInf: number;
  negInf: number;
  allZeroSamples: number;
  min: number;
  max: number;
}

export interface RegressionLabelReportData {
  task: 'regression';
  key: string;
  sourceShape: number[];
  min: number;
  max: number;
  mean: number;
  negative: number;
  zero: number;
  positive: number;
  halfPoints: number;
  /** Samples per Acc-7 class −3 … 3 (index 0 is −3). */
  classCounts: number[];
}

export interface ClassificationLabelReportData {
  task: 'classification';
  key: string;
  sourceShape: number[];
  positives: Record<Emotion, number>;
  positivesPerSample: Record<string, number>;
}

export interface SplitReportData {
  key: string;
  n: number;
  expectedN: number | null;
  modalities: Record<Modality, ModalityReportData>;
  labels: RegressionLabelReportData | ClassificationLabelReportData;
  ids: { source: 'file' | 'generated'; duplicatesWithinSplit: number };
  lengthHistogram: Record<string, number>;
}

/** A modality's feature dim beside the HRLF paper's (§4.2: 300/74/35), with why they differ. */
export interface DimComparison {
  detected: number;
  paper: number;
  matchesPaper: boolean;
  note: string | null;
}

/** One computational sequence a .csd folder import used, and why it was given its role. */
export interface CsdSequenceData {
  role: 'text' | 'audio' | 'visual' | 'labels';
  file: string;
  rootName: string;
  reason: string;
  videos: number;
  dim: number;
  dtype: string;
  bytes: number;
  sha256: string;
}

/** What the word alignment of a .csd folder did (README, "CMU-SDK computational sequences"). */
export interface CsdAlignmentData {
  procedure: string;
  T: number;
  epsilon: number;
  labelledVideos: number;
  labelledSegments: number;
  /** Videos (and their segments) in no fold of the folds used: left out. */
  videosInNoFold: number;
  segmentsInNoFold: number;
  /** Labelled videos absent from a feature sequence, per modality; their segments are left out. */
  videosWithoutFeatures: Record<Modality, number>;
  segmentsOfVideosWithoutFeatures: number;
  videoExamples: string[];
  /** Segments shorter than ε, left out (the SDK skips them). */
  zeroLengthSegments: number;
  /** Segments no word intersects: no features, left out. */
  segmentsWithoutWords: number;
  imported: number;
  /** Segments of more than T words: the first words were cut. */
  truncated: number;
  /** Segments of fewer than T words: zero rows in front. */
  padded: number;
  /** Words shorter than ε, skipped. */
  zeroLengthWords: number;
  /** Words no audio / visual row intersects: zero rows there. */
  wordsWithoutAudio: number;
  wordsWithoutVisual: number;
  perSplit: Record<Split, { segments: number; withoutWords: number; truncated: number }>;
}

export interface CsdImportData {
  sequences: CsdSequenceData[];
  ignored: { file: string; reason: string }[];
  folds: { source: 'folder' | 'bundled'; file: string; videos: Record<Split, number> };
  alignment: CsdAlignmentData;
}

export interface DatasetReport {
  file: string;
  bytes: number;
  sha256: string;
  verifiedRelease: string | null;
  /** 'csd': a folder of CMU-SDK computational sequences, word-aligned on import (see `csd`). */
  format: 'mult' | 'mmsa' | 'csd';
  formatReason: string;
  kind: DatasetKind;
  kindReason: string;
  task: Task;
  /** For 'csd' imports: protocol 0 and numpyWriter 'none (HDF5)'; the sequences are under `csd`. */
  pickle: { protocol: number; numpyWriter: string; globals: string[] };
  csd?: CsdImportData;
  T: number;
  dims: Record<Modality, DimComparison>;
  padding: { side: 'front' | 'end' | 'none' | 'mixed'; convertedToFront: boolean };
  splits: Record<Split, SplitReportData>;
  ids: { duplicatesAcrossSplits: number; examples: string[]; videosInSeveralSplits: number; videoExamples: string[] };
  warnings: string[];
  deviations: string[];
}

export interface DatasetDetail extends DatasetSummary {
  /** 'synthetic' for built-ins, else the source layout ('mult', 'mmsa', 'csd'). */
  format: string;
  labelDim: number;
  sourcePath: string | null;
  sourceSize: number | null;
  sourceSha256: string | null;
  /** When the dataset was generated or imported; null for a built-in not generated yet. */
  createdAt: string | null;
  /** Every dataset's dims beside the paper's, built-ins included. */
  paperDims: Record<Modality, DimComparison>;
  /** The import's validation report; null for built-in synthetic datasets. */
  report: DatasetReport | null;
}

export interface DatasetImportResult extends DatasetSummary {
  /** True when a dataset with the same source SHA-256 existed: nothing was imported again. */
  alreadyImported: boolean;
  /** Wall time of the import in seconds (0 when already imported). */
  seconds: number;
  warnings: string[];
}

/**
 * One modality of one sample, ready for a heatmap: [rows, cols] row-major, time along rows.
 * Long sequences and wide features are mean-pooled in groups (`rowStride`, `colStride`) so a
 * 768-d text block stays a few thousand cells.
 */
export interface SampleMatrix {
  rows: number;
  cols: number;
  rowStride: number;
  colStride: number;
  /** Original [T, d]. */
  T: number;
  d: number;
  values: number[];
  /** Leading all-zero time steps (front padding) in the original. */
  paddingSteps: number;
  /** Colour range: the 1st and 99th percentiles, so one outlier does not wash out the map. */
  lo: number;
  hi: number;
  min: number;
  max: number;
}

export interface DatasetSample {
  id: string;
  split: Split;
  index: number;
  /** Samples in the split. */
  n: number;
  sampleId: string;
  /** Regression: [y]; IEMOCAP: 0/1 per emotion in IEMOCAP_EMOTIONS order. */
  label: number[];
  modalities: Record<Modality, SampleMatrix>;
}
