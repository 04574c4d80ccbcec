import * as tf from '@tensorflow/tfjs-core';
import './gradients';

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /**
   * 'host': the update runs in JS on the values read back (right for the cpu and wasm backends,
   * whose tensors already live in host memory); 'device': tensor ops (for GPU backends);
   * 'auto' (default) picks by the active backend.
   */
  mode?: 'auto' | 'host' | 'device';
}

const HOST_BACKENDS = new Set(['cpu', 'wasm']);

/**
 * Adam with PyTorch's update rule (p -= lr/bc1 · m / (√v/√bc2 + eps)), written over tf.Variables
 * so its whole state (step, m, v) is three variables: synchronous to read, trivial to checkpoint
 * and restore (tf.train.adam's getWeights() is async and names slots by variable name).
 *
 * The moments are FLAT over all parameters (in `params` order). Why not per-parameter tensor
 * ops: ~12 kernel launches per tensor (over 1,500 per HRLF student step), and on wasm launch
 * overhead, not arithmetic, dominates for these small tensors. Why the host path on cpu/wasm:
 * splitting the flat update back into parameters is slow there (every wasm slice copies its
 * whole input out of the heap first), while one JS loop over ~250k floats takes about a millisecond.
 */
export class Adam {
  readonly step: tf.Variable;
  readonly m: tf.Variable;
  readonly v: tf.Variable;
  private readonly sizes: number[];
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;

  constructor(
    readonly params: readonly tf.Variable[],
    readonly options: AdamOptions,
  ) {
    if (params.length === 0) throw new Error('Adam needs at least one parameter');
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.sizes = params.map((p) => p.size);
    const total = this.sizes.reduce((a, b) => a + b, 0);
    // tidy frees the initial tensors; the variables keep their own reference to the data.
    this.step = tf.tidy(() => tf.variable(tf.scalar(0), false));
    this.m = tf.tidy(() => tf.variable(tf.zeros([total]), false));
    this.v = tf.tidy(() => tf.variable(tf.zeros([total]), false));
  }

  /**
   * One update. `grads[i]` belongs to `params[i]`; a missing gradient counts as zero (PyTorch would
   * skip the parameter; HRLF's phases only list parameters that receive gradients).
   */
  apply(grads: readonly (tf.Tensor | null | undefined)[]): void {
    const mode = this.options.mode ?? 'auto';
    if (mode === 'host' || (mode === 'auto' && HOST_BACKENDS.has(tf.getBackend()))) this.applyOnHost(grads);
    else this.applyOnDevice(grads);
  }

  private applyOnHost(grads: readonly (tf.Tensor | null | undefined)[]): void {
    const step = this.step.dataSync()[0]! + 1;
    // dataSync may return the backend's own storage (cpu): copy before writing.
    const m = Float32Array.from(this.m.dataSync());
    const v = Float32Array.from(this.v.dataSync());
    const b1 = this.beta1;
    const b2 = this.beta2;
    const stepSize = this.options.lr / (1 - Math.pow(b1, step));
    const sqrtBc2 = Math.sqrt(1 - Math.pow(b2, step));
    let offset = 0;
    this.params.forEach((p, i) => {
      const g = grads[i] ? grads[i].dataSync() : null;
      const values = Float32Array.from(p.dataSync());
      for (let j = 0; j < values.length; j++) {
        const k = offset + j;
        const gj = g ? g[j]! : 0;
        const mk = b1 * m[k]! + (1 - b1) * gj;
        const vk = b2 * v[k]! + (1 - b2) * gj * gj;
        m[k] = mk;
        v[k] = vk;
        values[j] = values[j]! - (stepSize * mk) / (Math.sqrt(vk) / sqrtBc2 + this.eps);
      }
      offset += values.length;
      tf.tidy(() => p.assign(tf.tensor(values, p.shape, 'float32')));
    });
    tf.tidy(() => {
      this.m.assign(tf.tensor1d(m));
      this.v.assign(tf.tensor1d(v));
      this.step.assign(tf.scalar(step));
    });
  }

  private applyOnDevice(grads: readonly (tf.Tensor | null | undefined)[]): void {
    tf.tidy(() => {
      const flat = tf.concat(
        this.params.map((p, i) => {
          const g = grads[i];
          return g ? tf.reshape(g, [-1]) : tf.zeros([p.size]);
        }),
      );
      const step = tf.add(this.step, 1);
      const m = tf.add(tf.mul(this.m, this.beta1), tf.mul(flat, 1 - this.beta1));
      const v = tf.add(tf.mul(this.v, this.beta2), tf.mul(tf.square(flat), 1 - this.beta2));
      const bc1 = tf.sub(1, tf.pow(this.beta1, step));
      const bc2 = tf.sub(1, tf.pow(this.beta2, step));
      const denom = tf.add(tf.div(tf.sqrt(v), tf.sqrt(bc2)), this.eps);
      const update = tf.div(tf.mul(m, tf.div(this.options.lr, bc1)), denom);
      const parts = this.params.length === 1 ? [update] : tf.split(update, this.sizes);
      this.params.forEach((p, i) => p.assign(tf.sub(p, tf.reshape(parts[i]!, p.shape))));
      this.step.assign(step);
      this.m.assign(m);
      this.v.assign(v);
    });
  }

  /** Gradient of `loss` w.r.t. the parameters, then one update; returns the loss's value tensor (kept by the caller's tidy). */
  minimize(loss: () => tf.Scalar): tf.Scalar {
    const { value, grads } = tf.variableGrads(loss, [...this.params]);
    this.apply(this.params.map((p) => grads[p.name]));
    return value;
  }

  /** The optimizer's state, for resumable checkpoints: [step, m, v]. */
  variables(): tf.Variable[] {
    return [this.step, this.m, this.v];
  }

  dispose(): void {
    this.step.dispose();
    this.m.dispose();
    this.v.dispose();
  }
}
