/**
 * Per-sample predictions of a run as CSV: run, condition, p, index, sample_id, label, prediction.
 * Inter-modality rows name the remaining modalities and leave p empty; intra-modality rows have
 * condition "intra" and the drop ratio p. IEMOCAP rows carry label_<emotion> and pred_<emotion>
 * (the argmax of that emotion's two logits, 1 = present).
 *
 * Labels and predictions are stored as float32; each is written as the shortest decimal that reads
 * back as the same float32 (-2.8, not the float64 widening -2.799999952316284).
 */
import { spreadsheetCsv } from './csv';
import { IEMOCAP_EMOTIONS } from '../../src-shared/domain';
import { readDatasetHeader } from '../engine/data/dataset-file';
import type { RunRow } from '../store/runs-repo';
import type { Store } from '../store/store';
import type { DatasetCatalog } from './datasets';

export class ExportError extends Error {}

/** The shortest decimal text of a float32 value that parses back to the same float32. */
export function float32Text(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const f = Math.fround(x);
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(f.toPrecision(digits));
    if (Math.fround(candidate) === f) return String(candidate);
  }
  return String(f);
}

/**
 * `testIds`: the sample ids of the run's test split, in stored order (the dataset file's); null
 * when they cannot be matched to the run (the column is then empty).
 */
export function predictionsCsv(store: Store, runId: number, testIds: readonly string[] | null): string {
  const run = store.runs.get(runId);
  if (!run) throw new ExportError(`no run with id ${runId}`);
  const sets = store.runs.predictions(runId);
  if (sets.length === 0) throw new ExportError(`run ${runId} has no stored predictions (status: ${run.status})`);
  const classification = sets[0]!.width === 2 * IEMOCAP_EMOTIONS.length;
  const header = classification
    ? ['run', 'condition', 'p', 'index', 'sample_id', ...IEMOCAP_EMOTIONS.map((e) => `label_${e}`), ...IEMOCAP_EMOTIONS.map((e) => `pred_${e}`)]
    : ['run', 'condition', 'p', 'index', 'sample_id', 'label', 'prediction'];
  const rows: (string | number)[][] = [];
  for (const s of sets) {
    const condition = s.protocol === 'intra' ? 'intra' : s.condition;
    const p = s.protocol === 'intra' ? s.condition : '';
    for (let i = 0; i < s.n; i++) {
      const id = testIds?.[i] ?? '';
      if (classification) {
        const E = IEMOCAP_EMOTIONS.length;
        const labels = Array.from(s.labels.subarray(i * E, (i + 1) * E), float32Text);
        const preds = IEMOCAP_EMOTIONS.map((_, e) => (s.values[i * 2 * E + 2 * e + 1]! > s.values[i * 2 * E + 2 * e]! ? 1 : 0));
        rows.push([runId, condition, p, i, id, ...labels, ...preds]);
      } else {
        rows.push([runId, condition, p, i, id, float32Text(s.labels[i]!), float32Text(s.values[i]!)]);
      }
    }
  }
  return spreadsheetCsv([header, ...rows]);
}

/**
 * The test split's sample ids in stored order, from the dataset file the run trained on (a built-in
 * is generated again if its file is gone: deterministic, the same SHA-256). Null, with the reason,
 * when the file is not the run's any more: another file's ids would be wrong, not just missing.
 */
export async function testSampleIds(catalog: DatasetCatalog, run: RunRow): Promise<{ ids: string[] | null; warning: string | null }> {
  try {
    const row = await catalog.ensureReady(run.datasetId);
    if (run.datasetSha256 !== null && row.sha256 !== run.datasetSha256) {
      return { ids: null, warning: `${run.datasetId} is not the file run ${run.id} trained on (sha256 ${row.sha256.slice(0, 12)}… vs ${run.datasetSha256.slice(0, 12)}…): sample_id left empty` };
    }
    return { ids: readDatasetHeader(row.path).splits.test.ids, warning: null };
  } catch (err) {
    return { ids: null, warning: `the sample ids of ${run.datasetId} are unavailable (${err instanceof Error ? err.message : String(err)}): sample_id left empty` };
  }
}
