/**
 * The services behind the contract: one handler per request, used identically by the Electron IPC
 * wiring, the WebSocket server and the CLI.
 */
import { randomBytes } from 'node:crypto';
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
import { redactQueueUrl, type ClusterState } from '../../src-shared/cluster';
import type { MethodConfigCheck } from '../../src-shared/methods';
import type { AppInfo, QueueState, RunSummary } from '../../src-shared/models';
import type { ChildMessage } from '../engine/protocol';
import { ConfigError, listMethods, resolveRun } from '../engine/methods/registry';
import { Store } from '../store/store';
import { SampleIndexError } from './dataset-sample';
import { DatasetCatalog, DatasetNotFound, DatasetNotReady } from './datasets';
import { EventBus } from './events';
import { exportExperiment, exportSelection } from './experiment-export';
import { ExperimentService } from './experiments';
import { assertStoreUsable, homeLayout, sweepCheckpoints, type HomeLayout } from './home';
import { forkLauncher, type Launcher } from './launcher';
import { codeVersion, packageVersion } from './provenance';
import { ReproduceService } from './reproduce';
import { ProjectionService } from './projections';
import { RunService } from './runs';
import { previewScenario } from './scenario-preview';
import { ScenarioService } from './scenarios';
import { detail, summarize } from './summaries';
import { ClusterCoordinator, type CoordinatorOptions } from './cluster/coordinator';
import { QueueUnavailable } from './cluster/connection';
import { parseListen } from './cluster/dataset-server';

type Handlers = { [K in RequestName]: (input: ParsedInput<K>) => RequestOutput<K> | Promise<RequestOutput<K>> };

export interface WorkbenchOptions {
  home: string;
  mode: AppInfo['mode'];
  launcher?: Launcher;
  concurrency?: number;
  /** Imports converting at once; more wait their turn (default 2). */
  importConcurrency?: number;
  /** See RunServiceOptions.workQueue; default true. */
  workQueue?: boolean;
  nativeBinding?: string;
  /**
   * The queue: a redis:// or rediss:// URL (a cluster's BullMQ queue), 'local', or absent (the
   * setting saved from the UI, else local). `startQueue()` connects to it.
   */
  queue?: string;
  queueSource?: 'flag' | 'env';
  /** The dataset endpoint workers fetch from: listen address (HOST:PORT), advertised URL, token. */
  datasets?: { listen?: string; url?: string; token?: string };
  /** See RunServiceOptions.observe (a cluster worker forwards every engine message). */
  observe?: (runId: number, msg: ChildMessage) => void;
}

