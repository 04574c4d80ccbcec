/**
 * Connections to the cluster's Redis: options from a redis:// or rediss:// URL (user, password,
 * database, TLS as Redis clients read them), a fail-fast reachability check whose error names the
 * URL without its password, and long-lived connections that reconnect on their own.
 */
import type { RedisOptions as BullRedisOptions } from 'bullmq';
import { isIP } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import { queueUrlProblem, redactQueueUrl } from '../../../src-shared/cluster';

/** The queue cannot be used: unreachable, refused credentials or a bad URL. Nothing was queued. */
export class QueueUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueueUnavailable';
  }
}

/** BullMQ's key prefix and queue name: every key of the cluster starts with `hrlf:`. */
export const PREFIX = 'hrlf';
export const QUEUE_NAME = 'runs';

export const KEYS = {
  /** Set of worker ids; each id's heartbeat is `worker:<id>`, expiring when the worker stops. */
  workers: `${PREFIX}:workers`,
  worker: (id: string) => `${PREFIX}:worker:${id}`,
  /** A coordinator's results: a stream read by a consumer group, so nothing is lost while it is down. */
  results: (coordinator: string) => `${PREFIX}:results:${coordinator}`,
  /** Live progress: pub/sub, since progress only matters while someone watches. */
  progress: (coordinator: string) => `${PREFIX}:progress:${coordinator}`,
  /** Cancel and kill requests for running jobs (pub/sub), and a key a worker checks before it starts one. */
  control: `${PREFIX}:control`,
  /** A coordinator's dataset endpoint now (it may listen elsewhere after a restart than its older jobs say). */
  datasets: (coordinator: string) => `${PREFIX}:datasets:${coordinator}`,
  cancel: (job: string) => `${PREFIX}:cancel:${job}`,
};

export const RESULTS_GROUP = 'store';

/** BullMQ job ids may not contain ':'; one per (coordinator, run, attempt). */
export function jobIdOf(coordinator: string, run: number, attempt: number): string {
  return `${coordinator}-${run}-${attempt}`;
}

export function redisOptions(url: string): RedisOptions {
  const problem = queueUrlProblem(url);
  if (problem) throw new QueueUnavailable(`queue URL ${redactQueueUrl(url)}: ${problem}`);
  const u = new URL(url);
  const db = u.pathname.replace(/^\//, '');
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return {
    host,
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    db: db === '' ? 0 : Number(db),
    // rediss://: TLS with the system's CAs (NODE_EXTRA_CA_CERTS adds a lab CA), checking the host name.
    // (SNI takes host names only: for an IP address the certificate is checked against the IP.)
    ...(u.protocol === 'rediss:' ? { tls: isIP(host) ? {} : { servername: host } } : {}),
  };
}

/** The same options for BullMQ's own connections (it makes them, and sets what blocking needs). */
export function bullConnection(url: string): BullRedisOptions {
  return { ...redisOptions(url) } as BullRedisOptions;
}

/** An error text with the password scrubbed out, whatever the client put in it. */
export function describeRedisError(url: string, err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  const password = (() => {
    try {
      return decodeURIComponent(new URL(url).password);
    } catch {
      return '';
    }
  })();
  let text = password ? raw.split(password).join('***') : raw;
  if (/WRONGPASS|invalid username-password/i.test(text)) text = 'authentication failed: wrong user or password';
  else if (/NOAUTH/i.test(text)) text = 'the server needs a password: give it in the URL, redis://:PASSWORD@host:port';
  else if (/ECONNREFUSED/.test(text)) text = 'connection refused (is redis-server running on that host and port?)';
  else if (/ENOTFOUND|EAI_AGAIN/.test(text)) text = 'unknown host';
  else if (/ETIMEDOUT|timed out/i.test(text)) text = 'no answer (timed out)';
  return text;
}

/** Connects once, authenticates and pings; throws QueueUnavailable naming the URL (never its password). */
export async function checkReachable(url: string, timeoutMs = 5000): Promise<void> {
  const client = new Redis({
    ...redisOptions(url),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // The client reports the cause (refused, wrong password) as an event; the promise only says "closed".
  let cause: unknown = null;
  client.on('error', (err) => (cause ??= err));
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    throw new QueueUnavailable(`cannot use the Redis queue at ${redactQueueUrl(url)}: ${describeRedisError(url, cause ?? err)}; nothing was queued`);
  } finally {
    client.disconnect();
  }
}

/**
 * A connection that waits out outages: commands issued while Redis restarts are held and sent once
 * it is back (BullMQ needs `maxRetriesPerRequest: null` for the same reason).
 */
export function openConnection(url: string, onError: (message: string) => void): Redis {
  const client = new Redis({
    ...redisOptions(url),
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(100 * times, 2000),
  });
  client.on('error', (err) => onError(describeRedisError(url, err)));
  return client;
}
