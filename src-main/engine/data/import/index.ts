import { statSync } from 'node:fs';
import path from 'node:path';
import type { DatasetKind } from '../../../../src-shared/domain';
import type { DatasetData } from '../../types';
import { buildDataset } from './build';
import { importCsdFolder } from './csd-features';
import { ImportError } from './errors';
import { MMSA_RELEASE_SHA256 } from './expectations';
import { Extractor } from './extract';
import { sha256File } from './hash';
import { readLayout } from './layouts';
import { FileSource, PickleError, unpickle, type UnpickleResult } from './pickle';
import type { DatasetFormat, ImportReport } from './report';
import { sniffFile } from './sniff';
import { checkGeometry, detectKind } from './structure';
import { describeTree } from './tree';

export { ImportError, type ImportErrorCode } from './errors';
export type * from './report';
export { readCsd, readFolds, csdLabelTable, type CsdSequence, type CsdVideo, type CsdLabelRow, type Folds } from './csd';
export { importCsdFolder, CSD_T, CSD_PROCEDURE, type CsdImportOptions } from './csd-features';

export interface ImportProgress {
  /** 'read': parsing the file (done/total in bytes); 'check': validating and building the report. */
  phase: 'read' | 'check';
  done: number;
  total: number;
}

export interface ImportOptions {
  /** Skip layout detection. 'csd': the path is a folder of CMU-SDK computational sequences. */
  format?: DatasetFormat;
  /** Skip kind detection (MOSI/MOSEI/IEMOCAP); the label shape must still fit the kind's task. */
  kind?: DatasetKind;
  /** Dataset name; defaults to the file name. */
  name?: string;
  onProgress?: (p: ImportProgress) => void;
  /** Reader window/step in bytes (default 4 MiB). */
  chunkSize?: number;
  /** Payloads above this many bytes are read straight from disk into their arrays (default 1 MiB). */
  lazyThreshold?: number;
}

export interface ImportResult {
  data: DatasetData;
  report: ImportReport;
  format: DatasetFormat;
  kind: DatasetKind;
}

const CSD_HELP =
  'import the folder that holds the text, audio, visual and label sequences instead (hrlf import DIR --format csd): they are word-aligned on import';

/**
 * Import a MulT or MMSA pickle, or a folder of CMU-SDK computational sequences (.csd), as a
 * workbench dataset. Pickles of any size: read through a small window, large arrays straight from
 * disk into float32 arrays. .csd folders: read video by video (csd-features.ts).
 * Throws ImportError with the file, the key path and what was expected.
 */
