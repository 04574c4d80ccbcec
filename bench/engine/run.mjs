#!/usr/bin/env node
/**
 * `npm run bench:engine`: median ms per HRLF student step (batch 32, MOSI dims, spec defaults, frozen
 * teacher forward and the discriminator step included) for each tfjs backend, beside the PyTorch
 * reference of the same spec (bench/engine/hrlf_torch.py, Debian python3-torch, CPU), and the ratio
 * tfjs/PyTorch. Runs one after the other so they do not compete for the cores. Not a test.
 *
 *   npm run bench:engine [-- --steps 20 --backends wasm,cpu --python /usr/bin/python3]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '20' },
    backends: { type: 'string', default: 'wasm,cpu' },
    python: { type: 'string', default: '/usr/bin/python3' },
  },
});
const here = path.dirname(fileURLToPath(import.meta.url));

function runJson(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.status !== 0) return { error: (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').slice(-3).join(' ') };
  // Both tools print one JSON document (possibly pretty-printed) after any log lines.
  return JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
}

const tfjs = runJson(process.execPath, [path.join(here, 'tfjs-step.mjs'), '--backends', values.backends, '--steps', values.steps]);
const torch = runJson(values.python, [path.join(here, 'hrlf_torch.py'), '--steps', values.steps]);
const torchLastOnly = runJson(values.python, [path.join(here, 'hrlf_torch.py'), '--steps', values.steps, '--last-only']);

const rows = [];
for (const [backend, r] of Object.entries(tfjs.backends ?? {})) {
  const ms = r.median_ms_per_student_step;
  rows.push({
    backend: `tfjs-${backend}`,
    ms,
    ratio_vs_torch: torch.median_ms_per_student_step ? ms / torch.median_ms_per_student_step : null,
    ratio_vs_torch_last_only: torchLastOnly.median_ms_per_student_step ? ms / torchLastOnly.median_ms_per_student_step : null,
  });
}
const report = { date: new Date().toISOString(), steps: Number(values.steps), tfjs, torch, torchLastOnly, rows };
mkdirSync(path.join(here, '..', 'results'), { recursive: true });
writeFileSync(path.join(here, '..', 'results', 'engine-step.json'), JSON.stringify(report, null, 2));
console.log(`PyTorch (CPU)                        ${torch.median_ms_per_student_step?.toFixed(1) ?? torch.error} ms/step`);
console.log(`PyTorch, last time step only        ${torchLastOnly.median_ms_per_student_step?.toFixed(1) ?? torchLastOnly.error} ms/step`);
for (const r of rows) {
  console.log(`${r.backend.padEnd(36)} ${r.ms?.toFixed(1)} ms/step   tfjs/PyTorch ${r.ratio_vs_torch?.toFixed(2)}   vs last-only ${r.ratio_vs_torch_last_only?.toFixed(2)}`);
}
console.log(`(written to bench/results/engine-step.json)`);
