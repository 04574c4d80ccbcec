import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { tuneWasmKernels } from '../../../../src-main/engine/nn/wasm-kernels';

export type BackendName = 'cpu' | 'wasm' | 'webgpu';

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

export interface WebGpuProbe {
  ok: boolean;
  /** The adapter, or why there is none. */
  detail: string;
}

let probe: Promise<WebGpuProbe> | null = null;

/**
 * Starts the engine's webgpu backend once (forced: a software adapter counts, e.g. Mesa's llvmpipe
 * through Dawn's OpenGL ES backend) and switches back to the backend that was active. Tests on
 * webgpu are skipped, with this detail as the reason, only where no adapter can be created at all.
 */
export function webGpuProbe(): Promise<WebGpuProbe> {
  probe ??= (async () => {
    const previous = tf.getBackend();
    try {
      const { startWebGpu, webGpuAdapter } = await import('../../../../src-main/engine/webgpu');
      await startWebGpu(true);
      return { ok: true, detail: webGpuAdapter()?.description ?? 'webgpu' };
    } catch (err) {
      return { ok: false, detail: (err as Error).message };
    } finally {
      if (previous) await tf.setBackend(previous);
    }
  })();
  return probe;
}
