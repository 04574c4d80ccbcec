#!/usr/bin/env node
/**
 * Throughput of a 12-run lf-linear grid (synth-mosi, seeds 1..12) on this machine: the local queue
 * with 1 and 2 runs at a time, and the cluster queue (a redis-server started here, with a password)
 * with 1 and 2 `hrlf worker` processes (1 run at a time each, their own data homes), all in one
 * invocation so the ratios compare like with like. Every home is warmed first (synth-mosi
 * generated), so the times are runs only. Not a test; needs `npm run build` and redis-server.
 *
 *   node bench/cluster/throughput.mjs [--runs 12] [--epochs 10] [--configs local1,local2,cluster1,cluster2]
 *
 * Per-run overhead of the cluster: wall time per run with 1 worker minus with the local queue at 1 run
 * at a time (both serial), and the gap between a run's wall time in the coordinator's store
 * (started → finished) and the engine's own total time.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '12' },
    epochs: { type: 'string', default: '10' },
    configs: { type: 'string', default: 'local1,local2,cluster1,cluster2' },
    'redis-server': { type: 'string', default: '/usr/bin/redis-server' },
  },
});
const here = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.join(here, '..', '..', 'bin', 'hrlf.mjs');
const RUNS = Number(values.runs);
const EPOCHS = Number(values.epochs);
const PASSWORD = 'bench-pass';
const TOKEN = 'bench-datasets-token';

const home = (tag) => mkdtempSync(path.join(tmpdir(), `hrlf-bench-${tag}-`));
const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

function hrlf(args, env = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`hrlf ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-500)} ${r.stdout.slice(-1500)}`);
  return r;
}

/** One 1-epoch run generates synth-mosi in the home, so the grid times runs only. */
function warm(h) {
  hrlf(['--home', h, 'train', '--dataset', 'synth-mosi', '--method', 'lf-linear', '--epochs', '1', '--seed', '99', '--backend', 'wasm', '--json']);
}

const grid = ['experiment', 'create', '--methods', 'lf-linear', '--datasets', 'synth-mosi', '--seeds', `1-${RUNS}`, '--epochs', String(EPOCHS), '--backend', 'wasm', '--wait', '--json'];

/** Per-run times from the store: wall (started → finished) and the engine's own total. */
function runTimes(h) {
  const db = new Database(path.join(h, 'workbench.sqlite'), { readonly: true });
  const rows = db.prepare("SELECT started_at, finished_at, timings, worker FROM runs WHERE experiment_id IS NOT NULL AND status = 'finished'").all();
  db.close();
  const wall = rows.map((r) => (Date.parse(r.finished_at) - Date.parse(r.started_at)) / 1000);
  const engine = rows.map((r) => JSON.parse(r.timings).totalSeconds);
  const mean = (a) => a.reduce((s, x) => s + x, 0) / a.length;
  return { finished: rows.length, meanRunWall: mean(wall), meanEngineTotal: mean(engine), workers: [...new Set(rows.map((r) => r.worker ?? 'here'))].length };
}

async function timed(label, fn) {
  const t0 = performance.now();
  const out = await fn();
  const seconds = (performance.now() - t0) / 1000;
  console.error(`${label}: ${seconds.toFixed(1)} s (load ${loadavg()[0].toFixed(1)})`);
  return { seconds, ...out };
}

async function local(concurrency) {
  const h = home(`local${concurrency}`);
  warm(h);
  return timed(`local queue, ${concurrency} at a time`, () => {
    hrlf(['--home', h, ...grid, '--concurrency', String(concurrency)]);
    return runTimes(h);
  });
}

async function cluster(url, workers) {
  const h = home(`coord${workers}`);
  warm(h);
  const procs = [];
  for (let i = 0; i < workers; i++) {
    const wh = home(`worker${workers}-${i}`);
    warm(wh);
    const child = spawn(process.execPath, [BIN, '--home', wh, '--queue', url, 'worker', '--concurrency', '1', '--backend', 'wasm'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, HRLF_DATASETS_TOKEN: TOKEN },
    });
    procs.push(child);
  }
  // Workers announce themselves within a heartbeat.
  await new Promise((r) => setTimeout(r, 3000));
  try {
    return await timed(`cluster queue, ${workers} worker(s)`, () => {
      hrlf(['--home', h, '--queue', url, '--datasets-token', TOKEN, ...grid]);
      return runTimes(h);
    });
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode !== null ? r() : p.once('exit', r)))));
  }
}

const configs = values.configs.split(',');
let redis = null;
let url = null;
if (configs.some((c) => c.startsWith('cluster'))) {
  const port = await freePort();
  redis = spawn(values['redis-server'], ['--port', String(port), '--bind', '127.0.0.1', '--dir', home('redis'), '--requirepass', PASSWORD, '--appendonly', 'yes', '--save', ''], { stdio: 'ignore' });
  url = `redis://:${PASSWORD}@127.0.0.1:${port}`;
  await new Promise((r) => setTimeout(r, 500));
}
const results = {};
try {
  for (const c of configs) {
    if (c.startsWith('local')) results[c] = await local(Number(c.slice(5)));
    else results[c] = await cluster(url, Number(c.slice(7)));
  }
} finally {
  redis?.kill('SIGTERM');
}
const base = results.local1?.seconds;
const rows = Object.entries(results).map(([k, r]) => ({
  config: k,
  seconds: +r.seconds.toFixed(1),
  runsPerMinute: +((60 * r.finished) / r.seconds).toFixed(2),
  vsLocal1: base ? +(base / r.seconds).toFixed(2) : null,
  meanRunWall: +r.meanRunWall.toFixed(2),
  meanEngineTotal: +r.meanEngineTotal.toFixed(2),
  finished: r.finished,
}));
const overhead = {
  perRunSerialSeconds: results.cluster1 && results.local1 ? +((results.cluster1.seconds - results.local1.seconds) / RUNS).toFixed(2) : null,
  perRunWallMinusEngineLocal: results.local1 ? +(results.local1.meanRunWall - results.local1.meanEngineTotal).toFixed(2) : null,
  perRunWallMinusEngineCluster: results.cluster1 ? +(results.cluster1.meanRunWall - results.cluster1.meanEngineTotal).toFixed(2) : null,
};
console.table(rows);
console.log(JSON.stringify({ runs: RUNS, epochs: EPOCHS, load: loadavg(), rows, overhead }, null, 2));
