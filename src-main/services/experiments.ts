/**
 * Experiments: methods × datasets × seeds × config variants under a scenario. Creating one
 * resolves and validates every run's config first; only when all of them are valid are the
 * experiment and its runs written, in one transaction, so bad input queues nothing.
 *
 * Runs are queued method-major (dataset → variant → method → seed): runs that can share a teacher
 * (the same seed and teacher config, e.g. HRLF and its HMI/HAL ablations) are then far apart in the
 * queue, so the first has cached its teacher (engine teacher cache) before the next one starts.
 */
import { ContractFailure, type ParsedInput } from '../../src-shared/contract';
import type { DatasetKind } from '../../src-shared/domain';
import type { DatasetSummary } from '../../src-shared/models';
import { countStatuses } from '../../src-shared/results/aggregate';
import { buildResults } from '../../src-shared/results/results';
import { scenarioConfigOverrides } from '../../src-shared/results/scenario';
import type {
  ConfigValue,
  ExperimentCell,
  ExperimentDetail,
  ExperimentGrid,
  ExperimentResults,
  ExperimentSummary,
  ExperimentVariant,
  RunResult,
} from '../../src-shared/results/types';
import { assertRunsOn, assertTrainsOn, ConfigError, getMethod, knobsOf, METHODS, resolveConfig } from '../engine/methods/registry';
import type { ExperimentRow } from '../store/experiments-repo';
import type { RunRow } from '../store/runs-repo';
import type { Store } from '../store/store';
import { DatasetNotFound, type DatasetCatalog } from './datasets';
import { paperTables } from './paper-tables';
import { predictionCheck } from './prediction-check';
import { configHash } from './provenance';
import { DEFAULT_MASK_SEED, type RunService } from './runs';
import type { ScenarioService } from './scenarios';
import type { ScenarioSummary } from '../../src-shared/results/scenario';

/** More runs than this in one experiment is almost certainly a typo in the grid. */
export const MAX_EXPERIMENT_RUNS = 2000;

type CreateInput = ParsedInput<'experiments.create'>;
type ResultsInput = ParsedInput<'experiments.results'>;
type SelectionInput = ParsedInput<'runs.results'>;

interface PlannedRun {
  dataset: string;
  method: string;
  variant: string;
  seed: number;
  overrides: Record<string, ConfigValue>;
}

function invalid(message: string, field: string): ContractFailure {
  return new ContractFailure({ code: 'invalid_input', message, field });
}

export interface CreateOptions {
  /** Set by `reproduce`: the paper table this experiment reproduces. */
  table?: 1 | 2 | 3 | null;
  /** Start the runs in this process now (app, browser mode, `--wait`); otherwise a queue worker picks them up. */
  schedule?: boolean;
}

export class ExperimentService {
  constructor(
    private readonly store: Store,
    private readonly catalog: DatasetCatalog,
    private readonly runs: RunService,
    private readonly scenarios: ScenarioService,
  ) {}

