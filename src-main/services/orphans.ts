/**
 * Files of the data home that the store does not know are never deleted: they are moved to
 * `<home>/orphans/<kind>/`, with a line in `<home>/orphans/orphans.log` and on stderr, so a lost or
 * replaced store never costs the data it pointed to.
 */
import { appendFileSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { basename, join } from 'node:path';

export type OrphanLog = (line: string) => void;

export const stderrLog: OrphanLog = (line) => void process.stderr.write(`hrlf: ${line}\n`);

export function orphansFolder(home: string): string {
  return join(home, 'orphans');
}

/** Moves `path` to `<home>/orphans/<kind>/` under a name not yet taken there; returns the new path. */
export function moveToOrphans(home: string, kind: string, path: string, why: string, log: OrphanLog = stderrLog): string {
  const folder = join(orphansFolder(home), kind);
  mkdirSync(folder, { recursive: true });
  const name = basename(path);
  let target = join(folder, name);
  for (let i = 2; existsSync(target); i++) target = join(folder, `${name}.${i}`);
  renameSync(path, target);
  const line = `moved ${path} to ${target}: ${why}`;
  appendFileSync(join(orphansFolder(home), 'orphans.log'), `${new Date().toISOString()} ${line}\n`);
  log(line);
  return target;
}
