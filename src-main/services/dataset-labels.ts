/**
 * The label summary of a stored dataset per split (value range, sign counts, Acc-7 classes or the
 * emotions present), read from the file's label blocks only: built-in datasets have no import
 * report, and the dataset page shows every dataset's label histogram.
 */
import { closeSync, openSync } from 'node:fs';
import { SPLITS, type DatasetKind, type Split } from '../../src-shared/domain';
import type { LabelReportData } from '../../src-shared/models';
import { readDatasetHeader } from '../engine/data/dataset-file';
import { Extractor } from '../engine/data/import/extract';
import { buildLabels } from '../engine/data/import/labels';
import { blockOffset, readFloats } from './dataset-sample';

export function labelSummary(path: string, kind: DatasetKind): Record<Split, LabelReportData> {
  const h = readDatasetHeader(path);
  const fd = openSync(path, 'r');
  try {
    const out = {} as Record<Split, LabelReportData>;
    for (const split of SPLITS) {
      const n = h.splits[split].n;
      const data = readFloats(fd, blockOffset(h, split, 'y'), n * h.labelDim);
      const shape = [n, h.labelDim];
      out[split] = buildLabels({ shape, data, sourceDtype: '<f4' }, kind, `${split}.labels`, new Extractor(path)).report;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}
