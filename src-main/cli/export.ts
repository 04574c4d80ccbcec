import { writeFileSync, renameSync } from 'node:fs';
import { ExportError, predictionsCsv } from '../services/exports';
import { openWorkbench, UsageError } from './context';

export function exportCommand(global: { home?: string }, opts: { run?: string; predictions?: boolean; out?: string }): void {
  if (!opts.run || !/^\d+$/.test(opts.run)) throw new UsageError(`--run: expected a run id, got '${opts.run ?? ''}'`);
  if (!opts.predictions) throw new UsageError('nothing to export: pass --predictions');
  const wb = openWorkbench(global.home);
  try {
    let csv: string;
    try {
      csv = predictionsCsv(wb.store, Number(opts.run));
    } catch (err) {
      if (err instanceof ExportError) throw new UsageError(err.message);
      throw err;
    }
    if (opts.out) {
      const tmp = `${opts.out}.tmp-${process.pid}`;
      writeFileSync(tmp, csv);
      renameSync(tmp, opts.out);
    } else {
      process.stdout.write(csv);
    }
  } finally {
    wb.close();
  }
}
