import * as tf from '@tensorflow/tfjs-core';
import './gradients';
import { adamOnWebGpu, WebGpuAdamSlots } from './adam-webgpu';
import { ADAM } from './fused/adam-kernel';
import { hasFusedKernel, runKernel } from './fused/host';

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

/** The array to give tf.tensor: wasm copies it into its heap at once, other backends may keep it. */
function copyFor(values: Float32Array): Float32Array {
  return tf.getBackend() === 'wasm' ? values : values.slice();
}

/**
 * Adam with PyTorch's update rule (p -= lr/bc1 · m / (√v/√bc2 + eps)), written over tf.Variables
 * so its whole state (step, m, v) is three variables: synchronous to read, trivial to checkpoint
 * and restore (tf.train.adam's getWeights() is async and names slots by variable name).
 *
 * The moments are FLAT over all parameters (in `params` order). Why not per-parameter tensor
 * ops: ~12 kernel launches per tensor (over 1,500 per HRLF student step), and on wasm launch
 * overhead, not arithmetic, dominates for these small tensors. Why the host path on cpu/wasm:
 * their tensors live in host memory anyway, and one JS loop over the ~250k values (about a
 * millisecond) replaces a concat, a dozen vector kernels and a ~130-way split (which, with
 * tfjs-wasm's own Slice, copied the whole flat vector once per parameter: ~40 ms).
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
    this.gpuSlots = new WebGpuAdamSlots(this.sizes);
    // Known without a read (a GPU read-back inside a step is what the webgpu path avoids).
    this.stepCache = { id: this.step.dataId, value: 0 };
  }

  /**
   * One update. `grads[i]` belongs to `params[i]`; a missing gradient counts as zero (PyTorch would
   * skip the parameter; HRLF's phases only list parameters that receive gradients).
   */
  apply(grads: readonly (tf.Tensor | null | undefined)[]): void {
    const mode = this.options.mode ?? 'auto';
    if (mode === 'host' || (mode === 'auto' && HOST_BACKENDS.has(tf.getBackend()))) {
      if (hasFusedKernel(ADAM)) this.applyFused(grads);
      else this.applyOnHost(grads);
    } else {
      this.applyOnDevice(grads);
    }
  }

  /** The step count, read from its variable only when something else assigned it (a restore). */
  private stepCache: { id: unknown; value: number } | null = null;

  private currentStep(): number {
    if (this.stepCache?.id !== this.step.dataId) this.stepCache = { id: this.step.dataId, value: this.step.dataSync()[0]! };
    return this.stepCache.value;
  }

  /** The whole update as one kernel over the heap (fused/adam-kernel.ts). */
  private applyFused(grads: readonly (tf.Tensor | null | undefined)[]): void {
    const step = this.currentStep() + 1;
    tf.tidy(() => {
      const inputs: Record<string, tf.Tensor> = { m: this.m, v: this.v };
      const hasGrad = this.params.map((p, i) => {
        inputs[`p${i}`] = p;
        const g = grads[i];
        if (g) inputs[`g${i}`] = g;
        return !!g;
      });
      const { beta1, beta2, eps } = this;
      const outs = runKernel<tf.Tensor[]>(ADAM, inputs, { hasGrad, lr: this.options.lr, beta1, beta2, eps, step });
      const n = this.params.length;
      this.params.forEach((p, i) => p.assign(outs[i]!));
      this.m.assign(outs[n]!);
      this.v.assign(outs[n + 1]!);
      this.step.assign(tf.scalar(step));
    });
    this.stepCache = { id: this.step.dataId, value: step };
  }

  /**
   * JS copies of m, v and the parameters, valid while each variable still holds the tensor this
   * optimizer assigned last (tracked by its dataId): anything else that assigns a variable (a
   * checkpoint restore, the best-epoch snapshot) changes the dataId and forces a re-read.
   */
  private mirror: { m: Float32Array; v: Float32Array; params: Float32Array[]; ids: unknown[] } | null = null;

  private hostState(): { m: Float32Array; v: Float32Array; params: Float32Array[] } {
    const ids = [this.m.dataId, this.v.dataId, ...this.params.map((p) => p.dataId)];
    const mirror = this.mirror;
    if (mirror && mirror.ids.every((id, i) => id === ids[i])) return mirror;
    // dataSync may return the backend's own storage (cpu): copy before writing.
    const fresh = {
      m: Float32Array.from(this.m.dataSync()),
      v: Float32Array.from(this.v.dataSync()),
      params: this.params.map((p) => Float32Array.from(p.dataSync())),
      ids,
    };
    this.mirror = fresh;
    return fresh;
  }

  private applyOnHost(grads: readonly (tf.Tensor | null | undefined)[]): void {
    const { m, v, params } = this.hostState();
    const step = this.step.dataSync()[0]! + 1;
    const b1 = this.beta1;
    const b2 = this.beta2;
    const stepSize = this.options.lr / (1 - Math.pow(b1, step));
    const sqrtBc2 = Math.sqrt(1 - Math.pow(b2, step));
    let offset = 0;
    this.params.forEach((p, i) => {
      const g = grads[i] ? grads[i].dataSync() : null;
      const values = params[i]!;
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
      // tf.tensor copies on wasm, but the cpu backend keeps the array: hand it a copy there.
      tf.tidy(() => p.assign(tf.tensor(copyFor(values), p.shape, 'float32')));
    });
    tf.tidy(() => {
      this.m.assign(tf.tensor1d(copyFor(m)));
      this.v.assign(tf.tensor1d(copyFor(v)));
      this.step.assign(tf.scalar(step));
    });
    this.mirror = { m, v, params, ids: [this.m.dataId, this.v.dataId, ...this.params.map((p) => p.dataId)] };
  }

  private readonly gpuSlots: WebGpuAdamSlots;

  private applyOnDevice(grads: readonly (tf.Tensor | null | undefined)[]): void {
    // webgpu: one fused pass over every parameter, in place (adam-webgpu.ts), when it can.
    const step = this.currentStep() + 1;
    const update = {
      stepSize: this.options.lr / (1 - Math.pow(this.beta1, step)),
      sqrtBc2: Math.sqrt(1 - Math.pow(this.beta2, step)),
      beta1: this.beta1,
      beta2: this.beta2,
      eps: this.eps,
    };
    if (adamOnWebGpu(this.params, grads, this.m, this.v, this.gpuSlots, update)) {
      tf.tidy(() => this.step.assign(tf.scalar(step)));
      this.stepCache = { id: this.step.dataId, value: step };
      return;
    }
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
    this.stepCache = { id: this.step.dataId, value: step };
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
    this.mirror = null;
    this.gpuSlots.dispose();
    this.step.dispose();
    this.m.dispose();
    this.v.dispose();
  }
}
