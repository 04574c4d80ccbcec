#!/usr/bin/env node
/**
 * `npm run bench:engine [-- --method M]`: median ms per training step of each phase of method M
 * (default hrlf; batch 32, MOSI dims, the method's MOSI defaults) for each tfjs backend, beside the
 * method's PyTorch transcription (bench/engine/torch/<M>.py, Debian python3-torch) and each variant
 * it offers for the phase (HRLF: `last-only`, the engine's last-time-step shortcut, i.e. equal
 * computation for the teacher; HRLF's and CorrKD's student: `cached-teacher`, the shortcut and the
 * frozen teacher's per-sample cache, the engine's computation), with the ratios tfjs/PyTorch by
 * wall time and by process CPU time. A phase without a transcription is
 * timed on tfjs only and says so. Not a test.
 *
 * On a shared machine the load drifts within minutes, so the sides run one after the other (never
 * competing for the cores) in ROUNDS: tfjs, then every PyTorch run, then again; each ratio is taken
 * within its round and the report gives every round's ratio and their median. CPU time is less
 * sensitive than wall time to other processes on the cores.
 *
 *   npm run bench:engine [-- --method hrlf --phases student --rounds 3 --steps 20 --batch 32
 *                            --backends wasm,cpu,webgpu --torch-device auto --python /usr/bin/python3
 *                            --tfjs-step bench/results/portable/tfjs-step.mjs]
 *
 * PyTorch runs on CUDA when a tfjs backend is a GPU one (webgpu, tensorflow) and
 * torch.cuda.is_available(), on the CPU otherwise (--torch-device cpu|cuda overrides). The
 * PyTorch side's command-line contract is in bench/engine/torch/README.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    method: { type: 'string', default: 'hrlf' },
    phases: { type: 'string' },
    steps: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
    batch: { type: 'string', default: '32' },
    backends: { type: 'string', default: 'wasm,cpu' },
    python: { type: 'string', default: '/usr/bin/python3' },
    'torch-device': { type: 'string', default: 'auto' },
    // The tfjs side to run: another build of tfjs-step.mjs, e.g. the folder portable.mjs packs.
    'tfjs-step': { type: 'string' },
  },
});
const here = path.dirname(fileURLToPath(import.meta.url));
const GPU_BACKENDS = new Set(['webgpu', 'tensorflow']);

/** Both sides print one JSON document (possibly pretty-printed) after any log lines, also on failure. */
function runJson(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 16 << 20 });
  const at = r.stdout?.indexOf('{') ?? -1;
  try {
    if (at >= 0) return JSON.parse(r.stdout.slice(at));
  } catch {
    // not JSON: report stderr below
  }
  return { error: (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').slice(-3).join(' ') };
}

function median(xs) {
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const ratio = (a, b) => (typeof a === 'number' && typeof b === 'number' && b > 0 ? a / b : null);
const f = (x, digits = 1) => (typeof x === 'number' ? x.toFixed(digits) : 'n/a');

const backends = values.backends.split(',').filter(Boolean);
const torchDevice = values['torch-device'] === 'auto' ? (backends.some((b) => GPU_BACKENDS.has(b)) ? 'cuda-if-available' : 'cpu') : values['torch-device'];
const script = path.join(here, 'torch', `${values.method}.py`);
const common = ['--steps', values.steps, '--batch', values.batch];

const rounds = [];
for (let i = 0; i < Number(values.rounds); i++) {
  const tfjsArgs = [values['tfjs-step'] ?? path.join(here, 'tfjs-step.mjs'), '--method', values.method, '--backends', values.backends, ...common];
  if (values.phases) tfjsArgs.push('--phases', values.phases);
  const tfjs = runJson(process.execPath, tfjsArgs);
  if (tfjs.error) {
    console.error(`tfjs side failed: ${tfjs.error}`);
    process.exit(1);
  }
  const phases = Object.keys(Object.values(tfjs.backends).find((b) => b.phases)?.phases ?? {});
  /** The transcription's runs: one per phase, plus each variant it lists. */
  const torch = {};
  for (const phase of phases) {
    if (!existsSync(script)) break;
    const base = ['--method', values.method, '--phase', phase, ...common, '--device', torchDevice];
    const plain = runJson(values.python, [script, ...base]);
    torch[phase] = { plain };
    for (const variant of plain.variants ?? []) torch[phase][variant] = runJson(values.python, [script, ...base, '--variant', variant]);
  }
  const rows = [];
  for (const [backend, r] of Object.entries(tfjs.backends)) {
    if (r.error) rows.push({ backend: `tfjs-${backend}`, error: r.error });
    for (const [phase, p] of Object.entries(r.phases ?? {})) {
      const vs = Object.fromEntries(
        Object.entries(torch[phase] ?? {}).map(([v, t]) => [v, { wall: ratio(p.median_ms_per_step, t.median_ms_per_step), cpu: ratio(p.median_cpu_ms_per_step, t.median_cpu_ms_per_step) }]),
      );
      rows.push({ backend: `tfjs-${backend}`, phase, ms: p.median_ms_per_step, cpu_ms: p.median_cpu_ms_per_step, ratios: vs });
    }
  }
  rounds.push({ tfjs, torch, rows });
  console.log(`round ${i + 1}`);
  for (const phase of phases) {
    for (const [variant, t] of Object.entries(torch[phase] ?? {})) {
      const label = `  PyTorch (${t.device ?? torchDevice}) ${phase}${variant === 'plain' ? '' : `, ${variant}`}`;
      console.log(`${label.padEnd(46)} ${t.error ? `not run: ${t.error}` : `${f(t.median_ms_per_step)} ms (CPU ${f(t.median_cpu_ms_per_step)} ms)`}`);
    }
  }
  for (const r of rows) {
    if (r.error) {
      console.log(`  ${r.backend.padEnd(44)} ${r.error}`);
      continue;
    }
    const text = Object.entries(r.ratios)
      .map(([v, x]) => `tfjs/PyTorch${v === 'plain' ? '' : ` (${v})`} ${f(x.wall, 2)} (CPU ${f(x.cpu, 2)})`)
      .join('   ');
    console.log(`  ${`${r.backend} ${r.phase}`.padEnd(44)} ${f(r.ms)} ms (CPU ${f(r.cpu_ms)} ms)   ${text}`);
  }
}

/** Per backend, phase and PyTorch variant: each round's ratios and their medians. */
const summary = [];
const keys = new Map();
for (const round of rounds) for (const r of round.rows) if (r.phase) keys.set(`${r.backend}|${r.phase}`, r);
for (const { backend, phase } of keys.values()) {
  const rs = rounds.map((round) => round.rows.find((x) => x.backend === backend && x.phase === phase)).filter(Boolean);
  const variants = [...new Set(rs.flatMap((r) => Object.keys(r.ratios)))];
  summary.push({
    backend,
    phase,
    median_ms: median(rs.map((r) => r.ms)),
    median_cpu_ms: median(rs.map((r) => r.cpu_ms)),
    vs: Object.fromEntries(
      variants.map((v) => {
        const wall = rs.map((r) => r.ratios[v]?.wall ?? null);
        const cpu = rs.map((r) => r.ratios[v]?.cpu ?? null);
        return [v, { wall, cpu, median_wall: median(wall), median_cpu: median(cpu) }];
      }),
    ),
  });
}
const report = { date: new Date().toISOString(), method: values.method, steps: Number(values.steps), batch: Number(values.batch), torchDevice, rounds, summary };
mkdirSync(path.join(here, '..', 'results'), { recursive: true });
const out = path.join(here, '..', 'results', `engine-step-${values.method}-b${values.batch}.json`);
writeFileSync(out, JSON.stringify(report, null, 2));

console.log(`${values.method}: ms per training step, batch ${values.batch}, MOSI sizes; median over ${rounds.length} round(s)`);
if (!existsSync(script)) console.log(`(no PyTorch transcription at bench/engine/torch/${values.method}.py: tfjs only)`);
for (const s of summary) {
  const text = Object.entries(s.vs)
    .map(([v, x]) => `tfjs/PyTorch${v === 'plain' ? '' : ` (${v})`} ${f(x.median_wall, 2)} (CPU ${f(x.median_cpu, 2)})`)
    .join('   ');
  console.log(`${`${s.backend} ${s.phase}`.padEnd(44)} ${f(s.median_ms)} ms (CPU ${f(s.median_cpu_ms)} ms)   ${text}`);
}
console.log(`(written to ${path.relative(process.cwd(), out)})`);
