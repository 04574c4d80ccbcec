/** A worker's result sink: results reach the stream in order, an error reply is tried again, nothing is silently lost. */
import { describe, expect, it } from 'vitest';
import { ResultSink } from '../../../src-main/services/cluster/result-sink';
import { decodeEnvelope } from '../../../src-main/services/cluster/wire';
import type { RunMessage } from '../../../src-main/services/cluster/wire';

const ENVELOPE = { run: 3, job: 'c-3-1', exec: 'w.1.abc', worker: { id: 'w', host: 'h', pid: 1 } };
const epoch = (n: number): RunMessage => ({ type: 'epoch', record: { phase: 'model', epoch: n, train: { loss: 1 }, valid: { loss: 1 }, seconds: 0.1 } });
const done: RunMessage = { type: 'done', outcome: 'completed', message: null, timings: {} };

/** A Redis stand-in whose XADD answers a result with an error reply while `refuse(result, try)` says so. */
function fakeRedis(refuse: (msg: RunMessage, attempt: number) => boolean) {
  const stream: RunMessage[] = [];
  const tries = new Map<string, number>();
  const conn = {
    xadd: (...args: (string | number)[]) => {
      const text = String(args[args.length - 1]);
      const attempt = (tries.get(text) ?? 0) + 1;
      tries.set(text, attempt);
      const { msg } = decodeEnvelope(text);
      if (refuse(msg, attempt)) return Promise.reject(new Error('LOADING Redis is loading the dataset in memory'));
      stream.push(msg);
      return Promise.resolve('1-0');
    },
    publish: () => Promise.resolve(0),
  };
  return { conn: conn as unknown as ConstructorParameters<typeof ResultSink>[0], stream };
}

const epochOf = (m: RunMessage): number | null => (m.type === 'epoch' ? m.record.epoch : null);

describe('ResultSink', () => {
  it('tries a refused result again until Redis takes it, keeping the order', async () => {
    const { conn, stream } = fakeRedis((m, attempt) => epochOf(m) === 2 && attempt <= 5);
    const log: string[] = [];
    const sink = new ResultSink(conn, 'c', ENVELOPE, (l) => log.push(l), { backoffMs: () => 1 });
    for (const n of [1, 2, 3]) sink.send(epoch(n));
    sink.send(done);
    await sink.flush();
    expect(stream.map((m) => (m.type === 'epoch' ? m.record.epoch : m.type))).toEqual([1, 2, 3, 'done']);
    expect(log).toEqual([expect.stringMatching(/cannot send a result of run 3 \(LOADING.*trying again until Redis takes it/), 'sent a result of run 3 after 6 tries']);
  });

  it('a result given up after the retry limit turns the run’s done into a failure naming the loss', async () => {
    const { conn, stream } = fakeRedis((m) => epochOf(m) === 1);
    const log: string[] = [];
    const sink = new ResultSink(conn, 'c', ENVELOPE, (l) => log.push(l), { retryLimitMs: 20, backoffMs: () => 5 });
    sink.send(epoch(1));
    sink.send(epoch(2));
    sink.send(done);
    await sink.flush();
    expect(stream.map((m) => epochOf(m) ?? m.type)).toEqual([2, 'failed']);
    expect(stream[1]).toEqual({ type: 'failed', error: expect.stringMatching(/^1 result\(s\) of this run never reached the coordinator/) });
    expect(log.at(-1)).toMatch(/^lost a result of run 3 after \d+ tries/);
  });
});
