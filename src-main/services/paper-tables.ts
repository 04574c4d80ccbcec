/** The paper's Tables 1–3, read once from resources/papers/hrlf-tables.json and validated. */
import { readFileSync } from 'node:fs';
import { PaperTablesSchema, type PaperTables } from '../../src-shared/results/paper';
import { resourcePath } from '../engine/paths';

let cached: PaperTables | null = null;

export function paperTables(): PaperTables {
  if (cached) return cached;
  const file = resourcePath('papers', 'hrlf-tables.json');
  const parsed = PaperTablesSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: not the paper's tables: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  cached = parsed.data;
  return cached;
}
