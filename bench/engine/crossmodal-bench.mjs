#!/usr/bin/env node
/**
 * Micro-benchmark (not a test): forward + backward of one MulT-style crossmodal transformer
 * (CrossModalTransformer, default 4 layers, B = 16, T = 50, d = 50, 10 heads: DMD's MOSI size) on
 * tfjs backends, beside the same module in PyTorch on CPU (bench/engine/mult_torch.py, 1 thread by
 * default since tfjs-wasm is single-threaded), and the ratio tfjs/PyTorch. Runs one after the
 * other so they do not compete for the cores.
 *
 *   node bench/engine/crossmodal-bench.mjs [--backends wasm,cpu] [--steps 20] [--threads 1]
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runnerImport } from 'vite';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

const { values } = parseArgs({
  options: {
    backends: { type: 'string', default: 'wasm' },
    steps: { type: 'string', default: '20' },
    'cpu-steps': { type: 'string', default: '3' },
    warmup: { type: 'string', default: '3' },
    batch: { type: 'string', default: '16' },
    length: { type: 'string', default: '50' },
    d: { type: 'string', default: '50' },
    heads: { type: 'string', default: '10' },
    layers: { type: 'string', default: '4' },
    threads: { type: 'string', default: '1' },
    python: { type: 'string', default: '/usr/bin/python3' },
  },
});
const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep);

const { module: harness } = await runnerImport(path.join(here, 'crossmodal-harness.ts'), {
  configFile: false,
  logLevel: 'error',
  root: path.resolve(here, '../..'),
});

const size = { batch: Number(values.batch), length: Number(values.length), d: Number(values.d), heads: Number(values.heads), layers: Number(values.layers) };
const tfjs = {};
for (const backend of values.backends.split(',').filter(Boolean)) {
  if (!(await tf.setBackend(backend).catch(() => false))) {
    tfjs[backend] = { error: 'backend unavailable' };
    continue;
  }
  await tf.ready();
  const cpu = backend === 'cpu';
  tfjs[backend] = harness.benchCrossModal({ ...size, warmup: cpu ? 1 : Number(values.warmup), steps: Number(cpu ? values['cpu-steps'] : values.steps) });
}

const py = spawnSync(
  values.python,
  [path.join(here, 'mult_torch.py'), ...Object.entries(size).flatMap(([k, v]) => [`--${k}`, String(v)]), '--steps', values.steps, '--threads', values.threads],
  { encoding: 'utf8' },
);
const torch = py.status === 0 ? JSON.parse(py.stdout.slice(py.stdout.indexOf('{'))) : { error: (py.stderr || `exit ${py.status}`).trim().split('\n').slice(-2).join(' ') };

console.log(JSON.stringify({ bench: 'crossmodal-forward-backward', size, tfjs, torch }, null, 2));
// Process CPU time is the steadier measure when other processes compete for the cores.
const ratio = (a, b) => (a && b ? (a / b).toFixed(2) : 'n/a');
console.log(`PyTorch CPU, ${torch.threads ?? '?'} thread(s)`.padEnd(28) + `${torch.median_ms?.toFixed(1) ?? torch.error} ms wall, ${torch.median_cpu_ms?.toFixed(1)} ms cpu`);
for (const [backend, r] of Object.entries(tfjs)) {
  console.log(
    `tfjs-${backend}`.padEnd(28) +
      `${r.median_ms?.toFixed(1) ?? r.error} ms wall, ${r.median_cpu_ms?.toFixed(1)} ms cpu   ` +
      `tfjs/PyTorch ${ratio(r.median_ms, torch.median_ms)} (wall), ${ratio(r.median_cpu_ms, torch.median_cpu_ms)} (cpu)`,
  );
}
