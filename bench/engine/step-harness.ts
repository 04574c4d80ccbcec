/**
 * Times one HRLF student training step (frozen-teacher forward + student forward/backward/Adam +
 * discriminator step) at MOSI sizes on the current tfjs backend. Loaded by tfjs-step.mjs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { hrlfConfigSchema, hrlfDefaults, hrlfMethod } from '../../src-main/engine/methods/hrlf';
import type { StudentPhase } from '../../src-main/engine/methods/hrlf/student-phase';
import type { Batch } from '../../src-main/engine/methods/method';
import { useFusedKernels } from '../../src-main/engine/nn';
import { createRng } from '../../src-main/engine/random';
import type { DataShape } from '../../src-main/engine/types';

export interface StepBenchOptions {
  batch: number;
  warmup: number;
  steps: number;
  seed: number;
  /** false: the engine's fused kernels off (composite tf ops), for A/B timing. */
  fused?: boolean;
}

export interface StepBenchResult {
  backend: string;
  median_ms_per_student_step: number;
  /** Process CPU time per step (user + system): robust to other processes competing for cores. */
  median_cpu_ms_per_student_step: number;
  mean_ms: number;
  min_ms: number;
  min_cpu_ms: number;
  steps: number;
  batch: number;
  num_tensors_stable: boolean;
}

export const MOSI_SHAPE: DataShape = { kind: 'mosi', task: 'regression', T: 50, dims: [300, 5, 20], labelDim: 1 };

function randomBatch(shape: DataShape, n: number, seed: number): Batch {
  const rng = createRng(seed);
  const make = (dim: number): tf.Tensor3D =>
    tf.tensor3d(Float32Array.from({ length: n * shape.T * dim }, () => rng.normal()), [n, shape.T, dim]);
  return {
    l: make(shape.dims[0]),
    a: make(shape.dims[1]),
    v: make(shape.dims[2]),
    y: tf.tensor2d(Float32Array.from({ length: n }, () => rng.next() * 6 - 3), [n, 1]),
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export async function benchStudentStep(options: StepBenchOptions): Promise<StepBenchResult> {
  useFusedKernels(options.fused ?? true);
  const config = hrlfConfigSchema.parse(hrlfDefaults(MOSI_SHAPE));
  const instance = hrlfMethod.create({ shape: MOSI_SHAPE, config, seed: options.seed, rng: createRng(options.seed) });
  const [teacher, student] = instance.phases;
  if (!teacher || !student) throw new Error('HRLF must have two phases');
  teacher.finish?.();
  const batch = randomBatch(MOSI_SHAPE, options.batch, options.seed);
  const rng = createRng('bench');
  // webgpu has no synchronous read in Node: its step reads the losses asynchronously (the same
  // computation; the read waits for the GPU, so the step has finished when it returns).
  const async = tf.getBackend() === 'webgpu';
  const step = async (): Promise<void> => {
    if (async) await (student as StudentPhase).trainStepAsync(batch, rng);
    else student.trainStep(batch, rng);
  };
  for (let i = 0; i < options.warmup; i++) await step();
  const before = tf.memory().numTensors;
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let i = 0; i < options.steps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    // trainStep returns host numbers, so the step has finished when it returns.
    await step();
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuTimes.push((c.user + c.system) / 1000);
  }
  const stable = tf.memory().numTensors === before;
  tf.dispose([batch.l, batch.a, batch.v, batch.y]);
  instance.dispose();
  return {
    backend: tf.getBackend(),
    median_ms_per_student_step: median(times),
    median_cpu_ms_per_student_step: median(cpuTimes),
    mean_ms: times.reduce((a, b) => a + b, 0) / times.length,
    min_ms: Math.min(...times),
    min_cpu_ms: Math.min(...cpuTimes),
    steps: options.steps,
    batch: options.batch,
    num_tensors_stable: stable,
  };
}
