/**
 * The training loop shared by every method: seeded shuffling, batches, epochs, validation,
 * best-epoch selection, early stop, teacher reuse, cancellation, NaN and collapse detection.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EpochRecord } from '../../../src-shared/models';
import type { MethodInstance, Phase } from '../methods/method';
import { tuneWasmKernels } from '../nn/wasm-kernels';
import { createRng, permutation } from '../random';
import type { DatasetData } from '../types';
import { batches, leadingRows, outputsOf } from './batches';
import { RunCheckpoint, type CheckpointState } from './checkpoint';
import { readLosses } from './losses';
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
  onPhaseReused?(phase: string, cacheFile: string, epochs: number): void;
  /** Polled between steps; true ends the run as cancelled. */
  cancelled?(): boolean;
}

export interface TrainOptions {
  seed: number;
  /** Folder for reusable phase results (teachers), keyed by the phase's cacheKey. */
  cacheDir?: string;
  /**
   * Part of every cache key besides the phase's own: the dataset's content hash and the backend, so
   * a changed dataset or another backend never reuses a teacher trained on something else.
   */
  cacheScope?: string;
  /**
   * Folder for this run's resumable state, written after every epoch: a run started again with the
   * same folder continues after its last completed epoch and ends with the same weights as an
   * uninterrupted run.
   */
  checkpointDir?: string;
  /** What `represent()` returns, as the method's card names it (collapse messages). */
  representation?: string;
}

