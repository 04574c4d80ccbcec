/**
 * Runs: creation (config resolved and validated before anything is queued), a crash-safe queue with
 * a concurrency limit, one isolated engine process per run, persistence of everything it reports,
 * throttled progress to the UI, cancellation, and failure when the process dies.
 *
 * The queue lives in the store: a run is claimed atomically before it starts, checkpoints after
 * every epoch, and a supervisor that finds runs whose supervisor died puts them back in the queue,
 * where they resume from their last completed epoch.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ParsedInput } from '../../src-shared/contract';
import type { Backend, QueueState, RunSummary } from '../../src-shared/models';
import { PAPER_MASK_SEED } from '../../src-shared/results/scenario';
import { resolveRun } from '../engine/methods/registry';
import type { ChildMessage, RunSpec } from '../engine/protocol';
import type { RunRow } from '../store/runs-repo';
import type { Store } from '../store/store';
import type { DatasetCatalog } from './datasets';
import type { EventBus } from './events';
import type { HomeLayout } from './home';
import type { EngineProcess, Launcher } from './launcher';
import { codeVersion, configHash, hostName } from './provenance';
import { knobsOnly } from './stored-config';
import { summarize } from './summaries';
import { processAlive, processStartTime, sameProcessAlive } from './process-alive';

/** Progress reaches the UI at most this often per run (architecture.md: about 10/s). */
const PROGRESS_INTERVAL_MS = 100;
/** How long a run waits for its previous engine process to end when that process cannot be verified and killed. */
const PREVIOUS_ENGINE_TIMEOUT_MS = 60_000;
/** Runs outside an experiment evaluate under the paper protocol's mask seed. */
export const DEFAULT_MASK_SEED = PAPER_MASK_SEED;

export interface RunServiceOptions {
  concurrency: number;
  /**
   * Work off every queued run in the store and resume interrupted ones (app, browser mode,
   * `hrlf queue --run`). Off for `hrlf train`, which runs only what it started itself.
   */
  workQueue: boolean;
  /** Start with the local queue paused (a cluster queue is configured: its workers run the queue). */
  startPaused?: boolean;
  /** Sees every message of every run's engine process before it is stored (a cluster worker forwards them). */
  observe?: (runId: number, msg: ChildMessage) => void;
}


interface Active {
  proc: EngineProcess | null;
  cancelRequested: boolean;
  lastProgress: number;
  startedAt: number;
}

