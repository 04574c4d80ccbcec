#!/usr/bin/env node
/**
 * tfjs side of the engine benchmark: median ms per training step of each phase of a registered
 * method (MOSI sizes, batch 32, the method's MOSI defaults) on each available tfjs backend. Prints
 * one JSON object. Runs with plain `node`: the TypeScript harness is loaded through Vite
 * (load-ts.mjs).
 *
 *   node bench/engine/tfjs-step.mjs [--method hrlf] [--phases student] [--backends wasm,cpu,webgpu] [--steps 20] [--warmup 3] [--batch 32] [--no-fused] [--max-length N] [--tf-flags JSON]
 *
 * run.mjs pairs it with the method's PyTorch transcription (bench/engine/torch/<method>.py).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadHarness } from './load-ts.mjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

const { values } = parseArgs({
  options: {
    method: { type: 'string', default: 'hrlf' },
    phases: { type: 'string' },
    backends: { type: 'string', default: 'wasm,cpu' },
    steps: { type: 'string', default: '20' },
    'cpu-steps': { type: 'string', default: '3' },
    warmup: { type: 'string', default: '3' },
    batch: { type: 'string', default: '32' },
    seed: { type: 'string', default: '1' },
    'no-fused': { type: 'boolean', default: false },
    // Front-pad each sample to a length in [1, N] (default: no padding).
    'max-length': { type: 'string' },
    // tfjs environment flags as JSON, e.g. '{"WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE":60}', set once the backend is up.
    'tf-flags': { type: 'string' },
  },
});

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep);

const { module: harness, close } = await loadHarness(path.join(here, 'step-harness.ts'));

const results = {};
const adapters = {};
for (const backend of values.backends.split(',').filter(Boolean)) {
  let ok = false;
  let why = 'backend unavailable';
  try {
    if (backend === 'webgpu') {
      // The engine's Dawn setup (a real GPU adapter, else Dawn's software one): packages loaded here.
      const { module: gpu, close: closeGpu } = await loadHarness(path.join(here, '../../src-main/engine/webgpu.ts'));
      ok = await gpu.startWebGpu(true, { dawn: await import('webgpu'), tfjsWebgpu: await import('@tensorflow/tfjs-backend-webgpu') });
      adapters.webgpu = gpu.webGpuAdapter();
      await closeGpu();
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
  if (values['tf-flags']) tf.env().setFlags(JSON.parse(values['tf-flags']));
  // The cpu backend is ~10x slower: fewer timed steps keep the run short.
  const cpu = backend === 'cpu';
  results[backend] = await harness.benchPhases({
    method: values.method,
    ...(values.phases ? { phases: values.phases.split(',') } : {}),
    fused: !values['no-fused'],
    batch: Number(values.batch),
    warmup: cpu ? 1 : Number(values.warmup),
    steps: Number(cpu ? values['cpu-steps'] : values.steps),
    seed: Number(values.seed),
    ...(values['max-length'] ? { maxLength: Number(values['max-length']) } : {}),
  });
}
console.log(JSON.stringify({ bench: 'engine-step', method: values.method, shape: harness.MOSI_SHAPE, adapters, backends: results }, null, 2));
await close();