  create(input: CreateInput, options: CreateOptions = {}): ExperimentDetail {
    const scenario = this.scenarios.resolve(input.scenario);
    const methods = input.methods.map((m) => {
      try {
        return getMethod(m);
      } catch (err) {
        if (err instanceof ConfigError) throw invalid(err.message, 'methods');
        throw err;
      }
    });
    for (const m of methods) {
      try {
        assertTrainsOn(m, input.backend);
      } catch (err) {
        if (err instanceof ConfigError) throw invalid(err.message, 'backend');
        throw err;
      }
    }
    const datasets = input.datasets.map((d) => {
      try {
        return this.catalog.summary(d);
      } catch (err) {
        if (err instanceof DatasetNotFound) throw new ContractFailure({ code: 'not_found', message: err.message, field: 'datasets' });
        throw err;
      }
    });
    for (const m of methods) {
      for (const ds of datasets) {
        try {
          assertRunsOn(m, ds.kind);
        } catch (err) {
          if (err instanceof ConfigError) throw invalid(`${err.message} (dataset ${ds.id})`, 'methods');
          throw err;
        }
      }
    }
    if (input.reference !== undefined && !input.methods.includes(input.reference)) {
      throw invalid(`reference '${input.reference}' is not one of the experiment's methods (${input.methods.join(', ')})`, 'reference');
    }
    const total = input.methods.length * datasets.length * input.seeds.length * Math.max(1, input.variants.length);
    if (total > MAX_EXPERIMENT_RUNS) throw invalid(`the grid has ${total} runs; at most ${MAX_EXPERIMENT_RUNS} per experiment`, 'seeds');

    const variants: ExperimentVariant[] = input.variants.length > 0 ? input.variants : [{ name: '', config: {} }];
    const knobs = scenarioConfigOverrides(scenario.spec);
    const cells: ExperimentCell[] = [];
    const planned: PlannedRun[] = [];
    const warnings: string[] = [];
    for (const ds of datasets) {
      const kind = ds.kind;
      variants.forEach((variant, vi) => {
        for (const method of input.methods) {
          const applied: Record<string, ConfigValue> = {};
          const notApplied: string[] = [];
          for (const [knob, value] of Object.entries(knobs)) {
            if (knobsOf(getMethod(method)).includes(knob)) applied[knob] = value;
            else notApplied.push(knob);
          }
          const overrides = { ...applied, ...input.config, ...variant.config };
          let config: Record<string, unknown>;
          try {
            config = resolveConfig(kind, { method, preset: input.preset, epochs: input.epochs, overrides });
          } catch (err) {
            if (!(err instanceof ConfigError)) throw err;
            const knob = err.field?.split('.')[0];
            const field =
              err.field === 'preset' || err.field === 'method'
                ? err.field
                : knob !== undefined && knob in variant.config
                  ? `variants.${vi}.config.${knob}`
                  : knob !== undefined && knob in input.config
                    ? `config.${knob}`
                    : knob !== undefined && knob in applied
                      ? 'scenario'
                      : 'config';
            throw invalid(`${method} on ${ds.id}${variant.name ? ` (variant ${variant.name})` : ''}: ${err.message}`, field);
          }
          const hash = configHash(method, config);
          const twin = cells.find((c) => c.dataset === ds.id && c.method === method && c.configHash === hash);
          if (twin) warnings.push(`variants '${twin.variant}' and '${variant.name}' give ${method} the same config on ${ds.id}; their runs are grouped under '${twin.variant}'`);
          cells.push({ dataset: ds.id, method, variant: variant.name, configHash: hash, scenarioKnobs: applied, scenarioKnobsNotApplied: notApplied });
          if (notApplied.length > 0 && vi === 0) {
            warnings.push(`${method} has no ${notApplied.join('/')} knob: scenario '${scenario.name}' changes MSM training, which ${method} does not use (its runs train as they always do)`);
          }
          for (const seed of input.seeds) planned.push({ dataset: ds.id, method, variant: variant.name, seed, overrides });
        }
      });
    }

    const grid: ExperimentGrid = {
      methods: input.methods,
      datasets: input.datasets,
      seeds: input.seeds,
      variants: input.variants,
      config: input.config,
      epochs: input.epochs ?? null,
      preset: input.preset ?? null,
      backend: input.backend ?? null,
      reference: input.reference ?? null,
      table: options.table ?? null,
      scenario: { id: scenario.id, name: scenario.name, spec: scenario.spec },
      cells,
      warnings: [...new Set(warnings)],
    };
    const name = input.name ?? defaultName(input.methods, input.datasets, input.seeds.length, options.table ?? null);
    const ids: number[] = [];
    const row = this.store.db.transaction(() => {
      const exp = this.store.experiments.create(name, grid, scenario.id);
      for (const p of planned) {
        const run = this.runs.enqueue(
          {
            dataset: p.dataset,
            method: p.method,
            seed: p.seed,
            config: p.overrides,
            ...(input.epochs !== undefined ? { epochs: input.epochs } : {}),
            ...(input.backend !== undefined ? { backend: input.backend } : {}),
            ...(input.preset !== undefined ? { preset: input.preset } : {}),
          },
          exp.id,
          { maskSeed: scenario.spec.evaluation.maskSeed },
        );
        ids.push(run.id);
      }
      return exp;
    })();
    if (options.schedule) this.runs.schedule(ids);
    return this.detail(row);
  }

  list(): ExperimentSummary[] {
    return this.store.experiments.list().map((e) => this.summary(e, this.store.runs.listByExperiment(e.id)));
  }

  get(id: number): ExperimentDetail {
    return this.detail(this.mustGet(id));
  }

  mustGet(id: number): ExperimentRow {
    const row = this.store.experiments.get(id);
    if (!row) throw new ContractFailure({ code: 'not_found', message: `no experiment with id ${id}`, field: 'id' });
    return row;
  }

  /** Queued runs of an experiment, for `--wait` and the UI's launch. */
  queuedRuns(id: number): number[] {
    return this.store.runs
      .listByExperiment(id)
      .filter((r) => r.status === 'queued')
      .map((r) => r.id);
  }

  results(input: ResultsInput): ExperimentResults {
    return this.load(input).results;
  }

