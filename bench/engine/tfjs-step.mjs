#!/usr/bin/env node
/**
 * tfjs side of the engine benchmark: median ms per HRLF student step (MOSI sizes, batch 32) on
 * each available tfjs backend. Prints one JSON object. Runs with plain `node`: the TypeScript
 * harness is loaded through Vite's module runner (vite is a dev dependency; no tsx needed).
 *
 *   node bench/engine/tfjs-step.mjs [--backends wasm,cpu,webgpu] [--steps 20] [--warmup 3] [--batch 32]
 *
 * Pair it with `python3 bench/engine/hrlf_torch.py` (same spec, PyTorch on CPU).
 */
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
    backends: { type: 'string', default: 'wasm,cpu' },
    steps: { type: 'string', default: '20' },
    'cpu-steps': { type: 'string', default: '3' },
    warmup: { type: 'string', default: '3' },
    batch: { type: 'string', default: '32' },
    seed: { type: 'string', default: '1' },
  },
});

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep);

const { module: harness } = await runnerImport(path.join(here, 'step-harness.ts'), {
  configFile: false,
  logLevel: 'error',
  root: path.resolve(here, '../..'),
});

const results = {};
const adapters = {};
for (const backend of values.backends.split(',').filter(Boolean)) {
  let ok = false;
  let why = 'backend unavailable';
  try {
    if (backend === 'webgpu') {
      // The engine's Dawn setup (a real GPU adapter, else Dawn's software one): packages loaded here.
      const { module: gpu } = await runnerImport(path.join(here, '../../src-main/engine/webgpu.ts'), { configFile: false, logLevel: 'error', root: path.resolve(here, '../..') });
      ok = await gpu.startWebGpu(true, { dawn: await import('webgpu'), tfjsWebgpu: await import('@tensorflow/tfjs-backend-webgpu') });
      adapters.webgpu = gpu.webGpuAdapter();
    } else {
      ok = await tf.setBackend(backend);
    }
  } catch (err) {
    ok = false;
    why = err.message;
  }
  if (!ok) {
    results[backend] = { error: why };
    continue;
  }
  await tf.ready();
  // The cpu backend is ~10x slower: fewer timed steps keep the run short.
  const steps = Number(backend === 'cpu' ? values['cpu-steps'] : values.steps);
  results[backend] = await harness.benchStudentStep({
    batch: Number(values.batch),
    warmup: backend === 'cpu' ? 1 : Number(values.warmup),
    steps,
    seed: Number(values.seed),
  });
}
console.log(JSON.stringify({ bench: 'hrlf-student-step', shape: harness.MOSI_SHAPE, adapters, backends: results }, null, 2));
