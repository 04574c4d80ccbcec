/**
 * `hrlf worker`: takes runs from the cluster queue and executes them exactly as the local queue
 * does. Each job becomes a run in the worker's own store (its data home), run by the same run
 * service in the same isolated engine process; every message that process sends is also forwarded
 * to the job's coordinator. The worker's store keeps its copy of the run, its checkpoints (a job
 * that comes back to this worker, after a crash or a retry, resumes from them) and its datasets.
 */
import { randomBytes } from 'node:crypto';
import { freemem, totalmem } from 'node:os';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { redactQueueUrl, type WorkerRun } from '../../../src-shared/cluster';
import type { Backend } from '../../../src-shared/models';
import { getMethod } from '../../engine/methods/registry';
import type { ChildMessage } from '../../engine/protocol';
import type { DatasetRow } from '../../store/datasets-repo';
import { Workbench } from '../api';
import { processAlive } from '../process-alive';
import { codeVersion, hostName } from '../provenance';
import { checkReachable, KEYS, openConnection, PREFIX, QUEUE_NAME, bullConnection } from './connection';
import { WorkerDatasets } from './dataset-fetch';
import { JobRefused, parseJob, validateJobConfig, type RunJob } from './job';
import { announce, heartbeatMs, withdraw } from './registry';
import { ResultSink } from './result-sink';
import { isRunMessage, type WorkerIdentity } from './wire';

export interface WorkerOptions {
  url: string;
  home: string;
  concurrency: number;
  /** Runs whose job names no backend use this one (else the engine's automatic choice). */
  backend?: Backend;
  /** Token of the coordinators' dataset endpoints. */
  datasetsToken?: string;
  /** Shown in the UI; default host#pid. */
  name?: string;
  /** BullMQ lock duration and stalled-job check interval (ms): how soon a dead worker's job moves on. */
  lockMs?: number;
  stalledMs?: number;
  log: (line: string) => void;
}

/** Progress leaves a worker at most this often per run. */
const PROGRESS_INTERVAL_MS = 100;

interface Live {
  job: string;
  coordinator: string;
  run: number;
  sink: ResultSink;
  /** The engine process reported the run's end (done, failed or cancelled) itself. */
  reported: boolean;
  progressAt: number;
  phase: string | null;
  epoch: number | null;
  epochs: number | null;
  resolve: (status: string) => void;
}

export class ClusterWorker {
  readonly id: string;
  private readonly wb: Workbench;
  private readonly datasets: WorkerDatasets;
  private readonly live = new Map<number, Live>();
  private readonly startedAt = new Date().toISOString();
  private conn!: Redis;
  private sub!: Redis;
  private worker!: Worker;
  private timer: NodeJS.Timeout | null = null;
  private lastBackend: string | null = null;

  private constructor(private readonly options: WorkerOptions) {
    this.id = options.name ?? `${hostName()}#${process.pid}`;
    this.wb = new Workbench({
      home: options.home,
      mode: 'cli',
      workQueue: false,
      // This home's own queue setting never applies: the worker runs what the cluster gives it.
      queue: 'local',
      concurrency: options.concurrency,
      observe: (runId, msg) => this.observe(runId, msg),
    });
    this.datasets = new WorkerDatasets(this.wb.store, this.wb.catalog, this.wb.layout, options.datasetsToken);
    this.wb.bus.subscribe((event, payload) => {
      if (event === 'run.status') this.onStatus(payload as { runId: number; status: string; error: string | null });
    });
  }

  /** Checks Redis (QueueUnavailable naming the URL), announces the worker and starts taking jobs. */
  static async start(options: WorkerOptions): Promise<ClusterWorker> {
    await checkReachable(options.url);
    const w = new ClusterWorker(options);
    await w.init();
    return w;
  }

  private get identity(): WorkerIdentity {
    return { id: this.id, host: hostName(), pid: process.pid };
  }

