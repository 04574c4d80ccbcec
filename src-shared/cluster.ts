/**
 * The cluster queue as the UI and the CLI see it: the Redis URL (validated, and shown without its
 * password), the workers that announced themselves, and the queue's state.
 */
import { z } from 'zod';

/** `redis://[[user]:password@]host[:port][/db]`, or `rediss://` for TLS. */
export const QueueUrlSchema = z
  .string()
  .trim()
  .max(2000)
  .superRefine((s, ctx) => {
    const problem = queueUrlProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** What is wrong with a queue URL, or null when it is a usable Redis URL. */
export function queueUrlProblem(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `'${redactQueueUrl(url)}' is not a URL; expected redis://[:password@]host[:port][/db] or rediss://…`;
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') return `expected a redis:// or rediss:// URL, got ${u.protocol}//`;
  if (!u.hostname) return 'the URL names no host';
  const db = u.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d{1,2}$/.test(db)) return `the database in the URL's path must be a number (e.g. /0), got '/${db}'`;
  if (u.search || u.hash) return 'the URL takes no query or fragment';
  return null;
}

/** The URL with its password replaced by `***`: what error messages, logs and the UI show. */
export function redactQueueUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    // Not parseable as a URL: hide anything between '//' and '@' that could be credentials.
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/** One run a worker is executing, as its heartbeat announces it. */
export interface WorkerRun {
  /** The coordinator (data home) the run belongs to; `mine` when it is this workbench's. */
  coordinator: string;
  mine: boolean;
  run: number;
  job: string;
  phase: string | null;
  epoch: number | null;
  epochs: number | null;
}

/** A worker's heartbeat: it expires a few intervals after the worker stops announcing itself. */
export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  /** Forced with --backend, else the last backend a run started on, else 'auto'. */
  backend: string;
  concurrency: number;
  freeMemory: number;
  totalMemory: number;
  runs: WorkerRun[];
  startedAt: string;
  lastSeen: string;
  codeVersion: string;
}

export interface ClusterState {
  /** The queue in use, password hidden; null: the local queue. */
  url: string | null;
  /** Where the URL came from: the --queue flag, HRLF_QUEUE, or the setting saved from the UI. */
  source: 'flag' | 'env' | 'setting' | null;
  connected: boolean;
  /** Why the queue is not usable (unreachable, authentication), naming the URL without its password. */
  error: string | null;
  paused: boolean;
  /** This store's id on the cluster: the results of its runs come back on its own stream. */
  coordinator: string | null;
  /** Where workers fetch this workbench's datasets by SHA-256 (with the dataset token). */
  datasetsUrl: string | null;
  workers: WorkerInfo[];
}
