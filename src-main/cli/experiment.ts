/**
 * `hrlf experiment create|list|show` and `hrlf scenario list|show|save`: seed-averaged grids
 * under a missingness scenario, from the terminal.
 */
import { z } from 'zod';
import { ExperimentCreateInput, type ParsedInput } from '../../src-shared/contract';
import { conditionName } from '../../src-shared/results/names';
import { defaultConcurrency, MAX_CONCURRENCY } from '../services/concurrency';
import type { ConfigValue, ExperimentDetail } from '../../src-shared/results/types';
import type { ScenarioSummary } from '../../src-shared/results/scenario';
import type { Workbench } from '../services/api';
import { openCoordinator, openWorkbench, UsageError, type Global as GlobalFlags } from './context';
import { table } from './format';
import { asUsage, experimentLine, integerFlag, list, parseCli, renderResults, seedList, type RenderOptions } from './results-text';
import { parseOverrides } from './train';

type Global = GlobalFlags;

export interface CreateFlags {
  methods?: string;
  datasets?: string;
  seeds?: string;
  epochs?: string;
  backend?: string;
  preset?: string;
  set?: string[];
  vary?: string[];
  scenario?: string;
  reference?: string;
  name?: string;
  wait?: boolean;
  concurrency?: string;
  json?: boolean;
}

/** `--vary lr=0.001,0.002 --vary dropout=0,0.1`: the cartesian product, one variant per combination. */
export function variantsOf(vary: string[] = []): { name: string; config: Record<string, ConfigValue> }[] {
  let combos: { name: string; config: Record<string, ConfigValue> }[] = [];
  for (const spec of vary) {
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1) throw new UsageError(`--vary: expected key=v1,v2,…, got '${spec}'`);
    const key = spec.slice(0, eq);
    const values = spec
      .slice(eq + 1)
      .split(',')
      .map((raw) => parseOverrides([`${key}=${raw.trim()}`])[key]!);
    const next = values.map((v) => ({ name: `${key}=${String(v)}`, config: { [key]: v } }));
    combos = combos.length === 0 ? next : combos.flatMap((c) => next.map((n) => ({ name: `${c.name} ${n.name}`, config: { ...c.config, ...n.config } })));
  }
  return combos;
}

const CONCURRENCY = z.number().int().min(1).max(MAX_CONCURRENCY);

/** --concurrency, or the default from the machine's cores and memory (services/concurrency.ts). */
export function concurrencyOf(value: string | undefined): number {
  return integerFlag('--concurrency', value, CONCURRENCY) ?? defaultConcurrency();
}

/**
 * Runs the given queued runs in this process until they end (Ctrl+C cancels them), logging each
 * status change to stderr. Returns false when any of them did not finish.
 */
export async function runToEnd(wb: Workbench, ids: number[], quiet: boolean): Promise<boolean> {
  const mine = new Set(ids);
  const unsubscribe = wb.bus.subscribe((event, payload) => {
    if (event !== 'run.status' || quiet) return;
    const p = payload as { runId: number; status: string; error: string | null };
    if (mine.has(p.runId)) process.stderr.write(`run ${p.runId}: ${p.status}${p.error ? ` (${p.error})` : ''}\n`);
  });
  const stop = (): void => {
    for (const id of ids) {
      const s = wb.store.runs.get(id)?.status;
      if (s === 'queued' || s === 'running') wb.cancelRun(id);
    }
  };
  process.once('SIGINT', stop);
  try {
    if (wb.cluster) {
      // The cluster's workers run them; this process stores their results as they come.
      await wb.settled(ids);
    } else {
      wb.runs.schedule(ids);
      await wb.runs.idle();
    }
  } finally {
    process.off('SIGINT', stop);
    unsubscribe();
  }
  return ids.every((id) => wb.store.runs.get(id)?.status === 'finished');
}

function printCreated(d: ExperimentDetail): void {
  process.stdout.write(`${experimentLine(d)}\n`);
  for (const w of d.grid.warnings) process.stdout.write(`warning: ${w}\n`);
}

