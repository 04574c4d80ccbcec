/**
 * Scenarios: the built-in paper protocol and the ones users save. The built-in row is written
 * from the code's definition on first use (and refreshed if the code's definition changes);
 * experiments keep a snapshot of the scenario they ran under, so editing one never rewrites history.
 */
import { ContractFailure } from '../../src-shared/contract';
import {
  PAPER_SCENARIO,
  PAPER_SCENARIO_DESCRIPTION,
  PAPER_SCENARIO_NAME,
  ScenarioSpecSchema,
  normalizeScenario,
  type ScenarioSpec,
  type ScenarioSpecInput,
  type ScenarioSummary,
} from '../../src-shared/results/scenario';
import type { ScenarioRow } from '../store/scenarios-repo';
import type { Store } from '../store/store';
import { canonicalJson } from '../../src-shared/canonical-json';

interface StoredScenario {
  description: string;
  spec: ScenarioSpec;
}

function decode(row: ScenarioRow): ScenarioSummary {
  const stored = row.spec as Partial<StoredScenario>;
  const parsed = ScenarioSpecSchema.safeParse(stored.spec ?? {});
  if (!parsed.success) throw new Error(`scenario '${row.name}' (id ${row.id}) in the store is invalid: ${parsed.error.issues[0]?.message ?? 'bad spec'}`);
  return { id: row.id, name: row.name, description: stored.description ?? '', builtin: row.builtin, spec: normalizeScenario(parsed.data), createdAt: row.createdAt };
}

export interface ScenarioSaveInput {
  name: string;
  description?: string | undefined;
  spec: ScenarioSpecInput;
  replace?: boolean | undefined;
}

export class ScenarioService {
  constructor(private readonly store: Store) {}

  /** Writes the built-in paper scenario if missing or out of date; safe when two processes race. */
  private ensureBuiltin(): void {
    const wanted: StoredScenario = { description: PAPER_SCENARIO_DESCRIPTION, spec: PAPER_SCENARIO };
    const row = this.store.scenarios.byName(PAPER_SCENARIO_NAME);
    if (!row) {
      try {
        this.store.scenarios.insert(PAPER_SCENARIO_NAME, wanted, true);
      } catch (err) {
        // Another process inserted it between our read and write: theirs is the same definition.
        if (!String((err as { code?: string }).code).startsWith('SQLITE_CONSTRAINT')) throw err;
      }
      return;
    }
    if (canonicalJson(row.spec) !== canonicalJson(wanted)) this.store.scenarios.update(row.id, wanted);
  }

  list(): ScenarioSummary[] {
    this.ensureBuiltin();
    return this.store.scenarios.list().map(decode);
  }

  /** By id, or by name; `field` names the input field for the error. */
  resolve(ref: string | number, field = 'scenario'): ScenarioSummary {
    this.ensureBuiltin();
    const row = typeof ref === 'number' || /^\d+$/.test(ref) ? this.store.scenarios.get(Number(ref)) : this.store.scenarios.byName(ref);
    if (!row) {
      const names = this.store.scenarios.list().map((r) => r.name);
      throw new ContractFailure({ code: 'not_found', message: `unknown scenario '${ref}'; available: ${names.join(', ')}`, field });
    }
    return decode(row);
  }

  save(input: ScenarioSaveInput): ScenarioSummary {
    this.ensureBuiltin();
    const parsed = ScenarioSpecSchema.safeParse(input.spec);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const path = issue?.path.join('.') ?? '';
      throw new ContractFailure({ code: 'invalid_input', message: `scenario spec${path ? ` ${path}` : ''}: ${issue?.message ?? 'invalid'}`, field: path ? `spec.${path}` : 'spec' });
    }
    const stored: StoredScenario = { description: input.description ?? '', spec: normalizeScenario(parsed.data) };
    const existing = this.store.scenarios.byName(input.name);
    if (existing?.builtin) {
      throw new ContractFailure({ code: 'conflict', message: `'${input.name}' is a built-in scenario; save yours under another name`, field: 'name' });
    }
    if (existing && !input.replace) {
      throw new ContractFailure({ code: 'conflict', message: `a scenario named '${input.name}' exists; choose another name or replace it`, field: 'name' });
    }
    return decode(existing ? this.store.scenarios.update(existing.id, stored) : this.store.scenarios.insert(input.name, stored, false));
  }
}
