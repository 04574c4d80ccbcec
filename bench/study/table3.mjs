#!/usr/bin/env node
/**
 * Runs and times the Table 3 study (`hrlf reproduce --table 3 --wait`: HRLF and its three
 * ablations × seeds, on synth-mosi unless MOSI is imported in --home), then reports where the time
 * went from the store: per method, training of teachers and students (epoch records), teacher
 * reuse, load and final evaluation per run, and how busy the queue kept its slots.
 *
 *   npm run build && node bench/study/table3.mjs [--seeds 5] [--epochs N] [--concurrency N] [--home DIR]
 *
 * The full study at spec epochs takes hours: run it on a quiet machine. With --epochs 1 or 2 it is
 * a quick check of the machinery and gives per-epoch costs to extrapolate from (--estimate-epochs).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { availableParallelism, freemem, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '5' },
    epochs: { type: 'string' },
    concurrency: { type: 'string' },
    home: { type: 'string' },
    'estimate-epochs': { type: 'string', default: '50' },
  },
});
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const home = values.home ?? mkdtempSync(path.join(tmpdir(), 'hrlf-table3-'));
const args = ['--home', home, 'reproduce', '--table', '3', '--seeds', values.seeds, '--wait'];
if (values.epochs) args.push('--epochs', values.epochs);
if (values.concurrency) args.push('--concurrency', values.concurrency);

console.log(`hrlf ${args.join(' ')}  (${availableParallelism()} cores, ${(freemem() / 2 ** 30).toFixed(1)} GiB free)`);
const t0 = Date.now();
const code = await new Promise((resolve) => {
  const child = spawn(process.execPath, [path.join(root, 'bin/hrlf.mjs'), ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
  child.on('exit', (c) => resolve(c ?? 1));
});
const wallSeconds = (Date.now() - t0) / 1000;

const db = new Database(path.join(home, 'workbench.sqlite'), { readonly: true });
const runs = db.prepare(`SELECT id, method, seed, status, timings, started_at, finished_at, backend FROM runs ORDER BY id`).all();
const epochs = db.prepare(`SELECT run_id, phase, COUNT(*) AS n, SUM(seconds) AS seconds FROM epochs GROUP BY run_id, phase`).all();
db.close();

const byRun = new Map(runs.map((r) => [r.id, { ...r, timings: r.timings ? JSON.parse(r.timings) : {}, phases: {} }]));
for (const e of epochs) byRun.get(e.run_id).phases[e.phase] = { epochs: e.n, seconds: e.seconds };

const methods = {};
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
for (const r of byRun.values()) {
  const m = (methods[r.method] ??= { runs: 0, failed: 0, teacherTrained: 0, teacherReused: 0, teacherEpochSeconds: [], studentEpochSeconds: [], load: 0, train: 0, eval: 0, total: 0 });
  m.runs++;
  if (r.status !== 'finished') m.failed++;
  const teacher = r.phases.teacher;
  const student = r.phases.student;
  if (teacher) {
    m.teacherTrained++;
    m.teacherEpochSeconds.push(teacher.seconds / teacher.epochs);
  } else if (student) m.teacherReused++;
  if (student) m.studentEpochSeconds.push(student.seconds / student.epochs);
  m.load += r.timings.loadSeconds ?? 0;
  m.train += r.timings.trainSeconds ?? 0;
  m.eval += r.timings.evalSeconds ?? 0;
  m.total += r.timings.totalSeconds ?? 0;
}
const mean = (xs) => (xs.length ? sum(xs) / xs.length : 0);
const busy = sum([...byRun.values()].map((r) => r.timings.totalSeconds ?? 0));
const concurrency = Number(values.concurrency ?? 0) || null;

console.log(`\nexit ${code}; wall ${(wallSeconds / 60).toFixed(1)} min for ${runs.length} runs; run processes busy ${(busy / 60).toFixed(1)} min in all`);
console.log('method          runs  teachers trained/reused  s/teacher-epoch  s/student-epoch   load s   train s   eval s');
for (const [name, m] of Object.entries(methods)) {
  console.log(
    `${name.padEnd(15)} ${String(m.runs).padStart(4)}  ${`${m.teacherTrained}/${m.teacherReused}`.padStart(23)}  ${mean(m.teacherEpochSeconds).toFixed(2).padStart(15)}  ${mean(m.studentEpochSeconds).toFixed(2).padStart(15)}  ${m.load.toFixed(0).padStart(7)}  ${m.train.toFixed(0).padStart(8)}  ${m.eval.toFixed(0).padStart(7)}`,
  );
}
// Extrapolation to spec epochs from the measured per-epoch times (same machine, same concurrency).
const E = Number(values['estimate-epochs']);
const est = sum(
  Object.values(methods).map((m) => m.teacherTrained * E * mean(m.teacherEpochSeconds) + m.runs * E * mean(m.studentEpochSeconds) + m.load + m.eval),
);
const slots = Math.max(1, concurrency ?? Math.round(busy / Math.max(1e-9, wallSeconds)));
console.log(`\nestimate at ${E} epochs per phase: ${(est / 3600).toFixed(2)} h of run-process time, ~${(est / slots / 3600).toFixed(2)} h wall with ${slots} runs at a time`);
const report = { date: new Date().toISOString(), args, wallSeconds, busySeconds: busy, methods, runs: [...byRun.values()], estimateEpochs: E, estimateSeconds: est, slots };
mkdirSync(path.join(root, 'bench/results'), { recursive: true });
writeFileSync(path.join(root, 'bench/results/table3-study.json'), JSON.stringify(report, null, 2));
console.log(`(written to bench/results/table3-study.json; home ${home})`);
process.exitCode = code;
