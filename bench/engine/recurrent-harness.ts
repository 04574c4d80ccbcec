/**
 * Times forward + backward of a stacked recurrent layer (engine/nn/recurrent.ts) or of the
 * attention LSTM decoder on the current tfjs backend. Loaded by recurrent.mjs; the PyTorch twin is
 * recurrent_torch.py.
 */
import * as tf from '@tensorflow/tfjs-core';
import { AttentionLstmDecoder, Gru, Lstm, disposeModule, tuneWasmKernels, type Module } from '../../src-main/engine/nn';
import { createRng } from '../../src-main/engine/random';

export interface RecurrentBenchOptions {
  kind: 'lstm' | 'gru';
  batch: number;
  steps: number;
  inputSize: number;
  hidden: number;
  layers: number;
  bidirectional: boolean;
  /** Front-padded sequences with lengths uniform in [1, T] (the masked path). */
  masked: boolean;
  warmup: number;
  repeats: number;
  seed: number;
}

export interface RecurrentBenchResult {
  backend: string;
  median_ms: number;
  /** Process CPU time (user + system): less sensitive to other processes on a shared machine. */
  median_cpu_ms: number;
  min_ms: number;
  repeats: number;
  num_tensors_stable: boolean;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** 1 for the last `length` steps of each row (front padding), lengths uniform in [1, T]. */
function frontPaddedMask(batch: number, steps: number, seed: number): tf.Tensor2D {
  const rng = createRng(seed);
  const data = new Float32Array(batch * steps);
  for (let b = 0; b < batch; b++) {
    const length = 1 + rng.int(steps);
    data.fill(1, b * steps + steps - length, (b + 1) * steps);
  }
  return tf.tensor2d(data, [batch, steps]);
}

/** Median time of `step` (forward + backward inside a tidy) after warm-up, and whether tensors leak. */
function timeSteps(step: () => void, warmup: number, repeats: number): RecurrentBenchResult {
  for (let i = 0; i < warmup; i++) step();
  const before = tf.memory().numTensors;
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return {
    backend: tf.getBackend(),
    median_ms: median(times),
    median_cpu_ms: median(cpu),
    min_ms: Math.min(...times),
    repeats,
    num_tensors_stable: tf.memory().numTensors === before,
  };
}

/** Gradients of sum(f()·r) for every parameter of `module`; reading one value waits for the backend. */
function gradientStep(module: Module, f: () => tf.Tensor, r: tf.Tensor): () => void {
  const variables = module.namedVariables().map(([, v]) => v);
  return () =>
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(f(), r)), variables);
      grads[variables[0]!.name]!.dataSync();
    });
}

export function benchRecurrent(o: RecurrentBenchOptions): RecurrentBenchResult {
  tuneWasmKernels();
  const rng = createRng(o.seed);
  const options = { inputSize: o.inputSize, hiddenSize: o.hidden, layers: o.layers, bidirectional: o.bidirectional };
  const rnn = o.kind === 'lstm' ? new Lstm(options, rng) : new Gru(options, rng);
  const x = tf.randomNormal([o.batch, o.steps, o.inputSize], 0, 1, 'float32', o.seed) as tf.Tensor3D;
  const mask = o.masked ? frontPaddedMask(o.batch, o.steps, o.seed) : undefined;
  const r = tf.randomNormal([o.batch, o.steps, rnn.outputSize], 0, 1, 'float32', o.seed + 1);
  const result = timeSteps(gradientStep(rnn, () => rnn.apply(x, undefined, { mask }).output, r), o.warmup, o.repeats);
  tf.dispose([x, r, ...(mask ? [mask] : [])]);
  disposeModule(rnn);
  return result;
}

export interface DecoderBenchOptions {
  batch: number;
  /** Memory and target length. */
  steps: number;
  /** Target frame width. */
  outputSize: number;
  /** LSTM, memory and attention width (MCTN: 32 for all three). */
  hidden: number;
  warmup: number;
  repeats: number;
  seed: number;
}

/** The attention LSTM decoder, teacher-forced, at MCTN-like sizes (memory = encoder outputs). */
export function benchDecoder(o: DecoderBenchOptions): RecurrentBenchResult {
  tuneWasmKernels();
  const decoder = new AttentionLstmDecoder({ outputSize: o.outputSize, memorySize: o.hidden, hiddenSize: o.hidden }, createRng(o.seed));
  const memory = tf.randomNormal([o.batch, o.steps, o.hidden], 0, 1, 'float32', o.seed) as tf.Tensor3D;
  const targets = tf.randomNormal([o.batch, o.steps, o.outputSize], 0, 1, 'float32', o.seed + 1) as tf.Tensor3D;
  const r = tf.randomNormal([o.batch, o.steps, o.outputSize], 0, 1, 'float32', o.seed + 2);
  const result = timeSteps(gradientStep(decoder, () => decoder.apply(memory, targets).output, r), o.warmup, o.repeats);
  tf.dispose([memory, targets, r]);
  disposeModule(decoder);
  return result;
}
