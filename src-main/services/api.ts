/**
 * The services behind the contract: one handler per request, used identically by the Electron IPC
 * wiring, the WebSocket server and the CLI.
 */
import { defaultConcurrency } from './concurrency';
import {
  ContractFailure,
  parseInput,
  toContractError,
  type ContractError,
  type ParsedInput,
  type RequestName,
  type RequestOutput,
} from '../../src-shared/contract';
import type { MethodConfigCheck } from '../../src-shared/methods';
import type { AppInfo } from '../../src-shared/models';
import { ConfigError, listMethods, resolveRun } from '../engine/methods/registry';
import { Store } from '../store/store';
import { SampleIndexError } from './dataset-sample';
import { DatasetCatalog, DatasetNotFound, DatasetNotReady } from './datasets';
import { EventBus } from './events';
import { exportExperiment } from './experiment-export';
import { ExperimentService } from './experiments';
import { homeLayout, type HomeLayout } from './home';
import { forkLauncher, type Launcher } from './launcher';
import { codeVersion, packageVersion } from './provenance';
import { ReproduceService } from './reproduce';
import { ProjectionService } from './projections';
import { RunService } from './runs';
import { previewScenario } from './scenario-preview';
import { ScenarioService } from './scenarios';
import { detail, summarize } from './summaries';

type Handlers = { [K in RequestName]: (input: ParsedInput<K>) => RequestOutput<K> | Promise<RequestOutput<K>> };

export interface WorkbenchOptions {
  home: string;
  mode: AppInfo['mode'];
  launcher?: Launcher;
  concurrency?: number;
  /** See RunServiceOptions.workQueue; default true. */
  workQueue?: boolean;
  nativeBinding?: string;
}

export class Workbench {
  readonly store: Store;
  readonly bus = new EventBus();
  readonly layout: HomeLayout;
  readonly catalog: DatasetCatalog;
  readonly runs: RunService;
  readonly projections: ProjectionService;
  readonly scenarios: ScenarioService;
  readonly experiments: ExperimentService;
  readonly reproduce: ReproduceService;
  private readonly handlers: Handlers;

  constructor(readonly options: WorkbenchOptions) {
    this.layout = homeLayout(options.home);
    this.store = Store.open(options.home, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
    const launcher = options.launcher ?? forkLauncher;
    this.catalog = new DatasetCatalog(this.store, this.layout, launcher);
    this.runs = new RunService(this.store, this.catalog, this.bus, this.layout, launcher, {
      concurrency: options.concurrency ?? defaultConcurrency(),
      workQueue: options.workQueue ?? true,
    });
    this.projections = new ProjectionService(this.store, this.catalog, launcher);
    this.scenarios = new ScenarioService(this.store);
    this.experiments = new ExperimentService(this.store, this.catalog, this.runs, this.scenarios);
    this.reproduce = new ReproduceService(this.store, this.catalog, this.experiments);
    // A UI's experiment starts at once where this process works the queue (app, browser mode).
    const schedule = options.workQueue ?? true;
    this.handlers = {
      'app.info': () => ({ version: packageVersion(), codeVersion: codeVersion(), home: options.home, mode: options.mode }),
      'datasets.list': () => this.catalog.list(),
      'datasets.get': ({ id }) => this.catalog.detail(id),
      'datasets.import': (input) => this.catalog.importFile(input, { onProgress: (e) => this.bus.emit('dataset.import', e) }),
      'datasets.sample': ({ id, split, index }) => this.catalog.sample(id, split, index),
      'methods.list': () => listMethods(),
      'methods.checkConfig': (input) => {
        const { kind } = this.catalog.shape(input.dataset);
        const run = resolveRun(kind, { method: input.method, preset: input.preset, epochs: input.epochs, overrides: input.config });
        return { method: input.method, dataset: input.dataset, kind, config: run.config as MethodConfigCheck['config'], phases: run.phases, epochs: run.epochs, training: run.training };
      },
      'runs.list': () => this.store.runs.list().map((r) => summarize(this.store, r)),
      'runs.get': ({ id }) => detail(this.store, this.requireRun(id)),
      'runs.start': (input) => this.runs.start(input),
      'runs.cancel': ({ id }) => {
        this.requireRun(id);
        return this.runs.cancel(id);
      },
      'runs.retry': ({ id }) => {
        const row = this.requireRun(id);
        if (row.status !== 'failed' && row.status !== 'cancelled') {
          throw new ContractFailure({ code: 'conflict', message: `run ${id} is ${row.status}; only failed or cancelled runs can be retried`, field: 'id' });
        }
        return this.runs.retry(id);
      },
      'queue.state': () => this.runs.state(),
      'queue.pause': () => this.runs.pause(),
      'queue.resume': () => this.runs.resume(),
      'projections.compute': (input) => this.projections.compute(input),
      'scenarios.list': () => this.scenarios.list(),
      'scenarios.save': (input) => this.scenarios.save(input),
      'scenarios.preview': (input) => previewScenario(this.catalog.samplePath(input.dataset), input),
      'experiments.create': (input) => this.experiments.create(input, { schedule }),
      'experiments.list': () => this.experiments.list(),
      'experiments.get': ({ id }) => this.experiments.get(id),
      'experiments.results': (input) => this.experiments.results(input),
      'experiments.export': (input) => exportExperiment(this.experiments, input),
      'reproduce.plan': (input) => this.reproduce.plan(input),
      'reproduce.start': (input) => this.reproduce.start(input, schedule),
    };
  }

  private requireRun(id: number) {
    const row = this.store.runs.get(id);
    if (!row) throw new ContractFailure({ code: 'not_found', message: `no run with id ${id}`, field: 'id' });
    return row;
  }

  /** Validates and dispatches one request; every failure comes back as a typed ContractError. */
  async call(name: string, input: unknown): Promise<{ ok: true; output: unknown } | { ok: false; error: ContractError }> {
    try {
      if (!(name in this.handlers)) throw new ContractFailure({ code: 'unknown_operation', message: `unknown operation '${name}'` });
      const op = name as RequestName;
      const parsed = parseInput(op, input);
      const handler = this.handlers[op] as (i: unknown) => unknown;
      return { ok: true, output: await handler(parsed) };
    } catch (err) {
      if (err instanceof ConfigError) {
        const field = err.field === 'method' || err.field === 'preset' || err.field === 'dataset' || err.field === 'backend' ? err.field : err.field ? `config.${err.field}` : undefined;
        return { ok: false, error: { code: 'invalid_input', message: err.message, ...(field ? { field } : {}) } };
      }
      if (err instanceof DatasetNotFound) {
        // The run form calls it 'dataset'; the dataset operations call it 'id'.
        return { ok: false, error: { code: 'not_found', message: err.message, field: name.startsWith('datasets.') ? 'id' : 'dataset' } };
      }
      if (err instanceof DatasetNotReady) return { ok: false, error: { code: 'not_found', message: err.message, field: name.startsWith('datasets.') ? 'id' : 'dataset' } };
      if (err instanceof SampleIndexError) return { ok: false, error: { code: 'invalid_input', message: err.message, field: 'index' } };
      return { ok: false, error: toContractError(err) };
    }
  }

  close(): void {
    this.store.close();
  }
}
