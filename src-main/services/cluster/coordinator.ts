/**
 * The coordinator: a workbench whose queue is a cluster's. Its store stays the record of every
 * run; BullMQ on Redis carries the runs to workers, and a Redis stream per coordinator carries
 * their results back.
 *
 * - Sending: a queued run is marked with its job id in the store synchronously (so no local queue
 *   claims it), then added to BullMQ in queue order; a job's id is (coordinator, run, attempt), so
 *   sending again is idempotent and a retry is a new job.
 * - Results: workers append every engine message to the coordinator's stream; it reads them with a
 *   consumer group and acknowledges only after storing, so results produced while it was down, or
 *   read but not stored when it was killed, are read at the next start, and entries whose reply was
 *   lost in a reconnect are read again before the stream counts as drained. Storing is idempotent
 *   (every record is keyed by run and epoch/condition, a run ends once), and only the current
 *   execution's messages count: a takeover after a worker died starts a new execution, whose
 *   epochs replace the dead one's.
 * - Progress is pub/sub: it matters only while someone watches.
 * - Reconciling (at start and every few seconds): queued runs not yet sent are sent, and runs whose
 *   job failed or completed without results reaching the store, once the stream has been read past
 *   that moment, fail with the reason.
 */
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { redactQueueUrl, type ClusterState, type WorkerInfo } from '../../../src-shared/cluster';
import type { QueueState } from '../../../src-shared/models';
import type { Store } from '../../store/store';
import type { DatasetCatalog } from '../datasets';
import type { EventBus } from '../events';
import type { EngineProcess } from '../launcher';
import { codeVersion } from '../provenance';
import type { RunService } from '../runs';
import { totalEpochs } from '../stored-config';
import { checkReachable, jobIdOf, KEYS, openConnection, PREFIX, QUEUE_NAME, bullConnection, RESULTS_GROUP } from './connection';
import { startDatasetServer, type DatasetServer } from './dataset-server';
import type { RunJob } from './job';
import { heartbeatMs, listWorkers } from './registry';
import { decodeEnvelope, type Envelope, type RunMessage } from './wire';

/** A job that ended without its results in the store, this long after the stream was read past its end, fails its run. */
const RESULTS_GRACE_MS = 60_000;
/** How often a results stream that is never empty is checked for entries read but not received. */
const PENDING_CHECK_MS = 5000;
/** After a cancel, a worker that has not stopped the run gets its engine process killed. */
const CANCEL_KILL_MS = 5000;
/** Finished and failed jobs stay inspectable in Redis this long. */
const KEEP_JOBS_S = 7 * 24 * 3600;
const CONSUMER = 'store';

export interface CoordinatorDeps {
  store: Store;
  runs: RunService;
  catalog: DatasetCatalog;
  bus: EventBus;
}

export interface CoordinatorOptions {
  url: string;
  source: ClusterState['source'];
  /** The dataset endpoint: listen address, token, and the URL workers dial when it differs. */
  datasets: { host: string; port: number; token: string; publicUrl?: string };
  log?: (line: string) => void;
}

