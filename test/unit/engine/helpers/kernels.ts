import * as tf from '@tensorflow/tfjs-core';

export interface KernelRecord {
  /** Every kernel the function ran, forward and backward (tf.profile also lists op scopes). */
  ran: Set<string>;
  /**
   * Kernels without a registered gradient that were recorded on a gradient tape consuming a value
   * computed from a trainable variable: they stop the gradient there.
   */
  blockingGradient: Set<string>;
}

/** The engine's tape hook (tfjs-core engine.ts): called for every kernel run while a gradient tape records. */
interface TapeHook {
  addTapeNode(kernelName: string, inputs: Record<string, tf.Tensor> | tf.Tensor[], outputs: tf.Tensor[], gradientsFunc: unknown, saved: unknown, attrs: unknown): void;
}

/**
 * Runs `fn` and records the kernels it runs (tf.profile) and, from the gradient tape, the kernels
 * with no gradient that take something derived from a trainable variable. Kernels without a
 * gradient applied to data (gathering input rows, building masks) are fine and not reported.
 * tfjs itself throws only where such a kernel lies between a variable and the loss.
 */
export async function recordKernels(fn: () => unknown): Promise<KernelRecord> {
  const engine = tf.engine() as unknown as TapeHook;
  const original = engine.addTapeNode;
  const registered = (tf.engine() as unknown as { state: { registeredVariables: Record<string, tf.Variable> } }).state.registeredVariables;
  const derived = new Set(Object.values(registered).filter((v) => v.trainable).map((v) => v.id));
  const blockingGradient = new Set<string>();
  engine.addTapeNode = function (kernelName, inputs, outputs, gradientsFunc, saved, attrs) {
    const fromVariables = Object.values(inputs).some((t) => derived.has(t.id));
    if (fromVariables) {
      for (const t of outputs) derived.add(t.id);
      if (gradientsFunc == null && tf.getGradient(kernelName) === undefined) blockingGradient.add(kernelName);
    }
    return original.call(this, kernelName, inputs, outputs, gradientsFunc, saved, attrs);
  };
  try {
    const info = await tf.profile(async () => {
      await fn();
    });
    return { ran: new Set(info.kernelNames), blockingGradient };
  } finally {
    engine.addTapeNode = original;
  }
}
