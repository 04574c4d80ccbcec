import type { DatasetKind, Emotion, Modality, Split, Task } from '../../../../src-shared/domain';
import type { CsdImportData } from '../../../../src-shared/models';

/**
 * What the importer found, as plain JSON-serialisable data (no Maps, no typed arrays), so the
 * store can save it with the dataset record and the UI can show it as the dataset inspector.
 */
export type DatasetFormat = 'mult' | 'mmsa' | 'csd';

export interface ModalityReport {
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

export interface RegressionLabelReport {
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

export interface ClassificationLabelReport {
  task: 'classification';
  key: string;
  sourceShape: number[];
  /** Samples with each emotion present (IEMOCAP_EMOTIONS order). */
  positives: Record<Emotion, number>;
  /** How many emotions each sample has present: keys '0', '1', '2+'. Not guaranteed to be one. */
  positivesPerSample: Record<string, number>;
}

export type LabelReport = RegressionLabelReport | ClassificationLabelReport;

export interface SplitReport {
  /** Key of the split in the file ('valid', or an alias such as 'dev'). */
  key: string;
  n: number;
  /** Commonly published count for the detected kind, or null when unknown. */
  expectedN: number | null;
  modalities: Record<Modality, ModalityReport>;
  labels: LabelReport;
  ids: { source: 'file' | 'generated'; duplicatesWithinSplit: number };
  /** Valid sequence length (T minus padding rows of the text) → number of samples. */
  lengthHistogram: Record<string, number>;
}

export interface DimReport {
  detected: number;
  paper: number;
  matchesPaper: boolean;
  /** Why they differ, when known (e.g. MOSI's 5/20 after feature selection). */
  note: string | null;
}

export interface ImportReport {
  file: string;
  bytes: number;
  sha256: string;
  /** Name of the published release the hash matches (MMSA), else null. A mismatch is not an error. */
  verifiedRelease: string | null;
  format: DatasetFormat;
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
  dims: Record<Modality, DimReport>;
  padding: {
    /** Where the zero rows were in the file: MulT pads in front, MMSA at the end. */
    side: 'front' | 'end' | 'none' | 'mixed';
    /** True when rows were moved to the workbench convention (front padding). */
    convertedToFront: boolean;
  };
  splits: Record<Split, SplitReport>;
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
