#!/usr/bin/env node
/**
 * `npm run bench:engine [-- --method M]`: median ms per training step of each phase of method M
 * (default hrlf; batch 32, MOSI dims, the method's MOSI defaults) for each tfjs backend, beside the
 * method's PyTorch transcription on the same CPU (bench/engine/torch/<M>.py, Debian python3-torch),
 * and the ratio tfjs/PyTorch. Runs one after the other so they do not compete for the cores. A phase
 * without a transcription is timed on tfjs only and says so. Not a test.
 *
 *   npm run bench:engine [-- --method hrlf --phases student --steps 20 --backends wasm,cpu --python /usr/bin/python3]
 *
 * The PyTorch side's command-line contract is in bench/engine/torch/README.md.
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
    batch: { type: 'string', default: '32' },
    backends: { type: 'string', default: 'wasm,cpu' },
    python: { type: 'string', default: '/usr/bin/python3' },
  },
});
const here = path.dirname(fileURLToPath(import.meta.url));

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

const tfjsArgs = [path.join(here, 'tfjs-step.mjs'), '--method', values.method, '--backends', values.backends, '--steps', values.steps, '--batch', values.batch];
if (values.phases) tfjsArgs.push('--phases', values.phases);
const tfjs = runJson(process.execPath, tfjsArgs);
if (tfjs.error) {
  console.error(`tfjs side failed: ${tfjs.error}`);
  process.exit(1);
}
const phases = Object.keys(Object.values(tfjs.backends).find((b) => b.phases)?.phases ?? {});

const script = path.join(here, 'torch', `${values.method}.py`);
/** The transcription's runs: one per phase, plus each variant it lists (e.g. HRLF's last-step shortcut). */
const torch = {};
for (const phase of phases) {
  if (!existsSync(script)) break;
  const base = ['--method', values.method, '--phase', phase, '--steps', values.steps, '--batch', values.batch];
  const plain = runJson(values.python, [script, ...base]);
  torch[phase] = { plain };
  for (const variant of plain.variants ?? []) torch[phase][variant] = runJson(values.python, [script, ...base, '--variant', variant]);
}

const rows = [];
for (const [backend, r] of Object.entries(tfjs.backends)) {
  for (const [phase, p] of Object.entries(r.phases ?? {})) {
    const refs = Object.fromEntries(Object.entries(torch[phase] ?? {}).map(([v, t]) => [v, t.median_ms_per_step ? p.median_ms_per_step / t.median_ms_per_step : null]));
    rows.push({ backend: `tfjs-${backend}`, phase, ms: p.median_ms_per_step, ratio: refs });
  }
}
const report = { date: new Date().toISOString(), method: values.method, steps: Number(values.steps), batch: Number(values.batch), tfjs, torch, rows };
mkdirSync(path.join(here, '..', 'results'), { recursive: true });
const out = path.join(here, '..', 'results', `engine-step-${values.method}.json`);
writeFileSync(out, JSON.stringify(report, null, 2));

console.log(`${values.method}: ms per training step, batch ${values.batch}, MOSI sizes`);
if (!existsSync(script)) console.log(`(no PyTorch transcription at bench/engine/torch/${values.method}.py: tfjs only)`);
for (const phase of phases) {
  for (const [variant, t] of Object.entries(torch[phase] ?? {})) {
    const label = `PyTorch (CPU) ${phase}${variant === 'plain' ? '' : `, ${variant}`}`;
    console.log(`${label.padEnd(44)} ${t.median_ms_per_step?.toFixed(1) ?? `not run: ${t.error}`}`);
  }
}
for (const r of rows) {
  const ratios = Object.entries(r.ratio)
    .map(([v, x]) => `tfjs/PyTorch${v === 'plain' ? '' : ` (${v})`} ${x === null ? '-' : x.toFixed(2)}`)
    .join('   ');
  console.log(`${`${r.backend} ${r.phase}`.padEnd(44)} ${r.ms.toFixed(1)}   ${ratios}`);
}
console.log(`(written to ${path.relative(process.cwd(), out)})`);
