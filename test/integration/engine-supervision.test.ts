/**
 * Issue 9, items 5 and 11: an engine process never outlives its supervisor, a run resumes only
 * after its previous engine process is gone, and imports sent at once are queued, none failing.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseInput } from '../../src-shared/contract';
import { Workbench } from '../../src-main/services/api';
import { forkLauncher, type EngineProcess, type Launcher } from '../../src-main/services/launcher';
import { processAlive, processStartTime } from '../../src-main/services/process-alive';
import { hostName } from '../../src-main/services/provenance';
import { fixture } from '../unit/import/helpers';
import { BIN, hrlf, requireBuild, tempHome } from './helpers';

const linux = process.platform === 'linux';

/** Pids whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

async function until<T>(check: () => T | undefined | false, what: string, timeoutMs = 120_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not reached in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A pid that certainly belonged to a process that has ended. */
async function deadPid(): Promise<number> {
  const p = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => p.on('exit', r));
  return p.pid!;
}

beforeAll(() => requireBuild());

describe('engine supervision (issue 9, item 5)', () => {
  it.skipIf(!linux)('kill -9 of `hrlf train` ends its engine process; `hrlf queue --run` then resumes and finishes the run', async () => {
    const home = tempHome('hrlf-sup-');
    const EPOCHS = 30;
    const train = spawn(process.execPath, [BIN, '--home', home, 'train', '--dataset', 'synth-mosi', '--method', 'lf-linear', '--seed', '3', '--epochs', String(EPOCHS)], {
      stdio: 'ignore',
    });
    const watcher = new Workbench({ home, mode: 'cli', workQueue: false });
    try {
      await until(() => (watcher.store.runs.get(1)?.epochsDone ?? 0) >= 2, 'two epochs trained');
      const engines = childrenOf(train.pid!);
      expect(engines.length).toBe(1);
      const engine = engines[0]!;
      train.kill('SIGKILL');
      // Before issue 9 the engine trained on alone, beside the run `queue --run` resumed.
      await until(() => !processAlive(engine), 'the orphaned engine process to exit', 15_000);
      const atKill = watcher.store.runs.get(1)!;
      expect(atKill.status).toBe('running');
      expect(atKill.epochsDone).toBeLessThan(EPOCHS);

      const queue = await hrlf(['queue', '--run', '--json'], home);
      expect(queue.code, queue.stderr).toBe(0);
      const run = watcher.store.runs.get(1)!;
      expect(run.status).toBe('finished');
      expect(watcher.store.runs.epochs(1).map((e) => e.epoch)).toEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1));
    } finally {
      train.kill('SIGKILL');
      watcher.close();
    }
  }, 300_000);

  it.skipIf(!linux)('a run is resumed only after the engine process recorded for it is gone', async () => {
    const home = tempHome('hrlf-sup-');
    const setup = new Workbench({ home, mode: 'cli', workQueue: false });
    const id = setup.runs.enqueue(parseInput('runs.start', { dataset: 'synth-mosi', method: 'lf-linear', seed: 1, epochs: 1 })).id;
    // The state a kill -9 of the supervisor leaves: the run 'running', held by a dead process, and
    // its engine (a stand-in here) still alive.
    const standIn = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await until(() => processStartTime(standIn.pid!) !== null, 'stand-in started', 10_000);
    setup.store.runs.claim(id, await deadPid(), hostName());
    setup.store.runs.setEngine(id, { pid: standIn.pid!, started: processStartTime(standIn.pid!), host: hostName() });
    setup.close();

    let aliveAtLaunch: boolean | null = null;
    const launcher: Launcher = () => {
      const p = forkLauncher();
      return {
        ...p,
        pid: p.pid,
        send: (msg) => {
          if (msg.type === 'start') aliveAtLaunch = processAlive(standIn.pid!);
          p.send(msg);
        },
      };
    };
    const wb = new Workbench({ home, mode: 'cli', workQueue: true, launcher });
    try {
      await wb.runs.idle();
      expect(aliveAtLaunch).toBe(false);
      expect(wb.store.runs.get(id)!.status).toBe('finished');
      // The new engine is the one on record now.
      expect(wb.store.runs.engine(id)!.pid).not.toBe(standIn.pid);
    } finally {
      standIn.kill('SIGKILL');
      wb.close();
    }
  }, 300_000);
});

describe('concurrent imports (issue 9, item 11)', () => {
  it('20 imports sent at once run at most 2 engine processes at a time and all succeed', async () => {
    const home = tempHome('hrlf-imports-');
    const src = tempHome('hrlf-import-src-');
    let live = 0;
    let peak = 0;
    const counting: Launcher = () => {
      const p: EngineProcess = forkLauncher();
      live++;
      peak = Math.max(peak, live);
      p.onExit(() => live--);
      return p;
    };
    const wb = new Workbench({ home, mode: 'cli', workQueue: false, launcher: counting });
    try {
      const files = Array.from({ length: 20 }, (_, i) => {
        const f = join(src, `mosi_${i}.pkl`);
        copyFileSync(fixture(i % 2 ? 'mult_mosi_p4_float64.pkl' : 'mult_mosi_p2_float32.pkl'), f);
        return f;
      });
      const results = await Promise.all(files.map((path) => wb.call('datasets.import', { path })));
      const failures = results.flatMap((r) => (r.ok ? [] : [r.error.message]));
      expect(failures).toEqual([]);
      expect(peak).toBe(2);
      // Two distinct sources: two datasets, the other 18 recognised as the same bytes.
      const ids = new Set(results.map((r) => (r.ok ? (r.output as { id: string }).id : '')));
      expect(ids.size).toBe(2);
      expect(readdirSync(join(home, 'datasets')).sort()).toEqual([...ids].map((i) => `${i}.hrlfds`).sort());
    } finally {
      wb.close();
    }
  }, 300_000);
});

