import { defaultConcurrency } from '../services/concurrency';
import { Workbench } from '../services/api';
import { resolveHome } from '../services/home';

/** Bad usage or bad input: the CLI prints the message and exits 2. */
export class UsageError extends Error {}

/** `workQueue`: also run (and resume) every queued run in the store, not only this command's own. */
export function openWorkbench(homeFlag: string | undefined, workQueue = false, concurrency = defaultConcurrency()): Workbench {
  return new Workbench({ home: resolveHome(homeFlag), mode: 'cli', workQueue, concurrency });
}
