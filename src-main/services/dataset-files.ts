/**
 * The files of the datasets folder: names of imported datasets and of their temporary files, and
 * the startup sweep that removes what an interrupted import or generation left behind.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { SYNTHETIC_SPECS } from '../engine/data/synthetic';
import type { DatasetsRepo } from '../store/datasets-repo';
import { moveToOrphans, type OrphanLog } from './orphans';
import { processAlive } from './process-alive';

export const DATASET_EXT = '.hrlfds';

/** A temp name carries the pid of the process that owns it, so a sweep can tell live from dead. */
const TEMP_PID = /\.tmp-(\d+)/;

/** Files younger than this are never swept as orphans: another process may be committing them. */
const ORPHAN_AGE_MS = 60_000;

/** 'MOSI data (v2).pkl' → 'mosi-data-v2': an id that is safe in a file name, a URL and a shell. */
export function slugify(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-._]+|[-._]+$/g, '')
    .slice(0, 80);
  return slug || 'dataset';
}

/** The first free id from a name: 'mosi_data', then 'mosi_data-2', … Built-in ids are never taken. */
export function allocateId(name: string, repo: DatasetsRepo): string {
  const base = slugify(name);
  const reserved = new Set(SYNTHETIC_SPECS.map((s) => s.id));
  for (let i = 1; ; i++) {
    const id = i === 1 ? base : `${base}-${i}`;
    if (!reserved.has(id) && !repo.get(id)) return id;
  }
}

/** Where the engine writes an import before the parent moves it into place. */
export function tempPathFor(folder: string, name: string): string {
  return join(folder, `${slugify(name)}${DATASET_EXT}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Removes a temp file and the engine's own temp files beside it (`<temp>.tmp-<pid>`). */
export function removeTemp(tempPath: string): void {
  const folder = join(tempPath, '..');
  const prefix = basename(tempPath);
  if (!existsSync(folder)) return;
  for (const name of readdirSync(folder)) {
    if (name.startsWith(prefix)) rmSync(join(folder, name), { force: true });
  }
}


export interface SweepOptions {
  /** Unclaimed files younger than this are left alone (default 60 s). */
  orphanAgeMs?: number;
  log?: OrphanLog;
}

export interface SweepResult {
  /** Temp files of ended processes, and unclaimed built-in files (regenerated on first use). */
  removed: string[];
  /** Unclaimed imported files, moved to <home>/orphans/datasets/. */
  orphaned: string[];
}

/**
 * Startup cleanup of the datasets folder. Temp files whose owning process is gone (a killed import
 * or generation) are removed. A converted file that no dataset row claims is never deleted when it
 * holds imported data: the store may have been lost, replaced or restored from an older backup, so
 * the file moves to <home>/orphans/datasets/ with a log line. Only built-in synthetic files, which
 * are regenerated from their seed on first use, are removed.
 */
export function sweepDatasetFolder(home: string, repo: DatasetsRepo, options: SweepOptions = {}): SweepResult {
  const folder = join(home, 'datasets');
  const result: SweepResult = { removed: [], orphaned: [] };
  if (!existsSync(folder)) return result;
  const orphanAgeMs = options.orphanAgeMs ?? ORPHAN_AGE_MS;
  // By file name: rows hold absolute paths, and a home that was moved must not lose its files.
  const claimed = new Set(repo.list().map((r) => basename(r.path)));
  const builtin = new Set(SYNTHETIC_SPECS.map((s) => `${s.id}${DATASET_EXT}`));
  const now = Date.now();
  for (const name of readdirSync(folder)) {
    const file = join(folder, name);
    const temp = TEMP_PID.exec(name);
    if (temp) {
      if (!processAlive(Number(temp[1]))) {
        rmSync(file, { force: true });
        result.removed.push(name);
      }
      continue;
    }
    if (!name.endsWith(DATASET_EXT) || claimed.has(name)) continue;
    let age: number;
    try {
      // ctime changes on rename, so it dates the moment the file was moved into place.
      age = now - statSync(file).ctimeMs;
    } catch {
      continue;
    }
    if (age <= orphanAgeMs) continue;
    if (builtin.has(name)) {
      rmSync(file, { force: true });
      result.removed.push(name);
    } else {
      moveToOrphans(home, 'datasets', file, 'no dataset in the store lists this file', options.log);
      result.orphaned.push(name);
    }
  }
  return result;
}
