import type { WorkerInfo } from '../../src-shared/cluster';
import type { RunSummary } from '../../src-shared/models';
import { summarize } from '../services/summaries';
import { openCoordinator, type Global } from './context';
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

const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

function workerTable(workers: WorkerInfo[]): string {
  return table(
    ['worker', 'host', 'backend', 'runs', 'free memory', 'last seen'],
    workers.map((w) => [
      w.id,
      w.host,
      w.backend,
      `${w.runs.length}/${w.concurrency}${w.runs.length ? ` (${w.runs.map((r) => (r.mine ? `run ${r.run}` : `${r.coordinator}/${r.run}`)).join(', ')})` : ''}`,
      `${gib(w.freeMemory)} of ${gib(w.totalMemory)}`,
      w.lastSeen,
    ]),
  );
}

/**
 * `hrlf queue` shows the queued and running runs (and a cluster's workers); `hrlf queue --run`
 * works the queue off until it is empty, first putting back runs whose supervisor died (they
 * resume from their checkpoints). With a cluster queue, `--run` collects the results of the runs
 * the workers execute until none is left, including those that finished while no workbench ran.
 */
export async function queueCommand(global: Global, flags: QueueFlags): Promise<void> {
  const concurrency = concurrencyOf(flags.concurrency);
  if (!flags.run) {
    const wb = await openCoordinator(global);
    try {
      const runs = pending(wb.store.runs.list().map((r) => summarize(wb.store, r)));
      const cluster = wb.cluster ? wb.clusterState() : null;
      if (flags.json) process.stdout.write(JSON.stringify(cluster ? { runs, cluster } : runs, null, 2) + '\n');
      else {
        if (runs.length === 0) process.stdout.write('the queue is empty\n');
        else
          process.stdout.write(
            table(
              ['id', 'dataset', 'method', 'seed', 'status', 'epochs', 'worker'],
              runs.map((r) => [r.id, r.dataset, r.method, r.seed, r.status, `${r.epochsDone}/${r.epochsPlanned}`, r.worker ?? '-']),
            ) + '\n',
          );
        if (cluster) {
          process.stdout.write(`\ncluster queue ${cluster.url}${cluster.paused ? ' (paused)' : ''}; datasets at ${cluster.datasetsUrl} (token: ${wb.datasetsToken()})\n`);
          process.stdout.write(cluster.workers.length ? workerTable(cluster.workers) + '\n' : 'no worker has announced itself\n');
        }
      }
    } finally {
      await wb.shutdown();
    }
    return;
  }
  const wb = await openCoordinator(global, true, concurrency);
  const log = (line: string): void => void (flags.json ? undefined : process.stderr.write(line + '\n'));
  const unsubscribe = wb.bus.subscribe((event, payload) => {
    if (event !== 'run.status') return;
    const p = payload as { runId: number; status: string; error: string | null };
    const worker = p.status === 'running' ? wb.store.runs.get(p.runId)?.worker : null;
    log(`run ${p.runId}: ${p.status}${worker ? ` on ${worker}` : ''}${p.error ? ` (${p.error})` : ''}`);
  });
  const stop = (): void => {
    for (const r of wb.store.runs.listByStatus('running')) wb.cancelRun(r.id);
  };
  process.once('SIGINT', stop);
  try {
    if (wb.cluster) await wb.settled(pending(wb.store.runs.list().map((r) => summarize(wb.store, r))).map((r) => r.id));
    else await wb.runs.idle();
    const runs = wb.store.runs.list().map((r) => summarize(wb.store, r));
    if (flags.json) process.stdout.write(JSON.stringify({ remaining: pending(runs), runs }, null, 2) + '\n');
    else log('the queue is empty');
  } finally {
    process.off('SIGINT', stop);
    unsubscribe();
    await wb.shutdown();
  }
}
