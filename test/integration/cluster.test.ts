/**
 * The cluster queue end to end: a real redis-server, `hrlf worker` processes with their own homes
 * (machines), a coordinator (in this process, or an `hrlf queue --run` process where it is killed).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInput } from '../../src-shared/contract';
import { Workbench } from '../../src-main/services/api';
import { bullConnection, jobIdOf, KEYS, PREFIX, QUEUE_NAME, RESULTS_GROUP } from '../../src-main/services/cluster/connection';
import { coordinatorId } from '../../src-main/services/cluster/coordinator';
import { BIN, hrlf, requireBuild, tempHome } from './helpers';
import {
  addTinyDataset,
  CLUSTER_ENV,
  DATASETS_TOKEN,
  freePort,
  HAVE_OPENSSL,
  HAVE_REDIS,
  interMetrics,
  PASSWORD,
  startRedis,
  startReplyLosingRelay,
  startTlsRedis,
  startWorker,
  until,
  type RedisHandle,
  type WorkerProcess,
} from './cluster-helpers';

const cleanups: (() => Promise<void> | void)[] = [];
/** Workers left at the end are killed (a graceful stop would wait for a run still going). */
const later = (w: WorkerProcess): WorkerProcess => (cleanups.push(() => w.kill9()), w);

async function coordinator(url: string, home = tempHome()): Promise<Workbench> {
  const wb = new Workbench({ home, mode: 'cli', workQueue: false, queue: url, datasets: { token: DATASETS_TOKEN } });
  await wb.startQueue();
  cleanups.push(() => wb.shutdown().catch(() => undefined));
  return wb;
}

function statusOf(wb: Workbench, id: number): string | undefined {
  return wb.store.runs.get(id)?.status;
}

