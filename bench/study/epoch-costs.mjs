#!/usr/bin/env node
/**
 * Per-run overheads of an HRLF study on synth-mosi (spec batch size, E epochs per phase):
 * training steps, validation, checkpoint and collapse check per epoch, final evaluation, and the
 * saving when a later variant reuses the cached teacher. Prints a table and one JSON document.
 *
 *   node bench/study/epoch-costs.mjs [--epochs 2] [--methods hrlf,hrlf-wo-hmi] [--seed 1111] [--backend wasm]
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { loadHarness } from '../engine/load-ts.mjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '2' },
    methods: { type: 'string', default: 'hrlf,hrlf-wo-hmi' },
    seed: { type: 'string', default: '1111' },
    backend: { type: 'string', default: 'wasm' },
  },
});
const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep);
if (!(await tf.setBackend(values.backend))) throw new Error(`backend ${values.backend} unavailable`);
await tf.ready();
const { module: harness, close } = await loadHarness(path.join(here, 'epoch-costs-harness.ts'));
const result = await harness.runCosts({ methods: values.methods.split(','), epochs: Number(values.epochs), seed: Number(values.seed) });
const f = (x) => x.toFixed(2).padStart(7);
for (const run of result.runs) {
  console.log(`\n${run.method}${run.teacherReused ? ' (teacher reused from the cache)' : ''}: ${run.totalSeconds.toFixed(1)} s, final evaluation ${run.evalSeconds.toFixed(1)} s`);
  console.log('  phase    epoch steps   train   valid  ckpt  after-epoch (s)');
  for (const e of run.epochs) console.log(`  ${e.phase.padEnd(8)} ${String(e.epoch).padStart(5)} ${String(e.steps).padStart(5)} ${f(e.trainSeconds)} ${f(e.validSeconds)} ${f(e.checkpointSeconds)} ${f(e.afterEpochSeconds)}`);
}
console.log(JSON.stringify({ bench: 'hrlf-epoch-costs', ...result }));
await close();
