import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { MODALITIES, SPLITS, type DatasetKind, type Modality, type Split } from '../../../../src-shared/domain';
import type { CsdAlignmentData, CsdImportData, CsdSequenceData } from '../../../../src-shared/models';
import { resourcePath } from '../../paths';
import type { DatasetData } from '../../types';
import { buildDataset } from './build';
import { readFolds, type Folds } from './csd';
import { EPSILON, averageOverWords, gridRows, placeFrontPadded, wordGrid, wordsInSegment } from './csd-align';
import { chooseRoles, CSD_ROLES, type CsdRole } from './csd-roles';
import { CsdSource } from './csd-source';
import { ImportError } from './errors';
import { Extractor } from './extract';
import { sha256File } from './hash';
import type { RawSplit } from './layouts';
import type { ImportReport } from './report';

/**
 * A folder of CMU-MultimodalSDK computational sequences (datasets.md §3) → a word-aligned dataset:
 * one .csd per modality, the label sequence, and the standard folds (a folds .json in the folder,
 * else the SDK's standard folds bundled in resources/datasets/). The alignment is csd-align.ts.
 *
 * Memory: the label sequence is read whole (one float per segment); the feature sequences video by
 * video, in two passes: the first reads only the word intervals to count the segments per split,
 * the second fills the preallocated [N, T, D] arrays. Peak = the output + one video's rows.
 */

export interface CsdImportOptions {
  kind?: DatasetKind;
  name?: string;
  onProgress?: (p: { phase: 'read' | 'check'; done: number; total: number }) => void;
  /** Words per sample (default 50, the workbench's T). */
  seqLen?: number;
}

export interface CsdImportResult {
  data: DatasetData;
  report: ImportReport;
  format: 'csd';
  kind: DatasetKind;
}

export const CSD_T = 50;

const MODALITY_ROLE: Record<Modality, CsdRole> = { l: 'text', a: 'audio', v: 'visual' };
const BUNDLED_FOLDS: Partial<Record<DatasetKind, string>> = { mosi: 'mosi_standard_folds.json', mosei: 'mosei_standard_folds.json' };
const LABEL_SLACK = 1e-5;

export const CSD_PROCEDURE =
  'CMU-SDK word alignment: text rows are the word grid (sorted by start, zero-length words skipped); audio and visual rows averaged over each word (rows intersecting the word by more than epsilon; none: zero row); each labelled segment takes the words intersecting it by more than epsilon; the last T words kept, zero rows in front';

interface LabelVideo {
  id: string;
  n: number;
  /** [n, 2] start, end. */
  intervals: Float32Array | Float64Array;
  /** Sentiment per segment. */
  y: Float64Array;
}

function listFolder(folder: string): { csd: string[]; json: string[] } {
  let names: string[];
  try {
    names = readdirSync(folder).sort();
  } catch (e) {
    throw new ImportError('unreadable', folder, '', `cannot be listed (${e instanceof Error ? e.message : String(e)})`);
  }
  const files = names.map((n) => path.join(folder, n)).filter((f) => {
    try {
      return statSync(f).isFile(); // follows symlinks: a folder of links to the chosen files works
    } catch {
      return false;
    }
  });
  return { csd: files.filter((f) => /\.csd$/i.test(f)), json: files.filter((f) => /\.json$/i.test(f)) };
}

function looksLikeFolds(file: string): boolean {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return typeof v === 'object' && v !== null && SPLITS.every((s) => Array.isArray((v as Record<string, unknown>)[s]));
  } catch {
    return false;
  }
}

function readLabels(src: CsdSource, warnings: string[]): LabelVideo[] {
  const dim = src.dim;
  const first = src.videoIds[0] ?? '';
  if (dim !== 1 && dim !== 7) {
    throw new ImportError(
      'label-shape',
      src.file,
      `${src.rootName}/data/${first}/features`,
      `has ${dim} values per segment; expected 1 (a sentiment score in [-3, 3], e.g. 'Opinion Segment Labels') or 7 (MOSEI 'All Labels': sentiment first, then six emotions)`,
    );
  }
  if (dim === 7) warnings.push(`labels: ${src.rootName} has 7 values per segment (MOSEI 'All Labels': sentiment, happy, sad, anger, surprise, disgust, fear); the first, sentiment, is used`);
  return src.videoIds.map((id) => {
    const rows = src.read(id);
    const y = new Float64Array(rows.n);
    for (let r = 0; r < rows.n; r++) {
      const v = rows.features[r * dim] as number;
      if (!(Math.abs(v) <= 3 + LABEL_SLACK)) {
        throw new ImportError('labels', src.file, `${src.rootName}/data/${id}/features`, `row ${r} holds ${v}; expected sentiment scores in [-3, 3]`);
      }
      y[r] = v;
    }
    return { id, n: rows.n, intervals: rows.intervals, y };
  });
}

