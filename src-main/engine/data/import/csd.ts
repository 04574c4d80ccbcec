import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SPLITS, type Split } from '../../../../src-shared/domain';
import { closeQuietly, hdf5Failure, loadH5 } from './csd-h5';
import { ImportError } from './errors';

/**
 * CMU-MultimodalSDK computational sequences (.csd, HDF5; datasets.md §3):
 *   /<root>/data/<video_id>/features   [T, D]
 *   /<root>/data/<video_id>/intervals  [T, 2] start, end in seconds
 *   /<root>/metadata/<key>             JSON text in a string dataset
 * h5wasm reads straight from disk, so multi-GB feature sequences do not have to fit one buffer.
 * readCsd reads a whole sequence (labels); feature sequences are read per video by csd-source.ts.
 */
export interface CsdVideo {
  /** Always a string, even when it looks numeric (MOSEI has ids such as '81406'). */
  id: string;
  /** Rows in file order, which is not always time order. */
  n: number;
  featureDim: number;
  /** [n, featureDim] row-major. */
  features: Float32Array;
  /** [n, 2] start, end seconds. */
  intervals: Float64Array;
}

export interface CsdSequence {
  file: string;
  rootName: string;
  /** Each metadata value JSON-parsed when possible, else the raw text; unknown keys kept. */
  metadata: Record<string, unknown>;
  /** From 'dimension names', or the merged key the SDK template produces by a missing comma. */
  dimensionNames: string[] | null;
  videos: CsdVideo[];
  segments: number;
}

/** The SDK's metadata template lacks a comma, so some files carry this concatenated key. */
export const MERGED_DIMENSION_KEY = 'dimension namescomputational sequence version';

interface H5Group {
  keys(): string[];
  get(name: string): unknown;
}

interface H5Dataset {
  readonly shape: number[] | null;
  readonly value: unknown;
}

export interface SequenceRoot<G> {
  rootName: string;
  data: G;
  metadata: Record<string, unknown>;
}

/**
 * The SDK layout's skeleton, shared by the label reader and the feature source: exactly one root
 * group `/<root name>` holding `data/` (one group per video) and `metadata/` (parsed values).
 */
export function sequenceRoot<G extends H5Group>(
  f: H5Group,
  isGroup: (v: unknown) => v is G,
  isDataset: (v: unknown) => v is { readonly value: unknown },
  fail: Fail,
): SequenceRoot<G> {
  const roots = f.keys();
  const rootName = roots[0];
  if (roots.length !== 1 || rootName === undefined) {
    throw fail('', `has ${roots.length} top-level groups (${roots.join(', ')}); a computational sequence has exactly one, /<root name>/data and /<root name>/metadata`);
  }
  const root = f.get(rootName);
  if (!isGroup(root)) throw fail(rootName, 'is not a group; expected the sequence root with data/ and metadata/');
  const data = root.get('data');
  if (!isGroup(data)) throw fail(`${rootName}/data`, 'missing; expected one group per video with features and intervals');
  const metadata: Record<string, unknown> = {};
  const meta = root.get('metadata');
  if (isGroup(meta)) {
    for (const key of meta.keys()) {
      const d = meta.get(key);
      if (isDataset(d)) metadata[key] = parseMetaValue(d.value);
    }
  }
  return { rootName, data, metadata };
}

