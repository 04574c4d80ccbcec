import type { Db } from './database';
import type { DatasetKind, Task } from '../../src-shared/domain';

export interface DatasetRow {
  id: string;
  name: string;
  kind: DatasetKind;
  task: Task;
  builtin: boolean;
  format: string;
  sourcePath: string | null;
  sourceSize: number | null;
  sourceSha256: string | null;
  path: string;
  sha256: string;
  T: number;
  dims: [number, number, number];
  splitSizes: { train: number; valid: number; test: number };
  report: unknown;
  createdAt: string;
}

interface RawDataset {
  id: string;
  name: string;
  kind: DatasetKind;
  task: Task;
  builtin: number;
  format: string;
  source_path: string | null;
  source_size: number | null;
  source_sha256: string | null;
  path: string;
  sha256: string;
  seq_len: number;
  dims: string;
  split_sizes: string;
  report: string | null;
  created_at: string;
}

function fromRaw(r: RawDataset): DatasetRow {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    task: r.task,
    builtin: r.builtin === 1,
    format: r.format,
    sourcePath: r.source_path,
    sourceSize: r.source_size,
    sourceSha256: r.source_sha256,
    path: r.path,
    sha256: r.sha256,
    T: r.seq_len,
    dims: JSON.parse(r.dims) as [number, number, number],
    splitSizes: JSON.parse(r.split_sizes) as DatasetRow['splitSizes'],
    report: r.report === null ? null : (JSON.parse(r.report) as unknown),
    createdAt: r.created_at,
  };
}

export class DatasetsRepo {
  constructor(private readonly db: Db) {}

  list(): DatasetRow[] {
    return (this.db.prepare('SELECT * FROM datasets ORDER BY builtin DESC, id').all() as RawDataset[]).map(fromRaw);
  }

  get(id: string): DatasetRow | undefined {
    const r = this.db.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as RawDataset | undefined;
    return r ? fromRaw(r) : undefined;
  }

  findBySourceSha(sha: string): DatasetRow | undefined {
    const r = this.db.prepare('SELECT * FROM datasets WHERE source_sha256 = ?').get(sha) as RawDataset | undefined;
    return r ? fromRaw(r) : undefined;
  }

  /**
   * Records an imported dataset. The caller runs it in a transaction together with moving the file
   * into place, so a dataset row never exists without its file or the other way round.
   */
  insertImported(row: Omit<DatasetRow, 'createdAt' | 'builtin'>): void {
    this.db
      .prepare(
        `INSERT INTO datasets (id, name, kind, task, builtin, format, source_path, source_size, source_sha256, path,
           sha256, seq_len, dims, split_sizes, report, created_at)
         VALUES (@id, @name, @kind, @task, 0, @format, @sourcePath, @sourceSize, @sourceSha256, @path,
           @sha256, @T, @dims, @splitSizes, @report, @createdAt)`,
      )
      .run({
        ...row,
        dims: JSON.stringify(row.dims),
        splitSizes: JSON.stringify(row.splitSizes),
        report: row.report === null || row.report === undefined ? null : JSON.stringify(row.report),
        createdAt: new Date().toISOString(),
      });
  }

  /** Drops an imported dataset's row (built-ins are regenerated, never removed). */
  removeImported(id: string): void {
    this.db.prepare('DELETE FROM datasets WHERE id = ? AND builtin = 0').run(id);
  }

  upsert(row: Omit<DatasetRow, 'createdAt'>): DatasetRow {
    this.db
      .prepare(
        `INSERT INTO datasets (id, name, kind, task, builtin, format, source_path, source_size, source_sha256, path,
           sha256, seq_len, dims, split_sizes, report, created_at)
         VALUES (@id, @name, @kind, @task, @builtin, @format, @sourcePath, @sourceSize, @sourceSha256, @path,
           @sha256, @T, @dims, @splitSizes, @report, @createdAt)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, path = excluded.path, sha256 = excluded.sha256,
           dims = excluded.dims, split_sizes = excluded.split_sizes, report = excluded.report`,
      )
      .run({
        ...row,
        builtin: row.builtin ? 1 : 0,
        dims: JSON.stringify(row.dims),
        splitSizes: JSON.stringify(row.splitSizes),
        report: row.report === null || row.report === undefined ? null : JSON.stringify(row.report),
        createdAt: new Date().toISOString(),
      });
    return this.get(row.id)!;
  }
}
