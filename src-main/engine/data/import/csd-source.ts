import { statSync } from 'node:fs';
import path from 'node:path';
import type { VideoRows } from './csd-align';
import { MERGED_DIMENSION_KEY, sequenceRoot } from './csd';
import { closeQuietly, hdf5Failure, loadH5, type H5Module } from './csd-h5';
import { ImportError } from './errors';
import { sniffFile } from './sniff';

/**
 * One computational sequence (.csd, datasets.md §3.1) opened for reading video by video: the
 * header (root name, metadata, video ids, feature width) is read on open; features and intervals
 * of a video are read only when asked for, so a multi-GB sequence never sits in memory whole.
 */

interface H5Group {
  keys(): string[];
  get(name: string): unknown;
}

interface H5Dataset {
  readonly shape: number[] | null;
  readonly value: unknown;
  readonly metadata: { type: number; size: number; littleEndian: boolean; signed: boolean };
}

/** HDF5 type classes (H5Tpublic.h) that hold numbers. */
const H5T_INTEGER = 0;
const H5T_FLOAT = 1;

function dtypeOf(meta: H5Dataset['metadata']): string {
  const order = meta.littleEndian ? '<' : '>';
  if (meta.type === H5T_FLOAT) return `${order}f${meta.size}`;
  if (meta.type === H5T_INTEGER) return `${order}${meta.signed ? 'i' : 'u'}${meta.size}`;
  return meta.type === 3 ? `S${meta.size}` : `hdf5 type class ${meta.type}`;
}

export class CsdSource {
  readonly bytes: number;
  /** Video ids in the file's order (HDF5 name order); strings even when they look numeric. */
  readonly videoIds: string[];
  private readonly ids: Set<string>;

  private constructor(
    readonly file: string,
    private readonly h5file: { close(): unknown },
    private readonly data: H5Group,
    private readonly isGroup: (v: unknown) => v is H5Group,
    private readonly isDataset: (v: unknown) => v is H5Dataset,
    /** The HDF5 group under the file root (what the SDK reads). */
    readonly rootName: string,
    readonly metadata: Record<string, unknown>,
    /** Features per row, from the first video. */
    readonly dim: number,
    /** numpy-style dtype of the first video's features, e.g. '<f4'. */
    readonly dtype: string,
    readonly numeric: boolean,
  ) {
    this.bytes = statSync(file).size;
    this.videoIds = data.keys();
    this.ids = new Set(this.videoIds);
  }

  /** `metadata['root name']` when it is a string. */
  get metaRootName(): string | null {
    const v = this.metadata['root name'];
    return typeof v === 'string' ? v : null;
  }

  get description(): string | null {
    const v = this.metadata['computational sequence description'];
    return typeof v === 'string' ? v : null;
  }

  get datasetName(): string | null {
    const v = this.metadata['dataset name'];
    return typeof v === 'string' ? v : null;
  }

