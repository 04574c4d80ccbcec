/**
 * Where an HRLF run's time goes, epoch by epoch, measured from outside the trainer through its
 * hooks: training steps, validation, the per-epoch checkpoint, the per-epoch collapse check
 * (final phase), the final evaluation, and a second run that reuses the cached teacher.
 * Loaded by epoch-costs.mjs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findSyntheticSpec, generateSynthetic } from '../../src-main/engine/data/synthetic';
import { instantiate, resolveConfig } from '../../src-main/engine/methods/registry';
import { createRng } from '../../src-main/engine/random';
import { evaluate } from '../../src-main/engine/train/evaluate';
import { trainMethod } from '../../src-main/engine/train/trainer';
import { shapeOf, type DatasetData } from '../../src-main/engine/types';

export interface EpochCost {
  phase: string;
  epoch: number;
  steps: number;
  trainSeconds: number;
  validSeconds: number;
  /** Checkpoint write after the epoch (the record's time minus training and validation). */
  checkpointSeconds: number;
  /** Time between the epoch's record and the next phase's or epoch's first step, less one step: the collapse check (final phase) and phase switch. */
  afterEpochSeconds: number;
}

export interface RunCost {
  method: string;
  teacherReused: boolean;
  epochs: EpochCost[];
  evalSeconds: number;
  totalSeconds: number;
}

/** Runs on the active tfjs backend (the caller sets it). */
export async function runCosts(options: { methods: string[]; epochs: number; seed: number }): Promise<{ backend: string; runs: RunCost[] }> {
  const backend = tf.getBackend();
  const spec = findSyntheticSpec('synth-mosi')!;
  const data: DatasetData = { ...generateSynthetic(spec), sha256: 'bench-synth-mosi' };
  const shape = shapeOf(data);
  const home = mkdtempSync(join(tmpdir(), 'hrlf-epoch-costs-'));
  const runs: RunCost[] = [];
  try {
    for (const [i, method] of options.methods.entries()) {
      const config = resolveConfig(shape.kind, { method, epochs: options.epochs });
      const instance = await instantiate(method, { shape, config, seed: options.seed, rng: createRng(`${options.seed}|init|${method}`) });
      const t0 = performance.now();
      const epochs: EpochCost[] = [];
      let epochStart = t0;
      let lastStep = t0;
      let stepCount = 0;
      let stepTimes: number[] = [];
      let pendingAfter: { record: EpochCost; at: number } | null = null;
      let reused = false;
      const settleAfter = (now: number, firstStepMs: number): void => {
        if (!pendingAfter) return;
        const median = [...stepTimes].sort((a, b) => a - b)[stepTimes.length >> 1] ?? 0;
        pendingAfter.record.afterEpochSeconds = Math.max(0, (now - pendingAfter.at - Math.min(firstStepMs, median)) / 1000);
        pendingAfter = null;
      };
      const outcome = await trainMethod(
        instance,
        data,
        { seed: options.seed, cacheDir: join(home, 'teachers'), cacheScope: `${data.sha256}|${backend}`, checkpointDir: join(home, `run${i}`) },
        {
          onStep: (p) => {
            const now = performance.now();
            if (p.step === 1) {
              const after = pendingAfter ? pendingAfter.record : null;
              settleAfter(now, now - lastStep);
              // The epoch began once the previous epoch's after-work (collapse check) was done.
              epochStart = lastStep + (after ? after.afterEpochSeconds * 1000 : 0);
              stepCount = 0;
              stepTimes = [];
            }
            stepTimes.push(now - lastStep);
            lastStep = now;
            stepCount++;
          },
          onEpoch: (record) => {
            const now = performance.now();
            const trainSeconds = (lastStep - epochStart) / 1000;
            const validSeconds = Math.max(0, record.seconds - trainSeconds);
            const cost: EpochCost = {
              phase: record.phase,
              epoch: record.epoch,
              steps: stepCount,
              trainSeconds,
              validSeconds,
              checkpointSeconds: Math.max(0, (now - lastStep) / 1000 - validSeconds),
              afterEpochSeconds: 0,
            };
            epochs.push(cost);
            pendingAfter = { record: cost, at: now };
            lastStep = now;
          },
          onPhaseReused: () => {
            reused = true;
            lastStep = performance.now();
          },
        },
      );
      const tTrained = performance.now();
      settleAfter(tTrained, 0);
      if (outcome.kind !== 'completed') throw new Error(`${method}: ${outcome.kind}`);
      evaluate(instance, data, 1);
      const tDone = performance.now();
      instance.dispose();
      runs.push({ method, teacherReused: reused, epochs, evalSeconds: (tDone - tTrained) / 1000, totalSeconds: (tDone - t0) / 1000 });
      if (tf.memory().numTensors > 10_000) throw new Error('tensors leak between runs');
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  return { backend, runs };
}
