/**
 * Where does a student step's time go? Runs one step under tf.profile and aggregates kernel time
 * by kernel name (and the heaviest name+shape pairs). Loaded by profile-step.mjs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { hrlfConfigSchema, hrlfDefaults, hrlfMethod } from '../../src-main/engine/methods/hrlf';
import { createRng } from '../../src-main/engine/random';
import { MOSI_SHAPE } from './step-harness';

export interface ProfileRow {
  key: string;
  ms: number;
  count: number;
}

export interface StepProfile {
  backend: string;
  kernelMs: number;
  kernels: number;
  wallMs: number;
  byKernel: ProfileRow[];
  byShape: ProfileRow[];
}

function aggregate(rows: { key: string; ms: number }[], top: number): ProfileRow[] {
  const map = new Map<string, ProfileRow>();
  for (const r of rows) {
    const e = map.get(r.key) ?? { key: r.key, ms: 0, count: 0 };
    e.ms += r.ms;
    e.count += 1;
    map.set(r.key, e);
  }
  return [...map.values()].sort((a, b) => b.ms - a.ms).slice(0, top);
}

export async function profileStudentStep(batchSize: number, warmup: number): Promise<StepProfile> {
  const config = hrlfConfigSchema.parse(hrlfDefaults(MOSI_SHAPE));
  const instance = hrlfMethod.create({ shape: MOSI_SHAPE, config, seed: 1, rng: createRng(1) });
  const [teacher, student] = instance.phases;
  if (!teacher || !student) throw new Error('HRLF must have two phases');
  teacher.finish?.();
  const rng = createRng(2);
  const make = (dim: number): tf.Tensor3D =>
    tf.tensor3d(Float32Array.from({ length: batchSize * MOSI_SHAPE.T * dim }, () => rng.normal()), [batchSize, MOSI_SHAPE.T, dim]);
  const batch = { l: make(300), a: make(5), v: make(20), y: tf.zeros([batchSize, 1]) as tf.Tensor2D };
  for (let i = 0; i < warmup; i++) student.trainStep(batch, rng);
  const t0 = performance.now();
  const info = await tf.profile(() => {
    student.trainStep(batch, rng);
  });
  const wallMs = performance.now() - t0;
  const kernels = await Promise.all(
    info.kernels.map(async (k) => ({
      name: k.name,
      shapes: JSON.stringify(k.inputShapes),
      ms: typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : ((await k.kernelTimeMs) as { error?: string } & number),
    })),
  );
  const times = kernels.map((k) => ({ ...k, ms: Number(k.ms) || 0 }));
  tf.dispose([batch.l, batch.a, batch.v, batch.y]);
  instance.dispose();
  return {
    backend: tf.getBackend(),
    kernelMs: times.reduce((a, k) => a + k.ms, 0),
    kernels: times.length,
    wallMs,
    byKernel: aggregate(times.map((k) => ({ key: k.name, ms: k.ms })), 25),
    byShape: aggregate(times.map((k) => ({ key: `${k.name} ${k.shapes}`, ms: k.ms })), Number(process.env.PROFILE_TOP ?? 25)),
  };
}
