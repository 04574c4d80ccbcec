/**
 * Reproduction of the paper's Tables 1–3: which datasets (the newest imported real dataset of
 * each kind, else the built-in synthetic one, and the plan says which), which methods (the table's
 * rows that the engine implements; the others keep the paper's numbers as "not run"), seeds
 * 1111…, and the experiment that runs it under the paper scenario.
 */
import { ContractFailure, type ParsedInput } from '../../src-shared/contract';
import type { DatasetKind } from '../../src-shared/domain';
import { PAPER_METHOD_IDS, PAPER_REFERENCE_LABEL, paperLabelOf, paperRowName, paperTableDef } from '../../src-shared/results/paper';
import { PAPER_SCENARIO_NAME } from '../../src-shared/results/scenario';
import type { ReproduceDatasetChoice, ReproduceMethodRow, ReproducePlan, ReproduceStarted } from '../../src-shared/results/types';
import { estimateRun, measurementOf, pairKey } from '../../src-shared/results/eta';
import { METHODS, resolveConfig } from '../engine/methods/registry';
import type { RunRow } from '../store/runs-repo';
import type { Store } from '../store/store';
import { detail } from './summaries';
import type { DatasetCatalog } from './datasets';
import type { ExperimentService } from './experiments';
import { paperTables } from './paper-tables';

type ReproduceInput = ParsedInput<'reproduce.plan'>;

/** The first seed of the paper's protocol; K seeds are 1111 … 1111 + K − 1. */
const FIRST_SEED = 1111;

export class ReproduceService {
  constructor(
    private readonly store: Store,
    private readonly catalog: DatasetCatalog,
    private readonly experiments: ExperimentService,
    /** Runs at a time where the plan will run: the queue's concurrency. */
    private readonly concurrency: () => number = () => 2,
  ) {}

  private chooseDataset(kind: DatasetKind, synthetic: boolean): ReproduceDatasetChoice {
    const builtin = `synth-${kind}`;
    if (synthetic) return { kind, dataset: builtin, synthetic: true, reason: 'synthetic data requested' };
    const imported = this.catalog
      .list()
      .filter((d) => !d.builtin && d.kind === kind)
      .map((d) => ({ d, createdAt: this.store.datasets.get(d.id)?.createdAt ?? '' }))
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
    const newest = imported[0];
    if (newest) {
      const others = imported.length > 1 ? `; ${imported.length - 1} older import(s) not used` : '';
      return { kind, dataset: newest.d.id, synthetic: false, reason: `the newest imported ${kind.toUpperCase()} dataset${others}` };
    }
    return { kind, dataset: builtin, synthetic: true, reason: `no ${kind.toUpperCase()} dataset imported` };
  }

