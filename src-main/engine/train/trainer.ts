/**
 * The training loop shared by every method: seeded shuffling, batches, epochs, validation,
 * best-epoch selection, teacher reuse, cancellation, NaN and collapse detection.
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EpochRecord } from '../../../src-shared/models';
import type { MethodInstance, Phase } from '../methods/method';
import { createRng, permutation } from '../random';
import type { DatasetData } from '../types';
import { chunks, disposeBatch, gatherRows, toBatch } from './batches';
import { loadSnapshot, restore, saveSnapshot, snapshot, type Snapshot } from './weights';

export interface StepProgress {
  phase: string;
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  losses: Record<string, number>;
}

export interface TrainHooks {
  onStep?(p: StepProgress): void;
  onEpoch?(e: EpochRecord): void;
  onPhaseReused?(phase: string, cacheFile: string): void;
  /** Polled between steps; true ends the run as cancelled. */
  cancelled?(): boolean;
}

export interface TrainOptions {
  seed: number;
  /** Folder for reusable phase results (teachers), keyed by the phase's cacheKey. */
  cacheDir?: string;
}

export type TrainOutcome = { kind: 'completed' } | { kind: 'cancelled' } | { kind: 'collapsed'; message: string };

export class TrainingError extends Error {
  constructor(
    message: string,
    readonly phase: string,
    readonly epoch: number,
  ) {
    super(message);
    this.name = 'TrainingError';
  }
}

/** Spread below this share of the labels' spread counts as a collapsed representation (issue #3). */
export const COLLAPSE_RATIO = 1e-3;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function meanRecords(records: Record<string, number>[], weights: number[]): Record<string, number> {
  const total = weights.reduce((a, b) => a + b, 0);
  const out: Record<string, number> = {};
  records.forEach((r, i) => {
    for (const [k, v] of Object.entries(r)) out[k] = (out[k] ?? 0) + (v * weights[i]!) / total;
  });
  return out;
}

function std(values: ArrayLike<number>): number {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i]! / n;
  let s = 0;
  for (let i = 0; i < n; i++) s += (values[i]! - mean) ** 2;
  return Math.sqrt(s / Math.max(1, n - 1));
}

/** The component (other than total) with the largest share of the training loss. */
function dominatingLoss(losses: Record<string, number>): string {
  const entries = Object.entries(losses).filter(([k]) => k !== 'total');
  entries.sort((x, y) => Math.abs(y[1]) - Math.abs(x[1]));
  return entries[0] ? `${entries[0][0]} = ${entries[0][1].toFixed(4)}` : 'total';
}

function validate(phase: Phase, data: DatasetData, seed: number): Record<string, number> {
  const rng = createRng(`${seed}|${phase.name}|valid`);
  const records: Record<string, number>[] = [];
  const weights: number[] = [];
  for (const [s, e] of chunks(data.valid.n, phase.batchSize)) {
    const idx = Int32Array.from({ length: e - s }, (_, i) => s + i);
    const batch = toBatch(data, gatherRows(data, data.valid, idx));
    try {
      records.push(phase.validate(batch, rng));
      weights.push(e - s);
    } finally {
      disposeBatch(batch);
    }
  }
  return meanRecords(records, weights);
}

/** Std of the final model's validation predictions relative to the labels' std. */
function predictionSpread(instance: MethodInstance, data: DatasetData): number {
  const preds: number[] = [];
  for (const [s, e] of chunks(data.valid.n, 256)) {
    const idx = Int32Array.from({ length: e - s }, (_, i) => s + i);
    const batch = toBatch(data, gatherRows(data, data.valid, idx));
    try {
      const p = tf.tidy(() => instance.predict(batch));
      preds.push(...(p.dataSync() as Float32Array));
      p.dispose();
    } finally {
      disposeBatch(batch);
    }
  }
  const labelStd = std(data.valid.y);
  return labelStd > 0 ? std(preds) / labelStd : Number.POSITIVE_INFINITY;
}

async function trainPhase(
  phase: Phase,
  isFinal: boolean,
  instance: MethodInstance,
  data: DatasetData,
  opts: TrainOptions,
  hooks: TrainHooks,
): Promise<TrainOutcome> {
  const cacheFile = phase.cacheKey && opts.cacheDir ? join(opts.cacheDir, `${phase.cacheKey}.weights`) : undefined;
  if (cacheFile && existsSync(cacheFile)) {
    restore(phase.variables(), loadSnapshot(cacheFile).snap);
    phase.finish?.();
    hooks.onPhaseReused?.(phase.name, cacheFile);
    return { kind: 'completed' };
  }
  const n = data.train.n;
  const steps = Math.ceil(n / phase.batchSize);
  let best: { loss: number; snap: Snapshot; epoch: number } | null = null;
  for (let epoch = 1; epoch <= phase.epochs; epoch++) {
    const started = performance.now();
    const rng = createRng(`${opts.seed}|${phase.name}|epoch${epoch}`);
    const order = permutation(n, rng);
    const records: Record<string, number>[] = [];
    const weights: number[] = [];
    let step = 0;
    for (const [s, e] of chunks(n, phase.batchSize)) {
      if (hooks.cancelled?.()) return { kind: 'cancelled' };
      const batch = toBatch(data, gatherRows(data, data.train, order.subarray(s, e)));
      let losses: Record<string, number>;
      try {
        losses = phase.trainStep(batch, rng);
      } finally {
        disposeBatch(batch);
      }
      for (const [name, value] of Object.entries(losses)) {
        if (!Number.isFinite(value)) {
          throw new TrainingError(
            `loss ${name} became ${value} in ${phase.name} epoch ${epoch} step ${step + 1}` +
              (best ? `; the last good weights (epoch ${best.epoch}) are kept` : ''),
            phase.name,
            epoch,
          );
        }
      }
      records.push(losses);
      weights.push(e - s);
      step++;
      hooks.onStep?.({ phase: phase.name, epoch, epochs: phase.epochs, step, steps, losses });
      await yieldToEventLoop();
    }
    const train = meanRecords(records, weights);
    const valid = validate(phase, data, opts.seed);
    const validTotal = valid.total ?? Number.NaN;
    if (!Number.isFinite(validTotal)) {
      throw new TrainingError(`validation loss became ${validTotal} in ${phase.name} epoch ${epoch}`, phase.name, epoch);
    }
    if (!best || validTotal < best.loss) best = { loss: validTotal, snap: snapshot(phase.variables()), epoch };
    hooks.onEpoch?.({ phase: phase.name, epoch, train, valid, seconds: (performance.now() - started) / 1000 });
    if (isFinal && predictionSpread(instance, data) < COLLAPSE_RATIO) {
      return {
        kind: 'collapsed',
        message: `representation collapsed at epoch ${epoch} of ${phase.name} (dominating loss: ${dominatingLoss(train)})`,
      };
    }
  }
  if (best) restore(phase.variables(), best.snap);
  phase.finish?.();
  if (cacheFile && best) {
    mkdirSync(opts.cacheDir!, { recursive: true });
    saveSnapshot(cacheFile, best.snap, { phase: phase.name, validLoss: best.loss });
  }
  return { kind: 'completed' };
}

export async function trainMethod(instance: MethodInstance, data: DatasetData, opts: TrainOptions, hooks: TrainHooks = {}): Promise<TrainOutcome> {
  const phases = instance.phases;
  for (let i = 0; i < phases.length; i++) {
    const outcome = await trainPhase(phases[i]!, i === phases.length - 1, instance, data, opts, hooks);
    if (outcome.kind !== 'completed') return outcome;
  }
  return { kind: 'completed' };
}
