/**
 * Messages between a run supervisor and the isolated run process (architecture.md, process model).
 * The child never touches the store: it reports, the parent persists.
 */
import type { Backend, EpochRecord, MetricRecord } from '../../src-shared/models';

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
}

export type ParentMessage =
  | { type: 'start'; spec: RunSpec }
  | { type: 'cancel' }
  /** Builds a built-in synthetic dataset file off the UI process. */
  | { type: 'generate'; datasetId: string; path: string };

export type ChildMessage =
  | { type: 'started'; backend: Backend; pid: number }
  | { type: 'progress'; phase: string; epoch: number; epochs: number; step: number; steps: number; losses: Record<string, number> }
  | { type: 'epoch'; record: EpochRecord }
  | { type: 'phase-reused'; phase: string; cacheFile: string }
  | { type: 'evaluated'; protocol: 'inter' | 'intra'; condition: string; metrics: MetricRecord | Record<string, MetricRecord>; predictions: number[]; width: number; labels: number[] }
  | { type: 'representation'; condition: string; values: number[]; width: number; labels: number[] }
  | { type: 'done'; outcome: 'completed' | 'collapsed'; message: string | null; timings: Record<string, number> }
  | { type: 'cancelled' }
  | { type: 'generated'; sha256: string }
  | { type: 'failed'; error: string };