  plan(input: ReproduceInput): ReproducePlan {
    const def = paperTableDef(paperTables(), input.table);
    const registered = new Map(METHODS.map((m) => [m.id, m]));
    const kinds = [...new Set(def.blocks.map((b) => b.kind))];
    /** The table's dataset kinds a method cannot run on. */
    const unsupported = (id: string): string[] => kinds.filter((k) => !registered.get(id)!.kinds.includes(k)).map((k) => k.toUpperCase());
    for (const m of input.methods ?? []) {
      if (!registered.has(m)) throw new ContractFailure({ code: 'invalid_input', message: `unknown method '${m}'; available: ${[...registered.keys()].join(', ')}`, field: 'methods' });
      const cannot = unsupported(m);
      if (cannot.length > 0) throw new ContractFailure({ code: 'invalid_input', message: `${m} cannot run on ${cannot.join(', ')}, which Table ${input.table} needs`, field: 'methods' });
    }
    const datasets = kinds.map((k) => this.chooseDataset(k, input.synthetic));

    const rows: ReproduceMethodRow[] = def.rowLabels.map((label) => {
      const ids = PAPER_METHOD_IDS[label] ?? [];
      const method = ids.find((id) => registered.has(id)) ?? null;
      const cannot = method === null ? [] : unsupported(method);
      const run = method !== null && cannot.length === 0 && (input.methods ? input.methods.includes(method) : true);
      const note =
        method === null
          ? 'not implemented yet: the paper\'s numbers only, "not run"'
          : cannot.length > 0
            ? `${method} cannot run on ${cannot.join(', ')}: "not run"`
            : run
              ? 'runs'
              : 'implemented, not selected: "not run"';
      // A table of one dataset kind names a row as its results will (Table 2: "Self-MM (no ULGM)").
      return { label: kinds.length === 1 ? paperRowName(label, kinds[0]!) : label, method, implemented: method !== null, run, note };
    });
    for (const m of input.methods ?? []) {
      if (rows.some((r) => r.method === m)) continue;
      const paperLabel = paperLabelOf(m);
      rows.push({ label: registered.get(m)?.title ?? m, method: m, implemented: true, run: true, note: paperLabel ? `the paper's ${paperLabel} is not in Table ${input.table}` : 'not in the paper: our numbers only' });
    }
    const methods = rows.filter((r) => r.run && r.method !== null).map((r) => r.method!);
    if (methods.length === 0) {
      throw new ContractFailure({
        code: 'invalid_input',
        message: `none of Table ${input.table}'s methods (${def.rowLabels.join(', ')}) is implemented yet; choose methods to run beside the paper's numbers, e.g. lf-linear`,
        field: 'methods',
      });
    }
    const referenceLabel = input.table === 3 ? 'HRLF' : PAPER_REFERENCE_LABEL;
    const defaultReference = rows.find((r) => r.label === referenceLabel && r.run)?.method ?? null;
    const reference = input.reference ?? defaultReference;
    if (reference !== null && !methods.includes(reference)) {
      throw new ContractFailure({ code: 'invalid_input', message: `reference '${reference}' is not among the methods run (${methods.join(', ')})`, field: 'reference' });
    }
    const seeds = Array.from({ length: input.seeds }, (_, i) => FIRST_SEED + i);
    const notes: string[] = [];
    const synthetic = datasets.filter((d) => d.synthetic);
    if (synthetic.length > 0) {
      notes.push(
        `${synthetic.map((d) => d.kind.toUpperCase()).join(' and ')} on synthetic data: compare trends with the paper's, not numbers` +
          (input.synthetic ? '' : ' (import the real dataset on the Datasets screen or with hrlf import FILE to compare numbers)'),
      );
    }
    if (reference === null) notes.push(`no significance marks: the paper's reference (${referenceLabel}) is not run; choose a reference among the methods run`);
    notes.push(`${def.figure} (${def.figureTitle}) comes from the same runs' intra-modality evaluations`);
    return {
      table: input.table,
      title: `Table ${input.table}`,
      caption: def.caption,
      figure: def.figure,
      datasets,
      rows,
      methods,
      seeds,
      epochs: input.epochs ?? null,
      reference,
      runs: methods.length * datasets.length * seeds.length,
      estimate: this.estimate(methods, datasets.map((d) => d.dataset), seeds.length, input.epochs ?? null),
      notes,
    };
  }

  /**
   * Wall time of the plan's runs from the newest finished run of each method on each dataset (the
   * measurement the experiment form uses), at the epochs the plan will train and the queue's
   * concurrency; pairs never run are listed, not guessed.
   */
  private estimate(methods: string[], datasets: string[], seeds: number, epochs: number | null): ReproducePlan['estimate'] {
    const newest = new Map<string, RunRow>();
    for (const r of this.store.runs.listByStatus('finished')) {
      const key = pairKey(r.method, r.datasetId);
      if (methods.includes(r.method) && datasets.includes(r.datasetId) && (newest.get(key)?.id ?? -1) < r.id) newest.set(key, r);
    }
    const concurrency = this.concurrency();
    let total = 0;
    let measured = 0;
    const unmeasured: string[] = [];
    for (const dataset of datasets) {
      for (const method of methods) {
        const row = newest.get(pairKey(method, dataset));
        const m = row ? measurementOf(detail(this.store, row)) : null;
        if (!m) {
          unmeasured.push(`${method} on ${dataset}`);
          continue;
        }
        const planned = resolveConfig(this.catalog.summary(dataset).kind, { method, overrides: {}, ...(epochs !== null ? { epochs } : {}) }).epochs;
        total += seeds * estimateRun(m, typeof planned === 'number' ? planned : null);
        measured++;
      }
    }
    return { seconds: measured === 0 ? null : total / concurrency, concurrency, unmeasured };
  }

  start(input: ReproduceInput, schedule: boolean): ReproduceStarted {
    const plan = this.plan(input);
    const experiment = this.experiments.create(
      {
        name: `Table ${plan.table} reproduction on ${plan.datasets.map((d) => d.dataset).join(', ')} (${plan.seeds.length} seeds)`,
        methods: plan.methods,
        datasets: plan.datasets.map((d) => d.dataset),
        seeds: plan.seeds,
        config: {},
        variants: [],
        scenario: PAPER_SCENARIO_NAME,
        ...(plan.epochs !== null ? { epochs: plan.epochs } : {}),
        ...(input.backend ? { backend: input.backend } : {}),
        ...(plan.reference !== null ? { reference: plan.reference } : {}),
      },
      { table: plan.table, schedule },
    );
    return { plan, experiment };
  }
}
