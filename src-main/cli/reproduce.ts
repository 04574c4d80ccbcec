/**
 * `hrlf reproduce --table 1|2|3`: creates the experiment the paper's table needs (real imported
 * datasets where present, else synthetic, and says which), and renders it in the paper's layout
 * with the paper's numbers beside ours. `--plan` only shows what would run; `--experiment ID`
 * renders an existing experiment; `--wait` runs it here and then renders it.
 */
import { ReproduceInput } from '../../src-shared/contract';
import { openCoordinator, openWorkbench, UsageError, type Global } from './context';
import { concurrencyOf, experimentId, printResults, resultsInput, runToEnd } from './experiment';
import { asUsage, experimentLine, integerFlag, list, parseCli, renderPlan, renderResults } from './results-text';

export interface ReproduceFlags {
  table?: string;
  seeds?: string;
  epochs?: string;
  methods?: string;
  reference?: string;
  backend?: string;
  synthetic?: boolean;
  plan?: boolean;
  /** The paper's numbers beside synthetic results too. */
  paper?: boolean;
  experiment?: string;
  wait?: boolean;
  concurrency?: string;
  json?: boolean;
}

export async function reproduceCommand(global: Global, f: ReproduceFlags): Promise<void> {
  const tableNumber = integerFlag('--table', f.table);
  if (tableNumber === undefined && f.experiment === undefined) throw new UsageError('--table: which paper table to reproduce, 1, 2 or 3');
  if (f.experiment !== undefined) {
    printResults(global, resultsInput(experimentId(f.experiment), { table: f.table, ...(f.reference !== undefined ? { reference: f.reference } : {}) }), f.json, { paper: f.paper === true });
    return;
  }
  const input = parseCli('reproduce.plan', {
    table: tableNumber,
    ...(f.seeds !== undefined ? { seeds: integerFlag('--seeds', f.seeds, ReproduceInput.shape.seeds) } : {}),
    ...(f.epochs !== undefined ? { epochs: integerFlag('--epochs', f.epochs, ReproduceInput.shape.epochs) } : {}),
    ...(f.methods !== undefined ? { methods: list('--methods', f.methods) } : {}),
    ...(f.reference !== undefined ? { reference: f.reference } : {}),
    ...(f.backend !== undefined ? { backend: f.backend } : {}),
    ...(f.synthetic ? { synthetic: true } : {}),
  });
  const concurrency = concurrencyOf(f.concurrency);
  const wb = f.plan ? openWorkbench(global.home, false, concurrency) : await openCoordinator(global, false, concurrency);
  try {
    if (f.plan) {
      const plan = asUsage(() => wb.reproduce.plan(input));
      process.stdout.write(f.json ? JSON.stringify(plan, null, 2) + '\n' : renderPlan(plan) + '\n');
      return;
    }
    const started = asUsage(() => wb.reproduce.start(input, false));
    const id = started.experiment.id;
    if (!f.json) process.stdout.write(`${renderPlan(started.plan)}\n\n${experimentLine(started.experiment)}\n`);
    if (!f.wait) {
      if (f.json) process.stdout.write(JSON.stringify(started, null, 2) + '\n');
      else process.stdout.write(`run it with \`hrlf queue --run\` (or pass --wait), then \`hrlf reproduce --table ${input.table} --experiment ${id}\`\n`);
      return;
    }
    const ok = await runToEnd(wb, wb.experiments.queuedRuns(id), Boolean(f.json));
    const results = wb.experiments.results(resultsInput(id, {}));
    process.stdout.write(f.json ? JSON.stringify({ ...started, results }, null, 2) + '\n' : `\n${renderResults(results, { paper: f.paper === true })}\n`);
    if (!ok) process.exitCode = 1;
  } finally {
    await wb.shutdown();
  }
}
