import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Backend } from '../../src-shared/models';
import { tuneWasmKernels } from './nn';
import { startWebGpu } from './webgpu';

const require = createRequire(import.meta.url);

/**
 * Preference order: native TensorFlow (tfjs-node-gpu with CUDA, else tfjs-node), then WebGPU on a
 * real GPU adapter (webgpu.ts: auto mode never takes a software renderer), then wasm (SIMD), then
 * plain JS. The trainer, evaluation and checkpoints read tensors asynchronously on every backend
 * (webgpu has no synchronous read in Node); a method's own steps may read synchronously only where
 * its card does not declare `asyncReads`, and such a method never trains on webgpu.
 */
const AUTO_ORDER: Backend[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];

async function tryTensorflow(): Promise<boolean> {
  // Optional dependencies: absent where libtensorflow could not be downloaded at install.
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await import(/* @vite-ignore */ pkg);
      if (await tf.setBackend('tensorflow')) return true;
    } catch {
      // not installed or libtensorflow missing: fall through to the next candidate
    }
  }
  return false;
}

async function tryWasm(): Promise<boolean> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const dist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
  wasm.setWasmPaths(dist);
  if (!(await tf.setBackend('wasm'))) return false;
  // Faster replacements for a few stock wasm kernels (see nn/wasm-kernels.ts).
  tuneWasmKernels();
  return true;
}

async function tryCpu(): Promise<boolean> {
  await import('@tensorflow/tfjs-backend-cpu');
  return tf.setBackend('cpu');
}

/** Starts a backend; `forced`: the user asked for it (webgpu then accepts a software adapter). */
const INIT: Record<Backend, (forced: boolean) => Promise<boolean>> = {
  tensorflow: tryTensorflow,
  webgpu: startWebGpu,
  wasm: tryWasm,
  cpu: tryCpu,
};

export class BackendError extends Error {}

/**
 * Selects the tfjs backend. A forced backend that cannot start is an error (the user asked for it);
 * in auto mode the first that works wins. `asyncReads`: the method's card declares it reads nothing
 * synchronously in its steps; otherwise auto mode passes over webgpu (runs.start refuses a forced
 * webgpu for such a method; see registry assertTrainsOn). Returns the backend that actually runs.
 */
export async function selectBackend(requested?: Backend, { asyncReads = true }: { asyncReads?: boolean } = {}): Promise<Backend> {
  const candidates = requested ? [requested] : AUTO_ORDER.filter((b) => asyncReads || b !== 'webgpu');
  const failures: string[] = [];
  for (const name of candidates) {
    try {
      if (await INIT[name](requested !== undefined)) {
        await tf.ready();
        return name;
      }
      failures.push(`${name}: did not initialise`);
    } catch (err) {
      failures.push(`${name}: ${(err as Error).message}`);
    }
  }
  throw new BackendError(`no tfjs backend could start (${failures.join('; ')})`);
}
