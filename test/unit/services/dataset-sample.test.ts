import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SPLITS } from '../../../src-shared/domain';
import { writeDatasetFile } from '../../../src-main/engine/data/dataset-file';
import type { DatasetData, SplitData } from '../../../src-main/engine/types';
import { readSample, SampleIndexError, toMatrix } from '../../../src-main/services/dataset-sample';

const T = 4;
const dims: [number, number, number] = [3, 2, 300];

/** Every value encodes where it sits: split, sample, modality, step, feature. */
function value(s: number, i: number, m: number, t: number, k: number): number {
  return s * 1000 + i * 100 + m * 10 + t + k / 1000;
}

function split(s: number, n: number): SplitData {
  const block = (m: number): Float32Array => {
    const d = dims[m]!;
    const out = new Float32Array(n * T * d);
    for (let i = 0; i < n; i++) for (let t = 0; t < T; t++) for (let k = 0; k < d; k++) out[(i * T + t) * d + k] = t === 0 ? 0 : value(s, i, m, t, k);
    return out;
  };
  return { n, ids: Array.from({ length: n }, (_, i) => `s${s}-${i}`), l: block(0), a: block(1), v: block(2), y: Float32Array.from({ length: n }, (_, i) => i - s - 0.5) };
}

function dataset(): string {
  const data: Omit<DatasetData, 'sha256'> = { name: 't', kind: 'mosi', task: 'regression', T, dims, labelDim: 1, train: split(0, 3), valid: split(1, 2), test: split(2, 5) };
  const path = join(mkdtempSync(join(tmpdir(), 'hrlf-sample-')), 't.hrlfds');
  writeDatasetFile(path, data);
  return path;
}

describe('reading one sample from a stored dataset', () => {
  const path = dataset();

  it('reads the right block of every split and modality', () => {
    SPLITS.forEach((sp, s) => {
      const n = [3, 2, 5][s]!;
      for (const i of [0, n - 1]) {
        const sample = readSample(path, sp, i);
        expect(sample.n).toBe(n);
        expect(sample.sampleId).toBe(`s${s}-${i}`);
        expect(sample.label).toEqual([i - s - 0.5]);
        const l = sample.modalities.l;
        expect([l.rows, l.cols, l.T, l.d, l.paddingSteps]).toEqual([T, 3, T, 3, 1]);
        expect(l.values[1 * 3 + 2]).toBeCloseTo(value(s, i, 0, 1, 2), 2);
        expect(sample.modalities.a.values[3 * 2 + 1]).toBeCloseTo(value(s, i, 1, 3, 1), 2);
      }
    });
  });

  it('mean-pools wide features for display', () => {
    const v = readSample(path, 'test', 4).modalities.v;
    expect([v.rows, v.cols, v.colStride, v.rowStride, v.d]).toEqual([T, 100, 3, 1, 300]);
    // Cell (step 2, columns 30..32) is the mean of features 90, 91, 92 (shown to 4 significant digits).
    expect(v.values[2 * 100 + 30]).toBeCloseTo(value(2, 4, 2, 2, 91), 0);
  });

  it('refuses an index past the end of the split', () => {
    expect(() => readSample(path, 'valid', 2)).toThrow(SampleIndexError);
    expect(() => readSample(path, 'valid', 2)).toThrow(/valid has 2 samples/);
  });

  it('puts the colour range at the percentiles, not at one outlier', () => {
    const block = new Float32Array(200).map((_, k) => (k === 0 ? 1000 : (k % 10) - 5));
    const m = toMatrix(block, 2, 100);
    expect(m.max).toBe(1000);
    expect(m.hi).toBeLessThan(10);
    expect(m.lo).toBe(-5);
  });
});
