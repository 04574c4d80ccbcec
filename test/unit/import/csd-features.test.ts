/**
 * Importing a folder of CMU-SDK computational sequences (.csd): the word alignment on hand-made
 * arrays, the choice of files, and whole imports of the fixtures written by gen_csd_fixtures.py
 * (real HDF5 from h5py), checked against the reference alignment that script computed in numpy.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Split } from '../../../src-shared/domain';
import { averageOverWords, placeFrontPadded, wordGrid, wordsInSegment } from '../../../src-main/engine/data/import/csd-align';
import { chooseRoles, classifyCsd, type CsdHeaderInfo } from '../../../src-main/engine/data/import/csd-roles';
import { ImportError, importDatasetFile, type ImportErrorCode } from '../../../src-main/engine/data/import';
import { FIXTURES, REAL } from './helpers';

const CSD = path.join(FIXTURES, 'csd');
const MOSI = path.join(CSD, 'mosi');
const BROKEN = path.join(CSD, 'broken');

interface SampleExpect {
  id: string;
  label: number;
  words: number;
  l: number;
  a: number;
  v: number;
  lastRow: { l: number[]; a: number[]; v: number[] };
}
interface CaseExpect {
  splits: Record<Split, SampleExpect[]>;
  counts: Record<'withoutWords' | 'truncated' | 'wordsWithoutAudio' | 'wordsWithoutVisual' | 'zeroLengthWords' | 'noFold', number>;
  audioNonFinite: Record<Split, { nan: number; posInf: number; negInf: number }>;
}
const expected = JSON.parse(readFileSync(path.join(CSD, 'expected_csd.json'), 'utf8')) as { T: number; dims: number[]; mosi: CaseExpect; withoutVideoB: CaseExpect };

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

/** A copy of the good folder without `drop`, plus files from broken/. */
function folder(drop: string[], add: string[] = []): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'hrlf-csd-'));
  temps.push(dir);
  cpSync(MOSI, dir, { recursive: true, filter: (src) => !drop.includes(path.basename(src)) });
  for (const f of add) cpSync(path.join(BROKEN, f), path.join(dir, f));
  return dir;
}

async function importError(dir: string, opts: Parameters<typeof importDatasetFile>[1] = {}): Promise<ImportError> {
  try {
    await importDatasetFile(dir, opts);
  } catch (e) {
    if (e instanceof ImportError) return e;
    throw e;
  }
  throw new Error(`${dir} imported; expected an ImportError`);
}

function sum(a: Float32Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i] as number;
  return s;
}

const f64 = (xs: number[]): Float64Array => Float64Array.from(xs);

describe('word alignment (csd-align)', () => {
  it('sorts the words by start time and skips zero-length words', () => {
    // rows: [2,3] [0,1] [1,1] (zero length) [1,2]
    const g = wordGrid(f64([2, 3, 0, 1, 1, 1, 1, 2]), 4);
    expect([...g.rows]).toEqual([1, 3, 0]);
    expect([...g.starts]).toEqual([0, 1, 2]);
    expect(g.zeroLength).toBe(1);
  });

  it('averages finer-rate rows over each word; a word without rows gets zeros and is counted', () => {
    const g = wordGrid(f64([0, 1, 1, 2, 5, 6]), 3);
    // frames (unsorted): [0.5,1.0]→10, [0,0.5]→2, [1.0,1.5]→4, [0.99999,1.0000001] touches both words by less than ε
    const frames = { n: 4, dim: 1, features: f64([10, 2, 4, 1000]), intervals: f64([0.5, 1.0, 0, 0.5, 1.0, 1.5, 0.999999, 1.0000001]) };
    const m = averageOverWords(g, frames);
    expect(m.values[0]).toBeCloseTo(6); // (10 + 2) / 2: the frame touching the boundary intersects by < ε
    expect(m.values[1]).toBeCloseTo(4);
    expect(m.values[2]).toBe(0);
    expect(m.missing).toBe(1);
  });

  it('gives a segment the words that intersect it by more than ε, straddling words to both sides', () => {
    const g = wordGrid(f64([0, 1, 1, 2, 2, 3]), 3);
    expect(wordsInSegment(g, 0, 1.5)).toEqual([0, 1]);
    expect(wordsInSegment(g, 1.5, 3)).toEqual([1, 2]);
    expect(wordsInSegment(g, 1, 2)).toEqual([1]); // touching words do not count
    expect(wordsInSegment(g, 1 + 4e-6, 2 - 4e-6)).toEqual([1]);
    expect(wordsInSegment(g, 3.5, 4)).toEqual([]);
    expect(wordsInSegment(g, 1, 1)).toEqual([]);
  });

  it('keeps the last T words and pads in front', () => {
    const values = f64([1, 2, 3, 4, 5]); // 5 words, dim 1
    const out = new Float32Array(8).fill(9);
    expect(placeFrontPadded(values, 1, [0, 1, 2, 3, 4], 3, out, 0)).toBe(true);
    expect([...out.subarray(0, 3)]).toEqual([3, 4, 5]);
    expect(placeFrontPadded(values, 1, [1, 3], 4, out, 3)).toBe(false);
    expect([...out.subarray(3, 7)]).toEqual([0, 0, 2, 4]);
    expect(out[7]).toBe(9);
  });
});

