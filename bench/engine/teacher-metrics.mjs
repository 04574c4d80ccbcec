#!/usr/bin/env node
/**
 * Test metrics (complete condition) of a cached HRLF teacher in a data home, for runs made before
 * the workbench stored teacher metrics with each run.
 *
 *   node bench/engine/teacher-metrics.mjs --home DIR --dataset synth-mosi --method hrlf --seed 1111 [--preset paper-literal] [--epochs E]
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
    home: { type: 'string' },
    dataset: { type: 'string', default: 'synth-mosi' },
    method: { type: 'string', default: 'hrlf' },
    seed: { type: 'string', default: '1111' },
    preset: { type: 'string' },
    epochs: { type: 'string' },
  },
});
const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep);
await tf.setBackend('wasm');
const { module: harness, close } = await loadHarness(path.join(here, 'teacher-harness.ts'));
const epochs = values.epochs === undefined ? undefined : Number(values.epochs);
const metrics = await harness.teacherMetrics(values.home, values.dataset, values.method, Number(values.seed), values.preset, 'wasm', epochs);
console.log(JSON.stringify({ method: values.method, preset: values.preset ?? null, seed: Number(values.seed), teacher: metrics }));
await close();
