#!/usr/bin/env node
/**
 * `npm run bench:engine`: median ms per HRLF student step (MOSI dims, spec defaults, frozen teacher
 * forward and the discriminator step included) for each tfjs backend, beside the PyTorch reference
 * of the same spec (bench/engine/hrlf_torch.py, Debian python3-torch), and the ratio tfjs/PyTorch.
 * Not a test.
 *
 * On a shared machine the load drifts within minutes, so the sides are measured back to back in
 * ROUNDS (tfjs, PyTorch, PyTorch last-step-only, then again), each ratio is taken within its
 * round, and the report gives every round's ratio and their median.
 *
 *   npm run bench:engine [-- --steps 20 --rounds 3 --batch 32 --backends wasm,cpu,webgpu --python /usr/bin/python3]
 *
 * The PyTorch side runs on CUDA when the tfjs backend is a GPU one (webgpu, tensorflow on a GPU)
 * and torch.cuda.is_available(); on the CPU otherwise (see --torch-device).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
    batch: { type: 'string', default: '32' },
    backends: { type: 'string', default: 'wasm,cpu' },
    python: { type: 'string', default: '/usr/bin/python3' },
    'torch-device': { type: 'string', default: 'auto' },
  },
});
const here = path.dirname(fileURLToPath(import.meta.url));
const GPU_BACKENDS = new Set(['webgpu', 'tensorflow']);

function runJson(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.status !== 0) return { error: (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').slice(-3).join(' ') };
  // Both tools print one JSON document (possibly pretty-printed) after any log lines.
  return JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
}

function median(xs) {
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const backends = values.backends.split(',').filter(Boolean);
const torchDevice = values['torch-device'] === 'auto' ? (backends.some((b) => GPU_BACKENDS.has(b)) ? 'cuda-if-available' : 'cpu') : values['torch-device'];
const common = ['--steps', values.steps, '--batch', values.batch];
const rounds = [];
for (let i = 0; i < Number(values.rounds); i++) {
  const tfjs = runJson(process.execPath, [path.join(here, 'tfjs-step.mjs'), '--backends', values.backends, ...common]);
  const torch = runJson(values.python, [path.join(here, 'hrlf_torch.py'), ...common, '--device', torchDevice]);
  const torchLastOnly = runJson(values.python, [path.join(here, 'hrlf_torch.py'), ...common, '--device', torchDevice, '--last-only']);
  const ratio = (a, b) => (a && b ? a / b : null);
  const rows = Object.entries(tfjs.backends ?? {}).map(([backend, r]) => ({
    backend: `tfjs-${backend}`,
    ms: r.median_ms_per_student_step ?? null,
    cpu_ms: r.median_cpu_ms_per_student_step ?? null,
    error: r.error,
    // Process CPU time per step: less sensitive than wall time to other processes on the cores.
    cpu_ratio_vs_torch_last_only: ratio(r.median_cpu_ms_per_student_step, torchLastOnly.median_cpu_ms_per_student_step),
    ratio_vs_torch: r.median_ms_per_student_step && torch.median_ms_per_student_step ? r.median_ms_per_student_step / torch.median_ms_per_student_step : null,
    ratio_vs_torch_last_only:
      r.median_ms_per_student_step && torchLastOnly.median_ms_per_student_step ? r.median_ms_per_student_step / torchLastOnly.median_ms_per_student_step : null,
  }));
  rounds.push({ tfjs, torch, torchLastOnly, rows });
  const f = (x) => (typeof x === 'number' ? x.toFixed(1) : 'n/a');
  console.log(
    `round ${i + 1}: PyTorch (${torch.device ?? torchDevice}) ${f(torch.median_ms_per_student_step)} ms, last-step-only ${f(torchLastOnly.median_ms_per_student_step)} ms (CPU ${f(torchLastOnly.median_cpu_ms_per_student_step)} ms)${torch.error ? ` (${torch.error})` : ''}`,
  );
  for (const r of rows) {
    console.log(
      `  ${r.backend.padEnd(14)} ${r.error ?? `${f(r.ms)} ms/step (CPU ${f(r.cpu_ms)} ms)   tfjs/PyTorch ${r.ratio_vs_torch?.toFixed(2)}   vs last-only (equal computation) ${r.ratio_vs_torch_last_only?.toFixed(2)}, by CPU time ${r.cpu_ratio_vs_torch_last_only?.toFixed(2)}`}`,
    );
  }
}
const summary = backends.map((b) => {
  const rs = rounds.map((r) => r.rows.find((x) => x.backend === `tfjs-${b}`)).filter(Boolean);
  return {
    backend: `tfjs-${b}`,
    ratios_vs_torch: rs.map((r) => r.ratio_vs_torch),
    ratios_vs_torch_last_only: rs.map((r) => r.ratio_vs_torch_last_only),
    median_ratio_vs_torch: median(rs.map((r) => r.ratio_vs_torch)),
    median_ratio_vs_torch_last_only: median(rs.map((r) => r.ratio_vs_torch_last_only)),
    median_cpu_ratio_vs_torch_last_only: median(rs.map((r) => r.cpu_ratio_vs_torch_last_only)),
  };
});
const report = { date: new Date().toISOString(), steps: Number(values.steps), batch: Number(values.batch), rounds, summary };
mkdirSync(path.join(here, '..', 'results'), { recursive: true });
const out = path.join(here, '..', 'results', `engine-step-b${values.batch}.json`);
writeFileSync(out, JSON.stringify(report, null, 2));
for (const s of summary) {
  console.log(
    `${s.backend.padEnd(14)} median over ${rounds.length} rounds: tfjs/PyTorch ${s.median_ratio_vs_torch?.toFixed(2) ?? 'n/a'}, vs last-only (equal computation) ${s.median_ratio_vs_torch_last_only?.toFixed(2) ?? 'n/a'} (by CPU time ${s.median_cpu_ratio_vs_torch_last_only?.toFixed(2) ?? 'n/a'})`,
  );
}
console.log(`(written to ${path.relative(process.cwd(), out)})`);