  get dimensionNames(): string[] | null {
    const v = this.metadata['dimension names'] ?? this.metadata[MERGED_DIMENSION_KEY];
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  static async open(file: string): Promise<CsdSource> {
    let sniffed;
    try {
      sniffed = sniffFile(file);
    } catch (e) {
      throw new ImportError('unreadable', file, '', `cannot be read (${e instanceof Error ? e.message : String(e)})`);
    }
    if (sniffed.kind === 'lfs-pointer') {
      throw new ImportError('lfs-pointer', file, '', 'is a Git LFS pointer (a small text stub), not the sequence: fetch the real file with `git lfs pull` in the repository it came from, or download it again');
    }
    if (sniffed.kind === 'empty') throw new ImportError('empty', file, '', 'the file is empty (0 bytes); expected a computational sequence (HDF5)');
    if (sniffed.kind !== 'hdf5') {
      throw new ImportError('not-hdf5', file, '', `is not an HDF5 file (${sniffed.kind}); a CMU-SDK computational sequence (.csd) is HDF5 and starts with \\x89HDF`);
    }
    const m = await loadH5();
    const isGroup = (v: unknown): v is H5Group => v instanceof m.Group;
    const isDataset = (v: unknown): v is H5Dataset => v instanceof m.Dataset;
    let f: InstanceType<H5Module['File']>;
    try {
      f = new m.File(path.resolve(file), 'r');
    } catch (e) {
      throw hdf5Failure(file, '', e);
    }
    try {
      const fail = (keyPath: string, detail: string): ImportError => new ImportError('layout', file, keyPath, detail);
      const { rootName, data, metadata } = sequenceRoot(f, isGroup, isDataset, fail);
      const first = data.keys()[0];
      let dim = 0;
      let dtype = 'none';
      let numeric = true;
      if (first !== undefined) {
        const feats = (data.get(first) as H5Group | null)?.get('features');
        if (!isDataset(feats)) throw fail(`${rootName}/data/${first}/features`, 'missing; expected a [n, d] float dataset');
        const shape = feats.shape ?? [];
        dim = shape.length > 1 ? shape.slice(1).reduce((a, b) => a * b, 1) : 1;
        dtype = dtypeOf(feats.metadata);
        numeric = feats.metadata.type === H5T_FLOAT || feats.metadata.type === H5T_INTEGER;
      }
      return new CsdSource(file, f, data, isGroup, isDataset, rootName, metadata, dim, dtype, numeric);
    } catch (e) {
      closeQuietly(f);
      throw hdf5Failure(file, '', e);
    }
  }

  /** The intervals of one video, and its features unless `intervalsOnly`. Shapes are checked. */
  read(id: string, intervalsOnly = false): VideoRows {
    try {
      return this.readVideo(id, intervalsOnly);
    } catch (e) {
      throw hdf5Failure(this.file, `${this.rootName}/data/${id}`, e);
    }
  }

  private readVideo(id: string, intervalsOnly: boolean): VideoRows {
    const at = `${this.rootName}/data/${id}`;
    const fail = (keyPath: string, detail: string): ImportError => new ImportError('shape', this.file, keyPath, detail);
    const g = this.data.get(id);
    if (!this.isGroup(g)) throw new ImportError('layout', this.file, at, 'is not a group; expected features and intervals');
    const feats = g.get('features');
    const ints = g.get('intervals');
    if (!this.isDataset(feats)) throw new ImportError('layout', this.file, `${at}/features`, 'missing; expected a [n, d] float dataset');
    if (!this.isDataset(ints)) throw new ImportError('layout', this.file, `${at}/intervals`, 'missing; expected a [n, 2] float dataset');
    const fShape = feats.shape ?? [];
    const iShape = ints.shape ?? [];
    const n = fShape[0] ?? 0;
    const dim = fShape.length > 1 ? fShape.slice(1).reduce((a, b) => a * b, 1) : 1;
    if (dim !== this.dim) {
      const first = this.videoIds[0] ?? '';
      throw fail(`${at}/features`, `has shape [${fShape.join(', ')}], ${dim} values per row, but video ${first} has ${this.dim}; expected one width for every video`);
    }
    if (iShape.length !== 2 || iShape[0] !== n || iShape[1] !== 2) {
      throw fail(`${at}/intervals`, `has shape [${iShape.join(', ')}]; expected [${n}, 2] (start, end) to match features [${fShape.join(', ')}]`);
    }
    const intervals = asFloats(ints.value, `${at}/intervals`, fail);
    const features = intervalsOnly ? new Float32Array(0) : asFloats(feats.value, `${at}/features`, fail);
    return { n, dim, features, intervals };
  }

  close(): void {
    closeQuietly(this.h5file);
  }
}

function asFloats(v: unknown, at: string, fail: (keyPath: string, detail: string) => ImportError): Float32Array | Float64Array {
  if (v instanceof Float32Array || v instanceof Float64Array) return v;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array)) {
    return Float64Array.from(v as unknown as ArrayLike<number>);
  }
  if (typeof v === 'number') return Float64Array.of(v);
  throw fail(at, 'is not numeric; expected float values');
}