  /** The results and the runs behind them, with their evaluations (exports need both). */
  load(input: ResultsInput): { results: ExperimentResults; runs: RunResult[] } {
    const row = this.mustGet(input.id);
    const rows = this.store.runs.listByExperiment(row.id);
    return this.assemble(this.summary(row, rows), row.grid as ExperimentGrid, rows, input);
  }

  /**
   * Results of any selection of runs, as if they were one experiment: single runs started from the
   * Runs tab, runs of several experiments, or a few seeds of one. Runs of the same dataset and method
   * with the same config are aggregated over their seeds; different configs become variants named
   * by the knobs that differ.
   */
  loadSelection(input: SelectionInput): { results: ExperimentResults; runs: RunResult[] } {
    const rows = input.runs.map((id) => {
      const r = this.store.runs.get(id);
      if (!r) throw new ContractFailure({ code: 'not_found', message: `no run with id ${id}`, field: 'runs' });
      return r;
    });
    const { grid, notes } = selectionGrid(rows, this.scenarios.resolve('paper'));
    const summary: ExperimentSummary = {
      id: 0,
      name: `Selected runs ${rows.map((r) => `#${r.id}`).join(', ')}`,
      createdAt: rows.map((r) => r.createdAt).sort()[0] ?? new Date().toISOString(),
      scenario: grid.scenario.name,
      methods: grid.methods,
      datasets: grid.datasets,
      seeds: grid.seeds,
      variants: [...new Set(grid.cells.map((c) => c.variant))].filter((v) => v !== ''),
      table: null,
      reference: null,
      counts: countStatuses(rows.map((r) => r.status)),
    };
    const loaded = this.assemble(summary, grid, rows, { ...input, id: 0 });
    loaded.results.notes.unshift(...notes);
    loaded.results.selection = rows.map((r) => r.id);
    return loaded;
  }

  private assemble(summary: ExperimentSummary, grid: ExperimentGrid, rows: RunRow[], input: ResultsInput): { results: ExperimentResults; runs: RunResult[] } {
    const datasets = this.datasetIndex();
    const methods = new Map(METHODS.map((m) => [m.id, m.title]));
    const runs = rows.map((r) => this.runResult(r, grid, datasets));
    const results = buildResults(
      {
        experiment: summary,
        grid,
        runs,
        paper: paperTables(),
        implemented: (m) => methods.has(m),
        methodLabel: (m) => methods.get(m) ?? m,
        synthetic: (d) => datasets.get(d)?.builtin ?? false,
        kindOf: (d) => kindOf(datasets, d),
      },
      {
        reference: input.reference === undefined ? grid.reference : input.reference,
        test: input.test,
        level: 0.95,
        table: input.table ?? null,
        metric: input.metric,
        marks: input.marks,
      },
    );
    return { results, runs };
  }

  private datasetIndex(): Map<string, DatasetSummary> {
    return new Map(this.catalog.list().map((d) => [d.id, d]));
  }

  private runResult(r: RunRow, grid: ExperimentGrid, datasets: Map<string, DatasetSummary>): RunResult {
    const cell = grid.cells.find((c) => c.dataset === r.datasetId && c.method === r.method && c.configHash === r.configHash);
    return {
      run: r.id,
      dataset: r.datasetId,
      datasetKind: kindOf(datasets, r.datasetId),
      datasetSha256: r.datasetSha256,
      method: r.method,
      // A run whose config matches no planned cell (cannot happen through the services) keeps its hash as the variant.
      variant: cell ? cell.variant : r.configHash,
      seed: r.seed,
      status: r.status,
      outcome: r.outcome,
      error: r.error,
      config: r.config,
      configHash: r.configHash,
      codeVersion: r.codeVersion,
      backend: r.backend,
      host: r.host,
      maskSeed: r.maskSeed ?? DEFAULT_MASK_SEED,
      timings: r.timings,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      evaluations: r.status === 'finished' ? this.store.runs.evaluations(r.id) : [],
      predictionCheck: predictionCheck(this.store, r),
    };
  }

  private summary(row: ExperimentRow, runs: RunRow[]): ExperimentSummary {
    const grid = row.grid as ExperimentGrid;
    return {
      id: row.id,
      name: row.name,
      createdAt: row.createdAt,
      scenario: grid.scenario.name,
      methods: grid.methods,
      datasets: grid.datasets,
      seeds: grid.seeds,
      variants: grid.variants.map((v) => v.name),
      table: grid.table,
      reference: grid.reference,
      counts: countStatuses(runs.map((r) => r.status)),
    };
  }

