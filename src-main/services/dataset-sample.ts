/**
 * One sample of a stored dataset for the inspector's heatmaps. Reads the header and then only the
 * sample's own [T, d] blocks at their offsets: a multi-GB dataset is never loaded for one picture.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { MODALITIES, SPLITS, type Modality, type Split } from '../../src-shared/domain';
import type { SampleMatrix } from '../../src-shared/models';
import { readDatasetHeader } from '../engine/data/dataset-file';

/** Display limits: enough for a 50-step, 300-d sample at full resolution; wider data is pooled. */
const MAX_ROWS = 100;
const MAX_COLS = 128;

type Header = ReturnType<typeof readDatasetHeader>;

export interface RawSample {
  n: number;
  sampleId: string;
  label: number[];
  modalities: Record<Modality, SampleMatrix>;
}

export class SampleIndexError extends Error {}

/** Byte offset of a split's block (l, a, v, y in that order within each split, as dataset-file.ts writes them). */
export function blockOffset(h: Header, split: Split, block: Modality | 'y'): number {
  let offset = h.dataOffset;
  for (const s of SPLITS) {
    const n = h.splits[s].n;
    const sizes: Record<Modality | 'y', number> = { l: n * h.T * h.dims[0], a: n * h.T * h.dims[1], v: n * h.T * h.dims[2], y: n * h.labelDim };
    for (const b of ['l', 'a', 'v', 'y'] as const) {
      if (s === split && b === block) return offset;
      offset += 4 * sizes[b];
    }
  }
  throw new Error(`no block ${split}.${block}`);
}

export function readFloats(fd: number, position: number, count: number): Float32Array {
  const out = new Float32Array(count);
  const bytes = new Uint8Array(out.buffer);
  let done = 0;
  while (done < bytes.length) {
    const n = readSync(fd, bytes, done, bytes.length - done, position + done);
    if (n === 0) throw new Error(`dataset file truncated at byte ${position + done}`);
    done += n;
  }
  return out;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))] ?? 0;
}

/** 4 significant digits: the heatmap cannot show more, and the JSON shrinks by half. */
function round(x: number): number {
  return x === 0 ? 0 : Number(x.toPrecision(4));
}

/** Mean-pools a [T, d] block into at most MAX_ROWS × MAX_COLS cells. */
export function toMatrix(block: Float32Array, T: number, d: number): SampleMatrix {
  const rowStride = Math.ceil(T / MAX_ROWS);
  const colStride = Math.ceil(d / MAX_COLS);
  const rows = Math.ceil(T / rowStride);
  const cols = Math.ceil(d / colStride);
  const values: number[] = new Array<number>(rows * cols).fill(0);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let sum = 0;
      let count = 0;
      for (let t = r * rowStride; t < Math.min(T, (r + 1) * rowStride); t++) {
        for (let k = c * colStride; k < Math.min(d, (c + 1) * colStride); k++) {
          sum += block[t * d + k] ?? 0;
          count++;
        }
      }
      values[r * cols + c] = round(sum / count);
    }
  }
  let paddingSteps = 0;
  while (paddingSteps < T && block.subarray(paddingSteps * d, (paddingSteps + 1) * d).every((x) => x === 0)) paddingSteps++;
  const sorted = [...values].sort((x, y) => x - y);
  return {
    rows,
    cols,
    rowStride,
    colStride,
    T,
    d,
    values,
    paddingSteps,
    lo: quantile(sorted, 0.01),
    hi: quantile(sorted, 0.99),
    min: sorted[0] ?? 0,
    max: sorted[sorted.length - 1] ?? 0,
  };
}

/** A sample's raw [T, d] blocks (unpooled), for views that transform the frames before display. */
export interface RawBlocks {
  n: number;
  T: number;
  /** The dataset's name in its header: the key its evaluation masks are drawn under. */
  name: string;
  sampleId: string;
  label: number[];
  dims: Record<Modality, number>;
  blocks: Record<Modality, Float32Array>;
}

export function readSampleBlocks(path: string, split: Split, index: number): RawBlocks {
  const h = readDatasetHeader(path);
  const n = h.splits[split].n;
  if (index >= n) throw new SampleIndexError(`${split} has ${n} samples (index 0 to ${n - 1}); got index ${index}`);
  const fd = openSync(path, 'r');
  try {
    const blocks = {} as Record<Modality, Float32Array>;
    const dims = {} as Record<Modality, number>;
    MODALITIES.forEach((m, i) => {
      const d = h.dims[i]!;
      dims[m] = d;
      blocks[m] = readFloats(fd, blockOffset(h, split, m) + 4 * index * h.T * d, h.T * d);
    });
    const label = Array.from(readFloats(fd, blockOffset(h, split, 'y') + 4 * index * h.labelDim, h.labelDim), (y) => Number(y.toFixed(4)));
    return { n, T: h.T, name: h.name, sampleId: h.splits[split].ids[index] ?? String(index), label, dims, blocks };
  } finally {
    closeSync(fd);
  }
}

export function readSample(path: string, split: Split, index: number): RawSample {
  const raw = readSampleBlocks(path, split, index);
  const modalities = {} as Record<Modality, SampleMatrix>;
  for (const m of MODALITIES) modalities[m] = toMatrix(raw.blocks[m], raw.T, raw.dims[m]);
  return { n: raw.n, sampleId: raw.sampleId, label: raw.label, modalities };
}
