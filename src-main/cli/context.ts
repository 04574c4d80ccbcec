import { Workbench } from '../services/api';
import { resolveHome } from '../services/home';

/** Bad usage or bad input: the CLI prints the message and exits 2. */
export class UsageError extends Error {}

export function openWorkbench(homeFlag: string | undefined): Workbench {
  return new Workbench({ home: resolveHome(homeFlag), mode: 'cli' });
}
