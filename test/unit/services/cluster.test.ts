import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { queueUrlProblem, redactQueueUrl } from '../../../src-shared/cluster';
import { parseInput } from '../../../src-shared/contract';
import { Workbench } from '../../../src-main/services/api';
import { checkReachable, describeRedisError, QueueUnavailable, redisOptions } from '../../../src-main/services/cluster/connection';
import { WorkerDatasets } from '../../../src-main/services/cluster/dataset-fetch';
import { parseListen, startDatasetServer } from '../../../src-main/services/cluster/dataset-server';
import { JobRefused, parseJob, validateJobConfig, type RunJob } from '../../../src-main/services/cluster/job';
import { decodeEnvelope, encodeMessage } from '../../../src-main/services/cluster/wire';
import { resolveConfig } from '../../../src-main/engine/methods/registry';
import { configHash } from '../../../src-main/services/provenance';
import { addTinyDataset, freePort } from '../../integration/cluster-helpers';
import { tempHome } from '../../integration/helpers';

const MOSI = { kind: 'mosi' as const, task: 'regression' as const, T: 50, dims: [300, 5, 20] as [number, number, number], labelDim: 1 };

function job(method: string, overrides: Record<string, unknown> = {}, patch: Partial<RunJob> = {}): RunJob {
  const config = resolveConfig(MOSI.kind, { method, overrides });
  return {
    v: 1,
    coordinator: '0123456789abcdef',
    run: 1,
    attempt: 1,
    method,
    seed: 1111,
    config: config as RunJob['config'],
    configHash: configHash(method, config),
    backend: null,
    maskSeed: 0,
    epochsPlanned: 2,
    dataset: { id: 'synth-mosi', name: 'synth-mosi', builtin: true, sha256: 'a'.repeat(64) },
    datasetsUrl: null,
    codeVersion: 'test',
    ...patch,
  };
}

describe('queue URLs', () => {
  it('accepts redis:// and rediss:// with user, password and database, and reads them as a client does', () => {
    expect(queueUrlProblem('redis://localhost')).toBeNull();
    expect(queueUrlProblem('rediss://:p%40ss@redis.lab:6380/2')).toBeNull();
    expect(redisOptions('rediss://alice:p%40ss@redis.lab:6380/2')).toMatchObject({ host: 'redis.lab', port: 6380, username: 'alice', password: 'p@ss', db: 2, tls: { servername: 'redis.lab' } });
    expect(redisOptions('redis://127.0.0.1')).toMatchObject({ host: '127.0.0.1', port: 6379, db: 0 });
    expect(redisOptions('redis://127.0.0.1').tls).toBeUndefined();
  });

  it('refuses other schemes and bad databases with the reason', () => {
    expect(queueUrlProblem('http://localhost:6379')).toMatch(/redis:\/\/ or rediss:\/\//);
    expect(queueUrlProblem('redis://localhost/queue')).toMatch(/database .* must be a number/);
    expect(queueUrlProblem('localhost:6379')).toMatch(/redis:\/\/ or rediss:\/\//);
    expect(parseInput('cluster.configure', { url: null })).toEqual({ url: null });
    expect(() => parseInput('cluster.configure', { url: 'http://x' })).toThrow(/url: expected a redis/);
  });

  it('never shows the password', () => {
    expect(redactQueueUrl('redis://:s3cret@host:6379/1')).toBe('redis://:***@host:6379/1');
    expect(redactQueueUrl('rediss://bob:s3cret@host')).toBe('rediss://bob:***@host');
    expect(redactQueueUrl('not a url //bob:s3cret@host')).not.toContain('s3cret');
    expect(describeRedisError('redis://:s3cret@h', new Error('ERR something about s3cret'))).not.toContain('s3cret');
  });

  it('an unreachable Redis fails naming the URL without its password', async () => {
    const port = await freePort();
    const err = await checkReachable(`redis://:s3cret@127.0.0.1:${port}/0`, 2000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueueUnavailable);
    expect((err as Error).message).toBe(`cannot use the Redis queue at redis://:***@127.0.0.1:${port}/0: connection refused (is redis-server running on that host and port?); nothing was queued`);
  });

  it('cluster.configure with an unreachable Redis changes nothing and says why next to the field', async () => {
    const wb = new Workbench({ home: tempHome(), mode: 'cli', workQueue: false });
    const port = await freePort();
    const r = await wb.call('cluster.configure', { url: `redis://:pw@127.0.0.1:${port}` });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'url', message: expect.stringContaining(`redis://:***@127.0.0.1:${port}`) } });
    expect(await wb.call('cluster.state', {})).toMatchObject({ ok: true, output: { url: null, connected: false } });
    expect(wb.store.cluster.setting('cluster.queue')).toBeNull();
    wb.close();
  });
});