export class RunService {
  private readonly active = new Map<number, Active>();
  private readonly waiting: number[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private paused = false;

  constructor(
    private readonly store: Store,
    private readonly catalog: DatasetCatalog,
    private readonly bus: EventBus,
    private readonly layout: HomeLayout,
    private readonly launch: Launcher,
    private readonly options: RunServiceOptions = { concurrency: 2, workQueue: true },
  ) {
    this.paused = options.startPaused ?? false;
    if (options.workQueue) {
      this.recoverInterrupted();
      this.pump();
    }
  }

  /** Runs held by a supervisor that died (app or machine killed) go back to the queue. */
  private recoverInterrupted(): number[] {
    const ids = this.store.runs.orphaned(hostName(), processAlive).map((r) => r.id);
    for (const id of ids) this.store.runs.requeue(id);
    return ids;
  }

  checkpointDir(id: number): string {
    return join(this.layout.checkpoints, `run-${id}`);
  }

  /** Puts a failed or cancelled run back in the queue; it resumes from its last checkpoint. */
  retry(id: number): RunSummary {
    if (!this.store.runs.requeue(id)) throw new Error(`run ${id} is not failed or cancelled`);
    this.waiting.push(id);
    this.bus.emit('run.status', { runId: id, status: 'queued', error: null });
    this.pump();
    return summarize(this.store, this.store.runs.get(id)!);
  }

  /**
   * Creates and queues a run; this process starts it at once (`start`, `schedule`) or a queue worker
   * picks it up. `maskSeed`: the evaluation mask seed of the run's scenario (default: the paper's).
   */
  enqueue(input: ParsedInput<'runs.start'>, experimentId: number | null = null, options: { maskSeed?: number } = {}): RunRow {
    const shape = this.catalog.shape(input.dataset);
    const { config, epochs, training } = resolveRun(shape.kind, { method: input.method, backend: input.backend, preset: input.preset, epochs: input.epochs, overrides: input.config });
    const summary = this.catalog.summary(input.dataset);
    const row = this.store.runs.create({
      experimentId,
      datasetId: input.dataset,
      method: input.method,
      seed: input.seed,
      requestedBackend: input.backend ?? null,
      // Stored beside the knobs, outside the hash: what the run trained on, and the preset named.
      config: { ...config, trainingCondition: training, ...(input.preset ? { preset: input.preset } : {}) },
      configHash: configHash(input.method, config),
      codeVersion: codeVersion(),
      datasetSha256: summary.sha256,
      host: hostName(),
      epochsPlanned: epochs,
      maskSeed: options.maskSeed ?? DEFAULT_MASK_SEED,
    });
    this.bus.emit('run.status', { runId: row.id, status: 'queued', error: null });
    return row;
  }

  /** Runs queued runs (e.g. an experiment's) in this process, in the given order, up to the concurrency. */
  schedule(ids: number[]): void {
    for (const id of ids) if (!this.waiting.includes(id)) this.waiting.push(id);
    this.pump();
  }

  start(input: ParsedInput<'runs.start'>): RunSummary {
    const row = this.enqueue(input);
    this.waiting.push(row.id);
    this.pump();
    return summarize(this.store, this.store.runs.get(row.id)!);
  }

  cancel(id: number): RunSummary {
    const row = this.store.runs.get(id);
    if (!row) throw new Error(`no run ${id}`);
    if (row.status === 'queued') {
      const at = this.waiting.indexOf(id);
      if (at >= 0) this.waiting.splice(at, 1);
      this.end(id, 'cancelled', {});
    } else {
      const a = this.active.get(id);
      if (a) {
        a.cancelRequested = true;
        a.proc?.send({ type: 'cancel' });
        // A process stuck inside a long kernel still ends: the supervisor kills it after a grace period.
        setTimeout(() => {
          if (this.active.has(id)) a.proc?.kill();
        }, 5000).unref();
      }
    }
    return summarize(this.store, this.store.runs.get(id)!);
  }

  /** Process id of a running run's engine process (diagnostics, crash tests). */
  pidOf(id: number): number | undefined {
    return this.active.get(id)?.proc?.pid;
  }

  /** Resolves when this process has nothing left to run (CLI `train` and `queue --run` wait on this). */
  idle(): Promise<void> {
    if (this.active.size === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Next run to start: this process's own first, then (when working the queue) the store's oldest. */
  private nextRun(): number | undefined {
    while (this.waiting.length > 0) {
      const id = this.waiting.shift()!;
      if (this.store.runs.claim(id, process.pid, hostName())) return id;
    }
    if (!this.options.workQueue) return undefined;
    for (const r of this.store.runs.listByStatus('queued')) {
      if (this.store.runs.claim(r.id, process.pid, hostName())) return r.id;
    }
    return undefined;
  }

  state(): QueueState {
    return {
      paused: this.paused,
      running: this.active.size,
      queued: this.store.runs.listByStatus('queued').length,
      concurrency: this.options.concurrency,
    };
  }

  pause(): QueueState {
    this.paused = true;
    return this.state();
  }

  resume(): QueueState {
    this.paused = false;
    this.pump();
    return this.state();
  }

  private pump(): void {
    while (!this.paused && this.active.size < this.options.concurrency) {
      const id = this.nextRun();
      if (id === undefined) break;
      const active: Active = { proc: null, cancelRequested: false, lastProgress: 0, startedAt: Date.now() };
      this.active.set(id, active);
      this.launchRun(id, active).catch((err: unknown) => this.end(id, 'failed', { error: (err as Error).message }));
    }
    if (this.active.size === 0) this.idleWaiters.splice(0).forEach((r) => r());
  }

  private async launchRun(id: number, active: Active): Promise<void> {
    const row = this.store.runs.get(id)!;
    const dataset = await this.catalog.ensureReady(row.datasetId);
    if (active.cancelRequested) return this.end(id, 'cancelled', {});
    const spec: RunSpec = {
      runId: id,
      datasetPath: dataset.path,
      datasetSha256: dataset.sha256,
      method: row.method,
      seed: row.seed,
      config: knobsOnly(row.config),
      ...(row.requestedBackend ? { backend: row.requestedBackend as Backend } : {}),
      maskSeed: row.maskSeed ?? DEFAULT_MASK_SEED,
      cacheDir: this.layout.teachers,
      checkpointDir: this.checkpointDir(id),
    };
    await this.previousEngineGone(id);
    if (active.cancelRequested) return this.end(id, 'cancelled', {});
    const proc = this.launch();
    active.proc = proc;
    if (proc.pid !== undefined) this.recordEngine(id, proc.pid);
    let ended = false;
    proc.onMessage((msg) => {
      this.options.observe?.(id, msg);
      try {
        if (this.handle(row, dataset.sha256, msg)) ended = true;
      } catch (err) {
        ended = true;
        this.end(id, 'failed', { error: `could not store the run's results: ${(err as Error).message}` });
        proc.kill();
      }
    });
    proc.onExit((code, signal) => {
      if (!ended) {
        const why = signal ? `killed by ${signal}` : `exited with code ${code}`;
        this.end(id, active.cancelRequested ? 'cancelled' : 'failed', active.cancelRequested ? {} : { error: `run process ${why} before finishing` });
      }
    });
    proc.send({ type: 'start', spec });
  }

  private recordEngine(id: number, pid: number): void {
    this.store.runs.setEngine(id, { pid, started: processStartTime(pid), host: hostName() });
  }

  /**
   * A run resumes only after the engine process that ran it before is gone: two engines on one
   * run would write the same checkpoint files. That process is normally gone already (an engine
   * exits when its supervisor dies); one identified by pid and start time is killed (its
   * supervisor is gone, nobody stores what it computes); one that cannot be identified (no /proc)
   * is waited for, and the run fails if it does not end.
   */
  private async previousEngineGone(id: number): Promise<void> {
    const engine = this.store.runs.engine(id);
    if (!engine || engine.host !== hostName() || engine.pid === process.pid) return;
    const deadline = Date.now() + PREVIOUS_ENGINE_TIMEOUT_MS;
    while (sameProcessAlive(engine.pid, engine.started)) {
      if (engine.started !== null) {
        try {
          process.kill(engine.pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
      if (Date.now() > deadline) {
        throw new Error(`the engine process that ran this run before (pid ${engine.pid}) is still running; stop it, then retry the run`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * Stores one message of a run that a cluster worker executes, with the bookkeeping of a local
   * run's (`proc` forwards cancel and kill to the worker). Ignored once the run has ended.
   */
  recordRemote(id: number, msg: ChildMessage, proc: EngineProcess): void {
    const row = this.store.runs.get(id);
    if (!row || (row.status !== 'queued' && row.status !== 'running')) return;
    if (row.status === 'running' && !this.active.has(id)) this.active.set(id, { proc, cancelRequested: false, lastProgress: 0, startedAt: Date.now() });
    this.handle(row, row.datasetSha256 ?? '', msg);
  }

  /** Persists one message; returns true when the message ends the run. */
  private handle(row: RunRow, datasetSha: string, msg: ChildMessage): boolean {
    const id = row.id;
    const active = this.active.get(id);
    switch (msg.type) {
      case 'started':
        // Electron's utility processes tell their pid only once they run.
        if (this.store.runs.engine(id)?.pid !== msg.pid) this.recordEngine(id, msg.pid);
        this.store.runs.setBackend(id, msg.backend);
        this.store.db.prepare('UPDATE runs SET dataset_sha256 = ? WHERE id = ?').run(datasetSha, id);
        this.bus.emit('run.status', { runId: id, status: 'running', error: null });
        return false;
      case 'progress': {
        const now = Date.now();
        if (active && now - active.lastProgress >= PROGRESS_INTERVAL_MS) {
          active.lastProgress = now;
          const done = this.store.runs.get(id)!.epochsDone;
          const elapsed = (now - active.startedAt) / 1000;
          const fraction = (done + msg.step / msg.steps) / Math.max(1, row.epochsPlanned);
          this.bus.emit('run.progress', {
            runId: id,
            phase: msg.phase,
            epoch: msg.epoch,
            epochs: msg.epochs,
            step: msg.step,
            steps: msg.steps,
            losses: msg.losses,
            etaSeconds: fraction > 0 ? (elapsed * (1 - fraction)) / fraction : null,
          });
        }
        return false;
      }
      case 'epoch':
        this.store.runs.addEpoch(id, msg.record);
        this.bus.emit('run.epoch', { runId: id, ...msg.record });
        return false;
      case 'phase-reused':
        // A reused teacher trains no epochs in this run: plan (and the progress fraction) shrink.
        this.store.runs.reducePlannedEpochs(id, msg.epochs);
        row.epochsPlanned -= msg.epochs;
        return false;
      case 'evaluated':
        this.store.db.transaction(() => {
          this.store.runs.addEvaluation(id, { protocol: msg.protocol, condition: msg.condition, metrics: msg.metrics });
          if (msg.width > 0) {
            this.store.runs.addPredictions(id, msg.protocol, msg.condition, Float32Array.from(msg.labels), Float32Array.from(msg.predictions), msg.width);
          }
        })();
        return false;
      case 'teacher-evaluated':
        this.store.runs.setTeacherMetrics(id, msg.metrics);
        return false;
      case 'representation':
        this.store.runs.addRepresentation(id, msg.condition, Float32Array.from(msg.labels), Float32Array.from(msg.values), msg.width);
        return false;
      case 'done':
        this.end(id, 'finished', { outcome: msg.outcome === 'collapsed' ? msg.message : 'completed', timings: msg.timings });
        return true;
      case 'cancelled':
        this.end(id, 'cancelled', {});
        return true;
      case 'failed':
        this.end(id, 'failed', { error: msg.error });
        return true;
      default:
        // replies of one-shot jobs (generate, import, project) never reach a run's supervisor
        return false;
    }
  }

  private end(id: number, status: 'finished' | 'failed' | 'cancelled', fields: { error?: string; outcome?: string | null; timings?: Record<string, number> }): void {
    this.store.runs.finish(id, status, fields);
    // A finished run needs no resume state; a failed or cancelled one keeps it for a retry.
    if (status === 'finished') rmSync(this.checkpointDir(id), { recursive: true, force: true });
    this.active.delete(id);
    this.bus.emit('run.status', { runId: id, status, error: fields.error ?? null });
    this.pump();
  }
}
