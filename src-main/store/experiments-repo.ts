import type { Db } from './database';

export interface ExperimentRow {
  id: number;
  name: string;
  /** The stored JSON grid (ExperimentGrid); shaped by the experiment service. */
  grid: unknown;
  scenarioId: number | null;
  createdAt: string;
}

interface RawExperiment {
  id: number;
  name: string;
  grid: string;
  scenario_id: number | null;
  created_at: string;
}

function fromRaw(r: RawExperiment): ExperimentRow {
  return { id: r.id, name: r.name, grid: JSON.parse(r.grid) as unknown, scenarioId: r.scenario_id, createdAt: r.created_at };
}

export class ExperimentsRepo {
  constructor(private readonly db: Db) {}

  create(name: string, grid: unknown, scenarioId: number | null): ExperimentRow {
    const info = this.db
      .prepare('INSERT INTO experiments (name, grid, scenario_id, created_at) VALUES (?, ?, ?, ?)')
      .run(name, JSON.stringify(grid), scenarioId, new Date().toISOString());
    return this.get(Number(info.lastInsertRowid))!;
  }

  get(id: number): ExperimentRow | undefined {
    const r = this.db.prepare('SELECT * FROM experiments WHERE id = ?').get(id) as RawExperiment | undefined;
    return r ? fromRaw(r) : undefined;
  }

  list(): ExperimentRow[] {
    return (this.db.prepare('SELECT * FROM experiments ORDER BY id DESC').all() as RawExperiment[]).map(fromRaw);
  }

  setGrid(id: number, grid: unknown): void {
    this.db.prepare('UPDATE experiments SET grid = ? WHERE id = ?').run(JSON.stringify(grid), id);
  }
}
