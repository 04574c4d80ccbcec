import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { StoreError } from '../store/database';
import type { RunsRepo } from '../store/runs-repo';
import { moveToOrphans, orphansFolder, type OrphanLog } from './orphans';

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

export const STORE_FILE = 'workbench.sqlite';

export function homeLayout(root: string): HomeLayout {
  return { root, datasets: join(root, 'datasets'), teachers: join(root, 'teachers'), checkpoints: join(root, 'checkpoints') };
}

function entries(folder: string, keep: (name: string) => boolean): string[] {
  try {
    return readdirSync(folder).filter(keep);
  } catch {
    return [];
  }
}

/** What the home holds besides the store: the files a lost store would orphan. */
export function homeContents(layout: HomeLayout): { datasets: number; checkpoints: number; teachers: number } {
  return {
    datasets: entries(layout.datasets, (n) => n.endsWith('.hrlfds')).length,
    checkpoints: entries(layout.checkpoints, (n) => /^run-\d+$/.test(n)).length,
    teachers: entries(layout.teachers, () => true).length,
  };
}

/**
 * Refuses to open an empty (0-byte) store file in a home that already holds datasets or runs.
 * SQLite would take the empty file for a new database, and the files the lost store listed would
 * then look unclaimed. A 0-byte file in an empty home is simply a new store.
 */
export function assertStoreUsable(layout: HomeLayout): void {
  const file = join(layout.root, STORE_FILE);
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return; // no file yet: a new store (a missing file in a home with data is handled by the sweeps)
  }
  if (size > 0) return;
  const held = homeContents(layout);
  if (held.datasets + held.checkpoints + held.teachers === 0) return;
  const what = [
    held.datasets ? `${held.datasets} dataset file(s) in datasets/` : '',
    held.checkpoints ? `${held.checkpoints} run checkpoint(s) in checkpoints/` : '',
    held.teachers ? `${held.teachers} cached teacher(s) in teachers/` : '',
  ].filter(Boolean);
  const wal = existsSync(`${file}-wal`) ? ` Keep ${file}-wal with it: it may hold the latest changes.` : '';
  throw new StoreError(
    `refusing to start: the experiment database ${file} is empty (0 bytes), but the data home ${layout.root} already holds ${what.join(', ')}. ` +
      'The database was probably truncated (a full disk, an interrupted copy or sync); nothing was changed. ' +
      `To recover, restore ${STORE_FILE} from a backup.${wal} ` +
      `To start a fresh store beside the existing files instead, move the empty ${STORE_FILE} away: the new store does not list them, so the dataset files and checkpoints are moved to ${orphansFolder(layout.root)}/ (nothing is deleted).`,
  );
}

/**
 * A checkpoint folder whose run the store does not know belongs to a lost or replaced store; left
 * in place, a new run with the same id would resume from it. Moved to <home>/orphans/checkpoints/.
 */
export function sweepCheckpoints(layout: HomeLayout, runs: RunsRepo, log?: OrphanLog): string[] {
  const moved: string[] = [];
  for (const name of entries(layout.checkpoints, (n) => /^run-\d+$/.test(n))) {
    const id = Number(name.slice('run-'.length));
    if (runs.get(id)) continue;
    moveToOrphans(layout.root, 'checkpoints', join(layout.checkpoints, name), `no run ${id} in the store`, log);
    moved.push(name);
  }
  return moved;
}
