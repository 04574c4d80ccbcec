import { defaultConcurrency } from '../services/concurrency';
import { Workbench } from '../services/api';
import { resolveHome } from '../services/home';

/** Bad usage or bad input: the CLI prints the message and exits 2. */
export class UsageError extends Error {}

/** The program's global options. */
export interface Global {
  home?: string;
  queue?: string;
  datasetsListen?: string;
  datasetsUrl?: string;
  datasetsToken?: string;
}

/** `workQueue`: also run (and resume) every queued run in the store, not only this command's own. */
export function openWorkbench(homeFlag: string | undefined, workQueue = false, concurrency = defaultConcurrency()): Workbench {
  return new Workbench({ home: resolveHome(homeFlag), mode: 'cli', workQueue, concurrency });
}

/** The cluster queue from --queue, else HRLF_QUEUE; undefined: the home's saved setting decides. */
export function queueFlag(global: Global): { queue?: string; queueSource?: 'flag' | 'env' } {
  if (global.queue) return { queue: global.queue, queueSource: 'flag' };
  if (process.env.HRLF_QUEUE) return { queue: process.env.HRLF_QUEUE, queueSource: 'env' };
  return {};
}

/**
 * A workbench for a command that queues or runs runs: connected to the cluster queue when one is
 * configured (--queue, HRLF_QUEUE, or the setting saved from the UI). An unreachable queue fails
 * here, naming the URL without its password, before anything is queued.
 */
export async function openCoordinator(global: Global, workQueue = false, concurrency = 2): Promise<Workbench> {
  const wb = coordinatorWorkbench(global, workQueue, concurrency);
  try {
    await wb.startQueue();
  } catch (err) {
    wb.close();
    throw err;
  }
  return wb;
}

/** The workbench of openCoordinator, not yet connected (`startQueue()` connects). */
export function coordinatorWorkbench(global: Global, workQueue = false, concurrency = 2): Workbench {
  const listen = global.datasetsListen ?? process.env.HRLF_DATASETS_LISTEN;
  const url = global.datasetsUrl ?? process.env.HRLF_DATASETS_URL;
  const token = global.datasetsToken ?? process.env.HRLF_DATASETS_TOKEN;
  return new Workbench({
    home: resolveHome(global.home),
    mode: 'cli',
    workQueue,
    concurrency,
    ...queueFlag(global),
    datasets: { ...(listen ? { listen } : {}), ...(url ? { url } : {}), ...(token ? { token } : {}) },
  });
}
