import type { Db } from './database';
import type { EpochRecord, EvaluationRecord, MetricRecord, RunStatus } from '../../src-shared/models';

export interface RunRow {
  id: number;
  experimentId: number | null;
  datasetId: string;
  method: string;
  seed: number;
  status: RunStatus;
  backend: string | null;
  requestedBackend: string | null;
  config: Record<string, unknown>;
  configHash: string;
  codeVersion: string;
  datasetSha256: string | null;
  host: string;
  epochsPlanned: number;
  epochsDone: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  outcome: string | null;
  checkpointPath: string | null;
  timings: Record<string, number> | null;
  /** Evaluation mask seed; null for runs stored before scenarios (they used the paper's seed 0). */
  maskSeed: number | null;
  /** The cluster job (BullMQ on Redis) this run was sent to; null: the local queue's. */
  remoteJob: string | null;
  /** Cluster jobs this run has had (a retry sends a new one). */
  remoteAttempt: number;
  /** The worker execution whose results are stored (a takeover starts a new one). */
  remoteExec: string | null;
  /** Id of the cluster worker that ran it (host#pid…); null: ran on this machine. */
  worker: string | null;
}

interface RawRun {
  id: number;
  experiment_id: number | null;
  dataset_id: string;
  method: string;
  seed: number;
  status: RunStatus;
  backend: string | null;
  requested_backend: string | null;
  config: string;
  config_hash: string;
  code_version: string;
  dataset_sha256: string | null;
  host: string;
  epochs_planned: number;
  epochs_done: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
  outcome: string | null;
  checkpoint_path: string | null;
  timings: string | null;
  mask_seed: number | null;
  remote_job: string | null;
  remote_attempt: number;
  remote_exec: string | null;
  worker: string | null;
}

function fromRaw(r: RawRun): RunRow {
  return {
    id: r.id,
    experimentId: r.experiment_id,
    datasetId: r.dataset_id,
    method: r.method,
    seed: r.seed,
    status: r.status,
    backend: r.backend,
    requestedBackend: r.requested_backend,
    config: JSON.parse(r.config) as Record<string, unknown>,
    configHash: r.config_hash,
    codeVersion: r.code_version,
    datasetSha256: r.dataset_sha256,
    host: r.host,
    epochsPlanned: r.epochs_planned,
    epochsDone: r.epochs_done,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    error: r.error,
    outcome: r.outcome,
    checkpointPath: r.checkpoint_path,
    timings: r.timings === null ? null : (JSON.parse(r.timings) as Record<string, number>),
    maskSeed: r.mask_seed,
    remoteJob: r.remote_job,
    remoteAttempt: r.remote_attempt,
    remoteExec: r.remote_exec,
    worker: r.worker,
  };
}

export interface EngineRecord {
  pid: number;
  /** The process's start time as the OS reports it (Linux: /proc/<pid>/stat), null where unknown. */
  started: string | null;
  host: string;
}

export interface NewRun {
  experimentId?: number | null;
  datasetId: string;
  method: string;
  seed: number;
  requestedBackend: string | null;
  config: Record<string, unknown>;
  configHash: string;
  codeVersion: string;
  datasetSha256: string | null;
  host: string;
  epochsPlanned: number;
  maskSeed?: number | null;
}

const now = (): string => new Date().toISOString();

export class RunsRepo {
  constructor(private readonly db: Db) {}

