import { spawn, type ChildProcess } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseInput } from '../../src-shared/contract';
import { Workbench } from '../../src-main/services/api';
import { BIN, requireBuild, tempHome } from './helpers';

const EPOCHS = 60;

function interMetrics(wb: Workbench, id: number): Record<string, unknown> {
  return Object.fromEntries(wb.store.runs.evaluations(id).map((e) => [`${e.protocol}:${e.condition}`, e.metrics]));
}

function startQueue(home: string): { child: ChildProcess; done: Promise<number> } {
  const child = spawn(process.execPath, [BIN, '--home', home, 'queue', '--run', '--concurrency', '1', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const done = new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
  return { child, done };
}

async function until(check: () => boolean, timeoutMs = 120_000): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(() => requireBuild());

describe('crash-safe queue', () => {
  it('resumes a run after the queue process is killed (kill -9) and ends with the metrics of an uninterrupted run', async () => {
    const home = tempHome();
    const setup = new Workbench({ home, mode: 'cli', workQueue: false });
    const input = parseInput('runs.start', { dataset: 'synth-mosi', method: 'lf-linear', seed: 9, epochs: EPOCHS });
    const interrupted = setup.runs.enqueue(input).id;
    const reference = setup.runs.enqueue(input).id;
    setup.close();

    const watcher = new Workbench({ home, mode: 'cli', workQueue: false });
    const first = startQueue(home);
    await until(() => (watcher.store.runs.get(interrupted)?.epochsDone ?? 0) >= 3);
    first.child.kill('SIGKILL');
    await first.done;
    const atKill = watcher.store.runs.get(interrupted)!;
    expect(atKill.status).toBe('running');
    expect(atKill.epochsDone).toBeLessThan(EPOCHS);

    const second = startQueue(home);
    expect(await second.done).toBe(0);
    const a = watcher.store.runs.get(interrupted)!;
    const b = watcher.store.runs.get(reference)!;
    expect([a.status, b.status]).toEqual(['finished', 'finished']);
    expect(a.epochsDone).toBe(EPOCHS);
    expect(watcher.store.runs.epochs(interrupted).map((e) => e.epoch)).toEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1));
    expect(interMetrics(watcher, interrupted)).toEqual(interMetrics(watcher, reference));
    watcher.close();
  }, 300_000); // ~65 s alone on 2 cores, more beside other test files

  it('retries a run whose process was killed, from its last checkpoint, to the same result', async () => {
    const home = tempHome();
    const wb = new Workbench({ home, mode: 'cli', workQueue: false });
    const input = parseInput('runs.start', { dataset: 'synth-mosi', method: 'lf-linear', seed: 11, epochs: 40 });
    const run = wb.runs.start(input).id;
    await until(() => (wb.store.runs.get(run)?.epochsDone ?? 0) >= 2 && wb.runs.pidOf(run) !== undefined);
    process.kill(wb.runs.pidOf(run)!, 'SIGKILL');
    await until(() => wb.store.runs.get(run)?.status === 'failed');
    const doneBefore = wb.store.runs.get(run)!.epochsDone;
    expect(doneBefore).toBeLessThan(40);

    wb.runs.retry(run);
    await wb.runs.idle();
    expect(wb.store.runs.get(run)!.status).toBe('finished');

    const reference = wb.runs.start(input).id;
    await wb.runs.idle();
    expect(interMetrics(wb, run)).toEqual(interMetrics(wb, reference));
    wb.close();
  }, 300_000); // ~40 s alone on 2 cores, more beside other test files
});
