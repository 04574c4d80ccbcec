/**
 * Times forward + backward of one MulT-style crossmodal transformer "target ← source" on the
 * current tfjs backend: gradients of every parameter and of both inputs, training mode with DMD's
 * MOSI dropouts (attention 0.2, embedding 0.2) and causal mask. Loaded by crossmodal-bench.mjs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CrossModalTransformer, trainCtx, tuneWasmKernels } from '../../src-main/engine/nn';
import { createRng } from '../../src-main/engine/random';

export interface CrossModalBenchOptions {
  batch: number;
  length: number;
  d: number;
  heads: number;
  layers: number;
  warmup: number;
  steps: number;
}

export interface CrossModalBenchResult {
  backend: string;
  median_ms: number;
  median_cpu_ms: number;
  min_ms: number;
  steps: number;
  num_tensors_stable: boolean;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function benchCrossModal(o: CrossModalBenchOptions): CrossModalBenchResult {
  tuneWasmKernels();
  const rng = createRng(1);
  const model = new CrossModalTransformer(
    { d: o.d, heads: o.heads, layers: o.layers, causal: true, attnDropout: 0.2, embedDropout: 0.2 },
    rng,
  );
  const shape = [o.batch, o.length, o.d];
  // Inputs as variables so that their gradients are computed too, as inside a model.
  const x = tf.variable(tf.randomNormal(shape, 0, 1, 'float32', 2));
  const s = tf.variable(tf.randomNormal(shape, 0, 1, 'float32', 3));
  const r = tf.randomNormal(shape, 0, 1, 'float32', 4);
  const vars = [...model.namedVariables().map(([, v]) => v), x, s];
  const stepRng = createRng(5);
  const step = (): void =>
    tf.tidy(() => {
      const { grads } = tf.variableGrads(
        () => tf.sum(tf.mul(model.apply(x as tf.Tensor3D, trainCtx(stepRng), s as tf.Tensor3D), r)),
        vars,
      );
      grads[x.name]!.dataSync(); // the last gradient computed: the step has finished
    });
  for (let i = 0; i < o.warmup; i++) step();
  const before = tf.memory().numTensors;
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let i = 0; i < o.steps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuTimes.push((c.user + c.system) / 1000);
  }
  const stable = tf.memory().numTensors === before;
  tf.dispose([x, s, r]);
  model.namedVariables().forEach(([, v]) => v.dispose());
  return {
    backend: tf.getBackend(),
    median_ms: median(times),
    median_cpu_ms: median(cpuTimes),
    min_ms: Math.min(...times),
    steps: o.steps,
    num_tensors_stable: stable,
  };
}
