import { MODALITIES, SPLITS, taskOf, type DatasetKind, type Modality, type Split } from '../../../../src-shared/domain';
import type { SplitData } from '../../types';
import { cleanTensor, detectPadding, lengthHistogram, padToFront, type PaddingSide } from './clean';
import { EXPECTED_COUNTS, PAPER_DIMS, dimNote } from './expectations';
import type { Extractor } from './extract';
import { buildLabels } from './labels';
import type { RawDataset } from './layouts';
import type { DimReport, ImportReport, ModalityReport, SplitReport } from './report';
import type { Geometry } from './structure';

/** Everything of the report that comes from the contents (the caller adds file, hash, pickle facts). */
export type ContentReport = Omit<ImportReport, 'file' | 'bytes' | 'sha256' | 'verifiedRelease' | 'pickle' | 'format' | 'formatReason'>;

export interface Built {
  splits: Record<Split, SplitData>;
  labelDim: number;
  report: ContentReport;
}

const MODALITY_NAMES: Record<Modality, string> = { l: 'text', a: 'audio', v: 'vision' };

/**
 * Turn a structurally checked RawDataset into SplitData (in place: the float32 arrays from the
 * pickle become the dataset's arrays, no copies) and the content part of the report.
 * `knownPadding`: the side the rows were padded on when the caller built them (the .csd import pads
 * in front itself; detection could mistake a trailing silence word's zero vector for padding).
 */
export function buildDataset(
  raw: Pick<RawDataset, 'splits'>,
  geometry: Geometry,
  kind: DatasetKind,
  kindReason: string,
  x: Extractor,
  knownPadding?: PaddingSide,
): Built {
  const warnings: string[] = [];
  const deviations: string[] = [];
  const task = taskOf(kind);

  // Labels first: a bad label file should fail before anything is modified.
  const labels = Object.fromEntries(
    SPLITS.map((split) => {
      const s = raw.splits[split];
      return [split, buildLabels(s.labels, kind, `${s.splitKey}.${s.keys.labels}`, x)];
    }),
  ) as Record<Split, ReturnType<typeof buildLabels>>;

  const stats = {} as Record<Split, Record<Modality, ModalityReport>>;
  for (const split of SPLITS) {
    const s = raw.splits[split];
    const per = {} as Record<Modality, ModalityReport>;
    for (const m of MODALITIES) {
      const c = cleanTensor(s[m]);
      per[m] = { key: s.keys[m], sourceDtype: s[m].sourceDtype, shape: s[m].shape, ...c };
      const at = `${s.splitKey}.${s.keys[m]}`;
      if (c.nan > 0) warnings.push(`${at}: ${c.nan} NaN value(s) replaced by 0`);
      if (c.posInf > 0 || (c.negInf > 0 && m !== 'a')) {
        warnings.push(`${at}: ${c.posInf} +inf and ${c.negInf} -inf value(s) replaced by 0`);
      }
      if (c.allZeroSamples > 0) warnings.push(`${at}: ${c.allZeroSamples} sample(s) are all zeros`);
    }
    stats[split] = per;
  }

  const side: PaddingSide = knownPadding ?? detectPadding(raw);
  if (side === 'end') for (const split of SPLITS) padToFront(raw.splits[split]);
  if (side === 'mixed') warnings.push('text padding is at the front for some samples and at the end for others; rows were left as they are');

  const splitData = {} as Record<Split, SplitData>;
  const splitReports = {} as Record<Split, SplitReport>;
  for (const split of SPLITS) {
    const s = raw.splits[split];
    const n = s.l.shape[0] as number;
    let ids = s.ids;
    if (ids !== null && ids.length !== n) {
      warnings.push(`${s.splitKey}.id has ${ids.length} entries for ${n} samples; ids were generated instead`);
      ids = null;
    }
    const source = ids === null ? 'generated' : 'file';
    const finalIds = ids ?? Array.from({ length: n }, (_, i) => `${split}-${i}`);
    const expectedN = EXPECTED_COUNTS[kind][split];
    if (n !== expectedN) warnings.push(`${s.splitKey} has ${n} samples; published ${kind.toUpperCase()} files have ${expectedN}`);
    const lab = labels[split];
    if (lab.report.task === 'classification' && (lab.report.positivesPerSample['1'] ?? 0) !== n) {
      const pp = lab.report.positivesPerSample;
      warnings.push(`${s.splitKey}: ${pp['0'] ?? 0} sample(s) with no emotion present and ${pp['2+'] ?? 0} with several`);
    }
    splitData[split] = { n, ids: finalIds, l: s.l.data, a: s.a.data, v: s.v.data, y: lab.y };
    splitReports[split] = {
      key: s.splitKey,
      n,
      expectedN,
      modalities: stats[split],
      labels: lab.report,
      ids: { source, duplicatesWithinSplit: finalIds.length - new Set(finalIds).size },
      lengthHistogram: lengthHistogram(s.l),
    };
    if (source === 'generated' && s.ids === null) warnings.push(`${s.splitKey} has no 'id' key; ids were generated`);
  }

  const dims = {} as Record<Modality, DimReport>;
  MODALITIES.forEach((m, i) => {
    const detected = geometry.dims[i] as number;
    const note = dimNote(kind, m, detected);
    dims[m] = { detected, paper: PAPER_DIMS[m], matchesPaper: detected === PAPER_DIMS[m], note };
    if (note) deviations.push(`${MODALITY_NAMES[m]} features: ${detected}-d; ${note}`);
  });

  return {
    splits: splitData,
    labelDim: labels.train.labelDim,
    report: {
      kind,
      kindReason,
      task,
      T: geometry.T,
      dims,
      padding: { side, convertedToFront: side === 'end' },
      splits: splitReports,
      ids: crossSplitIds(splitData, splitReports, warnings),
      warnings,
      deviations,
    },
  };
}

function crossSplitIds(data: Record<Split, SplitData>, reports: Record<Split, SplitReport>, warnings: string[]): ImportReport['ids'] {
  const idSplits = new Map<string, Set<Split>>();
  const videoSplits = new Map<string, Set<Split>>();
  for (const split of SPLITS) {
    if (reports[split].ids.source === 'generated') continue;
    for (const id of data[split].ids) {
      (idSplits.get(id) ?? idSplits.set(id, new Set()).get(id))?.add(split);
      // MMSA ids are 'video$_$clip'; MulT id rows were joined with '|' and start with the video.
      const video = id.split('$_$')[0]?.split('|')[0] ?? id;
      (videoSplits.get(video) ?? videoSplits.set(video, new Set()).get(video))?.add(split);
    }
  }
  const dup = [...idSplits].filter(([, s]) => s.size > 1).map(([id]) => id);
  const vids = [...videoSplits].filter(([, s]) => s.size > 1).map(([v]) => v);
  if (dup.length > 0) warnings.push(`${dup.length} id(s) occur in more than one split, e.g. ${dup.slice(0, 3).join(', ')}`);
  if (vids.length > 0 && vids.length !== dup.length) {
    warnings.push(`${vids.length} video(s) have segments in more than one split, e.g. ${vids.slice(0, 3).join(', ')}`);
  }
  return { duplicatesAcrossSplits: dup.length, examples: dup.slice(0, 10), videosInSeveralSplits: vids.length, videoExamples: vids.slice(0, 10) };
}