  private async init(): Promise<void> {
    const redacted = redactQueueUrl(this.options.url);
    let lastError = '';
    const onError = (message: string): void => {
      if (message !== lastError) this.options.log(`Redis queue at ${redacted}: ${message}`);
      lastError = message;
    };
    this.conn = openConnection(this.options.url, onError);
    this.conn.on('ready', () => (lastError = ''));
    this.sub = openConnection(this.options.url, onError);
    this.sub.on('message', (_channel: string, text: string) => this.onControl(text));
    await this.sub.subscribe(KEYS.control);
    await this.beat();
    const every = heartbeatMs();
    this.timer = setInterval(() => void this.beat().catch(() => undefined), every);
    this.worker = new Worker(QUEUE_NAME, (job) => this.process(job), {
      connection: bullConnection(this.options.url),
      prefix: PREFIX,
      concurrency: this.options.concurrency,
      lockDuration: this.options.lockMs ?? 30_000,
      stalledInterval: this.options.stalledMs ?? 30_000,
      // A job survives two workers dying under it; the third stall fails its run with the reason.
      maxStalledCount: 2,
    });
    this.worker.on('error', (err) => onError(err.message));
  }

  private async beat(): Promise<void> {
    const runs: WorkerRun[] = [...this.live.values()].map((l) => ({
      coordinator: l.coordinator,
      mine: false,
      run: l.run,
      job: l.job,
      phase: l.phase,
      epoch: l.epoch,
      epochs: l.epochs,
    }));
    await announce(
      this.conn,
      {
        id: this.id,
        host: hostName(),
        pid: process.pid,
        backend: this.options.backend ?? this.lastBackend ?? 'auto',
        concurrency: this.options.concurrency,
        freeMemory: freemem(),
        totalMemory: totalmem(),
        runs,
        startedAt: this.startedAt,
        codeVersion: codeVersion(),
      },
      heartbeatMs(),
    );
  }

  /* ---------------------------------------------------------------- one job */

  private async process(job: Job): Promise<{ status: string }> {
    const jobId = String(job.id);
    const exec = `${this.id}.${job.attemptsStarted}.${randomBytes(3).toString('hex')}`;
    let spec: RunJob;
    try {
      spec = parseJob(job.data);
    } catch (err) {
      const d = job.data as { coordinator?: unknown; run?: unknown } | null;
      if (typeof d?.coordinator === 'string' && /^[a-f0-9]{16}$/.test(d.coordinator) && typeof d.run === 'number' && Number.isInteger(d.run) && d.run > 0) {
        await this.refuse(new ResultSink(this.conn, d.coordinator, { run: d.run, job: jobId, exec, worker: this.identity }, this.options.log), err);
      }
      throw new UnrecoverableError((err as Error).message);
    }
    const sink = new ResultSink(this.conn, spec.coordinator, { run: spec.run, job: jobId, exec, worker: this.identity }, this.options.log);
    if (await this.conn.get(KEYS.cancel(jobId))) {
      sink.send({ type: 'cancelled' });
      await sink.flush();
      return { status: 'cancelled' };
    }
    let localId: number;
    try {
      getMethod(spec.method);
      const endpoint = (await this.conn.get(KEYS.datasets(spec.coordinator))) ?? spec.datasetsUrl;
      const dataset = await this.datasets.obtain(spec.dataset, endpoint);
      validateJobConfig(spec, dataset.kind);
      localId = this.mirror(spec, dataset);
    } catch (err) {
      throw new UnrecoverableError(await this.refuse(sink, err));
    }
    this.options.log(`run ${spec.run} of ${spec.coordinator} (${spec.method} on ${spec.dataset.name}, seed ${spec.seed}): started as local run ${localId}`);
    const status = await new Promise<string>((resolve) => {
      this.live.set(localId, { job: jobId, coordinator: spec.coordinator, run: spec.run, sink, reported: false, progressAt: 0, phase: null, epoch: null, epochs: null, resolve });
      this.wb.runs.schedule([localId]);
    });
    this.options.log(`run ${spec.run} of ${spec.coordinator}: ${status}`);
    return { status };
  }

  /** Sends the reason a job is not run to its coordinator; returns it for the failed job. */
  private async refuse(sink: ResultSink, err: unknown): Promise<string> {
    const reason = `worker ${this.id} refused the job: ${err instanceof JobRefused ? err.message : (err as Error).message}`;
    this.options.log(reason);
    sink.send({ type: 'failed', error: reason });
    await sink.flush();
    return reason;
  }

