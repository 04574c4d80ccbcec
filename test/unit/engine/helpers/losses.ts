import * as tf from '@tensorflow/tfjs-core';
import type { StepLosses } from '../../../../src-main/engine/methods/method';

/**
 * A step's losses read at once, for tests on the host backends (cpu, wasm), where a synchronous read
 * is allowed; the trainer reads them asynchronously (engine/train/losses.ts). Frees the tensors.
 */
export function lossesNow(losses: StepLosses | Promise<StepLosses>): Record<string, number> {
  if (losses instanceof Promise) throw new Error('an asynchronous step: read it with readLosses');
  const out = Object.fromEntries(Object.entries(losses).map(([k, v]) => [k, typeof v === 'number' ? v : v.dataSync()[0]!]));
  tf.dispose(Object.values(losses).filter((v): v is tf.Scalar => typeof v !== 'number'));
  return out;
}