describe('which .csd is which (csd-roles)', () => {
  const h = (file: string, rootName: string, dim = 5, extra: Partial<CsdHeaderInfo> = {}): CsdHeaderInfo => ({
    file: `/d/${file}`,
    rootName,
    metaRootName: rootName,
    description: null,
    dim,
    numeric: true,
    ...extra,
  });

  it('recognises the SDK sequences by their names', () => {
    expect(classifyCsd(h('CMU_MOSI_TimestampedWordVectors.csd', 'glove_vectors', 300))).toMatchObject({ role: 'text', rank: 0 });
    expect(classifyCsd(h('CMU_MOSI_COVAREP.csd', 'COVAREP', 74))).toMatchObject({ role: 'audio', rank: 0 });
    expect(classifyCsd(h('CMU_MOSI_Visual_Facet_42.csd', 'FACET 4.2', 35))).toMatchObject({ role: 'visual', rank: 0 });
    expect(classifyCsd(h('CMU_MOSI_Visual_Facet_41.csd', 'FACET_4.1', 47))).toMatchObject({ role: 'visual', rank: 1 });
    expect(classifyCsd(h('CMU_MOSEI_VisualOpenFace2.csd', 'OpenFace_2', 709))).toMatchObject({ role: 'visual' });
    expect(classifyCsd(h('CMU_MOSI_Opinion_Labels.csd', 'Opinion Segment Labels', 1))).toMatchObject({ role: 'labels', rank: 0 });
    expect(classifyCsd(h('CMU_MOSEI_Labels.csd', 'All Labels', 7))).toMatchObject({ role: 'labels', rank: 1 });
    expect(classifyCsd(h('CMU_MOSI_openSMILE_IS09.csd', 'OpenSmile_IS09', 384))).toMatchObject({ role: 'audio', rank: 1 });
    expect(classifyCsd(h('CMU_MOSI_TimestampedWords.csd', 'words', 1, { numeric: false }))).toMatchObject({ role: null });
  });

  it('falls back to the file name, then to the width', () => {
    expect(classifyCsd(h('covarep.csd', 'seq'))).toMatchObject({ role: 'audio', reason: expect.stringMatching(/file name/) });
    expect(classifyCsd(h('a.csd', 'seq', 300))).toMatchObject({ role: 'text', reason: '300 features per row' });
    expect(classifyCsd(h('a.csd', 'seq', 35))).toMatchObject({ role: 'visual' });
    expect(classifyCsd(h('a.csd', 'seq', 12))).toMatchObject({ role: null });
  });

  it('refuses a root group and metadata root name that name different modalities', () => {
    expect(() => classifyCsd(h('x.csd', 'COVAREP', 5, { metaRootName: 'FACET 4.2' }))).toThrow(/root group is 'COVAREP' \(audio\)/);
  });

  it('prefers FACET 4.2 over OpenFace, and refuses two equally good candidates', () => {
    const base = [h('t.csd', 'glove_vectors'), h('a.csd', 'COVAREP'), h('l.csd', 'Opinion Segment Labels', 1)];
    const r = chooseRoles('/d', [...base, h('o.csd', 'OpenFace_2'), h('f.csd', 'FACET 4.2')]);
    expect(r.chosen.visual.rootName).toBe('FACET 4.2');
    expect(r.ignored).toEqual([{ file: '/d/o.csd', reason: expect.stringMatching(/another visual sequence is preferred: 'FACET 4.2'/) }]);
    expect(() => chooseRoles('/d', [...base, h('f1.csd', 'FACET 4.2'), h('f2.csd', 'FACET_4.2')])).toThrow(/2 equally good visual sequences/);
    expect(() => chooseRoles('/d', base)).toThrow(/has no visual sequence; expected facial features/);
  });
});

