/** The inspector's view of one dataset: its summary, provenance, dims beside the paper's, and report. */
import { MODALITIES, type DatasetKind, type Modality } from '../../src-shared/domain';
import type { DatasetDetail, DatasetReport, DatasetSummary, DimComparison } from '../../src-shared/models';
import { dimNote, PAPER_DIMS } from '../engine/data/import/expectations';
import type { DatasetRow } from '../store/datasets-repo';

export function paperDims(kind: DatasetKind, dims: [number, number, number]): Record<Modality, DimComparison> {
  const out = {} as Record<Modality, DimComparison>;
  MODALITIES.forEach((m, i) => {
    const detected = dims[i]!;
    out[m] = { detected, paper: PAPER_DIMS[m], matchesPaper: detected === PAPER_DIMS[m], note: dimNote(kind, m, detected) };
  });
  return out;
}

export function detailOf(summary: DatasetSummary, row: DatasetRow | undefined, labels: DatasetDetail['labels'] = null): DatasetDetail {
  // The stored report is the importer's own JSON; DatasetReport mirrors its type (dataset-import.ts checks).
  const report = (row?.report ?? null) as DatasetReport | null;
  return {
    ...summary,
    format: row?.format ?? 'synthetic',
    labelDim: summary.kind === 'iemocap' ? 4 : 1,
    sourcePath: row?.sourcePath ?? null,
    sourceSize: row?.sourceSize ?? null,
    sourceSha256: row?.sourceSha256 ?? null,
    createdAt: row?.createdAt ?? null,
    paperDims: report?.dims ?? paperDims(summary.kind, summary.dims),
    report,
    labels,
  };
}
