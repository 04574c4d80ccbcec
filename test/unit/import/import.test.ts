import { describe, expect, it } from 'vitest';
import { MODALITIES, SPLITS } from '../../../src-shared/domain';
import { ImportError, importDatasetFile, inspectPickleFile, type ImportOptions } from '../../../src-main/engine/data/import';
import path from 'node:path';
import { REAL, expected, finiteSum, fixture, validFixtures } from './helpers';

async function importError(name: string, options: ImportOptions = {}): Promise<ImportError> {
  const err = await importDatasetFile(fixture(name), options).catch((e: unknown) => e);
  if (!(err instanceof ImportError)) throw new Error(`expected an ImportError for ${name}, got ${String(err)}`);
  return err;
}

describe('importDatasetFile: valid files', () => {
  for (const [name, exp] of validFixtures()) {
    it(`${name}: counts, sums, non-finite counts, labels`, async () => {
      const { data, report, format, kind } = await importDatasetFile(fixture(name), { chunkSize: 11, lazyThreshold: 32 });
      expect(format).toBe(exp.format);
      expect(kind).toBe(exp.kind);
      expect(data.kind).toBe(exp.kind);
      expect(data.task).toBe(exp.kind === 'iemocap' ? 'classification' : 'regression');
      expect(data.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(report.sha256).toBe(data.sha256);
      for (const split of SPLITS) {
        const e = exp.splits?.[split];
        if (!e) throw new Error('no expectations');
        const s = data[split];
        expect(s.n).toBe(e.n);
        expect(s.ids).toHaveLength(e.n);
        const r = report.splits[split];
        expect(r.n).toBe(e.n);
        for (const m of MODALITIES) {
          const arr = s[m];
          expect(arr).toBeInstanceOf(Float32Array);
          expect(arr.length).toBe(e[m].shape.reduce((a, b) => a * b, 1));
          expect(arr.every(Number.isFinite)).toBe(true);
          expect(finiteSum(arr)).toBeCloseTo(e[m].sum, 3);
          expect(r.modalities[m].nan).toBe(e[m].nan);
          expect(r.modalities[m].posInf).toBe(e[m].posInf);
          expect(r.modalities[m].negInf).toBe(e[m].negInf);
          expect(r.modalities[m].allZeroSamples).toBe(e[m].allZeroSamples);
          expect(r.modalities[m].shape).toEqual(e[m].shape);
        }
        if (data.task === 'regression') {
          expect(Array.from(s.y)).toEqual(e.labels.map((row) => Math.fround(row[0] ?? NaN)));
        } else {
          // [N, 4, 2] → argmax over the pair: present when the second entry is larger.
          const want = e.labels.flatMap((row) => [0, 1, 2, 3].map((k) => ((row[2 * k + 1] ?? 0) > (row[2 * k] ?? 0) ? 1 : 0)));
          expect(Array.from(s.y)).toEqual(want);
        }
      }
      expect(data.T).toBe(exp.splits?.train.l.shape[1]);
      expect(data.dims).toEqual([exp.splits?.train.l.shape[2], exp.splits?.train.a.shape[2], exp.splits?.train.v.shape[2]]);
      // The report is plain data.
      expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    });
  }

  it('reports the MulT MOSI file in detail', async () => {
    const { data, report } = await importDatasetFile(fixture('mult_mosi_p4_float64.pkl'));
    expect(data.name).toBe('mult_mosi_p4_float64');
    expect(data.labelDim).toBe(1);
    expect(report.format).toBe('mult');
    expect(report.kindReason).toMatch(/mosi/);
    expect(report.pickle).toEqual({
      protocol: 4,
      numpyWriter: 'numpy 1.x (numpy.core)',
      globals: ['numpy.core.multiarray._reconstruct', 'numpy.ndarray', 'numpy.dtype'],
    });
    expect(report.splits.train.modalities.a.sourceDtype).toBe('<f8');
    expect(report.splits.train.modalities.a.negInf).toBe(2);
    expect(report.splits.test.modalities.v.nan).toBe(1);
    expect(report.splits.test.modalities.v.allZeroSamples).toBe(1);
    // MOSI's 5/20 dims against the paper's 74/35, with the explanation.
    expect(report.dims.a).toMatchObject({ detected: 5, paper: 74, matchesPaper: false });
    expect(report.dims.a.note).toMatch(/feature selection/);
    expect(report.dims.v).toMatchObject({ detected: 20, paper: 35, matchesPaper: false });
    expect(report.deviations.some((d) => d.startsWith('audio features: 5-d'))).toBe(true);
    // Counts against the published MOSI split sizes.
    expect(report.splits.train.expectedN).toBe(1284);
    expect(report.warnings.some((w) => w.includes('train has 4 samples; published MOSI files have 1284'))).toBe(true);
    // ids: MulT [N, 3] byte strings joined; one planted duplicate across train/test.
    expect(data.train.ids[0]).toBe('vid0|0|1');
    expect(report.ids.duplicatesAcrossSplits).toBe(1);
    expect(report.ids.examples).toEqual(['vid0|0|1']);
    // Front padding (MulT) is kept; lengths are read from the text rows.
    expect(report.padding).toEqual({ side: 'front', convertedToFront: false });
    expect(Object.values(report.splits.train.lengthHistogram).reduce((a, b) => a + b, 0)).toBe(4);
    expect(report.splits.train.lengthHistogram['5']).toBeGreaterThanOrEqual(1);
    // Labels: range and histogram.
    const lab = report.splits.train.labels;
    if (lab.task !== 'regression') throw new Error('task');
    expect(lab.zero).toBeGreaterThanOrEqual(1);
    expect(lab.classCounts).toHaveLength(7);
    expect(lab.classCounts.reduce((a, b) => a + b, 0)).toBe(4);
    expect(lab.min).toBeGreaterThanOrEqual(-3);
    expect(lab.max).toBeLessThanOrEqual(3);
  });

  it('reports IEMOCAP emotions, including samples with none or several present', async () => {
    const { data, report } = await importDatasetFile(fixture('mult_iemocap_p4.pkl'));
    expect(data.labelDim).toBe(4);
    expect(data.task).toBe('classification');
    const lab = report.splits.train.labels;
    if (lab.task !== 'classification') throw new Error('task');
    expect(lab.positivesPerSample).toEqual({ '0': 1, '1': 2, '2+': 1 });
    expect(lab.positives.Neutral).toBe(2);
    expect(report.warnings.some((w) => /no emotion present/.test(w))).toBe(true);
  });

  it('detects MOSEI from the MulT file name and generates ids when the file has none', async () => {
    const { data, report } = await importDatasetFile(fixture('mult_mosei_senti_noid_p4.pkl'));
    expect(data.kind).toBe('mosei');
    expect(report.kindReason).toBe("file name contains 'mosei'");
    expect(report.splits.valid.ids.source).toBe('generated');
    expect(data.valid.ids).toEqual(['valid-0', 'valid-1', 'valid-2']);
  });

  it('converts MMSA end padding to front padding and keeps every row', async () => {
    const { data, report } = await importDatasetFile(fixture('mmsa_aligned_p4.pkl'), { chunkSize: 9, lazyThreshold: 0 });
    expect(report.format).toBe('mmsa');
    expect(report.padding).toEqual({ side: 'end', convertedToFront: true });
    const lengths = expected.mmsa_lengths['4/train'] ?? [];
    const T = data.T;
    const D = data.dims[0];
    lengths.forEach((len, s) => {
      const sample = data.train.l.subarray(s * T * D, (s + 1) * T * D);
      for (let t = 0; t < T; t++) {
        const row = sample.subarray(t * D, (t + 1) * D);
        expect(row.some((v) => v !== 0)).toBe(t >= T - len);
      }
    });
    const hist: Record<string, number> = {};
    for (const len of lengths) hist[String(len)] = (hist[String(len)] ?? 0) + 1;
    expect(report.splits.train.lengthHistogram).toEqual(hist);
    expect(data.train.ids[0]).toBe('videotrain0$_$1');
    // Clips of one video share it; no video crosses splits in this file.
    expect(report.ids.videosInSeveralSplits).toBe(0);
    expect(report.splits.train.labels.key).toBe('train.regression_labels');
  });

  it('accepts overrides of kind and format', async () => {
    const { data, report } = await importDatasetFile(fixture('mult_mosi_p5_float32.pkl'), { kind: 'mosei', format: 'mult', name: 'x' });
    expect(data.kind).toBe('mosei');
    expect(data.name).toBe('x');
    expect(report.kindReason).toBe('given by the caller');
  });

  it('shows the key tree of any pickle', async () => {
    const tree = await inspectPickleFile(fixture('mmsa_aligned_p4.pkl'));
    expect(tree).toContain('train: dict');
    expect(tree).toContain('  text_bert: ndarray <i8 [4, 3, 5]');
    expect(tree).toContain('  raw_text: list[4] of str');
  });

  it('reports progress', async () => {
    const phases: string[] = [];
    await importDatasetFile(fixture('mult_mosi_p5_float32.pkl'), { onProgress: (p) => phases.push(p.phase) });
    expect(phases.at(-1)).toBe('check');
  });
});

describe('importDatasetFile: broken files name the file, the key path and what was expected', () => {
  const cases: [string, ImportError['code'], string, RegExp][] = [
    ['broken_truncated.pkl', 'truncated', '', /is truncated \(file ends at byte \d+ .*\); the download or copy is probably incomplete/],
    ['broken_toplevel_list.pkl', 'layout', '', /top level is a list; expected a dict with keys train, valid and test/],
    ['broken_missing_split.pkl', 'missing-split', 'valid', /missing split 'valid'.*keys present: train, test/],
    ['broken_ragged.pkl', 'ragged', 'train.audio', /ragged: sample 1 has shape \[4, 3\] but sample 0 has \[5, 3\]/],
    ['broken_dims_differ.pkl', 'shape', 'valid.vision', /has 2 features per step but train.vision has 3/],
    ['broken_labels_out_of_range.pkl', 'labels', 'test.labels', /label 4.5 of sample 2 is outside \[-3, 3\]/],
    ['broken_label_shape.pkl', 'label-shape', 'train.labels', /has shape \[4, 2\]; expected \[N, 1, 1\] or \[N\]/],
    ['broken_unaligned_noalign.pkl', 'unaligned', 'train.audio', /has 8 time steps but train.text has 5: this is an unaligned file/],
    ['broken_unknown_layout.pkl', 'layout', '', /unrecognised pickle layout[\s\S]*keys found:[\s\S]*features: ndarray <f4 \[4, 5, 4\]/],
    ['broken_text_renamed.pkl', 'not-pickle', '', /is a text file, not a pickle; expected a MulT or MMSA dataset pickle/],
    ['broken_empty.pkl', 'empty', '', /the file is empty/],
    ['broken_lfs_pointer.pkl', 'lfs-pointer', '', /Git LFS pointer.*git lfs pull/],
    ['broken_os_system.pkl', 'unsafe', '', /refused: the pickle references the global 'os\.system'/],
    ['broken_out_of_band_p5.pkl', 'unsupported-format', '', /out-of-band buffers/],
    ['mmsa_token_ids_only.pkl', 'token-ids', 'train.text', /only 'text_bert'.*token ids.*\[N, T, 768\]/],
    ['mmsa_text_is_token_ids.pkl', 'token-ids', 'train.text', /has shape \[4, 3, 5\] with integer values, i\.e\. token ids/],
  ];
  for (const [name, code, keyPath, message] of cases) {
    it(`${name} → ${code}`, async () => {
      const err = await importError(name);
      expect(err.code).toBe(code);
      expect(err.keyPath).toBe(keyPath);
      expect(err.message).toMatch(message);
      expect(err.message.startsWith(fixture(name))).toBe(true);
      if (keyPath) expect(err.message).toContain(`: ${keyPath}: `);
    });
  }

  it('refuses a kind whose task does not fit the labels', async () => {
    const err = await importError('mult_mosi_p5_float32.pkl', { kind: 'iemocap' });
    expect(err.code).toBe('label-shape');
    expect(err.keyPath).toBe('train.labels');
    expect(err.message).toMatch(/IEMOCAP \(classification\) expects \[N, 4, 2\]/);
    const err2 = await importError('mult_iemocap_p4.pkl', { kind: 'mosi' });
    expect(err2.message).toMatch(/MOSI \(regression\) expects \[N, 1, 1\]/);
  });

  it('refuses .csd files with an explanation', async () => {
    const err = await importDatasetFile(path.join(REAL, 'cmu-mosi-labels/CMU_MOSI_Opinion_Labels.csd')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportError);
    expect((err as ImportError).message).toMatch(/HDF5.*computational sequence.*import the folder/);
  });
});