export async function readCsd(file: string): Promise<CsdSequence> {
  // Loaded on demand: the wasm module is only needed for .csd files.
  const h5wasm = await loadH5();
  const fail = (keyPath: string, detail: string): ImportError => new ImportError('layout', file, keyPath, detail);
  const isGroup = (v: unknown): v is H5Group => v instanceof h5wasm.Group;
  const isDataset = (v: unknown): v is H5Dataset => v instanceof h5wasm.Dataset;

  let f: InstanceType<typeof h5wasm.File>;
  try {
    f = new h5wasm.File(path.resolve(file), 'r');
  } catch (e) {
    throw hdf5Failure(file, '', e);
  }
  try {
    const { rootName, data, metadata } = sequenceRoot(f, isGroup, isDataset, fail);
    const dims = metadata['dimension names'] ?? metadata[MERGED_DIMENSION_KEY];
    const dimensionNames = Array.isArray(dims) && dims.every((x) => typeof x === 'string') ? (dims as string[]) : null;

    const videos: CsdVideo[] = [];
    let segments = 0;
    for (const id of data.keys()) {
      const at = `${rootName}/data/${id}`;
      const g = data.get(id);
      if (!isGroup(g)) throw fail(at, 'is not a group; expected features and intervals');
      const feat = g.get('features');
      const ints = g.get('intervals');
      if (!isDataset(feat)) throw fail(`${at}/features`, 'missing; expected a [T, D] float dataset');
      if (!isDataset(ints)) throw fail(`${at}/intervals`, 'missing; expected a [T, 2] float dataset');
      const fShape = feat.shape ?? [];
      const iShape = ints.shape ?? [];
      const n = fShape[0] ?? 0;
      if (iShape[0] !== n || (iShape[1] ?? 2) !== 2) {
        throw fail(`${at}/intervals`, `has shape [${iShape.join(', ')}]; expected [${n}, 2] to match features [${fShape.join(', ')}]`);
      }
      videos.push({
        id,
        n,
        featureDim: fShape.length > 1 ? fShape.slice(1).reduce((a, b) => a * b, 1) : 1,
        features: toFloat32(feat.value, `${at}/features`, fail),
        intervals: Float64Array.from(toFloat32OrSelf(ints.value, `${at}/intervals`, fail)),
      });
      segments += n;
    }
    return { file, rootName, metadata, dimensionNames, videos, segments };
  } catch (e) {
    throw hdf5Failure(file, '', e);
  } finally {
    closeQuietly(f);
  }
}

export function parseMetaValue(v: unknown): unknown {
  // Stored as a string dataset of shape [1]; h5wasm gives a one-element array or a string.
  const raw = Array.isArray(v) && v.length === 1 ? v[0] : v;
  const text = raw instanceof Uint8Array ? new TextDecoder().decode(raw) : raw;
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

type Fail = (keyPath: string, detail: string) => ImportError;

function toFloat32OrSelf(v: unknown, at: string, fail: Fail): ArrayLike<number> {
  if (v instanceof Float32Array || v instanceof Float64Array) return v;
  return toFloat32(v, at, fail);
}

function toFloat32(v: unknown, at: string, fail: Fail): Float32Array {
  if (v instanceof Float32Array) return v;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array)) {
    return Float32Array.from(v as unknown as ArrayLike<number>);
  }
  if (typeof v === 'number') return Float32Array.of(v);
  throw fail(at, 'is not numeric; expected float values');
}

/** Standard folds as video-id lists (SDK cmu_mosi_std_folds.py / cmu_mosei_std_folds.py, saved as JSON). */
export type Folds = Record<Split, string[]>;

export function readFolds(file: string): Folds {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const folds = {} as Folds;
  for (const split of SPLITS) {
    const list = (parsed as Record<string, unknown> | null)?.[split];
    if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) {
      throw new ImportError('missing-split', file, split, 'missing; expected a list of video ids');
    }
    folds[split] = list as string[];
  }
  return folds;
}

export interface CsdLabelRow {
  videoId: string;
  /** 0-based row inside the video's arrays (file order, not time order; not MMSA's clip id). */
  row: number;
  start: number;
  end: number;
  label: number;
  /** From the folds; null when the video is in no fold. */
  split: Split | null;
}

/** One row per segment of a label sequence (features [n, 1]), with its standard split. */
export function csdLabelTable(seq: CsdSequence, folds?: Folds): CsdLabelRow[] {
  const splitOf = new Map<string, Split>();
  if (folds) for (const split of SPLITS) for (const id of folds[split]) splitOf.set(id, split);
  const rows: CsdLabelRow[] = [];
  for (const v of seq.videos) {
    if (v.featureDim !== 1) {
      throw new ImportError('shape', seq.file, `${seq.rootName}/data/${v.id}/features`, `has ${v.featureDim} values per row; a label sequence has 1`);
    }
    for (let r = 0; r < v.n; r++) {
      rows.push({
        videoId: v.id,
        row: r,
        start: v.intervals[2 * r] as number,
        end: v.intervals[2 * r + 1] as number,
        label: v.features[r] as number,
        split: splitOf.get(v.id) ?? null,
      });
    }
  }
  return rows;
}
