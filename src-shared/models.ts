/** Plain data that crosses the contract: what the UI and the CLI show. */
import type { DatasetKind, Emotion, Modality, Split, Task } from './domain';
import type { PredictionCheck } from './metrics/degenerate';

export const BACKENDS = ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
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

export type { MethodSummary } from './methods';

export type MetricRecord = Record<string, number>;

export interface RunSummary {
  id: number;
  /** The experiment the run belongs to; null for a single run started on its own. */
  experimentId?: number | null;
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
  /**
   * Finished runs whose test predictions are constant or one-sided somewhere: which, and under which
   * conditions (src-shared/metrics/degenerate.ts); null when none are, or the run did not finish.
   */
  degenerate?: string | null;
  /** The cluster worker (host#pid or its name) that runs or ran it; null: this machine. */
  worker?: string | null;
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
  /** Per condition, where the test predictions are constant or one-sided; null unless finished. */
  predictionCheck?: PredictionCheck | null;
  /** The frozen teacher's test metrics under the complete condition (HRLF), else null. */
  teacherMetrics?: MetricRecord | Record<string, MetricRecord> | null;
}

/* ---------------------------------------------------------------------------------------------
 * Datasets in detail: the import's validation report, the inspector's view of one dataset, and
 * one sample for display. The report types are the engine importer's own (it aliases them in
 * src-main/engine/data/import/report.ts); they live here because the renderer may not import engine code.
 * ------------------------------------------------------------------------------------------- */






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


export interface ModalityReportData {
  /** Key in the file, e.g. 'audio'. */
  key: string;
  /** numpy dtype in the file, e.g. '<f8'; the imported data is float32. */
  sourceDtype: string;
  /** [N, T, D] as found. */
  shape: number[];
  /** Non-finite values found; each was replaced by 0 (datasets.md §1.1). */
  nan: number;
  posInf: number;
  negInf: number;
  /** Samples whose whole [T, D] block is zero (after replacement). */
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
  /** Labels ending in .5, where round-half-even and Math.round disagree about the class. */
  halfPoints: number;
  /** Samples per Acc-7 class −3 … 3 (index 0 is −3): round-half-even of clip(y, −3, 3), as numpy does. */
  classCounts: number[];
}

export interface ClassificationLabelReportData {
  task: 'classification';
  key: string;
  sourceShape: number[];
  /** Samples with each emotion present (IEMOCAP_EMOTIONS order). */
  positives: Record<Emotion, number>;
  /** How many emotions each sample has present: keys '0', '1', '2+'. Not guaranteed to be one. */
  positivesPerSample: Record<string, number>;
}

export type LabelReportData = RegressionLabelReportData | ClassificationLabelReportData;

export interface SplitReportData {
  /** Key of the split in the file ('valid', or an alias such as 'dev'). */
  key: string;
  n: number;
  /** Commonly published count for the detected kind, or null when unknown. */
  expectedN: number | null;
  modalities: Record<Modality, ModalityReportData>;
  labels: LabelReportData;
  ids: { source: 'file' | 'generated'; duplicatesWithinSplit: number };
  /** Valid sequence length (T minus padding rows of the text) → number of samples. */
  lengthHistogram: Record<string, number>;
}

export interface DimComparison {
  detected: number;
  paper: number;
  matchesPaper: boolean;
  /** Why they differ, when known (e.g. MOSI's 5/20 after feature selection). */
  note: string | null;
}

export interface DatasetReport {
  file: string;
  bytes: number;
  sha256: string;
  /** Name of the published release the hash matches (MMSA), else null. A mismatch is not an error. */
  verifiedRelease: string | null;
  format: 'mult' | 'mmsa' | 'csd';
  formatReason: string;
  kind: DatasetKind;
  kindReason: string;
  task: Task;
  pickle: {
    protocol: number;
    /** 'numpy 1.x' (numpy.core.*), 'numpy 2.x' (numpy._core.*), or 'unknown'. */
    numpyWriter: string;
    globals: string[];
  };
  /** A folder of CMU-SDK computational sequences: the files used and what the word alignment did. */
  csd?: CsdImportData;
  T: number;
  dims: Record<Modality, DimComparison>;
  padding: {
    /** Where the zero rows were in the file: MulT pads in front, MMSA at the end. */
    side: 'front' | 'end' | 'none' | 'mixed';
    /** True when rows were moved to the workbench convention (front padding). */
    convertedToFront: boolean;
  };
  splits: Record<Split, SplitReportData>;
  ids: {
    duplicatesAcrossSplits: number;
    examples: string[];
    /** Video ids (before '$_$' or the first '|' field) found in more than one split. */
    videosInSeveralSplits: number;
    videoExamples: string[];
  };
  /** Things worth a look that did not stop the import. */
  warnings: string[];
  /** Differences from the paper's setup that a run on this data inherits. */
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
  /** Labels per split, read from the stored file (built-ins too); null when the file is missing. */
  labels?: Record<Split, LabelReportData> | null;
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

/** One sample with a mask applied, for the scenario builder's preview. */
export interface MaskedSample {
  modalities: Record<Modality, SampleMatrix>;
  /** Kept frames among the sample's valid (non-padding) frames, per modality. */
  keptFrames: Record<Modality, number>;
  validFrames: Record<Modality, number>;
}

/**
 * A test sample before and after a scenario's masks, computed with the engine's own mask functions:
 * `evaluation` is the mask the engine evaluates that sample under (inter condition × intra ratio,
 * with the scenario's mask seed); `training` is one MSM draw with the scenario's training settings.
 * The masked matrices keep the original's colour range so that the pictures compare.
 */
export interface ScenarioPreview {
  dataset: string;
  split: 'test';
  index: number;
  n: number;
  sampleId: string;
  label: number[];
  original: Record<Modality, SampleMatrix>;
  evaluation: MaskedSample & { condition: string; p: number; maskSeed: number };
  training: MaskedSample & { subset: string; p: number; msmSeed: number };
}
