import { describeDegenerate } from '../../src-shared/metrics/degenerate';
import type { MetricRecord, RunDetail, RunSummary } from '../../src-shared/models';
import type { RunRow } from '../store/runs-repo';
import type { Store } from '../store/store';
import { predictionCheck } from './prediction-check';

/**
 * The few numbers a run list shows: complete-condition metrics and the paper's "Avg." F1.
 * Regression: MAE, Corr, Acc-7, Non0 Acc-2/F1; IEMOCAP: F1 per emotion and their mean.
 */
function headline(store: Store, id: number): MetricRecord | null {
  const evals = store.runs.evaluations(id).filter((e) => e.protocol === 'inter');
  const complete = evals.find((e) => e.condition === 'l,a,v');
  const avg = evals.find((e) => e.condition === 'avg');
  if (!complete) return null;
  const m = complete.metrics;
  if (typeof m.mae === 'number') {
    const r = m as MetricRecord;
    const out: MetricRecord = { mae: r.mae!, corr: r.corr!, acc7: r.acc7!, acc2_non0: r.acc2_non0!, f1_non0: r.f1_non0! };
    if (avg) out.avg_f1_non0 = (avg.metrics as MetricRecord).f1_non0!;
    return out;
  }
  const perEmotion = m as Record<string, MetricRecord>;
  const out: MetricRecord = {};
  for (const [emotion, v] of Object.entries(perEmotion)) out[`f1_${emotion}`] = v.f1!;
  const f1s = Object.values(perEmotion).map((v) => v.f1!);
  out.mean_f1 = f1s.reduce((a, b) => a + b, 0) / f1s.length;
  return out;
}

export function summarize(store: Store, row: RunRow): RunSummary {
  return {
    id: row.id,
    experimentId: row.experimentId,
    dataset: row.datasetId,
    method: row.method,
    seed: row.seed,
    status: row.status,
    backend: row.backend,
    epochsPlanned: row.epochsPlanned,
    epochsDone: row.epochsDone,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    error: row.error,
    outcome: row.outcome,
    headline: row.status === 'finished' ? headline(store, row.id) : null,
    degenerate: describeDegenerate(predictionCheck(store, row)?.findings ?? []),
    worker: row.worker,
  };
}

export function detail(store: Store, row: RunRow): RunDetail {
  return {
    ...summarize(store, row),
    config: row.config,
    configHash: row.configHash,
    codeVersion: row.codeVersion,
    datasetSha256: row.datasetSha256 ?? '',
    host: row.host,
    epochs: store.runs.epochs(row.id),
    evaluations: store.runs.evaluations(row.id),
    representations: store.runs.representations(row.id).map((r) => r.condition),
    predictionCheck: predictionCheck(store, row),
    teacherMetrics: store.runs.teacherMetrics(row.id) as RunDetail['teacherMetrics'] ?? null,
  };
}
