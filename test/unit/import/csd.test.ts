import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { csdLabelTable, readCsd, readFolds, type CsdSequence } from '../../../src-main/engine/data/import';
import { BUNDLED_DATASETS, REAL } from './helpers';

const CSD = path.join(REAL, 'cmu-mosi-labels/CMU_MOSI_Opinion_Labels.csd');
const FOLDS = path.join(BUNDLED_DATASETS, 'mosi_standard_folds.json');
const CSV = path.join(BUNDLED_DATASETS, 'mosi_labels.csv');

interface CsvRow {
  video: string;
  row: number;
  start: number;
  end: number;
  label: number;
  split: string;
}

function readCsv(): CsvRow[] {
  const [header, ...lines] = readFileSync(CSV, 'utf8').trim().split('\n');
  expect(header).toBe('video_id,row_in_csd,start_s,end_s,label,split');
  return lines.map((l) => {
    const [video = '', row = '', start = '', end = '', label = '', split = ''] = l.split(',');
    return { video, row: Number(row), start: Number(start), end: Number(end), label: Number(label), split };
  });
}

describe('CMU-SDK .csd: the real MOSI opinion labels', () => {
  let seq: CsdSequence;

  it('reads 93 videos and 2199 segments with the metadata', async () => {
    seq = await readCsd(CSD);
    expect(seq.rootName).toBe('Opinion Segment Labels');
    expect(seq.videos).toHaveLength(93);
    expect(seq.segments).toBe(2199);
    expect(seq.videos.every((v) => v.featureDim === 1 && typeof v.id === 'string')).toBe(true);
    // Metadata values are JSON text: strings keep quotes, numbers and literals are bare; extra keys kept.
    expect(seq.metadata['root name']).toBe('Opinion Segment Labels');
    expect(seq.metadata['dataset name']).toBe('CMU-MOSI');
    expect(seq.metadata['computational sequence version']).toBe(1);
    expect(seq.metadata['alignment compatible']).toBe(true);
    expect(seq.metadata.md5).toBeNull();
    expect(seq.metadata.uuid).toBe('964b6049-a6f0-4cb8-a647-be87e255fe38');
    expect(seq.dimensionNames).toEqual(['sentiment score']);
  });

  it('agrees with mosi_labels.csv row by row, with the standard folds', async () => {
    seq ??= await readCsd(CSD);
    const folds = readFolds(FOLDS);
    expect([folds.train.length, folds.valid.length, folds.test.length]).toEqual([52, 10, 31]);
    const table = csdLabelTable(seq, folds);
    const csv = readCsv();
    expect(table).toHaveLength(csv.length);
    const byKey = new Map(table.map((r) => [`${r.videoId}#${r.row}`, r]));
    for (const c of csv) {
      const r = byKey.get(`${c.video}#${c.row}`);
      expect(r, `${c.video} row ${c.row}`).toBeDefined();
      if (!r) continue;
      expect(r.label).toBeCloseTo(c.label, 5);
      expect(r.start).toBeCloseTo(c.start, 3);
      expect(r.end).toBeCloseTo(c.end, 3);
      expect(r.split).toBe(c.split);
    }
    const counts = { train: 0, valid: 0, test: 0 };
    for (const r of table) if (r.split) counts[r.split]++;
    expect(counts).toEqual({ train: 1284, valid: 229, test: 686 });
    // datasets.md §10.4: test has 379 negative, 30 zero, 277 positive labels.
    const test = table.filter((r) => r.split === 'test');
    expect([test.filter((r) => r.label < 0).length, test.filter((r) => r.label === 0).length, test.filter((r) => r.label > 0).length]).toEqual([
      379, 30, 277,
    ]);
    expect(table.every((r) => r.label >= -3 && r.label <= 3)).toBe(true);
  });
});