  private detail(row: ExperimentRow): ExperimentDetail {
    const grid = row.grid as ExperimentGrid;
    const runs = this.store.runs.listByExperiment(row.id);
    return {
      ...this.summary(row, runs),
      grid,
      runs: runs.map((r) => ({
        id: r.id,
        dataset: r.datasetId,
        method: r.method,
        variant: grid.cells.find((c) => c.dataset === r.datasetId && c.method === r.method && c.configHash === r.configHash)?.variant ?? r.configHash,
        seed: r.seed,
        status: r.status,
        epochsDone: r.epochsDone,
        epochsPlanned: r.epochsPlanned,
        error: r.error,
        worker: r.worker,
      })),
    };
  }
}

function kindOf(datasets: Map<string, DatasetSummary>, dataset: string): DatasetKind {
  const kind = datasets.get(dataset)?.kind;
  // Datasets are never deleted; an unknown one can only come from a hand-edited store.
  if (!kind) throw new Error(`dataset '${dataset}' of this experiment is no longer in the catalog`);
  return kind;
}

/**
 * The grid of a selection of runs: its methods, datasets and seeds, one cell per (dataset, method,
 * config), the full evaluation protocol (every run is evaluated under all of it) with the runs'
 * mask seed, and notes on what the reader should know (mixed mask seeds, repeated seeds).
 */
export function selectionGrid(rows: RunRow[], paper: ScenarioSummary): { grid: ExperimentGrid; notes: string[] } {
  const unique = <T>(xs: T[]): T[] => [...new Set(xs)];
  const cells: ExperimentCell[] = [];
  const notes: string[] = [];
  const pairs = unique(rows.map((r) => JSON.stringify([r.datasetId, r.method])));
  for (const pair of pairs) {
    const [dataset, method] = JSON.parse(pair) as [string, string];
    const mine = rows.filter((r) => r.datasetId === dataset && r.method === method);
    const configs = new Map(mine.map((r) => [r.configHash, r.config]));
    const varying = unique([...configs.values()].flatMap((c) => Object.keys(c))).filter((k) => new Set([...configs.values()].map((c) => JSON.stringify(c[k]))).size > 1);
    for (const [hash, config] of configs) {
      const variant = configs.size === 1 ? '' : varying.length > 0 ? varying.map((k) => `${k}=${JSON.stringify(config[k]) ?? 'unset'}`).join(' ') : `config ${hash.slice(0, 8)}`;
      cells.push({ dataset, method, variant, configHash: hash, scenarioKnobs: {}, scenarioKnobsNotApplied: [] });
      const bySeed = new Map<number, number[]>();
      for (const r of mine.filter((x) => x.configHash === hash && x.status === 'finished')) bySeed.set(r.seed, [...(bySeed.get(r.seed) ?? []), r.id]);
      for (const [seed, ids] of bySeed) {
        if (ids.length > 1) notes.push(`runs ${ids.map((i) => `#${i}`).join(', ')} repeat ${method} on ${dataset}${variant ? ` [${variant}]` : ''} with seed ${seed}: only the latest, #${Math.max(...ids)}, is aggregated`);
      }
    }
  }
  const maskSeeds = unique(rows.map((r) => r.maskSeed ?? DEFAULT_MASK_SEED));
  if (maskSeeds.length > 1) notes.push(`the selected runs were evaluated with different mask seeds (${maskSeeds.join(', ')}): their evaluation masks differ`);
  const experiments = unique(rows.map((r) => r.experimentId).filter((e): e is number => e !== null));
  if (experiments.length > 0) notes.push(`includes runs of experiment${experiments.length > 1 ? 's' : ''} ${experiments.map((e) => `#${e}`).join(', ')}`);
  const grid: ExperimentGrid = {
    methods: unique(rows.map((r) => r.method)),
    datasets: unique(rows.map((r) => r.datasetId)),
    seeds: unique(rows.map((r) => r.seed)).sort((a, b) => a - b),
    variants: [],
    config: {},
    epochs: null,
    preset: null,
    backend: null,
    reference: null,
    table: null,
    scenario: { id: 0, name: 'full protocol', spec: { ...paper.spec, evaluation: { ...paper.spec.evaluation, maskSeed: maskSeeds[0] ?? DEFAULT_MASK_SEED } } },
    cells,
    warnings: [],
  };
  return { grid, notes };
}

function defaultName(methods: string[], datasets: string[], seeds: number, table: 1 | 2 | 3 | null): string {
  if (table !== null) return `Table ${table} reproduction (${seeds} seeds)`;
  return `${methods.join(', ')} on ${datasets.join(', ')} (${seeds} seed${seeds === 1 ? '' : 's'})`;
}
