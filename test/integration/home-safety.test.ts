/**
 * Issue 9, item 4: a lost or truncated store never costs the data its home holds. An empty
 * database file in a home with data stops the workbench with what happened and how to recover;
 * files a fresh store does not list are moved to <home>/orphans/, never deleted.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../unit/import/helpers';
import { hrlf, requireBuild, tempHome } from './helpers';

beforeAll(() => requireBuild());

async function homeWithImport(): Promise<string> {
  const home = tempHome('hrlf-home-');
  const r = await hrlf(['import', fixture('mult_mosi_p4_float64.pkl'), '--name', 'mosi-a'], home);
  expect(r.code, r.stderr).toBe(0);
  return home;
}

describe('data home safety (issue 9, item 4)', () => {
  it('refuses to start on a 0-byte workbench.sqlite in a home that holds datasets, and changes nothing', async () => {
    const home = await homeWithImport();
    const db = join(home, 'workbench.sqlite');
    truncateSync(db, 0);
    for (const f of [`${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
    const before = readdirSync(join(home, 'datasets'));
    expect(before).toEqual(['mosi-a.hrlfds']);

    for (const args of [['datasets'], ['runs'], ['serve']]) {
      const r = await hrlf(args, home, 60_000);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/refusing to start: the experiment database .*workbench\.sqlite is empty \(0 bytes\)/);
      expect(r.stderr).toMatch(/already holds 1 dataset file\(s\) in datasets\//);
      expect(r.stderr).toMatch(/restore workbench\.sqlite from a backup/);
      expect(r.stderr).toMatch(/move the empty workbench\.sqlite away.*orphans/);
    }
    expect(statSync(db).size).toBe(0);
    expect(readdirSync(join(home, 'datasets'))).toEqual(before);
    expect(existsSync(join(home, 'orphans'))).toBe(false);
  });

  it('a 0-byte store file in an empty home is simply a new store', async () => {
    const home = tempHome('hrlf-home-');
    writeFileSync(join(home, 'workbench.sqlite'), '');
    const r = await hrlf(['runs', '--json'], home, 60_000);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
  });

  it('a store created over an existing home moves checkpoints of runs it does not know to orphans/', async () => {
    const home = await homeWithImport();
    const stale = join(home, 'checkpoints', 'run-1');
    mkdirSync(stale, { recursive: true });
    writeFileSync(join(stale, 'state.json'), '{"phaseIndex":0,"epoch":3,"bestLoss":null,"bestEpoch":null,"history":[]}');
    for (const f of ['workbench.sqlite', 'workbench.sqlite-wal', 'workbench.sqlite-shm']) rmSync(join(home, f), { force: true });

    const r = await hrlf(['runs', '--json'], home, 60_000);
    expect(r.code, r.stderr).toBe(0);
    // Left in place, the new store's run 1 would have resumed a stranger's epoch 3.
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(join(home, 'orphans', 'checkpoints', 'run-1', 'state.json'))).toBe(true);
    expect(r.stderr).toMatch(/moved .*checkpoints\/run-1 to .*orphans\/checkpoints\/run-1: no run 1 in the store/);
    // The dataset file is young (another process could be committing it), so it stays for now.
    expect(readdirSync(join(home, 'datasets'))).toEqual(['mosi-a.hrlfds']);
  });
});
