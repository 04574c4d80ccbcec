import type { DatasetKind, Task } from '../../src-shared/domain';

/**
 * One split held in memory, row-major float32:
 *  l: [n, T, dims[0]], a: [n, T, dims[1]], v: [n, T, dims[2]]
 *  y: [n, labelDim]  (regression: labelDim 1, sentiment in [-3, 3];
 *                     IEMOCAP: labelDim 4, 0/1 per emotion in IEMOCAP_EMOTIONS order)
 */
export interface SplitData {
  n: number;
  ids: string[];
  l: Float32Array;
  a: Float32Array;
  v: Float32Array;
  y: Float32Array;
}

export interface DatasetData {
  name: string;
  kind: DatasetKind;
  task: Task;
  T: number;
  dims: [number, number, number];
  labelDim: number;
  train: SplitData;
  valid: SplitData;
  test: SplitData;
  /** SHA-256 of the dataset's content, recorded with every run. */
  sha256: string;
}

/** Shape information a model needs to be built; a checkpoint records it to refuse mismatched data. */
export interface DataShape {
  kind: DatasetKind;
  task: Task;
  T: number;
  dims: [number, number, number];
  labelDim: number;
}

export function shapeOf(data: DatasetData): DataShape {
  return { kind: data.kind, task: data.task, T: data.T, dims: data.dims, labelDim: data.labelDim };
}
