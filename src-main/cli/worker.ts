import { BACKENDS, type Backend } from '../../src-shared/models';
import { ClusterWorker } from '../services/cluster/worker';
import { resolveHome } from '../services/home';
import { queueFlag, UsageError, type Global } from './context';

interface WorkerFlags {
  concurrency?: string;
  backend?: string;
  name?: string;
}

/** Test knobs: how soon a dead worker's job is taken over (BullMQ lock duration and stalled check). */
function msFromEnv(name: string): number | undefined {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

/**
 * `hrlf worker --queue redis://…`: runs cluster jobs in isolated engine processes until stopped.
 * Ctrl+C (or SIGTERM) takes no new jobs and lets the running ones finish; a second Ctrl+C leaves at
 * once, and other workers take the unfinished jobs over.
 */
export async function workerCommand(global: Global, flags: WorkerFlags): Promise<void> {
  const { queue } = queueFlag(global);
  if (!queue || queue === 'local') throw new UsageError('--queue: the cluster queue to work for, e.g. redis://:PASSWORD@host:6379 (or set HRLF_QUEUE)');
  const concurrency = flags.concurrency === undefined ? 1 : Number(flags.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError(`--concurrency: expected an integer in 1..64, got '${flags.concurrency}'`);
  if (flags.backend !== undefined && !(BACKENDS as readonly string[]).includes(flags.backend)) throw new UsageError(`--backend: expected one of ${BACKENDS.join(', ')}`);
  const log = (line: string): void => void process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  const lockMs = msFromEnv('HRLF_CLUSTER_LOCK_MS');
  const stalledMs = msFromEnv('HRLF_CLUSTER_STALLED_MS');
  const token = global.datasetsToken ?? process.env.HRLF_DATASETS_TOKEN;
  const worker = await ClusterWorker.start({
    url: queue,
    home: resolveHome(global.home),
    concurrency,
    ...(flags.backend ? { backend: flags.backend as Backend } : {}),
    ...(token ? { datasetsToken: token } : {}),
    ...(flags.name ? { name: flags.name } : {}),
    ...(lockMs ? { lockMs } : {}),
    ...(stalledMs ? { stalledMs } : {}),
    log,
  });
  log(`worker ${worker.id} working for ${queue.replace(/\/\/([^@/]*):[^@/]*@/, '//$1:***@')} with ${concurrency} run(s) at a time`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (): void => {
      if (stopping) {
        log('leaving now; other workers take the unfinished runs over');
        worker.abort();
        process.exit(130);
      }
      stopping = true;
      log(`finishing ${worker.running} running run(s), taking no new ones (Ctrl+C again to leave now)`);
      void worker.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
