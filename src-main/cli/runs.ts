import { openWorkbench } from './context';
import { fixed, table } from './format';
import { summarize } from '../services/summaries';

export function runsCommand(global: { home?: string }, opts: { json?: boolean }): void {
  const wb = openWorkbench(global.home);
  try {
    const runs = wb.store.runs.list().map((r) => summarize(wb.store, r));
    if (opts.json) {
      process.stdout.write(JSON.stringify(runs, null, 2) + '\n');
      return;
    }
    process.stdout.write(
      table(
        ['id', 'dataset', 'method', 'seed', 'status', 'backend', 'epochs', 'MAE', 'Corr', 'F1 (l,a,v)', 'F1 Avg.', 'note'],
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
          r.error ?? (r.outcome && r.outcome !== 'completed' ? r.outcome : ''),
        ]),
      ) + '\n',
    );
  } finally {
    wb.close();
  }
}