describe('jobs are data, checked on the worker', () => {
  it('accepts the complete, validated config of a known method (lf-linear, HRLF, an ablation, a preset)', () => {
    for (const j of [job('lf-linear'), job('hrlf'), job('hrlf-wo-hal'), job('hrlf', { lambdaHal: 0.5 })]) {
      expect(() => validateJobConfig(parseJob(j), MOSI.kind)).not.toThrow();
    }
    const withPreset = job('hrlf');
    withPreset.config = { ...withPreset.config, preset: 'paper-literal' };
    expect(() => validateJobConfig(parseJob(withPreset), MOSI.kind)).not.toThrow();
  });

  it('refuses an unknown method, a bad or incomplete config, a config that does not match its hash, and malformed jobs', () => {
    const refused = (j: unknown): string => {
      try {
        validateJobConfig(parseJob(j), MOSI.kind);
      } catch (err) {
        expect(err).toBeInstanceOf(JobRefused);
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refused({ ...job('lf-linear'), method: 'evil' })).toMatch(/unknown method 'evil'/);
    expect(refused({ ...job('lf-linear'), config: { ...job('lf-linear').config, lr: -1 } })).toMatch(/config lr/);
    expect(refused({ ...job('lf-linear'), config: { lr: 0.001 } })).toMatch(/not the complete, validated config of lf-linear \(differs in batchSize, epochs\)/);
    expect(refused({ ...job('lf-linear'), config: { ...job('lf-linear').config, shell: 'rm -rf /' } })).toMatch(/config/);
    expect(refused({ ...job('lf-linear'), configHash: '0'.repeat(16) })).toMatch(/hash/);
    expect(refused({ ...job('lf-linear'), method: '../../bin/sh' })).toMatch(/malformed job: method/);
    expect(refused({ ...job('lf-linear'), datasetsUrl: 'file:///etc/passwd' })).toMatch(/malformed job: datasetsUrl/);
    expect(refused({ ...job('lf-linear'), extra: 1 })).toMatch(/malformed job/);
  });
});

describe('results on the wire', () => {
  it('carries float arrays exactly and keeps every other field', () => {
    const predictions = Array.from(Float32Array.from([0.1, -2.5, 1 / 3, 1e-8]));
    const msg = { type: 'evaluated' as const, protocol: 'inter' as const, condition: 'l,a', metrics: { mae: 0.5, corr: NaN }, predictions, width: 1, labels: predictions };
    const text = JSON.stringify({ run: 3, job: 'j', exec: 'e', worker: { id: 'h#1', host: 'h', pid: 1 }, msg: encodeMessage(msg) });
    const { envelope, msg: back } = decodeEnvelope(text);
    expect(envelope.run).toBe(3);
    expect(back).toEqual({ ...msg, metrics: { mae: 0.5, corr: null } });
  });

  it('refuses envelopes that are not a run message', () => {
    const base = { run: 3, job: 'j', exec: 'e', worker: { id: 'h#1', host: 'h', pid: 1 } };
    expect(() => decodeEnvelope(JSON.stringify({ ...base, msg: { type: 'generate', datasetId: 'x', path: '/etc' } }))).toThrow();
    expect(() => decodeEnvelope(JSON.stringify({ ...base, run: -1, msg: { type: 'cancelled' } }))).toThrow();
  });
});

describe('datasets by SHA-256', () => {
  it('serves a stored dataset only with the token; the worker streams it, checks the hash and keeps it atomically', async () => {
    const coordinator = new Workbench({ home: tempHome(), mode: 'cli', workQueue: false });
    const sha = addTinyDataset(coordinator);
    const server = await startDatasetServer(coordinator.store, { host: '127.0.0.1', port: 0, token: 'right' });
    expect((await fetch(`${server.url}/datasets/${sha}`)).status).toBe(401);
    expect((await fetch(`${server.url}/datasets/${sha}`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${server.url}/datasets/${'b'.repeat(64)}`, { headers: { authorization: 'Bearer right' } })).status).toBe(404);
    expect((await fetch(`${server.url}/datasets/../workbench.sqlite`, { headers: { authorization: 'Bearer right' } })).status).toBe(404);
    const body = Buffer.from(await (await fetch(`${server.url}/datasets/${sha}`, { headers: { authorization: 'Bearer right' } })).arrayBuffer());
    expect(createHash('sha256').update(body).digest('hex')).toBe(sha);

    const worker = new Workbench({ home: tempHome(), mode: 'cli', workQueue: false });
    const dataset = { id: 'tiny', name: 'tiny', builtin: false, sha256: sha };
    await expect(new WorkerDatasets(worker.store, worker.catalog, worker.layout, 'wrong').obtain(dataset, server.url)).rejects.toThrow(/refused this worker's dataset token/);
    await expect(new WorkerDatasets(worker.store, worker.catalog, worker.layout, 'right').obtain({ ...dataset, sha256: 'c'.repeat(64) }, server.url)).rejects.toThrow(/HTTP 404/);
    const fetched = await new WorkerDatasets(worker.store, worker.catalog, worker.layout, 'right').obtain(dataset, server.url);
    expect(fetched).toMatchObject({ sha256: sha, kind: 'mosei', T: 8, dims: [6, 3, 4] });
    expect(readdirSync(worker.layout.datasets).filter((f) => f.includes('.tmp-'))).toEqual([]);
    // Its own copy now: no endpoint needed.
    expect((await new WorkerDatasets(worker.store, worker.catalog, worker.layout, undefined).obtain(dataset, null)).path).toBe(fetched.path);
    expect(existsSync(fetched.path)).toBe(true);
    await server.close();
    coordinator.close();
    worker.close();
  });

  it('refuses with the reason where the dataset cannot be had', async () => {
    const worker = new Workbench({ home: tempHome(), mode: 'cli', workQueue: false });
    const d = { id: 'mine', name: 'mine', builtin: false, sha256: 'd'.repeat(64) };
    await expect(new WorkerDatasets(worker.store, worker.catalog, worker.layout, 't').obtain(d, null)).rejects.toThrow(/not on this worker and the coordinator offers no dataset endpoint/);
    await expect(new WorkerDatasets(worker.store, worker.catalog, worker.layout, undefined).obtain(d, 'http://127.0.0.1:1')).rejects.toThrow(/no dataset token/);
    const port = await freePort();
    await expect(new WorkerDatasets(worker.store, worker.catalog, worker.layout, 't').obtain(d, `http://127.0.0.1:${port}`)).rejects.toThrow(/cannot fetch dataset mine from .*ECONNREFUSED/);
    expect(parseListen('0.0.0.0:8787')).toEqual({ host: '0.0.0.0', port: 8787 });
    expect(parseListen('8787')).toEqual({ host: '127.0.0.1', port: 8787 });
    expect(() => parseListen('host:')).toThrow(/HOST:PORT/);
    worker.close();
  });
});