  create(run: NewRun): RunRow {
    const info = this.db
      .prepare(
        `INSERT INTO runs (experiment_id, dataset_id, method, seed, status, requested_backend, config, config_hash,
           code_version, dataset_sha256, host, epochs_planned, created_at, mask_seed)
         VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        run.experimentId ?? null,
        run.datasetId,
        run.method,
        run.seed,
        run.requestedBackend,
        JSON.stringify(run.config),
        run.configHash,
        run.codeVersion,
        run.datasetSha256,
        run.host,
        run.epochsPlanned,
        now(),
        run.maskSeed ?? null,
      );
    return this.get(Number(info.lastInsertRowid))!;
  }

  get(id: number): RunRow | undefined {
    const r = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RawRun | undefined;
    return r ? fromRaw(r) : undefined;
  }

  list(): RunRow[] {
    return (this.db.prepare('SELECT * FROM runs ORDER BY id DESC').all() as RawRun[]).map(fromRaw);
  }

  /** An experiment's runs in creation (queue) order. */
  listByExperiment(experimentId: number): RunRow[] {
    return (this.db.prepare('SELECT * FROM runs WHERE experiment_id = ? ORDER BY id').all(experimentId) as RawRun[]).map(fromRaw);
  }

  listByStatus(status: RunStatus): RunRow[] {
    return (this.db.prepare('SELECT * FROM runs WHERE status = ? ORDER BY id').all(status) as RawRun[]).map(fromRaw);
  }

  /**
   * Takes a queued run for this supervisor process. Atomic, so two processes sharing a data home
   * never both run it; false when someone else took it, it is no longer queued, or it was sent to
   * a cluster queue (whose workers run it).
   */
  claim(id: number, pid: number, host: string): boolean {
    const info = this.db
      .prepare(
        `UPDATE runs SET status = 'running', supervisor_pid = ?, supervisor_host = ?, started_at = COALESCE(started_at, ?), error = NULL,
           host = ?, worker = NULL
         WHERE id = ? AND status = 'queued' AND remote_job IS NULL`,
      )
      .run(pid, host, now(), host, id);
    return info.changes === 1;
  }

  setTeacherMetrics(id: number, metrics: unknown): void {
    this.db.prepare('UPDATE runs SET teacher_metrics = ? WHERE id = ?').run(JSON.stringify(metrics), id);
  }

  teacherMetrics(id: number): Record<string, unknown> | null {
    const r = this.db.prepare('SELECT teacher_metrics FROM runs WHERE id = ?').get(id) as { teacher_metrics: string | null } | undefined;
    return r?.teacher_metrics ? (JSON.parse(r.teacher_metrics) as Record<string, unknown>) : null;
  }

  /** The stored prediction check (JSON), or null where it was not computed yet. */
  predictionCheck(id: number): unknown {
    const r = this.db.prepare('SELECT prediction_check FROM runs WHERE id = ?').get(id) as { prediction_check: string | null } | undefined;
    return r?.prediction_check ? (JSON.parse(r.prediction_check) as unknown) : null;
  }

  setPredictionCheck(id: number, check: unknown): void {
    this.db.prepare('UPDATE runs SET prediction_check = ? WHERE id = ?').run(JSON.stringify(check), id);
  }

  reducePlannedEpochs(id: number, by: number): void {
    this.db.prepare('UPDATE runs SET epochs_planned = MAX(epochs_done, epochs_planned - ?) WHERE id = ?').run(by, id);
  }

  /** The backend the run process actually started on. */
  setBackend(id: number, backend: string): void {
    this.db.prepare('UPDATE runs SET backend = ? WHERE id = ?').run(backend, id);
  }

  /** Running runs held by a supervisor on this host that is no longer alive: interrupted work. */
  orphaned(host: string, isAlive: (pid: number) => boolean): RunRow[] {
    const rows = this.db.prepare("SELECT id, supervisor_pid, supervisor_host FROM runs WHERE status = 'running'").all() as {
      id: number;
      supervisor_pid: number | null;
      supervisor_host: string | null;
    }[];
    return rows
      .filter((r) => r.supervisor_pid === null || (r.supervisor_host === host && !isAlive(r.supervisor_pid)))
      .map((r) => this.get(r.id)!);
  }

  /**
   * Puts an interrupted or failed run back in the queue (it resumes from its checkpoint, if any).
   * A run that was sent to a cluster leaves its old job: the queue it goes back to sends a new one.
   */
  requeue(id: number): boolean {
    const info = this.db
      .prepare(
        `UPDATE runs SET status = 'queued', supervisor_pid = NULL, supervisor_host = NULL, error = NULL, finished_at = NULL,
           remote_job = NULL, remote_exec = NULL
         WHERE id = ? AND status IN ('running', 'failed', 'cancelled')`,
      )
      .run(id);
    return info.changes === 1;
  }

  /** The engine process now running this run: `started` identifies it beyond its pid (see process-alive.ts). */
  setEngine(id: number, engine: EngineRecord): void {
    this.db.prepare('UPDATE runs SET engine_pid = ?, engine_started = ?, engine_host = ? WHERE id = ?').run(engine.pid, engine.started, engine.host, id);
  }

  /** The engine process that last ran this run, if one was recorded. */
  engine(id: number): EngineRecord | null {
    const r = this.db.prepare('SELECT engine_pid, engine_started, engine_host FROM runs WHERE id = ?').get(id) as
      | { engine_pid: number | null; engine_started: string | null; engine_host: string | null }
      | undefined;
    if (!r || r.engine_pid === null || r.engine_host === null) return null;
    return { pid: r.engine_pid, started: r.engine_started, host: r.engine_host };
  }

  setCheckpoint(id: number, path: string): void {
    this.db.prepare('UPDATE runs SET checkpoint_path = ? WHERE id = ?').run(path, id);
  }

  /** Terminal transition; only a run that is not yet terminal can end, so a late message cannot overwrite. */
  finish(
    id: number,
    status: Extract<RunStatus, 'finished' | 'failed' | 'cancelled'>,
    fields: { error?: string | null; outcome?: string | null; timings?: Record<string, number> | null } = {},
  ): boolean {
    const info = this.db
      .prepare(
        `UPDATE runs SET status = ?, error = ?, outcome = ?, timings = COALESCE(?, timings), finished_at = ?
         WHERE id = ? AND status IN ('queued', 'running')`,
      )
      .run(status, fields.error ?? null, fields.outcome ?? null, fields.timings ? JSON.stringify(fields.timings) : null, now(), id);
    return info.changes === 1;
  }

  addEpoch(id: number, e: EpochRecord): void {
    this.db.transaction(() => {
      this.db
        .prepare('INSERT OR REPLACE INTO epochs (run_id, phase, epoch, train, valid, seconds) VALUES (?, ?, ?, ?, ?, ?)')
        .run(id, e.phase, e.epoch, JSON.stringify(e.train), JSON.stringify(e.valid), e.seconds);
      this.db.prepare('UPDATE runs SET epochs_done = (SELECT COUNT(*) FROM epochs WHERE run_id = ?) WHERE id = ?').run(id, id);
    })();
  }

  epochs(id: number): EpochRecord[] {
    const rows = this.db
      .prepare('SELECT phase, epoch, train, valid, seconds FROM epochs WHERE run_id = ? ORDER BY rowid')
      .all(id) as { phase: string; epoch: number; train: string; valid: string; seconds: number }[];
    return rows.map((r) => ({
      phase: r.phase,
      epoch: r.epoch,
      train: JSON.parse(r.train) as Record<string, number>,
      valid: JSON.parse(r.valid) as Record<string, number>,
      seconds: r.seconds,
    }));
  }

  addEvaluation(id: number, e: EvaluationRecord): void {
    this.db
      .prepare('INSERT OR REPLACE INTO evaluations (run_id, protocol, condition, metrics) VALUES (?, ?, ?, ?)')
      .run(id, e.protocol, e.condition, JSON.stringify(e.metrics));
  }

  evaluations(id: number): EvaluationRecord[] {
    const rows = this.db
      .prepare('SELECT protocol, condition, metrics FROM evaluations WHERE run_id = ? ORDER BY rowid')
      .all(id) as { protocol: 'inter' | 'intra'; condition: string; metrics: string }[];
    return rows.map((r) => ({ protocol: r.protocol, condition: r.condition, metrics: JSON.parse(r.metrics) as MetricRecord }));
  }

  addPredictions(id: number, protocol: string, condition: string, labels: Float32Array, values: Float32Array, width: number): void {
    this.db
      .prepare(
        'INSERT OR REPLACE INTO predictions (run_id, protocol, condition, n, width, labels, values_f32) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(id, protocol, condition, values.length / width, width, toBlob(labels), toBlob(values));
  }

  predictions(id: number): { protocol: string; condition: string; n: number; width: number; labels: Float32Array; values: Float32Array }[] {
    const rows = this.db
      .prepare('SELECT protocol, condition, n, width, labels, values_f32 FROM predictions WHERE run_id = ? ORDER BY rowid')
      .all(id) as { protocol: string; condition: string; n: number; width: number; labels: Buffer; values_f32: Buffer }[];
    return rows.map((r) => ({ ...r, labels: fromBlob(r.labels), values: fromBlob(r.values_f32) }));
  }

  addRepresentation(id: number, condition: string, labels: Float32Array, values: Float32Array, width: number): void {
    this.db
      .prepare('INSERT OR REPLACE INTO representations (run_id, condition, n, width, labels, values_f32) VALUES (?, ?, ?, ?, ?, ?)')
      .run(id, condition, values.length / width, width, toBlob(labels), toBlob(values));
  }

  representation(id: number, condition: string): { n: number; width: number; labels: Float32Array; values: Float32Array } | undefined {
    const r = this.db.prepare('SELECT n, width, labels, values_f32 FROM representations WHERE run_id = ? AND condition = ?').get(id, condition) as
      | { n: number; width: number; labels: Buffer; values_f32: Buffer }
      | undefined;
    return r ? { n: r.n, width: r.width, labels: fromBlob(r.labels), values: fromBlob(r.values_f32) } : undefined;
  }

  /** A stored projection: points as (index, x, y) float32 triplets, `key` the full request. */
  projection(id: number, condition: string, algorithm: string, key: string, seed: number): StoredProjectionRow | undefined {
    const r = this.db
      .prepare("SELECT params, points FROM projections WHERE run_id = ? AND condition = ? AND algorithm = ? AND seed = ? AND json_extract(params, '$.key') = ? ORDER BY id DESC")
      .get(id, condition, algorithm, seed, key) as { params: string; points: Buffer } | undefined;
    if (!r) return undefined;
    const triplets = fromBlob(r.points);
    const n = triplets.length / 3;
    const points = new Float32Array(n * 2);
    const indices: number[] = [];
    for (let i = 0; i < n; i++) {
      indices.push(triplets[3 * i]!);
      points[2 * i] = triplets[3 * i + 1]!;
      points[2 * i + 1] = triplets[3 * i + 2]!;
    }
    return { indices, points, params: (JSON.parse(r.params) as { used: Record<string, number | string> }).used };
  }

  addProjection(id: number, condition: string, algorithm: string, key: string, seed: number, p: StoredProjectionRow): void {
    const triplets = new Float32Array(p.indices.length * 3);
    p.indices.forEach((index, i) => triplets.set([index, p.points[2 * i]!, p.points[2 * i + 1]!], 3 * i));
    this.db
      .prepare('INSERT INTO projections (run_id, condition, algorithm, params, seed, points, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(id, condition, algorithm, JSON.stringify({ key, used: p.params }), seed, toBlob(triplets), now());
  }

  representations(id: number): { condition: string; n: number; width: number }[] {
    return this.db.prepare('SELECT condition, n, width FROM representations WHERE run_id = ? ORDER BY rowid').all(id) as {
      condition: string;
      n: number;
      width: number;
    }[];
  }
}

export interface StoredProjectionRow {
  indices: number[];
  points: Float32Array;
  params: Record<string, number | string>;
}

function toBlob(a: Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function fromBlob(b: Buffer): Float32Array {
  // Copy: SQLite's buffer is not guaranteed 4-byte aligned.
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}
