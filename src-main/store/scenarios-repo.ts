import type { Db } from './database';

export interface ScenarioRow {
  id: number;
  name: string;
  /** The stored JSON: { description, spec }; validated by the scenario service, not here. */
  spec: unknown;
  builtin: boolean;
  createdAt: string;
}

interface RawScenario {
  id: number;
  name: string;
  spec: string;
  builtin: number;
  created_at: string;
}

function fromRaw(r: RawScenario): ScenarioRow {
  return { id: r.id, name: r.name, spec: JSON.parse(r.spec) as unknown, builtin: r.builtin === 1, createdAt: r.created_at };
}

export class ScenariosRepo {
  constructor(private readonly db: Db) {}

  list(): ScenarioRow[] {
    return (this.db.prepare('SELECT * FROM scenarios ORDER BY builtin DESC, id').all() as RawScenario[]).map(fromRaw);
  }

  get(id: number): ScenarioRow | undefined {
    const r = this.db.prepare('SELECT * FROM scenarios WHERE id = ?').get(id) as RawScenario | undefined;
    return r ? fromRaw(r) : undefined;
  }

  byName(name: string): ScenarioRow | undefined {
    const r = this.db.prepare('SELECT * FROM scenarios WHERE name = ?').get(name) as RawScenario | undefined;
    return r ? fromRaw(r) : undefined;
  }

  insert(name: string, spec: unknown, builtin: boolean): ScenarioRow {
    const info = this.db
      .prepare('INSERT INTO scenarios (name, spec, builtin, created_at) VALUES (?, ?, ?, ?)')
      .run(name, JSON.stringify(spec), builtin ? 1 : 0, new Date().toISOString());
    return this.get(Number(info.lastInsertRowid))!;
  }

  /** Replaces the stored spec; experiments keep their own snapshot, so this never changes a past one. */
  update(id: number, spec: unknown): ScenarioRow {
    this.db.prepare('UPDATE scenarios SET spec = ? WHERE id = ?').run(JSON.stringify(spec), id);
    return this.get(id)!;
  }
}
