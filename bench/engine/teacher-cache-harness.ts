/**
 * A/B of the frozen teacher's per-sample cache (src-main/engine/methods/frozen-outputs.ts) in one
 * process: a distilling method's student phase (MOSI sizes, its MOSI defaults, the teacher frozen
 * at init) alternates steps on one batch with the cache (the batch names its split) and without
 * (the teacher runs on the batch), training and validation steps, and reports each step's process
 * CPU time. Interleaving in one process keeps the two sides under the same load. Loaded by
 * teacher-cache.mjs.
 */
import type { Batch, StepLosses } from '../../src-main/engine/methods/method';
import { createRng } from '../../src-main/engine/random';
import { disposeBatch } from '../../src-main/engine/train/batches';
import { readLosses } from '../../src-main/engine/train/losses';
import { benchInstance, firstBatch, median } from './step-harness';

export interface CacheAbOptions {
  method: string;
  batch: number;
  warmup: number;
  /** Timed steps per side and kind. */
  steps: number;
  seed: number;
}

export interface CacheAbSide {
  cached_cpu_ms: number;
  uncached_cpu_ms: number;
  /** cached / uncached, of the medians. */
  ratio: number;
}

export interface CacheAbResult {
  method: string;
  batch: number;
  steps: number;
  train: CacheAbSide;
  validate: CacheAbSide;
}

async function cpuMs(run: () => StepLosses | Promise<StepLosses>): Promise<number> {
  const c0 = process.cpuUsage();
  await readLosses(run());
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

function side(cached: number[], uncached: number[]): CacheAbSide {
  const [a, b] = [median(cached), median(uncached)];
  return { cached_cpu_ms: a, uncached_cpu_ms: b, ratio: a / b };
}

export async function abTeacherCache(options: CacheAbOptions): Promise<CacheAbResult> {
  const { instance, data } = await benchInstance(options.method, options.batch, options.seed);
  const student = instance.phases.find((p) => p.name === 'student');
  if (!student) throw new Error(`${options.method} has no student phase: its phases are ${instance.phases.map((p) => p.name).join(', ')}`);
  for (const p of instance.phases) if (p !== student) p.finish?.();
  const batches: [Batch, Batch] = [firstBatch(student, data, true), firstBatch(student, data, false)];
  const rng = createRng('ab');
  const times = { train: [[], []] as number[][], validate: [[], []] as number[][] };
  const train = (b: Batch) => () => student.trainStep(b, rng);
  // Warm-up fills the cache (its one-off cost is not a step's).
  for (let i = 0; i < options.warmup; i++) for (const b of batches) await readLosses(train(b)());
  for (let i = 0; i < options.steps; i++) {
    // Alternate which side goes first, so neither always follows the other.
    for (const k of i % 2 ? [0, 1] : [1, 0]) {
      times.train[k]!.push(await cpuMs(train(batches[k]!)));
      times.validate[k]!.push(await cpuMs(() => student.validate(batches[k]!, createRng('valid'))));
    }
  }
  batches.forEach(disposeBatch);
  instance.dispose();
  return {
    method: options.method,
    batch: options.batch,
    steps: options.steps,
    train: side(times.train[0]!, times.train[1]!),
    validate: side(times.validate[0]!, times.validate[1]!),
  };
}