export async function importDatasetFile(file: string, options: ImportOptions = {}): Promise<ImportResult> {
  if (isFolder(file)) {
    if (options.format !== undefined && options.format !== 'csd') {
      throw new ImportError('unsupported-format', file, '', `is a folder; --format ${options.format} reads one pickle file. A folder is imported as CMU-SDK computational sequences (.csd)`);
    }
    return importCsdFolder(file, {
      ...(options.kind ? { kind: options.kind } : {}),
      ...(options.name ? { name: options.name } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  }
  const sniffed = sniffOrFail(file);
  if (sniffed.kind === 'hdf5') {
    throw new ImportError('unsupported-format', file, '', `is an HDF5 file, i.e. one CMU-MultimodalSDK computational sequence (.csd), which holds one modality or the labels at its own rate; ${CSD_HELP}`);
  }
  if (options.format === 'csd') {
    throw new ImportError('unsupported-format', file, '', `is not a folder; --format csd reads a folder of CMU-MultimodalSDK computational sequences (.csd): ${CSD_HELP}`);
  }
  switch (sniffed.kind) {
    case 'empty':
      throw new ImportError('empty', file, '', 'the file is empty (0 bytes); expected a MulT or MMSA dataset pickle');
    case 'lfs-pointer':
      throw new ImportError(
        'lfs-pointer',
        file,
        '',
        'is a Git LFS pointer (a small text stub), not the data: fetch the real file with `git lfs pull` in the repository it came from, or download it again',
      );
    case 'zip':
    case 'npy':
      throw new ImportError('unsupported-format', file, '', `is a numpy ${sniffed.kind === 'zip' ? '.npz (zip)' : '.npy'} file; only pickles are imported for now`);
    case 'text':
      throw new ImportError('not-pickle', file, '', 'is a text file, not a pickle; expected a MulT or MMSA dataset pickle (.pkl) or a folder of .csd files');
    case 'unknown':
      throw new ImportError(
        'not-pickle',
        file,
        '',
        'is not a pickle: it does not start like one, nor like any other format the workbench recognises (HDF5 .csd, .npz, .npy, a Git LFS pointer); expected a MulT or MMSA dataset pickle (.pkl)',
      );
    case 'pickle':
      if (sniffed.protocol > 5) {
        throw new ImportError('unsupported-format', file, '', `uses pickle protocol ${sniffed.protocol}; protocols 0–5 are supported`);
      }
      break;
  }

  const bytes = statSync(file).size;
  const hashing = sha256File(file);
  hashing.catch(() => undefined); // awaited below; avoid an unhandled rejection if parsing fails first
  const parsed = await parse(file, options);

  options.onProgress?.({ phase: 'check', done: 0, total: 1 });
  const x = new Extractor(file);
  const raw = readLayout(parsed.value, x, options.format);
  const geometry = checkGeometry(raw, x);
  const { kind, reason } = detectKind(raw, geometry, file, x, options.kind);
  const built = buildDataset(raw, geometry, kind, reason, x);

  const sha256 = await hashing;
  const verifiedRelease = MMSA_RELEASE_SHA256[sha256] ?? null;
  if (raw.format === 'mmsa' && verifiedRelease === null && /aligned_50\.pkl$/.test(file)) {
    built.report.warnings.push('the SHA-256 does not match the published MMSA release (fine for re-exported features)');
  }
  const report: ImportReport = {
    file,
    bytes,
    sha256,
    verifiedRelease,
    format: raw.format,
    formatReason: raw.formatReason,
    pickle: { protocol: parsed.protocol, numpyWriter: numpyWriter(parsed.globals), globals: parsed.globals },
    ...built.report,
  };
  const data: DatasetData = {
    name: options.name ?? defaultName(file, kind),
    kind,
    task: built.report.task,
    T: geometry.T,
    dims: geometry.dims,
    labelDim: built.labelDim,
    train: built.splits.train,
    valid: built.splits.valid,
    test: built.splits.test,
    sha256,
  };
  options.onProgress?.({ phase: 'check', done: 1, total: 1 });
  return { data, report, format: raw.format, kind };
}

/**
 * The key tree of a pickle with shapes and dtypes ("what is inside this pkl?"), for an inspector.
 * Parses the whole file (arrays included) through the same safe reader.
 */
export async function inspectPickleFile(file: string, options: Pick<ImportOptions, 'chunkSize' | 'lazyThreshold' | 'onProgress'> = {}): Promise<string> {
  const sniffed = sniffOrFail(file);
  if (sniffed.kind !== 'pickle') throw new ImportError('not-pickle', file, '', `is not a pickle (${sniffed.kind})`);
  return describeTree((await parse(file, options)).value);
}

function isFolder(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false; // sniffOrFail reports it
  }
}

function sniffOrFail(file: string): ReturnType<typeof sniffFile> {
  try {
    return sniffFile(file);
  } catch (e) {
    throw new ImportError('unreadable', file, '', `cannot be read (${e instanceof Error ? e.message : String(e)})`);
  }
}

async function parse(file: string, options: ImportOptions): Promise<UnpickleResult> {
  const source = new FileSource(file);
  try {
    return await unpickle(source, {
      chunkSize: options.chunkSize,
      lazyThreshold: options.lazyThreshold,
      onProgress: (done, total) => options.onProgress?.({ phase: 'read', done, total }),
    });
  } catch (e) {
    if (!(e instanceof PickleError)) throw e;
    switch (e.code) {
      case 'truncated':
        throw new ImportError('truncated', file, '', `is truncated (${e.message}); the download or copy is probably incomplete`);
      case 'unsafe-global':
        throw new ImportError('unsafe', file, '', e.message);
      case 'not-pickle':
        throw new ImportError('not-pickle', file, '', e.message);
      case 'unsupported':
        throw new ImportError('unsupported-format', file, '', e.message);
      case 'malformed':
        throw new ImportError('corrupt', file, '', `is not a valid pickle: ${e.message}`);
      case 'limits':
        throw new ImportError('limits', file, '', `refused: ${e.message}`);
    }
  } finally {
    source.close();
  }
}

function numpyWriter(globals: string[]): string {
  if (globals.some((g) => g.startsWith('numpy._core.'))) return 'numpy 2.x (numpy._core)';
  if (globals.some((g) => g.startsWith('numpy.core.'))) return 'numpy 1.x (numpy.core)';
  return 'unknown';
}

/** 'mosi_data.pkl' → 'mosi_data'; MMSA's generic 'aligned_50.pkl' gets the kind in front. */
function defaultName(file: string, kind: DatasetKind): string {
  const base = path.basename(file).replace(/\.(pkl|pickle)$/i, '');
  return /^(un)?aligned_\d+$/.test(base) ? `${kind}_${base}` : base;
}
