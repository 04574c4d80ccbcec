/** Plain data that crosses the contract: what the UI and the CLI show. */
import type { DatasetKind, Task } from './domain';

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

export interface RunDetail extends RunSummary {
  config: Record<string, unknown>;
  configHash: string;
  codeVersion: string;
  datasetSha256: string;
  host: string;
  epochs: EpochRecord[];
  evaluations: EvaluationRecord[];
}
