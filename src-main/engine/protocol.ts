/**
 * Messages between a run supervisor and the isolated run process (architecture.md, process model).
 * The child never touches the store: it reports, the parent persists.
 */
import type { DatasetKind } from '../../src-shared/domain';
import type { Backend, EpochRecord, MetricRecord } from '../../src-shared/models';
import type { ProjectionRequest } from './projection';
import type { DatasetFormat, ImportErrorCode, ImportReport } from './data/import';

export interface RunSpec {
  runId: number;
  datasetPath: string;
  datasetSha256: string;
  method: string;
  seed: number;
  /** Fully resolved config (registry.resolveConfig), stored with the run. */
  config: Record<string, unknown>;
  backend?: Backend;
  maskSeed: number;
  /** Teacher cache folder. */
  cacheDir: string;
  /** This run's resumable state (written every epoch; resumed from when present). */
  checkpointDir: string;
}

export type ParentMessage =
  | { type: 'start'; spec: RunSpec }
  | { type: 'cancel' }
  /** Projects stored representations to 2-D for the embedding view (off the UI process). */
  | { type: 'project'; values: number[]; width: number; labels: number[]; labelDim: number; request: ProjectionRequest }
  /** Builds a built-in synthetic dataset file off the UI process. */
  | { type: 'generate'; datasetId: string; path: string }
  /** Imports a dataset file off the UI process, writing the converted dataset to `path` (a temp name). */
  | { type: 'import'; request: ImportRequest };

export interface ImportRequest {
  file: string;
  path: string;
  format?: DatasetFormat | 'csd';
  kind?: DatasetKind;
  name?: string;
}

/** What an import reports: a separate union from ChildMessage, whose consumers handle runs only. */
export type ImportReply =
  | { type: 'import-progress'; phase: 'read' | 'check' | 'write'; done: number; total: number }
  | { type: 'imported'; result: ImportedDataset }
  | { type: 'import-failed'; error: string; code: ImportErrorCode | 'internal'; keyPath: string };

export interface ImportedDataset {
  name: string;
  kind: DatasetKind;
  task: 'regression' | 'classification';
  format: DatasetFormat;
  T: number;
  dims: [number, number, number];
  labelDim: number;
  splits: { train: number; valid: number; test: number };
  /** SHA-256 of the written .hrlfds file (identifies the data in every run). */
  sha256: string;
  report: ImportReport;
  seconds: number;
}

export type ChildMessage =
  | { type: 'started'; backend: Backend; pid: number }
  | { type: 'progress'; phase: string; epoch: number; epochs: number; step: number; steps: number; losses: Record<string, number> }
  | { type: 'epoch'; record: EpochRecord }
  | { type: 'phase-reused'; phase: string; cacheFile: string; epochs: number }
  | { type: 'evaluated'; protocol: 'inter' | 'intra'; condition: string; metrics: MetricRecord | Record<string, MetricRecord>; predictions: number[]; width: number; labels: number[] }
  | { type: 'representation'; condition: string; values: number[]; width: number; labels: number[] }
  | { type: 'teacher-evaluated'; metrics: MetricRecord | Record<string, MetricRecord> }
  | { type: 'done'; outcome: 'completed' | 'collapsed'; message: string | null; timings: Record<string, number> }
  | { type: 'cancelled' }
  | { type: 'generated'; sha256: string }
  | { type: 'projected'; indices: number[]; points: number[]; params: Record<string, number | string> }
  | { type: 'failed'; error: string };