export async function experimentCreateCommand(global: Global, f: CreateFlags): Promise<void> {
  const concurrency = concurrencyOf(f.concurrency);
  const input = parseCli('experiments.create', {
    ...(f.name !== undefined ? { name: f.name } : {}),
    methods: list('--methods', f.methods) ?? [],
    datasets: list('--datasets', f.datasets) ?? [],
    ...(f.seeds !== undefined ? { seeds: seedList(f.seeds) } : {}),
    ...(f.epochs !== undefined ? { epochs: integerFlag('--epochs', f.epochs, ExperimentCreateInput.shape.epochs) } : {}),
    ...(f.backend !== undefined ? { backend: f.backend } : {}),
    ...(f.preset !== undefined ? { preset: f.preset } : {}),
    config: parseOverrides(f.set),
    variants: variantsOf(f.vary),
    ...(f.scenario !== undefined ? { scenario: f.scenario } : {}),
    ...(f.reference !== undefined ? { reference: f.reference } : {}),
  });
  const wb = await openCoordinator(global, false, concurrency);
  try {
    const created = asUsage(() => wb.experiments.create(input));
    if (!f.wait) {
      if (f.json) process.stdout.write(JSON.stringify(created, null, 2) + '\n');
      else {
        printCreated(created);
        process.stdout.write(
          wb.cluster
            ? `sent ${created.counts.queued} runs to the cluster queue ${wb.cluster.state().url}; collect their results with \`hrlf queue --run\` (or the app), then \`hrlf experiment show ${created.id}\`\n`
            : `queued ${created.counts.queued} runs; run them with \`hrlf queue --run\`, then \`hrlf experiment show ${created.id}\`\n`,
        );
      }
      return;
    }
    if (!f.json) printCreated(created);
    const ok = await runToEnd(wb, wb.experiments.queuedRuns(created.id), Boolean(f.json));
    const results = wb.experiments.results(resultsInput(created.id, {}));
    process.stdout.write(f.json ? JSON.stringify(results, null, 2) + '\n' : renderResults(results) + '\n');
    if (!ok) process.exitCode = 1;
  } finally {
    await wb.shutdown();
  }
}

export interface ShowFlags {
  reference?: string;
  test?: string;
  table?: string;
  metric?: string;
  marks?: string;
  /** The paper's numbers beside synthetic results too. */
  paper?: boolean;
  json?: boolean;
}

/** The result options of the show flags; `--reference none` clears the experiment's own reference. */
export function resultOptions(f: ShowFlags): Record<string, unknown> {
  return {
    ...(f.reference !== undefined ? { reference: f.reference === 'none' ? null : f.reference } : {}),
    ...(f.test !== undefined ? { test: f.test } : {}),
    ...(f.table !== undefined ? { table: integerFlag('--table', f.table) } : {}),
    ...(f.metric !== undefined ? { metric: f.metric } : {}),
    ...(f.marks !== undefined ? { marks: f.marks } : {}),
  };
}

export function resultsInput(id: number, f: ShowFlags): ParsedInput<'experiments.results'> {
  return parseCli('experiments.results', { id, ...resultOptions(f) });
}

export function experimentId(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`expected an experiment id, got '${value}'`);
  return Number(value);
}

/** An experiment's results as the paper-layout text, or as JSON (`experiment show`, `reproduce --experiment`). */
export function printResults(global: Global, input: ReturnType<typeof resultsInput>, json: boolean | undefined, options: RenderOptions = {}): void {
  const wb = openWorkbench(global.home);
  try {
    const results = asUsage(() => wb.experiments.results(input));
    process.stdout.write(json ? JSON.stringify(results, null, 2) + '\n' : renderResults(results, options) + '\n');
  } finally {
    wb.close();
  }
}

export function experimentShowCommand(global: Global, idText: string, f: ShowFlags): void {
  printResults(global, resultsInput(experimentId(idText), f), f.json, { paper: f.paper === true });
}

