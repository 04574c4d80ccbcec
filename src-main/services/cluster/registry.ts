/**
 * Workers announce themselves with a heartbeat: a key per worker that expires a few intervals after
 * the worker stops, and a set of ids to find them by. Readers drop ids whose key has expired.
 */
import type { Redis } from 'ioredis';
import type { WorkerInfo } from '../../../src-shared/cluster';
import { KEYS } from './connection';

/** Heartbeats every this often (HRLF_CLUSTER_HEARTBEAT_MS: tests use less); a worker is gone after 3 missed. */
export function heartbeatMs(): number {
  return Number(process.env.HRLF_CLUSTER_HEARTBEAT_MS) || 5000;
}

export async function announce(redis: Redis, info: Omit<WorkerInfo, 'lastSeen'>, intervalMs: number): Promise<void> {
  const body = JSON.stringify({ ...info, lastSeen: new Date().toISOString() });
  await redis.multi().set(KEYS.worker(info.id), body, 'PX', 3 * intervalMs).sadd(KEYS.workers, info.id).exec();
}

export async function withdraw(redis: Redis, id: string): Promise<void> {
  await redis.multi().del(KEYS.worker(id)).srem(KEYS.workers, id).exec();
}

/** The live workers, by host then id; `mine` marks runs of the given coordinator. */
export async function listWorkers(redis: Redis, coordinator: string | null): Promise<WorkerInfo[]> {
  const ids = await redis.smembers(KEYS.workers);
  if (ids.length === 0) return [];
  const bodies = await redis.mget(ids.map((id) => KEYS.worker(id)));
  const gone = ids.filter((_, i) => bodies[i] === null);
  if (gone.length > 0) await redis.srem(KEYS.workers, ...gone);
  const workers: WorkerInfo[] = [];
  for (const body of bodies) {
    if (body === null) continue;
    try {
      const w = JSON.parse(body) as WorkerInfo;
      workers.push({ ...w, runs: w.runs.map((r) => ({ ...r, mine: r.coordinator === coordinator })) });
    } catch {
      // a malformed heartbeat is not a worker
    }
  }
  return workers.sort((a, b) => a.host.localeCompare(b.host) || a.id.localeCompare(b.id));
}