function kindFromName(name: string | null): DatasetKind | null {
  if (!name) return null;
  const n = name.toLowerCase();
  if (n.includes('mosei')) return 'mosei';
  if (n.includes('mosi')) return 'mosi';
  if (n.includes('iemocap')) return 'iemocap';
  return null;
}

function detectKind(folder: string, chosen: Record<CsdRole, CsdSource>, labelVideos: LabelVideo[], override?: DatasetKind): { kind: DatasetKind; reason: string } {
  const labels = chosen.labels;
  const sentimentOnly = (kind: DatasetKind, why: string): never => {
    throw new ImportError(
      'label-shape',
      labels.file,
      `${labels.rootName}/data`,
      `${why} says ${kind.toUpperCase()}, a classification task with 4 emotion labels per sample; .csd folders are imported with sentiment labels (CMU-MOSI, CMU-MOSEI): expected --kind mosi or mosei`,
    );
  };
  if (override === 'iemocap') sentimentOnly('iemocap', '--kind');
  if (override) return { kind: override, reason: 'given by the caller' };
  const named: [string, string | null][] = [
    [`the label sequence's 'dataset name'`, labels.datasetName],
    ...CSD_ROLES.filter((r) => r !== 'labels').map((r): [string, string | null] => [`the ${r} sequence's 'dataset name'`, chosen[r].datasetName]),
    ['the folder name', path.basename(folder)],
    ['the label file name', path.basename(labels.file)],
  ];
  for (const [why, name] of named) {
    const k = kindFromName(name);
    if (k === 'iemocap') sentimentOnly(k, why);
    if (k) return { kind: k, reason: `${why} (${name})` };
  }
  const ids = labelVideos.map((v) => v.id);
  const overlap = (kind: DatasetKind): number => {
    const file = BUNDLED_FOLDS[kind];
    if (!file) return 0;
    const folds = readFolds(resourcePath('datasets', file));
    const all = new Set(SPLITS.flatMap((s) => folds[s]));
    return ids.filter((id) => all.has(id)).length;
  };
  const [mosi, mosei] = [overlap('mosi'), overlap('mosei')];
  if (mosi > 0 || mosei > 0) {
    const kind = mosei > mosi ? 'mosei' : 'mosi';
    return { kind, reason: `${Math.max(mosi, mosei)} of ${ids.length} labelled videos are in the standard ${kind.toUpperCase()} folds` };
  }
  if (labels.dim === 7) return { kind: 'mosei', reason: "7 label values per segment, as MOSEI's 'All Labels'" };
  const segments = labelVideos.reduce((a, v) => a + v.n, 0);
  return segments < 8000
    ? { kind: 'mosi', reason: `${segments} labelled segments, closer to MOSI (2199) than MOSEI (22856); pass kind to override` }
    : { kind: 'mosei', reason: `${segments} labelled segments, closer to MOSEI (22856) than MOSI (2199); pass kind to override` };
}

