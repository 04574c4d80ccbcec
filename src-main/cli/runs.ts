import { conditionName, metricName } from '../../src-shared/results/names';
import type { RunSummary } from '../../src-shared/models';
import { openWorkbench } from './context';
import { resultOptions, type ShowFlags } from './experiment';
import { asUsage, parseCli, renderResults, runIdList } from './results-text';
import { fixed, table } from './format';
import { summarize } from '../services/summaries';

/** What a reader must know before trusting a run's numbers: its error, a collapse, degenerate predictions. */
export function runNote(r: RunSummary): string {
  const parts = [r.error, r.outcome && r.outcome !== 'completed' ? r.outcome : null, r.degenerate ? `degenerate: ${r.degenerate}` : null];
  return parts.filter((p) => p).join('; ');
}

export function runsCommand(global: { home?: string }, opts: { json?: boolean }): void {
  const wb = openWorkbench(global.home);
  try {
    const runs = wb.store.runs.list().map((r) => summarize(wb.store, r));
    if (opts.json) {
      process.stdout.write(JSON.stringify(runs, null, 2) + '\n');
      return;
    }
    if (runs.length === 0) {
      process.stdout.write('no runs yet: `hrlf train --dataset synth-mosi --method lf-linear` starts one\n');
      return;
    }
    const complete = conditionName('l,a,v');
    process.stdout.write(
      table(
        ['id', 'dataset', 'method', 'seed', 'status', 'backend', 'epochs', `MAE ${complete}`, `Corr ${complete}`, `F1 ${complete}`, `F1 ${conditionName('avg')}`, 'note'],
        runs.map((r) => [
          r.id,
          r.dataset,
          r.method,
          r.seed,
          r.status,
          r.backend ?? '-',
          `${r.epochsDone}/${r.epochsPlanned}`,
          fixed(r.headline?.mae),
          fixed(r.headline?.corr),
          fixed(r.headline?.f1_non0 ?? r.headline?.mean_f1),
          fixed(r.headline?.avg_f1_non0),
          runNote(r),
        ]),
      ) +
        `\n(metrics as fractions in [0, 1]; F1 = ${metricName('f1_non0')}, IEMOCAP: the mean of the per-emotion ${metricName('f1')})\n`,
    );
  } finally {
    wb.close();
  }
}

/** `hrlf runs compare 3,5,7`: the runs.results operation, rendered like `experiment show`. */
export function runsCompareCommand(global: { home?: string }, ids: string, f: ShowFlags): void {
  const input = parseCli('runs.results', { runs: runIdList('<ids>', ids), ...resultOptions(f) });
  const wb = openWorkbench(global.home);
  try {
    const results = asUsage(() => wb.experiments.loadSelection(input).results);
    process.stdout.write(f.json ? JSON.stringify(results, null, 2) + '\n' : renderResults(results, { paper: f.paper === true }) + '\n');
  } finally {
    wb.close();
  }
}