function epochNumbers(wb: Workbench, id: number): number[] {
  return wb.store.runs.epochs(id).map((e) => e.epoch);
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
const runInput = (seed: number, epochs: number) => parseInput('runs.start', { dataset: 'tiny', method: 'lf-linear', seed, epochs, backend: 'wasm' });

async function redisFor(): Promise<RedisHandle> {
  const r = await startRedis();
  cleanups.push(() => r.stop());
  return r;
}

beforeAll(() => {
  requireBuild();
  Object.assign(process.env, CLUSTER_ENV);
});

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

// Bounded, but generous: the machine these run on may be shared and loaded.
describe.skipIf(!HAVE_REDIS)('cluster queue (BullMQ on a real redis-server)', { timeout: 480_000 }, () => {
  it('runs a run on a worker with the epochs, metrics and predictions of the same run done locally; the worker fetches the dataset by hash; provenance names the worker', async () => {
    const redis = await redisFor();
    const c = await coordinator(redis.url);
    const sha = addTinyDataset(c);
    const w = later(startWorker(redis.url));
    const input = runInput(5, 4);
    const id = c.runs.start(input).id;
    await until(() => statusOf(c, id) === 'finished' || statusOf(c, id) === 'failed', 'the remote run to end');
    const row = c.store.runs.get(id)!;
    expect(row.error).toBeNull();
    expect(row.status).toBe('finished');

    const local = new Workbench({ home: tempHome(), mode: 'cli', workQueue: false });
    addTinyDataset(local);
    const ref = local.runs.start(input).id;
    await local.runs.idle();
    expect(interMetrics(c, id)).toEqual(interMetrics(local, ref));
    const losses = (wb: Workbench, r: number) => wb.store.runs.epochs(r).map(({ phase, epoch, train, valid }) => ({ phase, epoch, train, valid }));
    expect(losses(c, id)).toEqual(losses(local, ref));
    const preds = (wb: Workbench, r: number) => wb.store.runs.predictions(r).map((p) => [p.protocol, p.condition, Array.from(p.values), Array.from(p.labels)]);
    expect(preds(c, id)).toEqual(preds(local, ref));
    expect(c.store.runs.get(id)!.timings).not.toBeNull();
    local.close();

    expect(row.worker).toBe(`${hostname()}#${w.child.pid}`);
    expect(row.host).toBe(hostname());
    expect(row.backend).toBe('wasm');
    expect(row.datasetSha256).toBe(sha);
    expect(existsSync(join(w.home, 'datasets', `cluster-${sha.slice(0, 12)}.hrlfds`))).toBe(true);
    // The worker announced itself with its host, backend, concurrency and memory.
    const state = c.clusterState();
    expect(state.connected).toBe(true);
    expect(state.url).toBe(redis.url.replace(/:[^:@/]*@/, ':***@'));
    expect(state.workers).toEqual([expect.objectContaining({ host: hostname(), backend: 'wasm', concurrency: 1, freeMemory: expect.any(Number) })]);
  });

  it('refuses what it must not run, with the reason on the run: a tampered config, an unknown method, a dataset it cannot get', async () => {
    const redis = await redisFor();
    const home = tempHome();
    // Runs marked as sent, whose jobs are written by hand (as someone with Redis access could).
    const setup = new Workbench({ home, mode: 'cli', workQueue: false, queue: 'local' });
    addTinyDataset(setup);
    const coord = coordinatorId(setup.store);
    const bad = setup.runs.enqueue(runInput(1, 2)).id;
    const evil = setup.runs.enqueue(runInput(2, 2)).id;
    const queue = new Queue(QUEUE_NAME, { connection: bullConnection(redis.url), prefix: PREFIX });
    for (const [id, patch] of [
      [bad, { config: { ...setup.store.runs.get(bad)!.config, lr: -1 } }],
      [evil, { method: 'evil' }],
    ] as const) {
      const row = setup.store.runs.get(id)!;
      const job = setup.store.cluster.dispatch(id, (a) => jobIdOf(coord, id, a))!;
      const sha = setup.store.datasets.get('tiny')!.sha256;
      await queue.add(
        'run',
        {
          ...{ v: 1, coordinator: coord, run: id, attempt: 1, method: row.method, seed: row.seed, config: row.config, configHash: row.configHash },
          ...{ backend: 'wasm', maskSeed: 0, epochsPlanned: 2, dataset: { id: 'tiny', name: 'tiny', builtin: false, sha256: sha }, datasetsUrl: null, codeVersion: 'x' },
          ...patch,
        },
        { jobId: job },
      );
    }
    await queue.close();
    setup.close();

    const c = await coordinator(redis.url, home);
    const w = later(startWorker(redis.url));
    await until(() => statusOf(c, bad) === 'failed' && statusOf(c, evil) === 'failed', 'both jobs to be refused');
    expect(c.store.runs.get(bad)!.error).toMatch(/refused the job: config lr: .*/);
    expect(c.store.runs.get(evil)!.error).toMatch(/refused the job: unknown method 'evil'/);
    await w.stop();

    // A worker without the dataset token cannot fetch the dataset: the run fails saying so.
    later(startWorker(redis.url, { token: null }));
    const id = c.runs.start(runInput(3, 2)).id;
    await until(() => statusOf(c, id) === 'failed', 'the run to be refused');
    expect(c.store.runs.get(id)!.error).toMatch(/not on this worker and the worker has no dataset token/);
    expect(c.store.runs.epochs(id)).toEqual([]);
  });

  it('kill -9 of a worker mid-run: another worker takes the job over and finishes it once, every epoch stored once', async () => {
    const redis = await redisFor();
    const c = await coordinator(redis.url);
    addTinyDataset(c);
    const workers: WorkerProcess[] = [later(startWorker(redis.url)), later(startWorker(redis.url))];
    const EPOCHS = 120;
    const finishedEvents: number[] = [];
    c.bus.subscribe((event, payload) => {
      const p = payload as { runId: number; status: string };
      if (event === 'run.status' && p.status === 'finished') finishedEvents.push(p.runId);
    });
    const id = c.runs.start(runInput(7, EPOCHS)).id;
    await until(() => (c.store.runs.get(id)?.epochsDone ?? 0) >= 3, 'a few epochs on the first worker');
    const first = c.store.runs.get(id)!.worker!;
    const victim = workers.find((w) => first.endsWith(`#${w.child.pid}`))!;
    const survivor = workers.find((w) => w !== victim)!;
    await victim.kill9();
    expect(statusOf(c, id)).toBe('running');

    await until(() => statusOf(c, id) === 'finished' || statusOf(c, id) === 'failed', 'the run to finish on the other worker');
    const row = c.store.runs.get(id)!;
    expect(row.status).toBe('finished');
    expect(row.worker).toBe(`${hostname()}#${survivor.child.pid}`);
    expect(epochNumbers(c, id)).toEqual(range(EPOCHS));
    expect(row.epochsDone).toBe(EPOCHS);
    expect(c.store.runs.list()).toHaveLength(1);
    expect(finishedEvents).toEqual([id]);
    expect(c.store.runs.evaluations(id).length).toBeGreaterThan(0);
  });

  it('kill -9 of the coordinator while workers run: started again, it stores every result that finished meanwhile, once', async () => {
    const redis = await redisFor();
    const home = tempHome();
    // The grid is queued in the store only: its jobs appear when the coordinator process starts,
    // with that process's dataset endpoint (jobs sent by an earlier coordinator would name an
    // endpoint that is gone until the new one announces itself).
    const setup = new Workbench({ home, mode: 'cli', workQueue: false, queue: 'local' });
    addTinyDataset(setup);
    const EPOCHS = 30;
    const exp = setup.experiments.create(parseInput('experiments.create', { methods: ['lf-linear'], datasets: ['tiny'], seeds: [1, 2, 3, 4], epochs: EPOCHS, backend: 'wasm' }));
    const ids = exp.runs.map((r) => r.id);
    setup.close();

    const coordinatorProcess = () => {
      const child = spawn(process.execPath, [BIN, '--home', home, '--queue', redis.url, '--datasets-token', DATASETS_TOKEN, 'queue', '--run', '--json'], {
        stdio: 'ignore',
        detached: true,
        env: { ...process.env, ...CLUSTER_ENV },
      });
      return { child, exit: new Promise<number>((r) => child.once('exit', (code, signal) => r(code ?? (signal ? 128 : 1)))) };
    };
    // Both workers listen before the jobs exist, so each takes one (a slow-starting worker could
    // otherwise find every job taken).
    const workers = [later(startWorker(redis.url)), later(startWorker(redis.url))];
    await until(() => workers.every((w) => w.output().includes('working for')), 'both workers to listen');
    const first = coordinatorProcess();
    const watcher = new Workbench({ home, mode: 'cli', workQueue: false, queue: 'local' });
    cleanups.push(() => watcher.close());
    const logs = (): string => workers.map((w) => w.output()).join('\n----\n');
    // Both workers have the dataset (fetched from the coordinator: once it is gone, a worker
    // without it would refuse its next job) and one run is stored.
    const sha = watcher.store.datasets.get('tiny')!.sha256;
    const hasDataset = (w: WorkerProcess): boolean => existsSync(join(w.home, 'datasets', `cluster-${sha.slice(0, 12)}.hrlfds`));
    await until(() => workers.every(hasDataset) && ids.some((id) => statusOf(watcher, id) === 'finished'), 'both workers to hold the dataset and a run to finish', undefined, logs);
    process.kill(-first.child.pid!, 'SIGKILL');
    await first.exit;
    const storedAtKill = ids.filter((id) => statusOf(watcher, id) === 'finished').length;

    const queue = new Queue(QUEUE_NAME, { connection: bullConnection(redis.url), prefix: PREFIX });
    await until(async () => (await queue.getJobCounts('completed')).completed === ids.length, 'every job to complete while no coordinator runs', undefined, logs);
    await queue.close();
    expect(ids.filter((id) => statusOf(watcher, id) === 'finished').length).toBe(storedAtKill);

    const second = coordinatorProcess();
    expect(await second.exit).toBe(0);
    for (const id of ids) {
      expect(statusOf(watcher, id)).toBe('finished');
      expect(epochNumbers(watcher, id)).toEqual(range(EPOCHS));
      // 7 inter-modality conditions and their average, 11 intra-modality ratios
      expect(watcher.store.runs.evaluations(id)).toHaveLength(19);
    }
    expect(watcher.store.runs.list()).toHaveLength(ids.length);
    expect(storedAtKill).toBeLessThan(ids.length);
    // Everything the coordinators read was acknowledged (a stale execution's late messages may remain, to be ignored).
    const probe = await coordinator(redis.url, tempHome());
    const conn = (probe.cluster as unknown as { conn: import('ioredis').Redis }).conn;
    expect(((await conn.xpending(KEYS.results(coordinatorId(watcher.store)), RESULTS_GROUP)) as [number])[0]).toBe(0);
  });

  it('a redis-server restart (append-only file) mid-grid: the grid completes', async () => {
    const redis = await redisFor();
    const c = await coordinator(redis.url);
    addTinyDataset(c);
    const workers = [later(startWorker(redis.url)), later(startWorker(redis.url))];
    const EPOCHS = 40;
    const exp = c.experiments.create(parseInput('experiments.create', { methods: ['lf-linear'], datasets: ['tiny'], seeds: [1, 2, 3, 4], epochs: EPOCHS, backend: 'wasm' }));
    const ids = exp.runs.map((r) => r.id);
    await until(() => ids.some((id) => statusOf(c, id) === 'finished') && ids.some((id) => (c.store.runs.get(id)?.epochsDone ?? 0) >= 2 && statusOf(c, id) === 'running'), 'a run finished and one running');
    await redis.stop();
    await new Promise((r) => setTimeout(r, 1500));
    await redis.start();
    await until(() => ids.every((id) => statusOf(c, id) === 'finished' || statusOf(c, id) === 'failed'), 'the grid to complete');
    const outcome = ids.map((id) => ({ id, status: statusOf(c, id), error: c.store.runs.get(id)!.error, epochs: epochNumbers(c, id) }));
    const expected = ids.map((id) => ({ id, status: 'finished', error: null, epochs: range(EPOCHS) }));
    // On a failure the workers' logs say whether a result was refused, retried or lost.
    expect(outcome, workers.map((w) => w.output()).join('\n----\n')).toEqual(expected);
    expect(c.store.runs.list()).toHaveLength(ids.length);
  });

  it("a results read whose reply is lost in a reconnect: the coordinator reads those results again, in order, and the run finishes whole", async () => {
    const redis = await redisFor();
    // The coordinator talks to Redis through a relay that loses the first reply carrying epochs.
    const relay = await startReplyLosingRelay(redis.port, PASSWORD, (chunk) => chunk.includes('hrlf:results:') && chunk.includes('"type":"epoch"'));
    cleanups.push(() => relay.close());
    const c = await coordinator(relay.url);
    addTinyDataset(c);
    later(startWorker(redis.url));
    const EPOCHS = 40;
    const id = c.runs.start(runInput(11, EPOCHS)).id;
    await until(() => statusOf(c, id) === 'finished' || statusOf(c, id) === 'failed', 'the run to end');
    expect(relay.dropped()).toBe(1);
    expect(c.store.runs.get(id)!.error).toBeNull();
    expect(statusOf(c, id)).toBe('finished');
    expect(epochNumbers(c, id)).toEqual(range(EPOCHS));
  });

  it('pause, cancel and retry reach remote runs', async () => {
    const redis = await redisFor();
    const c = await coordinator(redis.url);
    addTinyDataset(c);
    later(startWorker(redis.url));
    await until(() => c.clusterState().workers.length === 1, 'the worker to announce itself');
    expect(await c.call('queue.pause', {})).toMatchObject({ ok: true, output: { paused: true } });
    const LONG = 200;
    const a = c.runs.start(runInput(1, LONG)).id;
    const b = c.runs.start(runInput(2, 3)).id;
    const queuedOnly = c.runs.start(runInput(3, 3)).id;
    await new Promise((r) => setTimeout(r, 3000));
    expect([a, b, queuedOnly].map((id) => statusOf(c, id))).toEqual(['queued', 'queued', 'queued']);

    expect(await c.call('queue.resume', {})).toMatchObject({ ok: true, output: { paused: false } });
    await until(() => (c.store.runs.get(a)?.epochsDone ?? 0) >= 3, 'the first run to train');
    expect(await c.call('runs.cancel', { id: queuedOnly })).toMatchObject({ ok: true, output: { status: 'cancelled' } });
    expect(await c.call('runs.cancel', { id: a })).toMatchObject({ ok: true });
    await until(() => statusOf(c, a) === 'cancelled', 'the running run to be cancelled on its worker');
    const doneAtCancel = c.store.runs.get(a)!.epochsDone;
    expect(doneAtCancel).toBeLessThan(LONG);
    await until(() => statusOf(c, b) === 'finished', 'the next run to finish');
    expect(statusOf(c, queuedOnly)).toBe('cancelled');
    expect(c.store.runs.get(queuedOnly)!.worker).toBeNull();

    expect(await c.call('runs.retry', { id: a })).toMatchObject({ ok: true, output: { status: 'queued' } });
    await until(() => statusOf(c, a) === 'finished' || statusOf(c, a) === 'failed', 'the retried run to finish');
    expect(statusOf(c, a)).toBe('finished');
    expect(epochNumbers(c, a)).toEqual(range(LONG));
    expect(c.store.runs.get(a)!.remoteAttempt).toBe(2);
  });
});

describe('cluster queue configuration', () => {
  it.skipIf(!HAVE_REDIS || !HAVE_OPENSSL)('rediss://: TLS with the lab CA (NODE_EXTRA_CA_CERTS) works, by host name or IP; an unknown CA or a wrong host is refused naming the URL', async () => {
    const redis = await startTlsRedis();
    cleanups.push(() => redis.stop());
    const env = { NODE_EXTRA_CA_CERTS: redis.caFile };
    for (const host of ['localhost', '127.0.0.1']) {
      const ok = await hrlf(['--queue', redis.url(host), 'queue'], tempHome(), undefined, env);
      expect(ok.stderr).toBe('');
      expect([ok.code, ok.stdout]).toEqual([0, expect.stringContaining(`cluster queue rediss://:***@${host}:`)]);
    }
    const unknownCa = await hrlf(['--queue', redis.url('localhost'), 'queue'], tempHome());
    expect([unknownCa.code, unknownCa.stderr]).toEqual([1, expect.stringMatching(/^hrlf: cannot use the Redis queue at rediss:\/\/:\*\*\*@localhost:\d+: self-signed certificate in certificate chain; nothing was queued/)]);
    const wrongHost = await hrlf(['--queue', redis.url('127.0.0.2'), 'queue'], tempHome(), undefined, env);
    expect([wrongHost.code, wrongHost.stderr]).toEqual([1, expect.stringMatching(/Hostname\/IP does not match certificate's altnames/)]);
  });

  it('an unreachable Redis: the CLI names the URL without its password, exits 1, and queues nothing', async () => {
    const home = tempHome();
    const port = await freePort();
    const r = await hrlf(['--queue', `redis://:s3cret@127.0.0.1:${port}/0`, 'experiment', 'create', '--methods', 'lf-linear', '--datasets', 'synth-mosi', '--seeds', '1'], home);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot use the Redis queue at redis://:***@127.0.0.1:${port}/0: connection refused`);
    expect(r.stderr + r.stdout).not.toContain('s3cret');
    const wb = new Workbench({ home, mode: 'cli', workQueue: false, queue: 'local' });
    expect(wb.store.runs.list()).toEqual([]);
    wb.close();
    const bad = await hrlf(['--queue', 'http://127.0.0.1:6379', 'queue'], home);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/expected a redis:\/\/ or rediss:\/\/ URL/);
  });
});
