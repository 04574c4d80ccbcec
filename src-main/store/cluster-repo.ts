/**
 * The store's side of a cluster queue (BullMQ on Redis): which runs were sent as which job, which
 * worker execution's results are being stored, and the home's settings (queue URL, coordinator id).
 * The run rows themselves stay in RunsRepo; a run sent to a cluster is never claimed locally.
 */
import type { Db } from './database';

/** Where a run's results came from: one execution of its job on one worker. */
export interface Execution {
  exec: string;
  worker: string;
  host: string;
  pid: number;
}

export class ClusterRepo {
  constructor(private readonly db: Db) {}

  setting(key: string): string | null {
    const r = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return r ? r.value : null;
  }

  setSetting(key: string, value: string | null): void {
    if (value === null) this.db.prepare('DELETE FROM settings WHERE key = ?').run(key);
    else this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /**
   * Marks a queued run as sent to the cluster under a new job id (`jobId(attempt)`); null when the
   * run is not queued or already sent. Synchronous, so no local queue can claim it in between.
   */
  dispatch(id: number, jobId: (attempt: number) => string): string | null {
    return this.db.transaction(() => {
      const r = this.db.prepare("SELECT remote_attempt FROM runs WHERE id = ? AND status = 'queued' AND remote_job IS NULL").get(id) as
        | { remote_attempt: number }
        | undefined;
      if (!r) return null;
      const job = jobId(r.remote_attempt + 1);
      this.db.prepare('UPDATE runs SET remote_job = ?, remote_attempt = remote_attempt + 1, remote_exec = NULL WHERE id = ?').run(job, id);
      return job;
    })();
  }

  /** Takes a queued run back from the cluster (its job was removed before a worker took it). */
  undispatch(id: number, job: string): boolean {
    return this.db.prepare("UPDATE runs SET remote_job = NULL, remote_exec = NULL WHERE id = ? AND remote_job = ? AND status = 'queued'").run(id, job).changes === 1;
  }

  /** Queued runs not yet sent anywhere, in queue order. */
  undispatched(): number[] {
    return (this.db.prepare("SELECT id FROM runs WHERE status = 'queued' AND remote_job IS NULL ORDER BY id").all() as { id: number }[]).map((r) => r.id);
  }

  /** Runs sent to the cluster that have not ended: the coordinator follows their jobs. */
  inFlight(): { id: number; job: string; status: 'queued' | 'running'; exec: string | null }[] {
    return this.db
      .prepare("SELECT id, remote_job AS job, status, remote_exec AS exec FROM runs WHERE remote_job IS NOT NULL AND status IN ('queued', 'running') ORDER BY id")
      .all() as { id: number; job: string; status: 'queued' | 'running'; exec: string | null }[];
  }

  /**
   * A worker execution of the run's job starts: results of any earlier execution (a worker that
   * died mid-run) are dropped, since the new one reports every epoch again, from its own
   * checkpoint or from the start. Provenance: host and worker become the worker's.
   */
  beginExecution(id: number, job: string, e: Execution, epochsPlanned: number): boolean {
    return this.db.transaction(() => {
      const info = this.db
        .prepare(
          `UPDATE runs SET status = 'running', remote_exec = ?, worker = ?, host = ?, supervisor_pid = ?, supervisor_host = ?,
             started_at = COALESCE(started_at, ?), error = NULL, epochs_done = 0, epochs_planned = ?, teacher_metrics = NULL
           WHERE id = ? AND remote_job = ? AND status IN ('queued', 'running')`,
        )
        .run(e.exec, e.worker, e.host, e.pid, `cluster:${e.host}`, new Date().toISOString(), epochsPlanned, id, job);
      if (info.changes !== 1) return false;
      for (const table of ['epochs', 'evaluations', 'predictions', 'representations']) this.db.prepare(`DELETE FROM ${table} WHERE run_id = ?`).run(id);
      return true;
    })();
  }

  /** A job refused before any execution started (bad config, missing dataset): its reason goes on the run. */
  adoptExecution(id: number, job: string, exec: string): boolean {
    return this.db.prepare("UPDATE runs SET remote_exec = ? WHERE id = ? AND remote_job = ? AND status IN ('queued', 'running') AND remote_exec IS NULL").run(exec, id, job).changes === 1;
  }
}
