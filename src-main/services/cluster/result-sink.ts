/**
 * A worker's results for one job execution, appended in order to its coordinator's stream. A
 * result is never dropped while there is a chance to deliver it: commands wait out a Redis restart
 * on their own, and an error reply (a server still loading, out of memory) is tried again until
 * Redis takes it. Only after trying for `retryLimitMs` is a result given up, and then the run must
 * not look complete: its `done` is sent as a failure that says how many results were lost.
 */
import type { Redis } from 'ioredis';
import { KEYS } from './connection';
import { encodeMessage, type RunMessage, type WorkerIdentity } from './wire';

export interface SinkEnvelope {
  run: number;
  job: string;
  exec: string;
  worker: WorkerIdentity;
}

export interface SinkOptions {
  /** How long one result is tried before it is given up (default 30 min). */
  retryLimitMs?: number;
  /** Wait before the n-th try again (default n s, at most 10 s). */
  backoffMs?: (attempt: number) => number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class ResultSink {
  private chain: Promise<void> = Promise.resolve();
  private lost = 0;
  private readonly retryLimitMs: number;
  private readonly backoffMs: (attempt: number) => number;

  constructor(
    private readonly conn: Pick<Redis, 'xadd' | 'publish'>,
    private readonly coordinator: string,
    private readonly envelope: SinkEnvelope,
    private readonly log: (line: string) => void,
    options: SinkOptions = {},
  ) {
    this.retryLimitMs = options.retryLimitMs ?? 30 * 60_000;
    this.backoffMs = options.backoffMs ?? ((n) => Math.min(1000 * n, 10_000));
  }

  private text(msg: RunMessage): string {
    return JSON.stringify({ ...this.envelope, msg: encodeMessage(msg) });
  }

  /** Queues one result behind the ones before it. */
  send(msg: RunMessage): void {
    this.chain = this.chain.then(async () => {
      const final: RunMessage =
        this.lost > 0 && msg.type === 'done'
          ? { type: 'failed', error: `${this.lost} result(s) of this run never reached the coordinator (Redis refused them for ${Math.round(this.retryLimitMs / 1000)} s); retry the run` }
          : msg;
      if (!(await this.append(this.text(final)))) this.lost++;
    });
  }

  private async append(text: string): Promise<boolean> {
    const { run } = this.envelope;
    const since = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.conn.xadd(KEYS.results(this.coordinator), '*', 'm', text);
        if (attempt > 1) this.log(`sent a result of run ${run} after ${attempt} tries`);
        return true;
      } catch (err) {
        if (attempt === 1) this.log(`cannot send a result of run ${run} (${(err as Error).message}); trying again until Redis takes it`);
        if (Date.now() - since >= this.retryLimitMs) {
          this.log(`lost a result of run ${run} after ${attempt} tries: ${(err as Error).message}`);
          return false;
        }
        await sleep(this.backoffMs(attempt));
      }
    }
  }

  /** Live progress: pub/sub, dropped when it cannot be sent (only a watcher needs it). */
  progress(msg: RunMessage): void {
    void this.conn.publish(KEYS.progress(this.coordinator), this.text(msg)).catch(() => undefined);
  }

  /** Resolves once every result sent so far is in Redis or given up: only then may the job complete. */
  flush(): Promise<void> {
    return this.chain;
  }
}
