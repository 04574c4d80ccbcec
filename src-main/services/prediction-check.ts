/**
 * The degenerate-prediction check of a finished run (src-shared/metrics/degenerate.ts): computed
 * from the stored test predictions the first time anyone asks, then kept in the run's row, so run
 * lists stay cheap and runs stored before the check existed get it too.
 */
import { checkPredictions, type PredictionCheck } from '../../src-shared/metrics/degenerate';
import type { RunRow } from '../store/runs-repo';
import type { Store } from '../store/store';

export function predictionCheck(store: Store, row: RunRow): PredictionCheck | null {
  if (row.status !== 'finished') return null;
  const stored = store.runs.predictionCheck(row.id) as PredictionCheck | null;
  if (stored) return stored;
  const check = checkPredictions(store.runs.predictions(row.id));
  store.runs.setPredictionCheck(row.id, check);
  return check;
}
