#!/usr/bin/env node
/**
 * Kernel-time breakdown of one training step of a method's phase:
 *   node bench/engine/profile-step.mjs [--method hrlf] [--phase student] [--backend wasm] [--batch 32]
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
    phase: { type: 'string', default: 'student' },
    backend: { type: 'string', default: 'wasm' },
    batch: { type: 'string', default: '32' },
  },
});
const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep);
const { module: harness, close } = await loadHarness(path.join(here, 'profile-harness.ts'));
if (!(await tf.setBackend(values.backend))) throw new Error(`backend ${values.backend} unavailable`);
await tf.ready();
const p = await harness.profileStep(values.method, values.phase, Number(values.batch), 2);
const fmt = (rows) => rows.map((r) => `${r.ms.toFixed(1).padStart(8)} ms ${String(r.count).padStart(5)}x  ${r.key}`).join('\n');
console.log(`${values.method} ${values.phase} step, backend ${p.backend}: wall ${p.wallMs.toFixed(1)} ms, kernel ${p.kernelMs.toFixed(1)} ms over ${p.kernels} kernels`);
console.log('\nby kernel:\n' + fmt(p.byKernel));
console.log('\nby kernel and input shapes:\n' + fmt(p.byShape));
await close();
