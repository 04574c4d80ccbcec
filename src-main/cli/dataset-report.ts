/** `hrlf datasets show ID` as text: provenance, dims beside the paper's, and the validation report. */
import { IEMOCAP_EMOTIONS, MODALITIES, SPLITS } from '../../src-shared/domain';
import { basename } from 'node:path';
import type { CsdImportData, DatasetDetail, DatasetReport } from '../../src-shared/models';
import { table } from './format';

const MODALITY_NAMES = { l: 'text', a: 'audio', v: 'vision' } as const;

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

function num(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(3);
}

function dimsTable(d: DatasetDetail): string {
  return table(
    ['modality', 'dims', 'paper', 'note'],
    MODALITIES.map((m) => {
      const c = d.paperDims[m];
      return [`${m} (${MODALITY_NAMES[m]})`, c.detected, c.paper, c.matchesPaper ? 'matches the paper' : (c.note ?? '')];
    }),
  );
}

function modalitiesTable(r: DatasetReport): string {
  const rows = SPLITS.flatMap((split) =>
    MODALITIES.map((m) => {
      const x = r.splits[split].modalities[m];
      return [split, m, `${r.splits[split].key}.${x.key}`, x.sourceDtype, `[${x.shape.join(', ')}]`, x.nan, x.posInf, x.negInf, x.allZeroSamples, num(x.min), num(x.max)];
    }),
  );
  return table(['split', 'mod', 'key', 'dtype', 'shape', 'NaN', '+inf', '-inf', 'all-zero samples', 'min', 'max'], rows);
}

function labelsTable(r: DatasetReport): string {
  if (r.task === 'regression') {
    const rows = SPLITS.map((split) => {
      const l = r.splits[split].labels;
      if (l.task !== 'regression') return [split];
      return [split, `${l.key} [${l.sourceShape.join(', ')}]`, num(l.min), num(l.max), num(l.mean), `${l.negative}/${l.zero}/${l.positive}`, l.classCounts.join(' ')];
    });
    return table(['split', 'key', 'min', 'max', 'mean', 'neg/zero/pos', 'Acc-7 classes -3 … 3'], rows);
  }
  const rows = SPLITS.map((split) => {
    const l = r.splits[split].labels;
    if (l.task !== 'classification') return [split];
    const per = l.positivesPerSample;
    return [split, `${l.key} [${l.sourceShape.join(', ')}]`, ...IEMOCAP_EMOTIONS.map((e) => l.positives[e]), `${per['0'] ?? 0}/${per['1'] ?? 0}/${per['2+'] ?? 0}`];
  });
  return table(['split', 'key', ...IEMOCAP_EMOTIONS, 'samples with 0/1/2+ emotions'], rows);
}

/** A .csd folder import: the sequences used and what the word alignment did. */
function csdLines(c: CsdImportData): string[] {
  const a = c.alignment;
  return [
    'Computational sequences:',
    table(
      ['role', 'root name', 'file', 'videos', 'dims', 'dtype', 'size', 'chosen by'],
      c.sequences.map((s) => [s.role, s.rootName, basename(s.file), s.videos, s.dim, s.dtype, bytes(s.bytes), s.reason]),
    ),
    ...c.ignored.map((i) => `ignored ${basename(i.file)}: ${i.reason}`),
    `folds: ${c.folds.source} ${c.folds.file} (videos ${c.folds.videos.train}/${c.folds.videos.valid}/${c.folds.videos.test})`,
    `alignment (T ${a.T}, epsilon ${a.epsilon}): ${a.labelledSegments} labelled segments in ${a.labelledVideos} videos → ${a.imported} imported (${a.padded} padded in front, ${a.truncated} truncated to the last ${a.T} words)`,
    `  left out: ${a.segmentsInNoFold} in videos in no fold, ${a.segmentsOfVideosWithoutFeatures} in videos without features (text/audio/visual ${a.videosWithoutFeatures.l}/${a.videosWithoutFeatures.a}/${a.videosWithoutFeatures.v} videos), ${a.segmentsWithoutWords} intersecting no word, ${a.zeroLengthSegments} of zero length`,
    `  words: ${a.zeroLengthWords} of zero length skipped; ${a.wordsWithoutAudio} without audio rows, ${a.wordsWithoutVisual} without visual rows (zero rows)`,
  ];
}

export function renderDataset(d: DatasetDetail): string {
  const out: string[] = [];
  out.push(`${d.id}: ${d.name} (${d.kind}, ${d.task}, ${d.builtin ? 'built-in synthetic' : `imported, ${d.format} layout`})`);
  out.push(d.description);
  if (d.sourcePath) out.push(`source: ${d.sourcePath} (${bytes(d.sourceSize ?? 0)}, sha256 ${d.sourceSha256})`);
  out.push(`stored data: sha256 ${d.sha256 ?? '(not generated yet)'}${d.createdAt ? `, ${d.createdAt}` : ''}`);
  out.push(`T ${d.T}; train/valid/test ${d.splits.train}/${d.splits.valid}/${d.splits.test}; label dim ${d.labelDim}`, '');
  out.push('Feature dims beside the HRLF paper (§4.2):', dimsTable(d), '');
  const r = d.report;
  if (!r) {
    out.push('No import report: built-in datasets are generated, not imported.');
    return out.join('\n') + '\n';
  }
  out.push(`format: ${r.format} (${r.formatReason}); kind: ${r.kind} (${r.kindReason})`);
  if (r.csd) out.push(...csdLines(r.csd));
  else out.push(`pickle: protocol ${r.pickle.protocol}, written by ${r.pickle.numpyWriter}; globals: ${r.pickle.globals.join(', ') || 'none'}`);
  if (r.verifiedRelease) out.push(`SHA-256 matches the published release ${r.verifiedRelease}`);
  out.push(`padding: ${r.padding.side}${r.padding.convertedToFront ? ' (moved to the front, the workbench convention)' : ''}`, '');
  out.push(
    'Splits:',
    table(
      ['split', 'key', 'n', 'published n', 'ids', 'duplicate ids'],
      SPLITS.map((s) => {
        const x = r.splits[s];
        return [s, x.key, x.n, x.expectedN ?? '-', x.ids.source, x.ids.duplicatesWithinSplit];
      }),
    ),
    `ids in more than one split: ${r.ids.duplicatesAcrossSplits}${r.ids.examples.length ? ` (e.g. ${r.ids.examples.join(', ')})` : ''}; videos in more than one split: ${r.ids.videosInSeveralSplits}`,
    '',
  );
  out.push('Modalities (non-finite values were replaced by 0 and are counted here):', modalitiesTable(r), '');
  out.push(`Labels (${r.task}):`, labelsTable(r), '');
  if (r.deviations.length) out.push('Deviations from the paper:', ...r.deviations.map((w) => `  - ${w}`), '');
  out.push(r.warnings.length ? 'Warnings:' : 'Warnings: none', ...r.warnings.map((w) => `  - ${w}`));
  return out.join('\n') + '\n';
}
