import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Data home for CLI and browser mode: --home, else HRLF_HOME, else ~/.hrlf-workbench. */
export function resolveHome(flag?: string): string {
  if (flag) return resolve(flag);
  if (process.env.HRLF_HOME) return resolve(process.env.HRLF_HOME);
  return join(homedir(), '.hrlf-workbench');
}

export interface HomeLayout {
  root: string;
  datasets: string;
  teachers: string;
  checkpoints: string;
}

export function homeLayout(root: string): HomeLayout {
  return { root, datasets: join(root, 'datasets'), teachers: join(root, 'teachers'), checkpoints: join(root, 'checkpoints') };
}