/** File of a reusable phase result: the phase's key (shape, config, seed) within the run's scope. */
export function phaseCacheFile(dir: string, scope: string, phaseKey: string): string {
  return join(dir, `${createHash('sha256').update(`${scope}|${phaseKey}`).digest('hex').slice(0, 32)}.weights`);
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
/**
 * The collapse check runs after every epoch of the final phase on the first validation samples
 * only: a spread that small shows on 64 samples as on all, and on the full split the check (two
 * forward passes) cost as much as the validation itself, ~6 % of a student epoch.
 */
export const COLLAPSE_SAMPLES = 64;

/** Batch size of forward-only passes over a split (collapse check); no effect on results. */
const OUTPUT_BATCH = 256;

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

async function validate(phase: Phase, data: DatasetData, seed: number): Promise<Record<string, number>> {
  const rng = createRng(`${seed}|${phase.name}|valid`);
  const records: Record<string, number>[] = [];
  const weights: number[] = [];
  for (const batch of batches(data, data.valid, phase.batchSize)) {
    records.push(await readLosses(phase.validate(batch, rng)));
    weights.push(batch.index.length);
  }
  return meanRecords(records, weights);
}

function rootMeanSquare(values: Float32Array): number {
  let s = 0;
  for (const v of values) s += v * v;
  return Math.sqrt(s / Math.max(1, values.length));
}

/** Mean over columns of each column's std across samples: how much a [n, width] output varies. */
function spreadAcrossSamples(values: Float32Array, width: number): number {
  const n = values.length / width;
  let total = 0;
  const column = new Float32Array(n);
  for (let c = 0; c < width; c++) {
    for (let i = 0; i < n; i++) column[i] = values[i * width + c]!;
    total += std(column);
  }
  return total / width;
}

/**
 * Collapse check of issue #3: the validation predictions no longer vary across samples (spread
 * below COLLAPSE_RATIO of the labels' spread), or the representation (below COLLAPSE_RATIO of its
 * own RMS). Returns what collapsed, or null.
 */
async function collapsedOutput(instance: MethodInstance, data: DatasetData, representation: string): Promise<string | null> {
  const valid = leadingRows(data, data.valid, COLLAPSE_SAMPLES);
  const labelSpread = spreadAcrossSamples(valid.y, data.labelDim);
  if (!(labelSpread > 0)) return null;
  const preds = await outputsOf(data, valid, OUTPUT_BATCH, (b) => instance.predict(b));
  if (spreadAcrossSamples(preds.values, preds.width) < COLLAPSE_RATIO * labelSpread) return 'predictions';
  const reps = await outputsOf(data, valid, OUTPUT_BATCH, (b) => instance.represent(b));
  // A representation's units are its own (GCNet's fused states start ~1e-3 in size, PyTorch's init):
  // its spread is judged against its own magnitude. A representation decaying to zero shows in the
  // predictions above.
  if (spreadAcrossSamples(reps.values, reps.width) <= COLLAPSE_RATIO * rootMeanSquare(reps.values)) return representation;
  return null;
}

interface PhasePosition {
  index: number;
  isFinal: boolean;
  checkpoint: RunCheckpoint | null;
  /** Resume point inside this phase, when the run restarts mid-phase. */
  resume: CheckpointState | null;
  /** Epoch records of the whole run so far (kept in the checkpoint). */
  history: EpochRecord[];
}

async function trainPhase(
  phase: Phase,
  at: PhasePosition,
  instance: MethodInstance,
  data: DatasetData,
  opts: TrainOptions,
  hooks: TrainHooks,
): Promise<TrainOutcome> {
  const isFinal = at.isFinal;
  const stateful = (): tf.Variable[] => [...phase.variables(), ...phase.optimizerVariables()];
  const cacheFile = phase.cacheKey && opts.cacheDir ? phaseCacheFile(opts.cacheDir, opts.cacheScope ?? '', phase.cacheKey) : undefined;
  if (cacheFile && existsSync(cacheFile)) {
    const snap = loadSnapshot(cacheFile).snap;
    restore(phase.variables(), snap);
    phase.finish?.();
    at.checkpoint?.savePhaseFinal(phase.name, snap, at.index + 1, at.history);
    hooks.onPhaseReused?.(phase.name, cacheFile, phase.epochs);
    return { kind: 'completed' };
  }
  const n = data.train.n;
  const steps = Math.ceil(n / phase.batchSize);
  let best: { loss: number; snap: Snapshot; epoch: number } | null = null;
  let firstEpoch = 1;
  if (at.checkpoint && at.resume && at.resume.epoch > 0) {
    restore(stateful(), at.checkpoint.loadCurrent(phase.name));
    const bestSnap = at.checkpoint.loadBest(phase.name);
    if (bestSnap && at.resume.bestLoss !== null && at.resume.bestEpoch !== null) {
      best = { loss: at.resume.bestLoss, snap: bestSnap, epoch: at.resume.bestEpoch };
    }
    firstEpoch = at.resume.epoch + 1;
  }
  for (let epoch = firstEpoch; epoch <= phase.epochs; epoch++) {
    if (best && phase.patience !== undefined && epoch - 1 - best.epoch >= phase.patience) break;
    const started = performance.now();
    await phase.beginEpoch?.(epoch, data);
    const rng = createRng(`${opts.seed}|${phase.name}|epoch${epoch}`);
    const order = permutation(n, rng);
    const records: Record<string, number>[] = [];
    const weights: number[] = [];
    let step = 0;
    for (const batch of batches(data, data.train, phase.batchSize, { order })) {
      if (hooks.cancelled?.()) return { kind: 'cancelled' };
      // Read after the step, asynchronously: the same numbers on every backend, and webgpu can train.
      const losses = await readLosses(phase.trainStep(batch, rng));
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
      weights.push(batch.index.length);
      step++;
      hooks.onStep?.({ phase: phase.name, epoch, epochs: phase.epochs, step, steps, losses });
      await yieldToEventLoop();
    }
    const train = meanRecords(records, weights);
    const valid = await validate(phase, data, opts.seed);
    const validTotal = valid.total ?? Number.NaN;
    if (!Number.isFinite(validTotal)) {
      throw new TrainingError(`validation loss became ${validTotal} in ${phase.name} epoch ${epoch}`, phase.name, epoch);
    }
    const improved = !best || validTotal < best.loss;
    if (improved) best = { loss: validTotal, snap: await snapshot(phase.variables()), epoch };
    const record: EpochRecord = { phase: phase.name, epoch, train, valid, seconds: (performance.now() - started) / 1000 };
    at.history.push(record);
    at.checkpoint?.saveEpoch(
      phase.name,
      { phaseIndex: at.index, epoch, bestLoss: best!.loss, bestEpoch: best!.epoch, history: at.history },
      await snapshot(stateful()),
      improved ? best!.snap : null,
    );
    hooks.onEpoch?.(record);
    if (isFinal) {
      const what = await collapsedOutput(instance, data, opts.representation ?? 'representation');
      if (what) {
        return {
          kind: 'collapsed',
          message: `representation collapsed at epoch ${epoch} of ${phase.name}: the ${what} no longer vary across samples (dominating loss: ${dominatingLoss(train)})`,
        };
      }
    }
  }
  if (best) restore(phase.variables(), best.snap);
  phase.finish?.();
  if (at.checkpoint) at.checkpoint.savePhaseFinal(phase.name, await snapshot(phase.variables()), at.index + 1, at.history);
  if (cacheFile && best) {
    mkdirSync(opts.cacheDir!, { recursive: true });
    saveSnapshot(cacheFile, best.snap, { phase: phase.name, validLoss: best.loss });
  }
  return { kind: 'completed' };
}

export async function trainMethod(instance: MethodInstance, data: DatasetData, opts: TrainOptions, hooks: TrainHooks = {}): Promise<TrainOutcome> {
  // Once per run, not per step: the faster wasm kernels (nn/wasm-kernels.ts), idempotent.
  tuneWasmKernels();
  const phases = instance.phases;
  const checkpoint = opts.checkpointDir ? new RunCheckpoint(opts.checkpointDir) : null;
  const state = checkpoint?.readState() ?? null;
  const history = state?.history ?? [];
  // Re-report what the interrupted attempt completed: its supervisor may not have stored it all.
  for (const record of history) hooks.onEpoch?.(record);
  for (let i = 0; i < phases.length; i++) {
    const phase = phases[i]!;
    if (checkpoint && state && i < state.phaseIndex) {
      // Completed before the interruption: its final weights are on disk.
      restore(phase.variables(), checkpoint.loadFinal(phase.name));
      phase.finish?.();
      continue;
    }
    const resume = state && i === state.phaseIndex ? state : null;
    const outcome = await trainPhase(phase, { index: i, isFinal: i === phases.length - 1, checkpoint, resume, history }, instance, data, opts, hooks);
    if (outcome.kind !== 'completed') return outcome;
  }
  return { kind: 'completed' };
}