function chooseFolds(folder: string, jsonFiles: string[], kind: DatasetKind): { folds: Folds; file: string; source: 'folder' | 'bundled' } {
  const candidates = jsonFiles.filter(looksLikeFolds);
  if (candidates.length > 1) {
    throw new ImportError('ambiguous', folder, '', `holds ${candidates.length} folds files (${candidates.map((f) => path.basename(f)).join(', ')}); expected at most one JSON with train/valid/test video-id lists`);
  }
  const own = candidates[0];
  if (own) return { folds: readFolds(own), file: own, source: 'folder' };
  const bundled = BUNDLED_FOLDS[kind];
  if (!bundled) {
    throw new ImportError('missing-split', folder, '', `holds no folds file and ${kind.toUpperCase()} has no standard SDK folds; expected a JSON {"train": [video ids], "valid": [...], "test": [...]} in the folder`);
  }
  const file = resourcePath('datasets', bundled);
  return { folds: readFolds(file), file, source: 'bundled' };
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
/** '1 segment has', '2 segments have'. */
const says = (n: number, noun: string, one: string, many: string): string => `${plural(n, noun)} ${n === 1 ? one : many}`;

/** Import a folder of .csd files. Throws ImportError naming the file, the key path and what was expected. */
export async function importCsdFolder(folder: string, options: CsdImportOptions = {}): Promise<CsdImportResult> {
  const T = options.seqLen ?? CSD_T;
  const { csd, json } = listFolder(folder);
  if (csd.length === 0) {
    throw new ImportError(
      'missing-modality',
      folder,
      '',
      'is a folder with no .csd files; expected a dataset file such as mosi_data.pkl, or a folder of CMU-SDK computational sequences for the text, audio and visual features and the labels (e.g. CMU_MOSI_TimestampedWordVectors.csd, CMU_MOSI_COVAREP.csd, CMU_MOSI_Visual_Facet_42.csd, CMU_MOSI_Opinion_Labels.csd)',
    );
  }
  const open: CsdSource[] = [];
  try {
    for (const f of csd) open.push(await CsdSource.open(f));
    const { chosen, reasons, ignored } = chooseRoles(folder, open);
    for (const s of open) if (!CSD_ROLES.some((r) => chosen[r] === s)) s.close();
    open.splice(0, open.length, ...CSD_ROLES.map((r) => chosen[r]));
    return await alignFolder(folder, json, chosen, reasons, ignored, T, options);
  } finally {
    for (const s of open) s.close();
  }
}

async function alignFolder(
  folder: string,
  jsonFiles: string[],
  chosen: Record<CsdRole, CsdSource>,
  reasons: Record<CsdRole, string>,
  ignored: { file: string; reason: string }[],
  T: number,
  options: CsdImportOptions,
): Promise<CsdImportResult> {
  const warnings: string[] = [];
  const { labels, text } = chosen;
  const feat: Record<Modality, CsdSource> = { l: chosen.text, a: chosen.audio, v: chosen.visual };
  for (const i of ignored) warnings.push(`ignored ${path.basename(i.file)}: ${i.reason}`);
  for (const r of CSD_ROLES) {
    const s = chosen[r];
    if (s.metaRootName !== null && s.metaRootName !== s.rootName) {
      warnings.push(`${path.basename(s.file)}: metadata 'root name' '${s.metaRootName}' differs from the root group '${s.rootName}'`);
    }
  }
  const datasetNames = [...new Set(CSD_ROLES.map((r) => chosen[r].datasetName).filter((n): n is string => n !== null))];
  if (datasetNames.length > 1) warnings.push(`the sequences name different datasets in their metadata: ${datasetNames.join(', ')}`);

  const labelVideos = readLabels(labels, warnings);
  const { kind, reason: kindReason } = detectKind(folder, chosen, labelVideos, options.kind);
  const folds = chooseFolds(folder, jsonFiles, kind);
  const splitOf = new Map<string, Split>();
  for (const split of SPLITS) for (const id of folds.folds[split]) splitOf.set(id, split);

  // Hash while aligning: the source fingerprint covers the four sequences and the folds used.
  const used = [...CSD_ROLES.map((r) => chosen[r].file), folds.file];
  const hashing = Promise.all(used.map((f) => sha256File(f)));
  hashing.catch(() => undefined);

  // Pass 1: word intervals only; which segments have words, per split.
  const a: CsdAlignmentData = {
    procedure: CSD_PROCEDURE,
    T,
    epsilon: EPSILON,
    labelledVideos: labelVideos.length,
    labelledSegments: 0,
    videosInNoFold: 0,
    segmentsInNoFold: 0,
    videosWithoutFeatures: { l: 0, a: 0, v: 0 },
    segmentsOfVideosWithoutFeatures: 0,
    videoExamples: [],
    zeroLengthSegments: 0,
    segmentsWithoutWords: 0,
    imported: 0,
    truncated: 0,
    padded: 0,
    zeroLengthWords: 0,
    wordsWithoutAudio: 0,
    wordsWithoutVisual: 0,
    perSplit: { train: { segments: 0, withoutWords: 0, truncated: 0 }, valid: { segments: 0, withoutWords: 0, truncated: 0 }, test: { segments: 0, withoutWords: 0, truncated: 0 } },
  };
  const noFoldExamples: string[] = [];
  const plan: { video: LabelVideo; split: Split; rows: number[] }[] = [];
  for (const video of labelVideos) {
    a.labelledSegments += video.n;
    const split = splitOf.get(video.id);
    if (!split) {
      a.videosInNoFold++;
      a.segmentsInNoFold += video.n;
      if (noFoldExamples.length < 5) noFoldExamples.push(video.id);
      continue;
    }
    const lacking = MODALITIES.filter((m) => !feat[m].has(video.id));
    if (lacking.length > 0) {
      for (const m of lacking) a.videosWithoutFeatures[m]++;
      a.segmentsOfVideosWithoutFeatures += video.n;
      if (a.videoExamples.length < 10) a.videoExamples.push(video.id);
      continue;
    }
    const t = text.read(video.id, true);
    const grid = wordGrid(t.intervals, t.n);
    a.zeroLengthWords += grid.zeroLength;
    const rows: number[] = [];
    for (let r = 0; r < video.n; r++) {
      const s = video.intervals[2 * r] as number;
      const e = video.intervals[2 * r + 1] as number;
      if (!(Math.abs(e - s) >= EPSILON)) {
        a.zeroLengthSegments++;
        continue;
      }
      if (wordsInSegment(grid, s, e).length === 0) {
        a.segmentsWithoutWords++;
        a.perSplit[split].withoutWords++;
        continue;
      }
      rows.push(r);
    }
    if (rows.length > 0) plan.push({ video, split, rows });
    a.perSplit[split].segments += rows.length;
  }

  const total = SPLITS.reduce((acc, s) => acc + a.perSplit[s].segments, 0);
  if (total === 0) {
    throw new ImportError(
      'alignment',
      labels.file,
      `${labels.rootName}/data`,
      `no labelled segment could be aligned to the words of '${text.rootName}' (${path.basename(text.file)}): of ${plural(a.labelledSegments, 'segment')} in ${plural(a.labelledVideos, 'video')}, ` +
        `${a.segmentsInNoFold} are in videos in no fold (${path.basename(folds.file)}), ${a.segmentsOfVideosWithoutFeatures} in videos missing from a feature sequence, ` +
        `${a.zeroLengthSegments} have zero length and ${a.segmentsWithoutWords} intersect no word; expected segment intervals (seconds) overlapping the word intervals of the same video ids`,
    );
  }
  for (const split of SPLITS) {
    if (a.perSplit[split].segments === 0) {
      throw new ImportError(
        'missing-split',
        folds.file,
        split,
        `no segment of the ${plural(folds.folds[split].length, 'video')} in fold '${split}' could be imported (${a.perSplit[split].withoutWords} intersect no word; the others' videos lack labels or features); expected at least one per split`,
      );
    }
  }

  // Pass 2: read each planned video's three sequences and fill the arrays.
  const dims = MODALITIES.map((m) => feat[m].dim) as [number, number, number];
  const out = Object.fromEntries(
    SPLITS.map((split) => {
      const n = a.perSplit[split].segments;
      return [split, { n, k: 0, l: new Float32Array(n * T * dims[0]), a: new Float32Array(n * T * dims[1]), v: new Float32Array(n * T * dims[2]), y: new Float32Array(n), ids: new Array<string>(n) }];
    }),
  ) as Record<Split, { n: number; k: number; l: Float32Array; a: Float32Array; v: Float32Array; y: Float32Array; ids: string[] }>;
  const bytesTotal = CSD_ROLES.reduce((acc, r) => acc + chosen[r].bytes, 0);
  options.onProgress?.({ phase: 'read', done: 0, total: bytesTotal });
  for (const [i, { video, split, rows }] of plan.entries()) {
    const t = text.read(video.id);
    const grid = wordGrid(t.intervals, t.n);
    const lv = gridRows(grid, t);
    const am = averageOverWords(grid, feat.a.read(video.id));
    const vm = averageOverWords(grid, feat.v.read(video.id));
    a.wordsWithoutAudio += am.missing;
    a.wordsWithoutVisual += vm.missing;
    const o = out[split];
    for (const r of rows) {
      const words = wordsInSegment(grid, video.intervals[2 * r] as number, video.intervals[2 * r + 1] as number);
      const k = o.k++;
      const cut = placeFrontPadded(lv, dims[0], words, T, o.l, k * T * dims[0]);
      placeFrontPadded(am.values, dims[1], words, T, o.a, k * T * dims[1]);
      placeFrontPadded(vm.values, dims[2], words, T, o.v, k * T * dims[2]);
      if (cut) {
        a.truncated++;
        a.perSplit[split].truncated++;
      } else if (words.length < T) a.padded++;
      o.y[k] = video.y[r] as number;
      o.ids[k] = `${video.id}[${r}]`;
    }
    options.onProgress?.({ phase: 'read', done: Math.round((bytesTotal * (i + 1)) / plan.length), total: bytesTotal });
    // Let the hashing streams and progress messages move between videos.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  a.imported = total;

  options.onProgress?.({ phase: 'check', done: 0, total: 1 });
  if (a.videosInNoFold > 0) {
    warnings.push(`${plural(a.videosInNoFold, 'labelled video')} (${plural(a.segmentsInNoFold, 'segment')}) in no fold of ${path.basename(folds.file)}: left out, e.g. ${noFoldExamples.join(', ')}`);
  }
  if (a.segmentsOfVideosWithoutFeatures > 0) {
    const per = MODALITIES.map((m) => `${MODALITY_ROLE[m]} ${a.videosWithoutFeatures[m]}`).join(', ');
    warnings.push(`labelled videos missing from a feature sequence (${per}): ${a.segmentsOfVideosWithoutFeatures === 1 ? 'its segment has' : `their ${a.segmentsOfVideosWithoutFeatures} segments have`} no features and were left out, e.g. ${a.videoExamples.join(', ')}`);
  }
  if (a.zeroLengthSegments > 0) warnings.push(`${plural(a.zeroLengthSegments, 'segment')} of zero length: left out`);
  if (a.segmentsWithoutWords > 0) warnings.push(`${says(a.segmentsWithoutWords, 'segment', 'intersects', 'intersect')} no word of '${text.rootName}': no features, left out`);
  if (a.truncated > 0) warnings.push(`${says(a.truncated, 'segment', 'has', 'have')} more than ${T} words: the first words were cut (the last ${T} kept)`);
  if (a.wordsWithoutAudio > 0) warnings.push(`${says(a.wordsWithoutAudio, 'word', 'has', 'have')} no ${feat.a.rootName} rows: zero audio rows there`);
  if (a.wordsWithoutVisual > 0) warnings.push(`${says(a.wordsWithoutVisual, 'word', 'has', 'have')} no ${feat.v.rootName} rows: zero visual rows there`);

  const keys = { l: feat.l.rootName, a: feat.a.rootName, v: feat.v.rootName, labels: labels.rootName };
  const splits = Object.fromEntries(
    SPLITS.map((split): [Split, RawSplit] => {
      const o = out[split];
      return [
        split,
        {
          l: { shape: [o.n, T, dims[0]], data: o.l, sourceDtype: feat.l.dtype },
          a: { shape: [o.n, T, dims[1]], data: o.a, sourceDtype: feat.a.dtype },
          v: { shape: [o.n, T, dims[2]], data: o.v, sourceDtype: feat.v.dtype },
          labels: { shape: [o.n, 1], data: o.y, sourceDtype: labels.dtype },
          ids: o.ids,
          keys,
          splitKey: split,
        },
      ];
    }),
  ) as Record<Split, RawSplit>;
  const built = buildDataset({ splits }, { T, dims }, kind, kindReason, new Extractor(labels.file), a.padded > 0 ? 'front' : 'none');

  const hashes = await hashing;
  const fingerprint = createHash('sha256');
  used.forEach((_, i) => fingerprint.update(`${i < CSD_ROLES.length ? CSD_ROLES[i] : 'folds'}\t${hashes[i]}\n`));
  const sha256 = fingerprint.digest('hex');
  const sequences: CsdSequenceData[] = CSD_ROLES.map((role, i) => {
    const s = chosen[role];
    return { role, file: s.file, rootName: s.rootName, reason: reasons[role], videos: s.videoIds.length, dim: s.dim, dtype: s.dtype, bytes: s.bytes, sha256: hashes[i] ?? '' };
  });
  const csdReport: CsdImportData = {
    sequences,
    ignored,
    folds: { source: folds.source, file: folds.file, videos: { train: folds.folds.train.length, valid: folds.folds.valid.length, test: folds.folds.test.length } },
    alignment: a,
  };
  const report: ImportReport = {
    file: folder,
    bytes: bytesTotal + (folds.source === 'folder' ? statSync(folds.file).size : 0),
    sha256,
    verifiedRelease: null,
    format: 'csd',
    formatReason: `a folder of CMU-SDK computational sequences, word-aligned on import: ${CSD_ROLES.map((r) => `${r} '${chosen[r].rootName}'`).join(', ')}; folds ${folds.source === 'bundled' ? `bundled ${path.basename(folds.file)}` : path.basename(folds.file)}`,
    pickle: { protocol: 0, numpyWriter: 'none (HDF5 computational sequences)', globals: [] },
    ...built.report,
    warnings: [...warnings, ...built.report.warnings],
    csd: csdReport,
  };
  const data: DatasetData = {
    name: options.name ?? path.basename(path.resolve(folder)),
    kind,
    task: built.report.task,
    T,
    dims,
    labelDim: built.labelDim,
    train: built.splits.train,
    valid: built.splits.valid,
    test: built.splits.test,
    sha256,
  };
  options.onProgress?.({ phase: 'check', done: 1, total: 1 });
  return { data, report, format: 'csd', kind };
}
