import type * as tf from '@tensorflow/tfjs-core';
import { registerHostKernel } from './host';

/**
 * One Adam step (PyTorch's rule, see adam.ts) over every parameter in one kernel: inputs p0…pn-1,
 * g0…gn-1 (only where `hasGrad[i]`; a missing gradient counts as zero), and the flat moments m, v;
 * outputs the n new parameters, then m and v. Reads and writes heap views: no read-back of
 * gradients into JS arrays, no per-parameter upload.
 */
export const ADAM = 'HrlfAdam';

export interface AdamAttrs {
  hasGrad: boolean[];
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** The step number after this update (1 for the first). */
  step: number;
}

registerHostKernel(ADAM, (inputs, attrs, io) => {
  const { hasGrad, lr, beta1, beta2, eps, step } = attrs as unknown as AdamAttrs;
  const n = hasGrad.length;
  const params: tf.TensorInfo[] = [];
  for (let i = 0; i < n; i++) params.push(inputs[`p${i}`]!);
  const outs = params.map((p) => io.output(p.shape));
  const mOut = io.output(inputs.m!.shape);
  const vOut = io.output(inputs.v!.shape);
  const m = io.view(inputs.m!);
  const v = io.view(inputs.v!);
  const m2 = io.view(mOut);
  const v2 = io.view(vOut);
  const stepSize = lr / (1 - Math.pow(beta1, step));
  const sqrtBc2 = Math.sqrt(1 - Math.pow(beta2, step));
  let offset = 0;
  for (let i = 0; i < n; i++) {
    const p = io.view(params[i]!);
    const out = io.view(outs[i]!);
    const g = hasGrad[i] ? io.view(inputs[`g${i}`]!) : null;
    for (let j = 0; j < p.length; j++) {
      const k = offset + j;
      const gj = g ? g[j]! : 0;
      const mk = beta1 * m[k]! + (1 - beta1) * gj;
      const vk = beta2 * v[k]! + (1 - beta2) * gj * gj;
      m2[k] = mk;
      v2[k] = vk;
      out[j] = p[j]! - (stepSize * mk) / (Math.sqrt(vk) / sqrtBc2 + eps);
    }
    offset += p.length;
  }
  return [...outs, mOut, vOut];
});
