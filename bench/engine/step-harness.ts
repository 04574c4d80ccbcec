/**
 * Times training steps of any registered method, phase by phase, at MOSI sizes (T 50, dims
 * 300/5/20, the method's MOSI defaults) on the current tfjs backend. Earlier phases are finished
 * (a teacher frozen) but not trained: a step costs the same with random weights. Loaded by
 * tfjs-step.mjs and profile-harness.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Batch, MethodInstance, Phase } from '../../src-main/engine/methods/method';
import { instantiate, resolveConfig } from '../../src-main/engine/methods/registry';
import { useFusedKernels } from '../../src-main/engine/nn';
import { tuneWasmKernels } from '../../src-main/engine/nn/wasm-kernels';
import { createRng, type Rng } from '../../src-main/engine/random';
import { batches } from '../../src-main/engine/train/batches';
import { readLosses } from '../../src-main/engine/train/losses';
import type { DataShape, DatasetData, SplitData } from '../../src-main/engine/types';

export interface StepBenchOptions {
  method: string;
  batch: number;
  warmup: number;
  steps: number;
  seed: number;
  /** Phases to time (default: all, in order). */
  phases?: string[];
  /** false: the engine's fused kernels off (composite tf ops), for A/B timing. */
  fused?: boolean;
  /** Front-pad every sample to a length drawn in [1, maxLength] (default T: no padding). */
  maxLength?: number;
}

export interface PhaseBenchResult {
  median_ms_per_step: number;
  /** Process CPU time per step (user + system): robust to other processes competing for cores. */
  median_cpu_ms_per_step: number;
  mean_ms: number;
  min_ms: number;
  min_cpu_ms: number;
  steps: number;
  batch: number;
  num_tensors_stable: boolean;
  /** The wasm heap after the steps, MiB (null on other backends). */
  wasm_heap_mb: number | null;
}

export interface StepBenchResult {
  method: string;
  backend: string;
  phases: Record<string, PhaseBenchResult>;
}

export const MOSI_SHAPE: DataShape = { kind: 'mosi', task: 'regression', T: 50, dims: [300, 5, 20], labelDim: 1 };

/**
 * A random dataset of `n` samples per split with the shape's sizes (labels in [−3, 3]). With
 * maxLength < T each sample is front-padded (zero rows, as the import pads) to a length drawn in
 * [1, maxLength]: methods that skip padding are then timed on what they skip.
 */
export function randomDataset(shape: DataShape, n: number, seed: number, maxLength = shape.T): DatasetData {
  if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > shape.T) throw new Error(`maxLength must be an integer in [1, ${shape.T}], got ${maxLength}`);
  const rng = createRng(seed);
  const split = (): SplitData => {
    const make = (dim: number): Float32Array => Float32Array.from({ length: n * shape.T * dim }, () => rng.normal());
    const features = { l: make(shape.dims[0]), a: make(shape.dims[1]), v: make(shape.dims[2]) };
    if (maxLength < shape.T) {
      for (let i = 0; i < n; i++) {
        const pad = shape.T - 1 - rng.int(maxLength); // T − length, length in [1, maxLength]
        shape.dims.forEach((d, m) => features[(['l', 'a', 'v'] as const)[m]!].fill(0, i * shape.T * d, (i * shape.T + pad) * d));
      }
    }
    return {
      n,
      ids: Array.from({ length: n }, (_, i) => `s${i}`),
      ...features,
      y: Float32Array.from({ length: n * shape.labelDim }, () => (shape.task === 'regression' ? rng.next() * 6 - 3 : rng.int(2))),
    };
  };
  return { name: 'bench', ...shape, train: split(), valid: split(), test: split(), sha256: 'bench' };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** A method built as a run would build it on MOSI, with the data of `randomDataset`. */
export async function benchInstance(method: string, batch: number, seed: number, maxLength?: number): Promise<{ instance: MethodInstance; data: DatasetData }> {
  // What the trainer does once per run: the engine's faster wasm kernels.
  tuneWasmKernels();
  const config = resolveConfig(MOSI_SHAPE.kind, { method });
  const instance = await instantiate(method, { shape: MOSI_SHAPE, config, seed, rng: createRng(seed), trainSize: batch });
  return { instance, data: randomDataset(MOSI_SHAPE, batch, seed, maxLength) };
}

/**
 * The phase's first training batch, ready for its steps (the caller disposes it). `teacherCache`
 * false: the batch names no split (Batch.split), so a distilling student runs its frozen teacher on
 * it in every step instead of gathering the teacher's cached rows (methods/frozen-outputs.ts).
 */
export function firstBatch(phase: Phase, data: DatasetData, teacherCache = true): Batch {
  phase.beginEpoch?.(1, data);
  const it = batches(data, data.train, data.train.n);
  const { split, ...b } = it.next().value as Batch;
  // Detach the tensors from the generator's disposal: the steps reuse them.
  const kept = { ...b, ...(teacherCache ? { split } : {}), l: tf.clone(b.l), a: tf.clone(b.a), v: tf.clone(b.v), y: tf.clone(b.y) };
  it.return(undefined);
  return kept;
}

function heapMb(): number | null {
  const heap = (tf.backend() as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8;
  return tf.getBackend() === 'wasm' && heap ? Math.round(heap.buffer.byteLength / 2 ** 20) : null;
}

/** One training step, its losses read as the trainer reads them (asynchronously; on a GPU the read waits for the step). */
export async function trainStep(phase: Phase, batch: Batch, rng: Rng): Promise<Record<string, number>> {
  return readLosses(phase.trainStep(batch, rng));
}

async function timeSteps(phase: Phase, batch: Batch, options: StepBenchOptions): Promise<PhaseBenchResult> {
  const rng = createRng('bench');
  for (let i = 0; i < options.warmup; i++) await trainStep(phase, batch, rng);
  const before = tf.memory().numTensors;
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let i = 0; i < options.steps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await trainStep(phase, batch, rng);
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuTimes.push((c.user + c.system) / 1000);
  }
  return {
    median_ms_per_step: median(times),
    median_cpu_ms_per_step: median(cpuTimes),
    mean_ms: times.reduce((a, b) => a + b, 0) / times.length,
    min_ms: Math.min(...times),
    min_cpu_ms: Math.min(...cpuTimes),
    steps: options.steps,
    batch: options.batch,
    num_tensors_stable: tf.memory().numTensors === before,
    // The wasm heap only grows, so its size after the steps is the step's high-water mark (its limit is 4 GB).
    wasm_heap_mb: heapMb(),
  };
}

export async function benchPhases(options: StepBenchOptions): Promise<StepBenchResult> {
  useFusedKernels(options.fused ?? true);
  const { instance, data } = await benchInstance(options.method, options.batch, options.seed, options.maxLength);
  const unknown = options.phases?.filter((p) => !instance.phases.some((x) => x.name === p)) ?? [];
  if (unknown.length > 0) throw new Error(`${options.method} has no phase ${unknown.join(', ')}; its phases: ${instance.phases.map((p) => p.name).join(', ')}`);
  const phases: Record<string, PhaseBenchResult> = {};
  for (const phase of instance.phases) {
    if (!options.phases || options.phases.includes(phase.name)) {
      const batch = firstBatch(phase, data);
      phases[phase.name] = await timeSteps(phase, batch, options);
      tf.dispose([batch.l, batch.a, batch.v, batch.y]);
    }
    // Later phases start from a finished one (HRLF's student needs its frozen teacher).
    phase.finish?.();
  }
  instance.dispose();
  return { method: options.method, backend: tf.getBackend(), phases };
}
