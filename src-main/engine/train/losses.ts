import * as tf from '@tensorflow/tfjs-core';
import type { StepLosses } from '../methods/method';

/**
 * A step's losses as host numbers: the tensors among them stacked and read in ONE asynchronous read
 * (a GPU backend syncs once per step; webgpu has no synchronous read in Node), then freed.
 */
export async function readLosses(pending: StepLosses | Promise<StepLosses>): Promise<Record<string, number>> {
  const losses = await pending;
  const out: Record<string, number> = {};
  const names: string[] = [];
  const tensors: tf.Scalar[] = [];
  for (const [name, value] of Object.entries(losses)) {
    if (typeof value === 'number') out[name] = value;
    else {
      names.push(name);
      tensors.push(value);
    }
  }
  if (tensors.length === 0) return out;
  let stacked: tf.Tensor1D;
  try {
    stacked = tf.tidy(() => tf.stack(tensors) as tf.Tensor1D);
  } finally {
    // The same tensor may be listed under two names (lf-linear: total and task); dispose is idempotent.
    tf.dispose(tensors);
  }
  try {
    const values = await stacked.data();
    names.forEach((n, i) => (out[n] = values[i]!));
  } finally {
    stacked.dispose();
  }
  // Keys in the step's own order.
  return Object.fromEntries(Object.keys(losses).map((k) => [k, out[k]!]));
}
