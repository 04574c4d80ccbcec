import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseInput } from '../../../src-shared/contract';
import { MODALITIES } from '../../../src-shared/domain';
import { PAPER_SCENARIO } from '../../../src-shared/results/scenario';
import { writeDatasetFile } from '../../../src-main/engine/data/dataset-file';
import { combinedMasks } from '../../../src-main/engine/data/masks';
import type { DatasetData, SplitData } from '../../../src-main/engine/types';
import { previewScenario } from '../../../src-main/services/scenario-preview';

const T = 20;
const dims: [number, number, number] = [3, 2, 4];

/** Every frame non-zero (1 + index), so a zero row in the preview is a dropped frame. */
function split(n: number): SplitData {
  const block = (d: number): Float32Array => Float32Array.from({ length: n * T * d }, (_, i) => 1 + (i % 7));
  return { n, ids: Array.from({ length: n }, (_, i) => `id${i}`), l: block(dims[0]), a: block(dims[1]), v: block(dims[2]), y: new Float32Array(n) };
}

function dataset(): string {
  const data: Omit<DatasetData, 'sha256'> = { name: 'prev', kind: 'mosi', task: 'regression', T, dims, labelDim: 1, train: split(2), valid: split(2), test: split(9) };
  const path = join(mkdtempSync(join(tmpdir(), 'hrlf-preview-')), 'prev.hrlfds');
  writeDatasetFile(path, data);
  return path;
}

const keptRows = (values: number[], cols: number): number[] =>
  Array.from({ length: values.length / cols }, (_, r) => (values.slice(r * cols, (r + 1) * cols).some((v) => v !== 0) ? 1 : 0));

describe('scenario preview', () => {
  const path = dataset();

  it('applies exactly the evaluation mask the engine draws for that test sample', () => {
    const input = parseInput('scenarios.preview', { dataset: 'prev', index: 4, spec: { ...PAPER_SCENARIO, evaluation: { ...PAPER_SCENARIO.evaluation, maskSeed: 7 } }, condition: 'l,v', p: 0.5 });
    const preview = previewScenario(path, input);
    const masks = combinedMasks('l,v', { dataset: 'prev', split: 'test', p: 0.5, maskSeed: 7 }, 9, T);
    for (const m of MODALITIES) {
      const expected = Array.from(masks[m].subarray(4 * T, 5 * T));
      expect(keptRows(preview.evaluation.modalities[m].values, dims[MODALITIES.indexOf(m)]!)).toEqual(expected);
      expect(preview.evaluation.keptFrames[m]).toBe(expected.filter((x) => x === 1).length);
      // The original's colour range, so the two pictures compare.
      expect(preview.evaluation.modalities[m].hi).toBe(preview.original[m].hi);
    }
    expect(preview.evaluation.keptFrames.a).toBe(0);
    expect(preview.sampleId).toBe('id4');
  });

  it('draws MSM from the chosen sets only, with p below the maximum', () => {
    for (let seed = 0; seed < 20; seed++) {
      const input = parseInput('scenarios.preview', {
        dataset: 'prev',
        spec: { training: { msm: { subsets: ['l', 'a,v'], maxDropRatio: 0.3 } } },
        condition: 'l,a,v',
        p: 0,
        msmSeed: seed,
      });
      const t = previewScenario(path, input).training;
      expect(['l', 'a,v']).toContain(t.subset);
      expect(t.p).toBeLessThan(0.3);
      for (const m of MODALITIES) if (!t.subset.split(',').includes(m)) expect(t.keptFrames[m]).toBe(0);
    }
  });
});
