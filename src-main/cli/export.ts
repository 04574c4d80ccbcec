import { writeFileSync, renameSync } from 'node:fs';
import { exportExperiment } from '../services/experiment-export';
import { ExportError, predictionsCsv, testSampleIds } from '../services/exports';
import { openWorkbench, UsageError } from './context';
import { experimentId } from './experiment';
import { asUsage, integerFlag, parseCli } from './results-text';

export interface ExportFlags {
  run?: string;
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

/** Writes to a temp name and renames, so a failed export never leaves a partial file behind. */
function emit(content: string, out: string | undefined): void {
  if (out) {
    const tmp = `${out}.tmp-${process.pid}`;
    writeFileSync(tmp, content);
    renameSync(tmp, out);
  } else {
    process.stdout.write(content);
  }
}

/** `--experiment ID --format F`: the experiment's results; `--run ID --predictions`: one run's predictions. */
export async function exportCommand(global: { home?: string }, opts: ExportFlags): Promise<void> {
  if (opts.experiment !== undefined) {
    if (opts.run !== undefined || opts.predictions) throw new UsageError('--experiment and --run/--predictions exclude each other');
    if (!opts.format) throw new UsageError('--format: one of csv, csv-wide, latex, json');
    const input = parseCli('experiments.export', {
      id: experimentId(opts.experiment),
      format: opts.format,
      ...(opts.reference !== undefined ? { reference: opts.reference === 'none' ? null : opts.reference } : {}),
      ...(opts.test !== undefined ? { test: opts.test } : {}),
      ...(opts.table !== undefined ? { table: integerFlag('--table', opts.table) } : {}),
      ...(opts.metric !== undefined ? { metric: opts.metric } : {}),
      ...(opts.marks !== undefined ? { marks: opts.marks } : {}),
      ...(opts.paperRows ? { paperRows: true } : {}),
    });
    const wb = openWorkbench(global.home);
    try {
      const doc = asUsage(() => exportExperiment(wb.experiments, input));
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