  /**
   * The worker's own row for the job's run: the one it had, when this worker ran the same run
   * before and its supervisor is gone (it resumes from its checkpoint), else a new one.
   */
  private mirror(spec: RunJob, dataset: DatasetRow): number {
    const { store } = this.wb;
    const key = `worker.run.${spec.coordinator}.${spec.run}`;
    const requestedBackend = spec.backend ?? this.options.backend ?? null;
    const prev = Number(store.cluster.setting(key) ?? 0);
    const row = prev ? store.runs.get(prev) : undefined;
    const same =
      row !== undefined &&
      !this.live.has(row.id) &&
      row.method === spec.method &&
      row.seed === spec.seed &&
      row.configHash === spec.configHash &&
      row.datasetSha256 === dataset.sha256 &&
      row.requestedBackend === requestedBackend;
    if (same && row.status !== 'finished') {
      const orphaned = row.status === 'running' && store.runs.orphaned(hostName(), processAlive).some((r) => r.id === row.id);
      if (row.status === 'queued' || ((row.status !== 'running' || orphaned) && store.runs.requeue(row.id))) return row.id;
    }
    const created = store.runs.create({
      datasetId: dataset.id,
      method: spec.method,
      seed: spec.seed,
      requestedBackend,
      config: spec.config,
      configHash: spec.configHash,
      codeVersion: codeVersion(),
      datasetSha256: dataset.sha256,
      host: hostName(),
      epochsPlanned: spec.epochsPlanned,
      maskSeed: spec.maskSeed,
    });
    store.cluster.setSetting(key, String(created.id));
    return created.id;
  }

  /** Every message of a local run's engine process: forwarded as it is to the coordinator. */
  private observe(runId: number, msg: ChildMessage): void {
    const live = this.live.get(runId);
    if (!live || !isRunMessage(msg)) return;
    if (msg.type === 'progress') {
      live.phase = msg.phase;
      live.epoch = msg.epoch;
      live.epochs = msg.epochs;
      const now = Date.now();
      if (now - live.progressAt >= PROGRESS_INTERVAL_MS) {
        live.progressAt = now;
        live.sink.progress(msg);
      }
      return;
    }
    if (msg.type === 'started') this.lastBackend = msg.backend;
    if (msg.type === 'done' || msg.type === 'failed' || msg.type === 'cancelled') live.reported = true;
    live.sink.send(msg);
  }

  /** A local run ended: one the engine process did not report (it died, or was killed) is reported here. */
  private onStatus(p: { runId: number; status: string; error: string | null }): void {
    const live = this.live.get(p.runId);
    if (!live || (p.status !== 'finished' && p.status !== 'failed' && p.status !== 'cancelled')) return;
    if (!live.reported) live.sink.send(p.status === 'cancelled' ? { type: 'cancelled' } : { type: 'failed', error: p.error ?? 'the run ended without a result' });
    this.live.delete(p.runId);
    void live.sink.flush().then(() => live.resolve(p.status));
  }

  private onControl(text: string): void {
    let m: { job?: unknown; action?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return;
    }
    for (const [localId, live] of this.live) {
      if (live.job !== m.job) continue;
      if (m.action === 'kill') {
        const pid = this.wb.runs.pidOf(localId);
        this.wb.runs.cancel(localId);
        if (pid) process.kill(pid, 'SIGKILL');
      } else if (m.action === 'cancel') {
        this.wb.runs.cancel(localId);
      }
    }
  }

  /** Runs being executed now (for a shutdown message). */
  get running(): number {
    return this.live.size;
  }

  /** Takes no new jobs, lets the running ones finish, then leaves the cluster. */
  async close(): Promise<void> {
    await this.worker.close();
    if (this.timer) clearInterval(this.timer);
    await withdraw(this.conn, this.id).catch(() => undefined);
    this.sub.disconnect();
    this.conn.disconnect();
    this.wb.close();
  }

  /** Leaves at once: running runs are killed and their jobs go to other workers when their locks expire. */
  abort(): void {
    for (const localId of this.live.keys()) {
      const pid = this.wb.runs.pidOf(localId);
      if (pid) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }
}
