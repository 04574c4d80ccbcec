import type { RunSummary } from '../../src-shared/models';
import { summarize } from '../services/summaries';
import { openWorkbench } from './context';
import { concurrencyOf } from './experiment';
import { table } from './format';

interface QueueFlags {
  json?: boolean;
  run?: boolean;
  concurrency?: string;
}

function pending(runs: RunSummary[]): RunSummary[] {
  return runs.filter((r) => r.status === 'queued' || r.status === 'running').sort((a, b) => a.id - b.id);
}

/**
 * `hrlf queue` shows the queued and running runs; `hrlf queue --run` works the queue off until it
 * is empty, first putting back runs whose supervisor died (they resume from their checkpoints).
 */
export async function queueCommand(global: { home?: string }, flags: QueueFlags): Promise<void> {
  const concurrency = concurrencyOf(flags.concurrency);
  if (!flags.run) {
    const wb = openWorkbench(global.home);
    try {
      const runs = pending(wb.store.runs.list().map((r) => summarize(wb.store, r)));
      if (flags.json) process.stdout.write(JSON.stringify(runs, null, 2) + '\n');
      else if (runs.length === 0) process.stdout.write('the queue is empty\n');
      else process.stdout.write(table(['id', 'dataset', 'method', 'seed', 'status', 'epochs'], runs.map((r) => [r.id, r.dataset, r.method, r.seed, r.status, `${r.epochsDone}/${r.epochsPlanned}`])) + '\n');
    } finally {
      wb.close();
    }
    return;
  }
  const wb = openWorkbench(global.home, true, concurrency);
  const log = (line: string): void => void (flags.json ? undefined : process.stderr.write(line + '\n'));
  const unsubscribe = wb.bus.subscribe((event, payload) => {
    if (event !== 'run.status') return;
    const p = payload as { runId: number; status: string; error: string | null };
    log(`run ${p.runId}: ${p.status}${p.error ? ` (${p.error})` : ''}`);
  });
  const stop = (): void => {
    for (const r of wb.store.runs.listByStatus('running')) wb.runs.cancel(r.id);
  };
  process.once('SIGINT', stop);
  try {
    await wb.runs.idle();
    const runs = wb.store.runs.list().map((r) => summarize(wb.store, r));
    if (flags.json) process.stdout.write(JSON.stringify({ remaining: pending(runs), runs }, null, 2) + '\n');
    else log('the queue is empty');
  } finally {
    process.off('SIGINT', stop);
    unsubscribe();
    wb.close();
  }
}
