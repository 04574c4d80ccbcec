import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { tuneWasmKernels } from '../../../../src-main/engine/nn/wasm-kernels';

export type BackendName = 'cpu' | 'wasm';

// In Node the wasm binaries are read from disk: a file path with a trailing slash.
const require = createRequire(import.meta.url);
setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep);

/**
 * Switches tfjs to `name`, with the engine's wasm kernels installed as a run's trainer installs them;
 * throws when the backend cannot start (so a broken wasm setup fails loudly).
 */
export async function useBackend(name: BackendName): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) throw new Error(`tfjs backend ${name} failed to initialise`);
  await tf.ready();
  tuneWasmKernels();
}

export const BACKENDS: readonly BackendName[] = ['cpu', 'wasm'];