export function experimentListCommand(global: Global, f: { json?: boolean }): void {
  const wb = openWorkbench(global.home);
  try {
    const all = wb.experiments.list();
    if (f.json) process.stdout.write(JSON.stringify(all, null, 2) + '\n');
    else if (all.length === 0) process.stdout.write('no experiments yet (`hrlf experiment create`, `hrlf reproduce`)\n');
    else
      process.stdout.write(
        table(
          ['id', 'name', 'scenario', 'runs', 'finished', 'queued', 'running', 'failed', 'created'],
          all.map((e) => [e.id, e.name, e.scenario, e.counts.total, e.counts.finished, e.counts.queued, e.counts.running, e.counts.failed + e.counts.cancelled, e.createdAt]),
        ) + '\n',
      );
  } finally {
    wb.close();
  }
}

/* ------------------------------------------------------------------------------------------ */

function describeScenario(s: ScenarioSummary): string {
  const e = s.spec.evaluation;
  const m = s.spec.training.msm;
  return [
    `scenario ${s.id}: ${s.name}${s.builtin ? ' (built-in)' : ''}`,
    ...(s.description ? [s.description] : []),
    `training MSM: available sets ${m.subsets.map(conditionName).join(' ')}; frame drop p ~ U[0, ${m.maxDropRatio})`,
    `evaluation: inter ${e.inter.map(conditionName).join(' ') || 'none'}; intra p ${e.intra.map((p) => p.toFixed(1)).join(' ') || 'none'}; mask seed ${e.maskSeed}`,
  ].join('\n');
}

export function scenarioListCommand(global: Global, f: { json?: boolean }): void {
  const wb = openWorkbench(global.home);
  try {
    const all = wb.scenarios.list();
    if (f.json) process.stdout.write(JSON.stringify(all, null, 2) + '\n');
    else process.stdout.write(all.map(describeScenario).join('\n\n') + '\n');
  } finally {
    wb.close();
  }
}

export function scenarioShowCommand(global: Global, ref: string, f: { json?: boolean }): void {
  const wb = openWorkbench(global.home);
  try {
    const s = asUsage(() => wb.scenarios.resolve(ref, 'name'));
    process.stdout.write(f.json ? JSON.stringify(s, null, 2) + '\n' : describeScenario(s) + '\n');
  } finally {
    wb.close();
  }
}

export interface ScenarioFlags {
  description?: string;
  inter?: string;
  intra?: string;
  maskSeed?: string;
  msmSubsets?: string;
  msmMaxDrop?: string;
  replace?: boolean;
  json?: boolean;
}

/** Conditions contain commas, so sets are separated by ';' or spaces: "l,v;l,a,v" or "l,v l,a,v". */
function conditions(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value.split(/[;\s]+/).filter((s) => s !== '');
}

function ratios(flag: string, value: string | undefined): number[] | undefined {
  const items = list(flag, value);
  return items?.map((x) => {
    const n = Number(x);
    if (x === '' || Number.isNaN(n)) throw new UsageError(`${flag}: '${x}' is not a number`);
    return n;
  });
}

export function scenarioSaveCommand(global: Global, name: string, f: ScenarioFlags): void {
  const maxDrop = ratios('--msm-max-drop', f.msmMaxDrop);
  const input = parseCli('scenarios.save', {
    name,
    ...(f.description !== undefined ? { description: f.description } : {}),
    ...(f.replace ? { replace: true } : {}),
    spec: {
      training: {
        msm: {
          ...(f.msmSubsets !== undefined ? { subsets: conditions(f.msmSubsets) } : {}),
          ...(maxDrop !== undefined ? { maxDropRatio: maxDrop[0] } : {}),
        },
      },
      evaluation: {
        ...(f.inter !== undefined ? { inter: conditions(f.inter) } : {}),
        ...(f.intra !== undefined ? { intra: ratios('--intra', f.intra) } : {}),
        ...(f.maskSeed !== undefined ? { maskSeed: integerFlag('--mask-seed', f.maskSeed) } : {}),
      },
    },
  });
  const wb = openWorkbench(global.home);
  try {
    const saved = asUsage(() => wb.scenarios.save(input));
    process.stdout.write(f.json ? JSON.stringify(saved, null, 2) + '\n' : describeScenario(saved) + '\n');
  } finally {
    wb.close();
  }
}
