/**
 * The workbench's own compact dataset format: everything a run needs, float32, one file.
 *
 *   bytes 0..7   magic "HRLFDS01"
 *   bytes 8..11  header length H (uint32 LE)
 *   bytes 12..   header JSON (UTF-8), then zero padding to a multiple of 4
 *   then, per split in train, valid, test: l, a, v, y as float32 LE, row-major
 *
 * Blocks are read one by one at their offsets, so files far above 2 GiB load without one giant read.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { SPLITS, type DatasetKind, type Split, type Task } from '../../../src-shared/domain';
import type { DatasetData, SplitData } from '../types';

const MAGIC = 'HRLFDS01';
const BLOCKS = ['l', 'a', 'v', 'y'] as const;

interface Header {
  name: string;
  kind: DatasetKind;
  task: Task;
  T: number;
  dims: [number, number, number];
  labelDim: number;
  splits: Record<Split, { n: number; ids: string[] }>;
}

export class DatasetFileError extends Error {}

function blockLength(h: Header, split: Split, block: (typeof BLOCKS)[number]): number {
  const n = h.splits[split].n;
  if (block === 'y') return n * h.labelDim;
  const d = h.dims[BLOCKS.indexOf(block)]!;
  return n * h.T * d;
}

/**
 * Writes atomically (temporary file, fsync, rename) and returns the SHA-256 of the bytes written,
 * which identifies the dataset's content in every run that uses it.
 */
export function writeDatasetFile(path: string, data: Omit<DatasetData, 'sha256'>): string {
  const header: Header = {
    name: data.name,
    kind: data.kind,
    task: data.task,
    T: data.T,
    dims: data.dims,
    labelDim: data.labelDim,
    splits: {
      train: { n: data.train.n, ids: data.train.ids },
      valid: { n: data.valid.n, ids: data.valid.ids },
      test: { n: data.test.n, ids: data.test.ids },
    },
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (4 - ((12 + json.length) % 4)) % 4;
  const prefix = Buffer.alloc(12 + json.length + pad);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(json.length, 8);
  json.copy(prefix, 12);

  const tmp = `${path}.tmp-${process.pid}`;
  const hash = createHash('sha256');
  const fd = openSync(tmp, 'w');
  try {
    const put = (buf: Uint8Array): void => {
      hash.update(buf);
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    };
    put(prefix);
    for (const split of SPLITS) {
      const s = data[split];
      for (const block of BLOCKS) {
        const arr = s[block];
        if (arr.length !== blockLength(header, split, block)) {
          throw new DatasetFileError(`${split}.${block}: ${arr.length} values, expected ${blockLength(header, split, block)}`);
        }
        put(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
      }
    }
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, path);
  return hash.digest('hex');
}

function readExactly(fd: number, target: Uint8Array, position: number, path: string): void {
  let off = 0;
  while (off < target.length) {
    const n = readSync(fd, target, off, Math.min(target.length - off, 1 << 30), position + off);
    if (n === 0) throw new DatasetFileError(`${path}: truncated (expected ${target.length} bytes at ${position})`);
    off += n;
  }
}

export function readDatasetHeader(path: string): Header & { dataOffset: number } {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(12);
    readExactly(fd, head, 0, path);
    if (head.toString('latin1', 0, 8) !== MAGIC) throw new DatasetFileError(`${path}: not a workbench dataset file (bad magic)`);
    const len = head.readUInt32LE(8);
    const json = Buffer.alloc(len);
    readExactly(fd, json, 12, path);
    const header = JSON.parse(json.toString('utf8')) as Header;
    const pad = (4 - ((12 + len) % 4)) % 4;
    return { ...header, dataOffset: 12 + len + pad };
  } finally {
    closeSync(fd);
  }
}

export function readDatasetFile(path: string, sha256: string): DatasetData {
  const header = readDatasetHeader(path);
  const fd = openSync(path, 'r');
  try {
    let offset = header.dataOffset;
    const splits = {} as Record<Split, SplitData>;
    for (const split of SPLITS) {
      const out: Partial<SplitData> = { n: header.splits[split].n, ids: header.splits[split].ids };
      for (const block of BLOCKS) {
        const arr = new Float32Array(blockLength(header, split, block));
        readExactly(fd, new Uint8Array(arr.buffer), offset, path);
        offset += arr.byteLength;
        out[block] = arr;
      }
      splits[split] = out as SplitData;
    }
    return {
      name: header.name,
      kind: header.kind,
      task: header.task,
      T: header.T,
      dims: header.dims,
      labelDim: header.labelDim,
      train: splits.train,
      valid: splits.valid,
      test: splits.test,
      sha256,
    };
  } finally {
    closeSync(fd);
  }
}
