/** Terminal rendering of experiments' results, and the CLI's parsing of lists and errors. */
import { z } from 'zod';
import { ContractFailure, parseInput, type ContractError, type ParsedInput, type RequestName } from '../../src-shared/contract';
import { displayDigits } from '../../src-shared/results/metrics';
import { estimateText } from '../../src-shared/results/eta';
import { intervalWarning } from '../../src-shared/results/intervals';
import { conditionName } from '../../src-shared/results/names';
import type { CurveSet, ExperimentResults, ExperimentSummary, ReproducePlan, ResultTable } from '../../src-shared/results/types';
import { UsageError } from './context';
import { table } from './format';

/**
 * The flag (or argument) that sets a contract field: fields are named like their flags
 * (`epochs` → `--epochs`, `maskSeed` → `--mask-seed`), but for a few the CLI spells differently.
 */
const FLAG_OF_FIELD: Record<string, string> = { config: '--set', variants: '--vary', id: '<id>', path: '<file>' };

export function flagOf(field: string): string {
  const head = field.split('.')[0] ?? field;
  return FLAG_OF_FIELD[head] ?? `--${head.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * A contract error as the CLI says it: `--epochs: …`, naming the flag, never the operation
 * (`runs.start: epochs: …` is the services' wording). Knob errors (`--set`) keep their own
 * message, which names the knob.
 */
export function usageError(error: ContractError): UsageError {
  let message = error.message.replace(/^[a-z]+\.[a-z]+: /, '');
  if (error.field === undefined) return new UsageError(message);
  if (message.startsWith(`${error.field}: `)) message = message.slice(error.field.length + 2);
  const head = error.field.split('.')[0];
  if (head === 'config' || head === 'variants') return new UsageError(message);
  return new UsageError(`${flagOf(error.field)}: ${message}`);
}

/** Runs a service call; its typed input errors become usage errors (exit 2) naming the flag. */
export function asUsage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ContractFailure && err.error.code !== 'internal') throw usageError(err.error);
    throw err;
  }
}

/** "an integer from 1 to 1000", "a number from 0 to 1": what a numeric schema accepts. */
function expectation(schema: z.ZodType): string {
  let s: z.ZodType = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodNullable) s = s.unwrap() as z.ZodType;
  if (!(s instanceof z.ZodNumber)) return 'a number';
  const what = s.isInt ? 'an integer' : 'a number';
  const min = s.minValue !== null && Number.isFinite(s.minValue) && Math.abs(s.minValue) < Number.MAX_SAFE_INTEGER ? s.minValue : null;
  const max = s.maxValue !== null && Number.isFinite(s.maxValue) && Math.abs(s.maxValue) < Number.MAX_SAFE_INTEGER ? s.maxValue : null;
  if (min !== null && max !== null) return `${what} from ${min} to ${max}`;
  if (min !== null) return `${what} ≥ ${min}`;
  if (max !== null) return `${what} ≤ ${max}`;
  return what;
}

/**
 * A numeric flag checked against the schema of the field it sets, so every flag error reads the
 * same: `--epochs: expected an integer from 1 to 1000, got '0'` (for '-1' and 'x' alike).
 */
export function numberFlag(flag: string, value: string | undefined, schema: z.ZodType): number | undefined {
  if (value === undefined) return undefined;
  const n = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isNaN(n) && schema.safeParse(n).success) return n;
  throw new UsageError(`${flag}: expected ${expectation(schema)}, got '${value}'`);
}

const NON_NEGATIVE_INTEGER = z.number().int().min(0);

/** Validates CLI-built input with the contract's schema, so the CLI and the UI accept the same things. */
export function parseCli<K extends RequestName>(name: K, input: unknown): ParsedInput<K> {
  return asUsage(() => parseInput(name, input));
}

export function list(flag: string, value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) throw new UsageError(`${flag}: expected a comma-separated list, got '${value}'`);
  return items;
}

/** "1111,1112", "1111-1115" or a mix; anything that is not an integer is refused by name. */
export function seedList(value: string | undefined): number[] | undefined {
  const items = list('--seeds', value);
  if (!items) return undefined;
  const out: number[] = [];
  for (const item of items) {
    const range = /^(\d+)-(\d+)$/.exec(item);
    if (range) {
      const [a, b] = [Number(range[1]), Number(range[2])];
      if (b < a || b - a > 1000) throw new UsageError(`--seeds: bad range '${item}'`);
      for (let s = a; s <= b; s++) out.push(s);
    } else if (/^\d+$/.test(item)) {
      out.push(Number(item));
    } else {
      throw new UsageError(`--seeds: '${item}' is not a non-negative integer`);
    }
  }
  return out;
}

/** "3,5,7-9": run ids, each a positive integer; anything else is refused by name. */
export function runIdList(flag: string, value: string): number[] {
  const out: number[] = [];
  for (const item of list(flag, value) ?? []) {
    const range = /^(\d+)-(\d+)$/.exec(item);
    if (range) {
      const [a, b] = [Number(range[1]), Number(range[2])];
      if (a < 1 || b < a || b - a >= 500) throw new UsageError(`${flag}: bad range '${item}'`);
      for (let id = a; id <= b; id++) out.push(id);
    } else if (/^\d+$/.test(item) && Number(item) > 0) {
      out.push(Number(item));
    } else {
      throw new UsageError(`${flag}: '${item}' is not a run id`);
    }
  }
  return out;
}

/** An integer flag; `schema` (the contract field's) sets its range, else any integer ≥ 0. */
export function integerFlag(flag: string, value: string | undefined, schema: z.ZodType = NON_NEGATIVE_INTEGER): number | undefined {
  return numberFlag(flag, value, schema);
}

function fmt(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '-';
}

function signed(x: number, digits: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;
}

export interface RenderOptions {
  /** The paper's numbers beside results on synthetic data too (real data always shows them). */
  paper?: boolean;
}

/**
 * A table in the paper's layout: per method our mean ± std (`*` significant, `^` best, `!`
 * degenerate predictions), and where the paper reports the row on the real dataset its number and
 * our difference. Beside synthetic results the paper's numbers appear only with `paper`, and never
 * as a difference.
 */
export function renderTable(t: ResultTable, options: RenderOptions = {}): string {
  const out: string[] = [`${t.title}: ${t.caption}`];
  out.push(
    `metric: ${t.metricLabel}; ours = mean ± sample std (ddof 1) over the row's n finished seeds; ^ best per column; ! some seed's predictions there are constant or one-sided; * p < 0.05 (${t.test === 'welch' ? "Welch's t-test" : 'paired t-test by seed'}) vs ${t.reference ?? '- (no reference)'}${t.marks === 'avg' ? ' on Avg.' : ''}`,
  );
  const warnings: string[] = [];
  for (const b of t.blocks) {
    const where = b.dataset === null ? 'no dataset of this kind in the experiment' : [b.dataset === b.title ? null : b.dataset, b.synthetic ? 'synthetic: compare trends, not numbers' : 'real'].filter((x) => x !== null).join(', ');
    out.push('', `${b.title} (${where})`);
    const digits = displayDigits(b.metric);
    const showPaper = !b.synthetic || options.paper === true;
    const rows: (string | number)[][] = [];
    for (const r of b.rows) {
      if (r.method === null && !showPaper) continue;
      if (r.method !== null) {
        rows.push([
          r.label,
          'ours',
          r.n,
          ...r.cells.map((c) => (c.ours ? `${fmt(c.ours.mean, digits)}${Number.isFinite(c.ours.std) ? `±${fmt(c.ours.std, digits)}` : ''}${c.mark}${c.best ? '^' : ''}${c.degenerateSeeds?.length ? '!' : ''}` : '-')),
          r.state + (r.note ? ` (${r.note})` : ''),
        ]);
        if (r.degenerate) warnings.push(`${r.label}${t.blocks.length > 1 ? ` (${b.title})` : ''}: degenerate predictions, ${r.degenerate}`);
        const few = r.n > 0 ? intervalWarning(r.n) : null;
        if (few) warnings.push(`${r.label}${t.blocks.length > 1 ? ` (${b.title})` : ''}: ${few}`);
      }
      if (showPaper && r.cells.some((c) => c.paper !== null)) {
        rows.push([r.method === null ? r.label : '', b.synthetic ? 'paper (real data)' : 'paper', '', ...r.cells.map((c) => (c.paper === null ? '-' : c.paper.toFixed(digits))), r.method === null ? `${r.state}` : '']);
        if (r.method !== null && r.cells.some((c) => c.diff !== null)) rows.push(['', 'diff', '', ...r.cells.map((c) => (c.diff === null ? '-' : signed(c.diff, digits))), '']);
      }
    }
    out.push(table(['method', '', 'n', ...t.columns.map(conditionName), 'state'], rows));
    if (b.synthetic && !showPaper && b.rows.some((r) => r.cells.some((c) => c.paper !== null))) out.push("(the paper's numbers, for the real dataset, are shown with --paper)");
  }
  for (const w of [...new Set(warnings)]) out.push(`warning: ${w}`);
  for (const n of t.notes) out.push(`note: ${n}`);
  return out.join('\n');
}

/** Figure data: one row per method, one column per p, mean ± sample std (n seeds), as the table. */
export function renderCurves(c: CurveSet): string {
  const ratios = [...new Set(c.series.flatMap((s) => s.points.map((p) => p.p)))].sort((a, b) => a - b);
  const digits = c.percent ? 1 : 3;
  const rows = c.series.map((s) => {
    const ns = [...new Set(s.points.map((p) => p.n))];
    return [
      s.label,
      ns.join('/'),
      ...ratios.map((p) => {
        const pt = s.points.find((x) => x.p === p);
        if (!pt) return '-';
        return `${fmt(pt.mean, digits)}${Number.isFinite(pt.std) ? `±${fmt(pt.std, digits)}` : ''}`;
      }),
    ];
  });
  const header = `${c.figure ? `${c.figure} data: ` : ''}${c.title} (mean ± sample std over n seeds; the 95 % CI of the mean is in --json and the UI's band)`;
  return [header, table(['method', 'n', ...ratios.map((p) => conditionName(p.toFixed(1)))], rows)].join('\n');
}

export function renderResults(r: ExperimentResults, options: RenderOptions = {}): string {
  const e = r.experiment;
  const parts = [experimentLine(e)];
  for (const w of r.grid.warnings) parts.push(`warning: ${w}`);
  for (const n of r.notes) parts.push(`note: ${n}`);
  for (const t of r.tables) parts.push('', renderTable(t, options));
  for (const c of r.curves) if (c.series.some((s) => s.points.length > 0)) parts.push('', renderCurves(c));
  return parts.join('\n');
}

export function experimentLine(e: ExperimentSummary): string {
  const c = e.counts;
  // A selection of runs (runs.results) has no experiment id.
  return `${e.id === 0 ? e.name : `experiment ${e.id}: ${e.name}`} — scenario ${e.scenario}; runs ${c.finished}/${c.total} finished${c.queued ? `, ${c.queued} queued` : ''}${c.running ? `, ${c.running} running` : ''}${c.failed ? `, ${c.failed} failed` : ''}${c.cancelled ? `, ${c.cancelled} cancelled` : ''}`;
}


export function renderPlan(p: ReproducePlan): string {
  const out = [`${p.title}: ${p.caption}`, ''];
  out.push(table(['kind', 'dataset', 'why'], p.datasets.map((d) => [d.kind.toUpperCase(), `${d.dataset}${d.synthetic ? ' (synthetic)' : ''}`, d.reason])));
  out.push('');
  out.push(table(['row', 'method', 'plan'], p.rows.map((r) => [r.label, r.method ?? '-', r.note])));
  out.push('');
  out.push(`${p.runs} runs: ${p.methods.length} method(s) × ${p.datasets.length} dataset(s) × seeds ${p.seeds.join(', ')}; epochs ${p.epochs ?? "the spec's per dataset"}; reference ${p.reference ?? 'none'}`);
  out.push(`time: ${estimateText(p.estimate)}`);
  for (const n of p.notes) out.push(`note: ${n}`);
  return out.join('\n');
}
