import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allocateId, removeTemp, slugify, sweepDatasetFolder, tempPathFor } from '../../../src-main/services/dataset-files';
import { Store } from '../../../src-main/store/store';

function freshStore(): { store: Store; folder: string; home: string } {
  const home = mkdtempSync(join(tmpdir(), 'hrlf-files-'));
  const folder = join(home, 'datasets');
  mkdirSync(folder);
  return { store: Store.open(home), folder, home };
}

function row(id: string, path: string) {
  return {
    id,
    name: id,
    kind: 'mosi' as const,
    task: 'regression' as const,
    format: 'mult',
    sourcePath: '/x.pkl',
    sourceSize: 1,
    sourceSha256: id.padEnd(64, '0'),
    path,
    sha256: 'f'.repeat(64),
    T: 5,
    dims: [8, 5, 20] as [number, number, number],
    splitSizes: { train: 4, valid: 3, test: 3 },
    report: null,
  };
}

/** A pid that certainly belonged to a process that has ended. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

describe('dataset file names', () => {
  it('derives safe ids from names', () => {
    expect(slugify('mosi_data')).toBe('mosi_data');
    expect(slugify('MOSI data (v2)')).toBe('mosi-data-v2');
    expect(slugify('../../etc/passwd')).toBe('etc-passwd');
    expect(slugify('???')).toBe('dataset');
  });

  it('allocates the first free id and never a built-in one', () => {
    const { store, folder } = freshStore();
    expect(allocateId('mosi_data', store.datasets)).toBe('mosi_data');
    store.datasets.insertImported(row('mosi_data', join(folder, 'mosi_data.hrlfds')));
    expect(allocateId('mosi_data', store.datasets)).toBe('mosi_data-2');
    expect(allocateId('synth-mosi', store.datasets)).toBe('synth-mosi-2');
    store.close();
  });

  it('removes a temp file together with the engine temp files beside it', () => {
    const { store, folder } = freshStore();
    const temp = tempPathFor(folder, 'x.pkl');
    writeFileSync(temp, 'a');
    writeFileSync(`${temp}.tmp-123`, 'b');
    writeFileSync(join(folder, 'other.hrlfds'), 'c');
    removeTemp(temp);
    expect(readdirSync(folder)).toEqual(['other.hrlfds']);
    store.close();
  });
});

describe('startup sweep of the datasets folder', () => {
  it('removes temp files of ended processes, moves unclaimed imported files to orphans/, keeps the rest', () => {
    const { store, folder, home } = freshStore();
    const dead = deadPid();
    const files = {
      deadImport: `mosi.hrlfds.tmp-${dead}-0a1b2c3d`,
      deadImportInner: `mosi.hrlfds.tmp-${dead}-0a1b2c3d.tmp-${dead}`,
      deadGenerate: `synth-mosi.hrlfds.tmp-${dead}`,
      liveImport: `live.hrlfds.tmp-${process.pid}-00000000`,
      claimed: 'claimed.hrlfds',
      orphan: 'orphan.hrlfds',
      builtin: 'synth-mosei.hrlfds',
      unrelated: 'notes.txt',
    };
    for (const f of Object.values(files)) writeFileSync(join(folder, f), 'x');
    store.datasets.insertImported(row('claimed', join('/moved/home/datasets', files.claimed)));
    const lines: string[] = [];
    const result = sweepDatasetFolder(home, store.datasets, { orphanAgeMs: -1, log: (l) => lines.push(l) });
    expect(result.removed.sort()).toEqual([files.builtin, files.deadGenerate, files.deadImport, files.deadImportInner].sort());
    expect(result.orphaned).toEqual([files.orphan]);
    expect(readdirSync(folder).sort()).toEqual([files.claimed, files.liveImport, files.unrelated].sort());
    expect(readFileSync(join(home, 'orphans', 'datasets', files.orphan), 'utf8')).toBe('x');
    expect(lines).toEqual([expect.stringMatching(/moved .*orphan\.hrlfds to .*orphans\/datasets\/orphan\.hrlfds: no dataset in the store lists this file/)]);
    expect(readFileSync(join(home, 'orphans', 'orphans.log'), 'utf8')).toContain(lines[0]);
    // A second orphan of the same name does not overwrite the first.
    writeFileSync(join(folder, files.orphan), 'y');
    sweepDatasetFolder(home, store.datasets, { orphanAgeMs: -1, log: () => undefined });
    expect(readFileSync(join(home, 'orphans', 'datasets', `${files.orphan}.2`), 'utf8')).toBe('y');
    // Young unclaimed files may be another process's commit in progress: kept by default.
    writeFileSync(join(folder, files.orphan), 'x');
    expect(sweepDatasetFolder(home, store.datasets)).toEqual({ removed: [], orphaned: [] });
    expect(existsSync(join(folder, files.orphan))).toBe(true);
    store.close();
  });

  it('does nothing when the folder does not exist yet', () => {
    const { store, home } = freshStore();
    expect(sweepDatasetFolder(join(home, 'missing'), store.datasets)).toEqual({ removed: [], orphaned: [] });
    store.close();
  });
});