/** This store's id on a cluster, made once and kept in the store. */
export function coordinatorId(store: Store): string {
  let id = store.cluster.setting('cluster.coordinator');
  if (!id) {
    id = randomBytes(8).toString('hex');
    store.cluster.setSetting('cluster.coordinator', id);
  }
  return id;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class ClusterCoordinator {
  readonly id: string;
  private conn!: Redis;
  private reader!: Redis;
  private sub!: Redis;
  private queue!: Queue;
  private server: DatasetServer | null = null;
  private workers: WorkerInfo[] = [];
  private paused = false;
  private lastError: string | null = null;
  private closed = false;
  private ticking = false;
  private timer: NodeJS.Timeout | null = null;
  private offBus: (() => void) | null = null;
  /** Jobs are added one after another, in queue order. */
  private adds: Promise<void> = Promise.resolve();
  private reading: Promise<void> = Promise.resolve();
  private readonly endedSeen = new Map<string, number>();
  /** The results reader's connection closed since its last read (a reply may have been lost). */
  private readerReconnected = false;
  /** When a read of the results stream last came back empty: everything appended before is stored. */
  private drainedAt = 0;

  private constructor(
    private readonly deps: CoordinatorDeps,
    private readonly options: CoordinatorOptions,
  ) {
    this.id = coordinatorId(deps.store);
  }

  /** Checks Redis first (QueueUnavailable naming the URL, nothing queued), then starts following the cluster. */
  static async start(deps: CoordinatorDeps, options: CoordinatorOptions): Promise<ClusterCoordinator> {
    await checkReachable(options.url);
    const c = new ClusterCoordinator(deps, options);
    try {
      await c.init();
    } catch (err) {
      await c.close();
      throw err;
    }
    return c;
  }

  private get redacted(): string {
    return redactQueueUrl(this.options.url);
  }

  private async init(): Promise<void> {
    const onError = (message: string): void => {
      this.lastError = `Redis queue at ${this.redacted}: ${message}`;
    };
    this.conn = openConnection(this.options.url, onError);
    this.conn.on('ready', () => (this.lastError = null));
    this.reader = openConnection(this.options.url, onError);
    this.reader.on('close', () => (this.readerReconnected = true));
    this.sub = openConnection(this.options.url, onError);
    this.queue = new Queue(QUEUE_NAME, { connection: bullConnection(this.options.url), prefix: PREFIX });
    this.queue.on('error', (err) => onError(err.message));
    await this.ensureGroup();
    this.server = await startDatasetServer(this.deps.store, {
      host: this.options.datasets.host,
      port: this.options.datasets.port,
      token: this.options.datasets.token,
      ...(this.options.datasets.publicUrl ? { publicUrl: this.options.datasets.publicUrl } : {}),
    });
    await this.conn.set(KEYS.datasets(this.id), this.server.url);
    this.sub.on('message', (_channel: string, text: string) => this.onProgress(text));
    await this.sub.subscribe(KEYS.progress(this.id));
    this.offBus = this.deps.bus.subscribe((event, payload) => {
      if (event === 'run.status') this.onStatus(payload as { runId: number; status: string });
    });
    for (const id of this.deps.store.cluster.undispatched()) this.dispatch(id);
    this.reading = this.readLoop();
    await this.tick();
    this.timer = setInterval(() => void this.tick(), Math.min(3000, heartbeatMs()));
    this.timer.unref();
  }

  private async ensureGroup(): Promise<void> {
    try {
      await this.conn.xgroup('CREATE', KEYS.results(this.id), RESULTS_GROUP, '0', 'MKSTREAM');
    } catch (err) {
      if (!/BUSYGROUP/.test((err as Error).message)) throw err;
    }
  }

  /* ---------------------------------------------------------------- sending runs */

  /** Marks a queued run as this cluster's at once, then adds its job after the ones before it. */
  private dispatch(id: number): void {
    const job = this.deps.store.cluster.dispatch(id, (attempt) => jobIdOf(this.id, id, attempt));
    if (job) this.send(id, job);
  }

  private send(id: number, job: string): void {
    this.adds = this.adds
      .then(() => this.addJob(id, job))
      .catch((err: unknown) => {
        if (this.closed) return;
        try {
          this.fail(id, job, `could not send the run to the cluster queue at ${this.redacted}: ${(err as Error).message}`);
        } catch {
          // the store is gone (closing): the run stays queued and is sent at the next start
        }
      });
  }

  private async addJob(id: number, job: string): Promise<void> {
    const current = (): boolean => {
      const r = this.deps.store.runs.get(id);
      return r !== undefined && r.status === 'queued' && r.remoteJob === job;
    };
    if (!current()) return;
    const row = this.deps.store.runs.get(id)!;
    const dataset = await this.deps.catalog.ensureReady(row.datasetId);
    if (!current() || this.closed) return;
    if (row.datasetSha256 !== dataset.sha256) this.deps.store.db.prepare('UPDATE runs SET dataset_sha256 = ? WHERE id = ?').run(dataset.sha256, id);
    if (await this.queue.getJob(job)) return;
    const data: RunJob = {
      v: 1,
      coordinator: this.id,
      run: id,
      attempt: row.remoteAttempt,
      method: row.method,
      seed: row.seed,
      config: row.config as RunJob['config'],
      configHash: row.configHash,
      backend: (row.requestedBackend as RunJob['backend']) ?? null,
      maskSeed: row.maskSeed ?? 0,
      epochsPlanned: row.epochsPlanned,
      dataset: { id: dataset.id, name: dataset.name, builtin: dataset.builtin, sha256: dataset.sha256 },
      datasetsUrl: this.server?.url ?? null,
      codeVersion: codeVersion(),
    };
    await this.queue.add('run', data, { jobId: job, attempts: 1, removeOnComplete: { age: KEEP_JOBS_S }, removeOnFail: { age: KEEP_JOBS_S } });
  }

  /** Resolves once every run sent so far is in Redis (a CLI that queues and exits waits for this). */
  async flush(): Promise<void> {
    let seen: Promise<void> | null = null;
    while (seen !== this.adds) {
      seen = this.adds;
      await seen;
    }
  }

  /* ---------------------------------------------------------------- results */

  private async readLoop(): Promise<void> {
    const key = KEYS.results(this.id);
    // First what was read before but never acknowledged (a coordinator killed mid-batch), then new entries.
    let cursor = '0';
    let pendingCheckedAt = Date.now();
    while (!this.closed) {
      try {
        // Unacknowledged entries are also looked for every few seconds: a busy stream is never empty.
        if (cursor === '>' && Date.now() - pendingCheckedAt >= PENDING_CHECK_MS) {
          pendingCheckedAt = Date.now();
          if ((await this.pendingCount()) > 0) cursor = '0';
        }
        const res = (await this.reader.xreadgroup('GROUP', RESULTS_GROUP, CONSUMER, 'COUNT', 100, 'BLOCK', 1000, 'STREAMS', key, cursor)) as
          | [string, [string, string[] | null][]][]
          | null;
        if (this.readerReconnected && cursor === '>') {
          // The connection dropped while a read was out: the client sent it again, so the reply to
          // the first one may be lost, its entries delivered to no one. Everything not acknowledged
          // is read again from the start, in order (newer results must not overtake them).
          this.readerReconnected = false;
          cursor = '0';
          continue;
        }
        const entries = res?.[0]?.[1] ?? [];
        if (entries.length === 0) {
          // Drained means nothing new and nothing delivered but unacknowledged either.
          if (cursor === '>') {
            if ((await this.pendingCount()) > 0) {
              cursor = '0';
              continue;
            }
            this.drainedAt = Date.now();
          }
          cursor = '>';
          continue;
        }
        const stored: string[] = [];
        try {
          for (const [entryId, fields] of entries) {
            this.ingest(fields);
            stored.push(entryId);
            if (cursor !== '>') cursor = entryId;
          }
        } finally {
          if (stored.length > 0) {
            await this.conn.xack(key, RESULTS_GROUP, ...stored);
            await this.conn.xdel(key, ...stored);
          }
        }
      } catch (err) {
        if (this.closed) return;
        const message = (err as Error).message;
        this.options.log?.(`cluster: reading results: ${message}`);
        if (/NOGROUP/.test(message)) await this.ensureGroup().catch(() => undefined);
        // Whatever was not stored is still pending: read it again.
        cursor = '0';
        await sleep(500);
      }
    }
  }

  /** Entries delivered to this store's reader and not acknowledged. */
  private async pendingCount(): Promise<number> {
    const summary = (await this.reader.xpending(KEYS.results(this.id), RESULTS_GROUP)) as [number, string | null, string | null, [string, string][] | null];
    return Number(summary[3]?.find(([consumer]) => consumer === CONSUMER)?.[1] ?? 0);
  }

  private ingest(fields: string[] | null): void {
    const text = fields?.[1];
    if (typeof text !== 'string') return;
    let decoded: ReturnType<typeof decodeEnvelope>;
    try {
      decoded = decodeEnvelope(text);
    } catch (err) {
      this.options.log?.(`cluster: ignored a malformed result: ${(err as Error).message.slice(0, 300)}`);
      return;
    }
    this.apply(decoded.envelope, decoded.msg);
  }

  /** Stores one message if it belongs to the run's current job and execution. */
  private apply(env: Envelope, msg: RunMessage): void {
    const { store, runs } = this.deps;
    const row = store.runs.get(env.run);
    if (!row || row.remoteJob !== env.job) return;
    if (row.status !== 'queued' && row.status !== 'running') {
      // Cancelled here while a worker was starting it: tell the worker to stop.
      if (msg.type === 'started') void this.control(env.job, 'cancel');
      return;
    }
    if (row.remoteExec !== env.exec) {
      if (msg.type === 'started') {
        const execution = { exec: env.exec, worker: env.worker.id, host: env.worker.host, pid: env.worker.pid };
        if (!store.cluster.beginExecution(env.run, env.job, execution, totalEpochs(row.method, row.config))) return;
      } else if ((msg.type === 'failed' || msg.type === 'cancelled') && row.remoteExec === null) {
        // Refused (or cancelled) before it started: the reason is stored on the run.
        store.cluster.adoptExecution(env.run, env.job, env.exec);
      } else {
        return;
      }
    }
    runs.recordRemote(env.run, msg, this.proxy(env.job));
  }

  private onProgress(text: string): void {
    try {
      const { envelope, msg } = decodeEnvelope(text);
      const row = this.deps.store.runs.get(envelope.run);
      if (row && row.status === 'running' && row.remoteJob === envelope.job && row.remoteExec === envelope.exec) {
        this.deps.runs.recordRemote(envelope.run, msg, this.proxy(envelope.job));
      }
    } catch {
      // progress is advisory: a bad one is dropped
    }
  }

  /** Stands in for a remote run's engine process in the run service: cancel and kill go to the worker. */
  private proxy(job: string): EngineProcess {
    return {
      pid: undefined,
      send: (m) => {
        if (m.type === 'cancel') void this.control(job, 'cancel');
      },
      onMessage: () => undefined,
      onExit: () => undefined,
      kill: () => void this.control(job, 'kill'),
    };
  }

  private fail(id: number, job: string, error: string): void {
    this.deps.runs.recordRemote(id, { type: 'failed', error }, this.proxy(job));
  }

  /* ---------------------------------------------------------------- control */

  private async control(job: string, action: 'cancel' | 'kill'): Promise<void> {
    // The key reaches a worker that takes the job over later; the message the one running it now.
    try {
      await this.conn.set(KEYS.cancel(job), action, 'EX', KEEP_JOBS_S);
      await this.conn.publish(KEYS.control, JSON.stringify({ job, action }));
    } catch (err) {
      this.lastError = `Redis queue at ${this.redacted}: ${(err as Error).message}`;
    }
  }

  private onStatus(p: { runId: number; status: string }): void {
    if (p.status === 'queued') this.dispatch(p.runId);
    else if (p.status === 'cancelled') {
      const job = this.deps.store.runs.get(p.runId)?.remoteJob;
      if (job) void this.withdrawJob(job).catch(() => undefined);
    }
  }

  /** A cancelled run's job: removed while it waits; a worker that has it stops it. */
  private async withdrawJob(job: string): Promise<void> {
    await this.control(job, 'cancel');
    const j = await this.queue.getJob(job);
    if (j && (await j.getState()) !== 'active') await j.remove().catch(() => undefined);
  }

  /**
   * Cancels a run of this cluster: a queued one at once (its job is removed), a running one by
   * asking its worker, which reports it cancelled; a worker that does not answer within 5 s has the
   * run's engine process killed, and a job no worker holds is cancelled here.
   */
  cancel(id: number): void {
    const row = this.deps.store.runs.get(id);
    if (!row?.remoteJob) return;
    if (row.status === 'queued') {
      this.deps.runs.cancel(id);
      return;
    }
    if (row.status !== 'running') return;
    const job = row.remoteJob;
    void this.control(job, 'cancel');
    setTimeout(() => {
      const now = this.deps.store.runs.get(id);
      if (this.closed || now?.status !== 'running' || now.remoteJob !== job) return;
      void this.queue
        .getJob(job)
        .then(async (j) => {
          if (j && (await j.getState()) === 'active') return this.control(job, 'kill');
          this.deps.runs.recordRemote(id, { type: 'cancelled' }, this.proxy(job));
        })
        .catch(() => undefined);
    }, CANCEL_KILL_MS).unref();
  }

  async pause(): Promise<QueueState> {
    await this.queue.pause();
    this.paused = true;
    return this.queueState();
  }

  async resume(): Promise<QueueState> {
    await this.queue.resume();
    this.paused = false;
    return this.queueState();
  }

  queueState(): QueueState {
    return {
      paused: this.paused,
      running: this.deps.store.runs.listByStatus('running').length,
      queued: this.deps.store.runs.listByStatus('queued').length,
      concurrency: this.workers.reduce((sum, w) => sum + w.concurrency, 0),
    };
  }

  state(): ClusterState {
    return {
      url: this.redacted,
      source: this.options.source,
      connected: this.conn.status === 'ready',
      error: this.lastError,
      paused: this.paused,
      coordinator: this.id,
      datasetsUrl: this.server?.url ?? null,
      workers: this.workers,
    };
  }

  /** Worker host of each run a worker is running now (the UI's queue shows it live). */
  workerHosts(): Map<number, string> {
    const hosts = new Map<number, string>();
    for (const w of this.workers) for (const r of w.runs) if (r.mine) hosts.set(r.run, w.host);
    return hosts;
  }

  /* ---------------------------------------------------------------- reconciling */

  private async tick(): Promise<void> {
    if (this.ticking || this.closed) return;
    this.ticking = true;
    try {
      this.workers = await listWorkers(this.conn, this.id);
      this.paused = await this.queue.isPaused();
      for (const id of this.deps.store.cluster.undispatched()) this.dispatch(id);
      await this.reconcile();
    } catch (err) {
      this.lastError = `Redis queue at ${this.redacted}: ${(err as Error).message}`;
    } finally {
      this.ticking = false;
    }
  }

  private async reconcile(): Promise<void> {
    for (const r of this.deps.store.cluster.inFlight()) {
      const job = await this.queue.getJob(r.job);
      if (!job) {
        // Never added (the coordinator stopped first) or lost by Redis: a queued run is sent again
        // (same job id, so a duplicate is ignored); a started one cannot be recovered here.
        if (r.status === 'queued') this.send(r.id, r.job);
        else this.fail(r.id, r.job, `its job ${r.job} is gone from the cluster queue at ${this.redacted} (Redis restarted without its data?); retry the run`);
        continue;
      }
      const state = await job.getState();
      if (state !== 'completed' && state !== 'failed') continue;
      // The job was read before its state: it may have ended in between, so it is read again.
      const ended = (await this.queue.getJob(r.job)) ?? job;
      if (this.drainedAt <= (ended.finishedOn ?? this.firstSeenEnded(r.job)) + RESULTS_GRACE_MS) continue;
      const reason = ended.failedReason ?? '';
      this.fail(
        r.id,
        r.job,
        state === 'failed'
          ? `the cluster gave the run up: ${/stalled/.test(reason) ? `the workers running it stopped answering (${reason})` : reason}`
          : 'a worker finished the run but its results never reached this store; retry the run',
      );
    }
  }

  /** When a job was first seen ended, for one whose end time Redis does not give. */
  private firstSeenEnded(job: string): number {
    const at = this.endedSeen.get(job) ?? Date.now();
    this.endedSeen.set(job, at);
    return at;
  }

  /**
   * Takes back the queued runs whose jobs no worker has taken yet (the queue goes back to the local
   * one); runs already on a worker stay there and are collected when this cluster is used again.
   */
  async recall(): Promise<number[]> {
    await this.flush();
    const back: number[] = [];
    for (const r of this.deps.store.cluster.inFlight()) {
      if (r.status !== 'queued' || r.exec !== null) continue;
      const job = await this.queue.getJob(r.job);
      if (job && (await job.getState()) === 'active') continue;
      if (job) await job.remove();
      if (this.deps.store.cluster.undispatch(r.id, r.job)) back.push(r.id);
    }
    return back;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.offBus?.();
    this.reader?.disconnect();
    this.sub?.disconnect();
    await this.reading.catch(() => undefined);
    if (this.queue) await Promise.race([this.queue.close().catch(() => undefined), sleep(2000)]);
    this.conn?.disconnect();
    await this.server?.close();
  }
}
