/**
 * What the cluster tests stand on: a real redis-server (Debian's) on a free loopback port with its
 * own folder and password, append-only file on; `hrlf worker` processes with their own data homes
 * standing in for machines (each in its own process group, so kill -9 takes its engine processes
 * with it, as a machine's death would); a tiny dataset so runs take seconds.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDatasetFile } from '../../src-main/engine/data/dataset-file';
import { generateSynthetic } from '../../src-main/engine/data/synthetic';
import type { Workbench } from '../../src-main/services/api';
import { checkReachable } from '../../src-main/services/cluster/connection';
import { BIN } from './helpers';

export const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';
export const HAVE_REDIS = existsSync(REDIS_SERVER);
export const PASSWORD = 'test-pass-3f9c';
export const DATASETS_TOKEN = 'datasets-token-for-tests';

/** Test timings: a dead worker's job moves on after ~5 s, heartbeats every second. */
export const CLUSTER_ENV = { HRLF_CLUSTER_LOCK_MS: '5000', HRLF_CLUSTER_STALLED_MS: '1000', HRLF_CLUSTER_HEARTBEAT_MS: '1000' };

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it holds; a timeout says what was awaited and, from `explain`, what the processes said. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 400_000, explain?: () => string): Promise<void> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${explain ? `\n${explain()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface RedisHandle {
  url: string;
  port: number;
  dir: string;
  /** Shuts down cleanly (the append-only file is complete) and waits for the exit. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startRedis(): Promise<RedisHandle> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'hrlf-redis-'));
  let child: ChildProcess | null = null;
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--requirepass', PASSWORD, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--protected-mode', 'yes'];
  const handle: RedisHandle = {
    url: `redis://:${PASSWORD}@127.0.0.1:${port}`,
    port,
    dir,
    start: async () => {
      child = spawn(REDIS_SERVER, args, { stdio: 'ignore' });
      await until(() => checkReachable(handle.url, 1000).then(() => true, () => false), 'redis-server to answer', 20_000);
    },
    stop: async () => {
      const c = child;
      if (!c || c.exitCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await exited;
    },
  };
  await handle.start();
  return handle;
}

/**
 * A redis-server that speaks only TLS on loopback (127.0.0.1 and .2), with a certificate for `localhost` and
 * 127.0.0.1 from a throwaway CA (made with openssl): what `rediss://` needs in a lab.
 */
export async function startTlsRedis(): Promise<{ url: (host: string) => string; caFile: string; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'hrlf-redis-tls-'));
  const openssl = (args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  };
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=hrlf test CA']);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  writeFileSync(join(dir, 'san.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.cnf']);
  const port = await freePort();
  const child = spawn(
    REDIS_SERVER,
    ['--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1', '127.0.0.2', '--tls-cert-file', 'server.pem', '--tls-key-file', 'server.key', '--tls-ca-cert-file', 'ca.pem', '--tls-auth-clients', 'no', '--requirepass', PASSWORD, '--save', '', '--dir', dir],
    { cwd: dir, stdio: 'ignore' },
  );
  const exited = new Promise((r) => child.once('exit', r));
  await until(() => new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  }), 'redis-server (TLS) to listen', 20_000);
  return {
    url: (host) => `rediss://:${PASSWORD}@${host}:${port}`,
    caFile: join(dir, 'ca.pem'),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export const HAVE_OPENSSL = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

export interface WorkerProcess {
  child: ChildProcess;
  home: string;
  output: () => string;
  /** kill -9 of the worker and its engine processes (its process group): a machine that dies. */
  kill9(): Promise<void>;
  /** SIGTERM: finishes its running runs, then leaves. */
  stop(): Promise<void>;
}

export function startWorker(url: string, options: { home?: string; concurrency?: number; token?: string | null; name?: string } = {}): WorkerProcess {
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'hrlf-worker-'));
  const args = [BIN, '--home', home, '--queue', url, 'worker', '--concurrency', String(options.concurrency ?? 1), '--backend', 'wasm'];
  if (options.name) args.push('--name', options.name);
  const token = options.token === undefined ? DATASETS_TOKEN : options.token;
  const env: NodeJS.ProcessEnv = { ...process.env, ...CLUSTER_ENV };
  delete env.HRLF_DATASETS_TOKEN;
  if (token) env.HRLF_DATASETS_TOKEN = token;
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    home,
    output: () => out,
    kill9: async () => {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * A TCP relay to redis-server that loses one reply in transit: the first server-to-client chunk
 * for which `drop` says so is discarded and that client's connection is cut, as a network fault or
 * a server restart can do after Redis executed a command but before its reply arrived.
 */
export async function startReplyLosingRelay(redisPort: number, password: string, drop: (chunk: Buffer) => boolean): Promise<{ url: string; dropped: () => number; close: () => void }> {
  let dropped = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(redisPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    const cut = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', cut).on('close', cut);
    upstream.on('error', cut).on('close', cut);
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (dropped === 0 && drop(chunk)) {
        dropped++;
        cut();
        return;
      }
      client.write(chunk);
    });
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
  return {
    url: `redis://:${password}@127.0.0.1:${port}`,
    dropped: () => dropped,
    close: () => {
      server.close();
      for (const s of sockets) s.destroy();
    },
  };
}

/** A dataset of a few hundred tiny samples (MOSEI-like labels), registered as an imported one. */
export function addTinyDataset(wb: Workbench, id = 'tiny'): string {
  const data = generateSynthetic({ id, kind: 'mosei', description: 'tiny', T: 8, dims: [6, 3, 4], sizes: { train: 96, valid: 32, test: 48 } });
  const path = join(wb.layout.datasets, `${id}.hrlfds`);
  mkdirSync(wb.layout.datasets, { recursive: true });
  const sha256 = writeDatasetFile(path, data);
  wb.store.datasets.insertImported({
    id,
    name: id,
    kind: 'mosei',
    task: 'regression',
    format: 'mult',
    sourcePath: null,
    sourceSize: null,
    sourceSha256: sha256,
    path,
    sha256,
    T: data.T,
    dims: data.dims,
    splitSizes: { train: data.train.n, valid: data.valid.n, test: data.test.n },
    report: null,
  });
  return sha256;
}

export function interMetrics(wb: Workbench, id: number): Record<string, unknown> {
  return Object.fromEntries(wb.store.runs.evaluations(id).map((e) => [`${e.protocol}:${e.condition}`, e.metrics]));
}
