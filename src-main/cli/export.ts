import { exportExperiment, exportSelection } from '../services/experiment-export';
import { ExportError, predictionsCsv, testSampleIds } from '../services/exports';
import { openWorkbench, UsageError } from './context';
import { experimentId, resultOptions } from './experiment';
import { asUsage, parseCli, runIdList } from './results-text';
import { writeOutput } from './write-out';

export interface ExportFlags {
  run?: string;
  runs?: string;
  predictions?: boolean;
  experiment?: string;
  format?: string;
  reference?: string;
  test?: string;
  table?: string;
  metric?: string;
  marks?: string;
  paperRows?: boolean;
  out?: string;
}

function emit(content: string, out: string | undefined): void {
  if (out) writeOutput(out, content);
  else process.stdout.write(content);
}

/**
 * `--experiment ID --format F`: the experiment's results; `--runs IDS --format F`: a selection of
 * runs' results; `--run ID --predictions`: one run's predictions.
 */
export async function exportCommand(global: { home?: string }, opts: ExportFlags): Promise<void> {
  if (opts.experiment !== undefined || opts.runs !== undefined) {
    if (opts.experiment !== undefined && opts.runs !== undefined) throw new UsageError('--experiment and --runs exclude each other');
    if (opts.run !== undefined || opts.predictions) throw new UsageError(`${opts.runs !== undefined ? '--runs' : '--experiment'} and --run/--predictions exclude each other`);
    if (!opts.format) throw new UsageError('--format: one of csv, csv-wide, latex, json');
    const common = { format: opts.format, ...resultOptions(opts), ...(opts.paperRows ? { paperRows: true } : {}) };
    const wb = openWorkbench(global.home);
    try {
      const doc =
        opts.runs !== undefined
          ? asUsage(() => exportSelection(wb.experiments, parseCli('runs.export', { runs: runIdList('--runs', opts.runs ?? ''), ...common })))
          : asUsage(() => exportExperiment(wb.experiments, parseCli('experiments.export', { id: experimentId(opts.experiment!), ...common })));
      emit(doc.content, opts.out);
    } finally {
      wb.close();
    }
    return;
  }
  if (!opts.run || !/^\d+$/.test(opts.run)) throw new UsageError(`--run: expected a run id, got '${opts.run ?? ''}' (or export an experiment with --experiment ID --format F)`);
  if (!opts.predictions) throw new UsageError('nothing to export: pass --predictions');
  const wb = openWorkbench(global.home);
  try {
    let csv: string;
    try {
      const run = wb.store.runs.get(Number(opts.run));
      const ids = run ? await testSampleIds(wb.catalog, run) : { ids: null, warning: null };
      if (ids.warning) process.stderr.write(`hrlf: warning: ${ids.warning}\n`);
      csv = predictionsCsv(wb.store, Number(opts.run), ids.ids);
    } catch (err) {
      if (err instanceof ExportError) throw new UsageError(err.message);
      throw err;
    }
    emit(csv, opts.out);
  } finally {
    wb.close();
  }
}