/** Where the setting chosen in the UI is kept in the store. */
const QUEUE_SETTING = 'cluster.queue';
const TOKEN_SETTING = 'cluster.datasetsToken';

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
  /** The cluster queue in use; null: the local queue. */
  cluster: ClusterCoordinator | null = null;
  private clusterError: string | null = null;
  /** Whether the local queue was paused by the user before a cluster took the queue over. */
  private localPaused = false;

  constructor(readonly options: WorkbenchOptions) {
    this.layout = homeLayout(options.home);
    assertStoreUsable(this.layout);
    this.store = Store.open(options.home, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
    sweepCheckpoints(this.layout, this.store.runs);
    const launcher = options.launcher ?? forkLauncher;
    this.catalog = new DatasetCatalog(this.store, this.layout, launcher, options.importConcurrency);
    this.runs = new RunService(this.store, this.catalog, this.bus, this.layout, launcher, {
      concurrency: options.concurrency ?? defaultConcurrency(),
      workQueue: options.workQueue ?? true,
      // A cluster queue's workers run the queue: nothing starts here before it is connected.
      startPaused: this.queueUrl() !== null,
      ...(options.observe ? { observe: options.observe } : {}),
    });
    this.projections = new ProjectionService(this.store, this.catalog, launcher);
    this.scenarios = new ScenarioService(this.store);
    this.experiments = new ExperimentService(this.store, this.catalog, this.runs, this.scenarios);
    this.reproduce = new ReproduceService(this.store, this.catalog, this.experiments, () => this.runs.state().concurrency);
    // A UI's experiment starts at once where this process works the queue (app, browser mode).
    const schedule = options.workQueue ?? true;
    this.handlers = {
      'app.info': () => ({ version: packageVersion(), codeVersion: codeVersion(), home: options.home, mode: options.mode }),
      'datasets.list': () => this.catalog.list(),
      'datasets.get': async ({ id }) => {
        await this.catalog.prepareForView(id);
        return this.catalog.detail(id);
      },
      'datasets.import': (input) => this.catalog.importFile(input, { onProgress: (e) => this.bus.emit('dataset.import', e) }),
      'datasets.sample': async ({ id, split, index }) => {
        await this.catalog.prepareForView(id);
        return this.catalog.sample(id, split, index);
      },
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
        return this.cancelRun(id);
      },
      'runs.retry': ({ id }) => {
        const row = this.requireRun(id);
        if (row.status !== 'failed' && row.status !== 'cancelled') {
          throw new ContractFailure({ code: 'conflict', message: `run ${id} is ${row.status}; only failed or cancelled runs can be retried`, field: 'id' });
        }
        return this.runs.retry(id);
      },
      'queue.state': () => this.queueState(),
      'queue.pause': () => (this.cluster ? this.cluster.pause() : this.runs.pause()),
      'queue.resume': () => (this.cluster ? this.cluster.resume() : this.runs.resume()),
      'cluster.state': () => this.clusterState(),
      'cluster.configure': ({ url }) => this.configureQueue(url),
      'projections.compute': (input) => this.projections.compute(input),
      'scenarios.list': () => this.scenarios.list(),
      'scenarios.save': (input) => this.scenarios.save(input),
      'scenarios.preview': async (input) => {
        await this.catalog.prepareForView(input.dataset);
        return previewScenario(this.catalog.samplePath(input.dataset), input);
      },
      'experiments.create': (input) => this.experiments.create(input, { schedule }),
      'experiments.list': () => this.experiments.list(),
      'experiments.get': ({ id }) => this.experiments.get(id),
      'experiments.results': (input) => this.experiments.results(input),
      'experiments.export': (input) => exportExperiment(this.experiments, input),
      'runs.results': (input) => this.experiments.loadSelection(input).results,
      'runs.export': (input) => exportSelection(this.experiments, input),
      'reproduce.plan': (input) => this.reproduce.plan(input),
      'reproduce.start': (input) => this.reproduce.start(input, schedule),
    };
  }

  /** The configured cluster queue URL (flag or HRLF_QUEUE, else the saved setting); null: the local queue. */
  queueUrl(): string | null {
    if (this.options.queue !== undefined) return this.options.queue === 'local' ? null : this.options.queue;
    return this.store.cluster.setting(QUEUE_SETTING);
  }

  private queueSource(): ClusterState['source'] {
    if (this.options.queue !== undefined) return this.options.queue === 'local' ? null : (this.options.queueSource ?? 'flag');
    return this.store.cluster.setting(QUEUE_SETTING) ? 'setting' : null;
  }

  private coordinatorOptions(url: string, source: ClusterState['source']): CoordinatorOptions {
    const d = this.options.datasets ?? {};
    let token = d.token ?? this.store.cluster.setting(TOKEN_SETTING);
    if (!token) {
      token = randomBytes(24).toString('hex');
      this.store.cluster.setSetting(TOKEN_SETTING, token);
    }
    const listen = parseListen(d.listen ?? '127.0.0.1:0');
    return { url, source, datasets: { ...listen, token, ...(d.url ? { publicUrl: d.url } : {}) } };
  }

  /** The dataset token workers need (`hrlf worker --datasets-token`); made once per home. */
  datasetsToken(): string | null {
    return this.options.datasets?.token ?? this.store.cluster.setting(TOKEN_SETTING);
  }

  /**
   * Connects to the configured cluster queue, if any. Unreachable: QueueUnavailable naming the URL
   * (without its password); the local queue stays paused and nothing is sent anywhere.
   */
  async startQueue(): Promise<void> {
    const url = this.queueUrl();
    if (url === null || this.cluster) return;
    try {
      this.cluster = await ClusterCoordinator.start(this, this.coordinatorOptions(url, this.queueSource()));
      this.clusterError = null;
    } catch (err) {
      this.clusterError = (err as Error).message;
      throw err;
    }
  }

  /**
   * The UI's queue setting: a Redis URL sends the queue to that cluster (checked first: an
   * unreachable one changes nothing), null brings it back here (queued runs whose jobs no worker
   * took yet come back too). Saved in the store for the next start.
   */
  private async configureQueue(url: string | null): Promise<ClusterState> {
    if (url !== null) {
      // The old cluster lets go of its dataset endpoint's port first; it comes back if the new one fails.
      const previous = this.cluster;
      if (previous) {
        this.cluster = null;
        await previous.close();
      }
      let next: ClusterCoordinator;
      try {
        next = await ClusterCoordinator.start(this, this.coordinatorOptions(url, 'setting'));
      } catch (err) {
        if (previous) await this.startQueue().catch(() => undefined);
        if (err instanceof QueueUnavailable) throw new ContractFailure({ code: 'invalid_input', message: err.message, field: 'url' });
        throw err;
      }
      if (!previous) this.localPaused = this.runs.state().paused;
      this.cluster = next;
      this.clusterError = null;
      this.runs.pause();
    } else if (this.cluster) {
      await this.cluster.recall();
      await this.cluster.close();
      this.cluster = null;
      if (!this.localPaused) this.runs.resume();
    }
    this.options.queue = undefined;
    this.store.cluster.setSetting(QUEUE_SETTING, url);
    return this.clusterState();
  }

  clusterState(): ClusterState {
    if (this.cluster) return this.cluster.state();
    const url = this.queueUrl();
    return {
      url: url === null ? null : redactQueueUrl(url),
      source: this.queueSource(),
      connected: false,
      error: this.clusterError,
      paused: false,
      coordinator: null,
      datasetsUrl: null,
      workers: [],
    };
  }

  private queueState(): QueueState {
    if (this.cluster) return this.cluster.queueState();
    return this.runs.state();
  }

  /** Cancels a run wherever it runs: here, or on a cluster worker (which is asked to stop it). */
  cancelRun(id: number): RunSummary {
    const row = this.store.runs.get(id);
    if (this.cluster && row?.remoteJob) {
      this.cluster.cancel(id);
      return summarize(this.store, this.store.runs.get(id)!);
    }
    return this.runs.cancel(id);
  }

  /** Resolves when every given run has ended (finished, failed or cancelled), wherever it runs. */
  settled(ids: number[]): Promise<void> {
    const open = (): boolean => ids.some((id) => {
      const s = this.store.runs.get(id)?.status;
      return s === 'queued' || s === 'running';
    });
    if (!open()) return Promise.resolve();
    return new Promise((resolve) => {
      const off = this.bus.subscribe((event) => {
        if (event === 'run.status' && !open()) {
          off();
          resolve();
        }
      });
    });
  }

  private requireRun(id: number) {
    const row = this.store.runs.get(id);
    if (!row) throw new ContractFailure({ code: 'not_found', message: `no run with id ${id}`, field: 'id' });
    return row;
  }

  /** Validates and dispatches one request; every failure comes back as a typed ContractError. */
  async call(name: string, input: unknown): Promise<{ ok: true; output: unknown } | { ok: false; error: ContractError }> {
    try {
      // Own names only: 'constructor', '__proto__' or 'toString' are not operations.
      if (typeof name !== 'string' || !Object.hasOwn(this.handlers, name)) {
        throw new ContractFailure({ code: 'unknown_operation', message: `unknown operation '${String(name).slice(0, 100)}'` });
      }
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
    // Stops following the cluster first (synchronously), so nothing writes to a closed store.
    void this.cluster?.close();
    this.store.close();
  }

  /** Closes the cluster connections (waiting for them) and the store. */
  async shutdown(): Promise<void> {
    const cluster = this.cluster;
    this.cluster = null;
    if (cluster) {
      await cluster.flush();
      await cluster.close();
    }
    this.store.close();
  }
}
