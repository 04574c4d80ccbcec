#!/usr/bin/env node
/**
 * Test metrics (complete condition) of a cached HRLF teacher in a data home, for runs made before
 * the workbench stored teacher metrics with each run.
 *
 *   node bench/engine/teacher-metrics.mjs --home DIR --dataset synth-mosi --method hrlf --seed 1111 [--preset paper-literal]
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runnerImport } from 'vite';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

const { values } = parseArgs({
  options: {
    home: { type: 'string' },
    dataset: { type: 'string', default: 'synth-mosi' },
    method: { type: 'string', default: 'hrlf' },
    seed: { type: 'string', default: '1111' },
    preset: { type: 'string' },
  },
});
const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep);
await tf.setBackend('wasm');
const { module: harness } = await runnerImport(path.join(here, 'teacher-harness.ts'), { configFile: false, logLevel: 'error', root: path.resolve(here, '../..') });
const metrics = harness.teacherMetrics(values.home, values.dataset, values.method, Number(values.seed), values.preset, 'wasm');
console.log(JSON.stringify({ method: values.method, preset: values.preset ?? null, seed: Number(values.seed), teacher: metrics }));
