import { mkdtempSync, readFileSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate, openDatabase, schemaVersion, StoreError } from '../../../src-main/store/database';
import { MIGRATIONS } from '../../../src-main/store/migrations';
import { Store } from '../../../src-main/store/store';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'hrlf-store-'));

const newRun = {
  datasetId: 'synth-mosi',
  method: 'lf-linear',
  seed: 1111,
  requestedBackend: null,
  config: { lr: 0.001, epochs: 2 },
  configHash: 'abc',
  codeVersion: 'test',
  datasetSha256: null,
  host: 'h',
  epochsPlanned: 2,
};

describe('store', () => {
  it('creates the schema of architecture.md in WAL mode', () => {
    const store = Store.open(tmp());
    const tables = (store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
    for (const t of ['datasets', 'scenarios', 'experiments', 'runs', 'epochs', 'evaluations', 'predictions', 'representations', 'projections']) {
      expect(tables).toContain(t);
    }
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(schemaVersion(store.db)).toBe(MIGRATIONS.length);
    store.close();
  });

  it('applies only pending migrations and keeps data across reopenings', () => {
    const home = tmp();
    const a = Store.open(home);
    const run = a.runs.create(newRun);
    a.runs.addEpoch(run.id, { phase: 'model', epoch: 1, train: { total: 1 }, valid: { total: 2 }, seconds: 0.5 });
    a.close();
    const b = Store.open(home);
    expect(b.runs.get(run.id)?.epochsDone).toBe(1);
    expect(b.runs.epochs(run.id)[0]?.valid.total).toBe(2);
    const extra = [...MIGRATIONS, 'CREATE TABLE later_feature (x INTEGER);'];
    expect(migrate(b.db, extra)).toBe(extra.length);
    expect(schemaVersion(b.db)).toBe(extra.length);
    b.close();
  });

  it('rolls back a failing migration entirely', () => {
    const home = tmp();
    const s = Store.open(home);
    const broken = [...MIGRATIONS, 'CREATE TABLE ok_part (x INTEGER); THIS IS NOT SQL;'];
    expect(() => migrate(s.db, broken)).toThrow();
    expect(schemaVersion(s.db)).toBe(MIGRATIONS.length);
    expect(s.db.prepare("SELECT name FROM sqlite_master WHERE name = 'ok_part'").get()).toBeUndefined();
    s.close();
  });

  it('refuses a newer schema than it knows', () => {
    const home = tmp();
    const s = Store.open(home);
    s.db.pragma(`user_version = ${MIGRATIONS.length + 5}`);
    s.close();
    expect(() => Store.open(home)).toThrow(/newer than this workbench knows/);
  });

  it('reports a corrupt database file by name and leaves it untouched', () => {
    const home = tmp();
    const file = join(home, 'workbench.sqlite');
    writeFileSync(file, 'this is not a database, but it is somebody’s file'.repeat(100));
    const before = readFileSync(file);
    expect(() => openDatabase(file)).toThrow(StoreError);
    expect(() => openDatabase(file)).toThrow(file);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('reports a data home that is not writable', () => {
    if (process.getuid?.() === 0) {
      // root ignores permission bits: use a path under a regular file instead
      const base = tmp();
      writeFileSync(join(base, 'file'), '');
      expect(() => Store.open(join(base, 'file', 'home'))).toThrow(/not writable/);
      return;
    }
    const dir = join(tmp(), 'ro');
    mkdirSync(dir);
    chmodSync(dir, 0o500);
    expect(() => Store.open(dir)).toThrow(/not writable/);
  });

  it('ends a run once: a late message cannot overwrite a terminal status', () => {
    const s = Store.open(tmp());
    const run = s.runs.create(newRun);
    expect(s.runs.finish(run.id, 'failed', { error: 'boom' })).toBe(true);
    expect(s.runs.finish(run.id, 'finished', {})).toBe(false);
    expect(s.runs.get(run.id)?.status).toBe('failed');
    expect(s.runs.get(run.id)?.error).toBe('boom');
    s.close();
  });

  it('stores predictions and representations as float32 blobs', () => {
    const s = Store.open(tmp());
    const run = s.runs.create(newRun);
    s.runs.addPredictions(run.id, 'inter', 'l', Float32Array.of(1, 2), Float32Array.of(0.5, -0.25), 1);
    const [p] = s.runs.predictions(run.id);
    expect(Array.from(p!.values)).toEqual([0.5, -0.25]);
    expect(p!.n).toBe(2);
    s.close();
  });
});
