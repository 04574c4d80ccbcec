#!/usr/bin/env node
/**
 * The frozen teacher's per-sample cache, A/B in one process (teacher-cache-harness.ts): median
 * process CPU ms per student training and validation step with and without it, on the wasm backend.
 * Prints one JSON object. Not a test.
 *
 *   node bench/engine/teacher-cache.mjs [--method hrlf|corrkd] [--steps 30] [--warmup 3] [--batch 32]
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadHarness } from './load-ts.mjs';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

const { values } = parseArgs({
  options: {
    method: { type: 'string', default: 'hrlf' },
    steps: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '3' },
    batch: { type: 'string', default: '32' },
    seed: { type: 'string', default: '1' },
  },
});
const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep);
const { module: harness, close } = await loadHarness(path.join(here, 'teacher-cache-harness.ts'));
if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend is unavailable');
await tf.ready();
const result = await harness.abTeacherCache({
  method: values.method,
  batch: Number(values.batch),
  warmup: Number(values.warmup),
  steps: Number(values.steps),
  seed: Number(values.seed),
});
console.log(JSON.stringify({ bench: 'teacher-cache', backend: tf.getBackend(), ...result }, null, 2));
await close();