describe('importing the fixture folder', () => {
  it('builds word-aligned tensors equal to the reference alignment', async () => {
    const { data, report, format, kind } = await importDatasetFile(MOSI);
    expect(format).toBe('csd');
    expect(kind).toBe('mosi');
    expect(report.kindReason).toMatch(/dataset name/);
    expect(data.T).toBe(expected.T);
    expect(data.dims).toEqual(expected.dims);
    expect(data.name).toBe('mosi');
    const [dl, da, dv] = data.dims;
    for (const split of ['train', 'valid', 'test'] as const) {
      const want = expected.mosi.splits[split];
      const got = data[split];
      expect(got.ids).toEqual(want.map((s) => s.id));
      want.forEach((w, k) => {
        expect(got.y[k]).toBeCloseTo(w.label, 5);
        expect(sum(got.l, k * 50 * dl, (k + 1) * 50 * dl)).toBeCloseTo(w.l, 3);
        expect(sum(got.a, k * 50 * da, (k + 1) * 50 * da)).toBeCloseTo(w.a, 3);
        expect(sum(got.v, k * 50 * dv, (k + 1) * 50 * dv)).toBeCloseTo(w.v, 3);
        const last = (arr: Float32Array, d: number): number[] => [...arr.subarray((k + 1) * 50 * d - d, (k + 1) * 50 * d)];
        last(got.l, dl).forEach((x, i) => expect(x).toBeCloseTo(w.lastRow.l[i] ?? NaN, 5));
        last(got.a, da).forEach((x, i) => expect(x).toBeCloseTo(w.lastRow.a[i] ?? NaN, 5));
        last(got.v, dv).forEach((x, i) => expect(x).toBeCloseTo(w.lastRow.v[i] ?? NaN, 5));
        // Front padding: the first 50 − words rows are zero.
        const pad = Math.max(0, 50 - w.words);
        expect(sum(got.l.map(Math.abs), k * 50 * dl, (k * 50 + pad) * dl)).toBe(0);
      });
      expect(report.splits[split].modalities.a).toMatchObject(expected.mosi.audioNonFinite[split]);
      expect(report.splits[split].n).toBe(want.length);
      expect(report.splits[split].expectedN).toBe({ train: 1284, valid: 229, test: 686 }[split]);
    }
  });

  it('reports what the alignment did and which files it used', async () => {
    const { report } = await importDatasetFile(MOSI);
    const c = report.csd!;
    const e = expected.mosi.counts;
    expect(c.alignment).toMatchObject({
      T: 50,
      labelledVideos: 5,
      labelledSegments: 10,
      videosInNoFold: e.noFold,
      segmentsInNoFold: 1,
      segmentsWithoutWords: e.withoutWords,
      truncated: e.truncated,
      zeroLengthWords: e.zeroLengthWords,
      wordsWithoutAudio: e.wordsWithoutAudio,
      wordsWithoutVisual: e.wordsWithoutVisual,
      segmentsOfVideosWithoutFeatures: 0,
      imported: 8,
      perSplit: { train: { segments: 4, withoutWords: 1, truncated: 1 }, valid: { segments: 2 }, test: { segments: 2 } },
    });
    expect(c.sequences.map((s) => [s.role, s.rootName, s.dim])).toEqual([
      ['text', 'glove_vectors', 6],
      ['audio', 'COVAREP', 5],
      ['visual', 'FACET 4.2', 4],
      ['labels', 'Opinion Segment Labels', 1],
    ]);
    expect(c.ignored.map((i) => path.basename(i.file)).sort()).toEqual(['CMU_MOSI_TimestampedWords.csd', 'CMU_MOSI_Visual_OpenFace_2.csd']);
    expect(c.folds).toMatchObject({ source: 'bundled', videos: { train: 52, valid: 10, test: 31 } });
    expect(report.format).toBe('csd');
    expect(report.file).toBe(MOSI);
    expect(report.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(report.padding).toEqual({ side: 'front', convertedToFront: false });
    const w = report.warnings.join('\n');
    expect(w).toMatch(/1 segment intersects no word of 'glove_vectors': no features, left out/);
    expect(w).toMatch(/1 segment has more than 50 words: the first words were cut/);
    expect(w).toMatch(/1 labelled video \(1 segment\) in no fold of mosi_standard_folds\.json: left out, e\.g\. zz-not-in-any-fold/);
    expect(w).toMatch(/5 words have no FACET 4\.2 rows: zero visual rows there/);
    expect(w).toMatch(/ignored CMU_MOSI_TimestampedWords\.csd: holds strings/);
    expect(report.deviations.join('\n')).toMatch(/text features: 6-d/);
    // Same bytes, same fingerprint.
    expect((await importDatasetFile(MOSI)).report.sha256).toBe(report.sha256);
  });

  it('uses a folds file in the folder instead of the bundled folds', async () => {
    const { data, report } = await importDatasetFile(folder([], ['folds_custom.json']));
    expect(report.csd!.folds.source).toBe('folder');
    expect([data.train.n, data.valid.n, data.test.n]).toEqual([4, 2, 3]);
    expect(data.test.ids).toContain('zz-not-in-any-fold[0]');
    expect(report.csd!.alignment.videosInNoFold).toBe(0);
  });

  it('leaves out the segments of a video missing from one modality, and says so', async () => {
    const { data, report } = await importDatasetFile(folder(['CMU_MOSI_Visual_Facet_42.csd'], ['facet_missing_video.csd']));
    const want = expected.withoutVideoB;
    expect(data.train.ids).toEqual(want.splits.train.map((s) => s.id));
    expect(report.csd!.alignment).toMatchObject({ videosWithoutFeatures: { l: 0, a: 0, v: 1 }, segmentsOfVideosWithoutFeatures: 2, videoExamples: ['8d-gEyoeBzc'], wordsWithoutVisual: 0 });
    expect(report.warnings.join('\n')).toMatch(/labelled videos missing from a feature sequence \(text 0, audio 0, visual 1\): their 2 segments have no features and were left out, e\.g\. 8d-gEyoeBzc/);
  });
});

describe('folders that cannot be imported', () => {
  const cases: [string, () => string, ImportErrorCode, RegExp, Parameters<typeof importDatasetFile>[1]?][] = [
    ['a modality missing', () => folder(['CMU_MOSI_COVAREP.csd']), 'missing-modality', /has no audio sequence; expected acoustic features, e\.g\. COVAREP/],
    ['root group and metadata disagree', () => folder(['CMU_MOSI_COVAREP.csd'], ['covarep_root_mismatch.csd']), 'layout', /covarep_root_mismatch\.csd: COVAREP\/metadata\/root name: says 'FACET 4\.2'/],
    ['labels with 3 values per segment', () => folder(['CMU_MOSI_Opinion_Labels.csd'], ['labels_3col.csd']), 'label-shape', /labels_3col\.csd: Opinion Segment Labels\/data\/2iD-tVS8NPw\/features: has 3 values per segment; expected 1/],
    ['no segment matches a word', () => folder(['CMU_MOSI_Opinion_Labels.csd'], ['labels_elsewhere.csd']), 'alignment', /labels_elsewhere\.csd: Opinion Segment Labels\/data: no labelled segment could be aligned .* 9 intersect no word/],
    ['two top-level groups', () => folder(['CMU_MOSI_COVAREP.csd'], ['two_roots.csd']), 'layout', /two_roots\.csd: has 2 top-level groups/],
    ['a Git LFS pointer', () => folder([], ['glove_lfs_pointer.csd']), 'lfs-pointer', /glove_lfs_pointer\.csd: is a Git LFS pointer/],
    ['two folds files', () => {
      const d = folder([], ['folds_custom.json']);
      cpSync(path.join(BROKEN, 'folds_custom.json'), path.join(d, 'folds_other.json'));
      return d;
    }, 'ambiguous', /holds 2 folds files/],
    ['no .csd files', () => {
      const d = mkdtempSync(path.join(tmpdir(), 'hrlf-csd-empty-'));
      temps.push(d);
      mkdirSync(path.join(d, 'sub'));
      return d;
    }, 'missing-modality', /is a folder with no \.csd files/],
    ['--kind iemocap', () => MOSI, 'label-shape', /IEMOCAP, a classification task/, { kind: 'iemocap' }],
    ['--format mult on a folder', () => MOSI, 'unsupported-format', /is a folder; --format mult reads one pickle file/, { format: 'mult' }],
  ];

  it.each(cases)('%s', async (_name, make, code, message, opts) => {
    const e = await importError(make(), opts);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });

  it('explains that a single .csd file is one sequence, not a dataset', async () => {
    const e = await importError(path.join(REAL, 'cmu-mosi-labels/CMU_MOSI_Opinion_Labels.csd'));
    expect(e.code).toBe('unsupported-format');
    expect(e.message).toMatch(/is an HDF5 file, i\.e\. one CMU-MultimodalSDK computational sequence .* import the folder/);
  });
});
