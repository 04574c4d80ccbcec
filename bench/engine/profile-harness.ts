/**
 * Where does a training step's time go? Runs one step of a method's phase (default: HRLF's
 * student) under tf.profile and aggregates kernel time by kernel name (and the heaviest
 * name+shape pairs). Loaded by profile-step.mjs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '../../src-main/engine/random';
import { benchInstance, firstBatch, trainStep } from './step-harness';

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

export async function profileStep(method: string, phaseName: string, batchSize: number, warmup: number): Promise<StepProfile> {
  const { instance, data } = await benchInstance(method, batchSize, 1);
  const at = instance.phases.findIndex((p) => p.name === phaseName);
  if (at < 0) throw new Error(`${method} has no phase ${phaseName}; its phases: ${instance.phases.map((p) => p.name).join(', ')}`);
  instance.phases.slice(0, at).forEach((p) => p.finish?.());
  const student = instance.phases[at]!;
  const batch = firstBatch(student, data);
  const rng = createRng(2);
  for (let i = 0; i < warmup; i++) await trainStep(student, batch, rng);
  const t0 = performance.now();
  const info = await tf.profile(() => trainStep(student, batch, rng).then(() => undefined));
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
