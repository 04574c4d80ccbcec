/**
 * Per-sample predictions of a run as CSV: run, condition, p, index, label, prediction.
 * Inter-modality rows name the remaining modalities and leave p empty; intra-modality rows have
 * condition "intra" and the drop ratio p. IEMOCAP rows carry label_<emotion> and pred_<emotion>
 * (the argmax of that emotion's two logits, 1 = present).
 */
import { spreadsheetCsv } from './csv';
import { IEMOCAP_EMOTIONS } from '../../src-shared/domain';
import type { Store } from '../store/store';

export class ExportError extends Error {}

export function predictionsCsv(store: Store, runId: number): string {
  const run = store.runs.get(runId);
  if (!run) throw new ExportError(`no run with id ${runId}`);
  const sets = store.runs.predictions(runId);
  if (sets.length === 0) throw new ExportError(`run ${runId} has no stored predictions (status: ${run.status})`);
  const classification = sets[0]!.width === 2 * IEMOCAP_EMOTIONS.length;
  const header = classification
    ? ['run', 'condition', 'p', 'index', ...IEMOCAP_EMOTIONS.map((e) => `label_${e}`), ...IEMOCAP_EMOTIONS.map((e) => `pred_${e}`)]
    : ['run', 'condition', 'p', 'index', 'label', 'prediction'];
  const rows: (string | number)[][] = [];
  for (const s of sets) {
    const condition = s.protocol === 'intra' ? 'intra' : s.condition;
    const p = s.protocol === 'intra' ? s.condition : '';
    for (let i = 0; i < s.n; i++) {
      if (classification) {
        const E = IEMOCAP_EMOTIONS.length;
        const labels = Array.from(s.labels.subarray(i * E, (i + 1) * E));
        const preds = IEMOCAP_EMOTIONS.map((_, e) => (s.values[i * 2 * E + 2 * e + 1]! > s.values[i * 2 * E + 2 * e]! ? 1 : 0));
        rows.push([runId, condition, p, i, ...labels, ...preds]);
      } else {
        rows.push([runId, condition, p, i, s.labels[i]!, s.values[i]!]);
      }
    }
  }
  return spreadsheetCsv([header, ...rows]);
}
