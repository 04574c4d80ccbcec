/**
 * What a method's code gives the engine (its card's `load()` resolves to a factory of these): the
 * phases the trainer runs, and the forward passes the evaluator and the embedding view use.
 * The trainer owns the loop (shuffling, batching, epochs, best-validation snapshot, early stop,
 * progress, checkpoints, teacher cache); a phase owns its model, losses and optimiser.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { DataShape, DatasetData, SplitData } from '../types';
import type { Rng } from '../random';

/** Model inputs for one batch: [B, T, d_m] per modality, missing parts already zeroed. */
export interface Inputs {
  l: tf.Tensor3D;
  a: tf.Tensor3D;
  v: tf.Tensor3D;
}

/** A training or validation batch: clean (complete) inputs plus labels [B, labelDim]. */
export interface Batch extends Inputs {
  y: tf.Tensor2D;
  /** Row of each sample in its split [B], e.g. for per-sample stores (Self-MM's label store). */
  index: Int32Array;
  /**
   * The split whose rows `index` names, set only when the batch holds exactly those rows, unmasked
   * (the trainer's batches): per-sample caches of clean inputs (./frozen-outputs.ts) key on it, and
   * a batch without it (masked, hand-made) is computed afresh.
   */
  split?: SplitData;
}

/**
 * A step's named losses, `total` the optimised sum. Tensors (scalars, returned from the step's
 * tf.tidy so they outlive it) are what a step should return: the trainer reads them all after the
 * step in ONE asynchronous read, so the step works on every backend, including GPU ones (webgpu),
 * which cannot read synchronously in Node. Host numbers are accepted for values computed on the
 * host. Never read a tensor synchronously (dataSync, arraySync) in a step: the method contract test
 * fails on it. A step that needs a device value midway returns a Promise and awaits `t.data()`.
 */
export type StepLosses = Record<string, tf.Scalar | number>;

/**
 * One optimisation stage with its own model selection: HRLF has a teacher phase and a student
 * phase, a plain method has one. Names and epochs must match the card's `phases(config)`.
 *
 * State that must survive a resume (weights, optimiser moments, per-sample stores, schedules) lives
 * in tf.Variables returned by `variables()` or `optimizerVariables()`: the checkpoint saves exactly
 * these, and the method contract test fails on any variable the method created outside them.
 */
export interface Phase {
  readonly name: string;
  readonly epochs: number;
  readonly batchSize: number;
  /** Stop after this many epochs without a better validation loss (MMSA's early stop); absent: never. */
  readonly patience?: number;
  /**
   * Called before each epoch (1-based; after a resume, before the first epoch trained again), with
   * the dataset: learning-rate schedules, per-epoch label updates, a prior fitted on the training
   * split at epoch 1 (keep what it computes in variables so a resume restores it). Read `data.train`
   * (and `data.valid` for selection) only: the test split is the evaluation's. May be async (the
   * trainer awaits it): read device values with `await t.data()`, never synchronously.
   */
  beginEpoch?(epoch: number, data: DatasetData): void | Promise<void>;
  /**
   * One optimisation step on a clean batch. The phase applies its own corruption (e.g. MSM) using
   * `rng`. Must dispose every intermediate tensor (tf.tidy) and return its named losses unread
   * (StepLosses; the trainer reads and frees them).
   */
  trainStep(batch: Batch, rng: Rng): StepLosses | Promise<StepLosses>;
  /**
   * Validation losses for model selection on one batch (mean over the batch, named like trainStep's;
   * `total` is what selection minimises), unread like trainStep's. `rng` is seeded identically
   * every epoch so corrupted validation data is fixed.
   */
  validate(batch: Batch, rng: Rng): StepLosses | Promise<StepLosses>;
  /** Every variable whose value defines this phase's model (for the best-epoch snapshot and checkpoints). */
  variables(): tf.Variable[];
  /**
   * Optimiser and other training state (Adam moments, step counters, stores), saved in resumable
   * checkpoints so a resumed run continues bit-identically.
   */
  optimizerVariables(): tf.Variable[];
  /** Key that identifies this phase's result for reuse (teacher cache); undefined: never reused. */
  readonly cacheKey?: string;
  /** Called after the phase's best weights are restored; e.g. the teacher freezes. */
  finish?(): void;
}

export interface MethodInstance {
  readonly phases: Phase[];
  /** Predictions of the final model: [B, outputWidth] (task-loss.ts: 1 for regression, 2 logits per emotion). */
  predict(inputs: Inputs): tf.Tensor2D;
  /**
   * For methods that distil from a teacher (HRLF): the frozen teacher's outputs, evaluated on the
   * complete test condition beside the student.
   */
  predictTeacher?(inputs: Inputs): tf.Tensor2D;
  /** The vector the method feeds its head, for the embedding view (its card names it); [B, k]. */
  represent(inputs: Inputs): tf.Tensor2D;
  /** Frees every variable and tensor the method created. */
  dispose(): void;
}

export interface MethodContext<C> {
  shape: DataShape;
  config: C;
  seed: number;
  /** Seeded stream for weight initialisation. */
  rng: Rng;
  /**
   * Rows of the training split, for state sized per training sample (Self-MM's ULGM stores): a
   * resume restores the checkpointed variables before the first `beginEpoch`, so they must exist,
   * at their size, from construction. Every caller that trains passes it.
   */
  trainSize?: number;
}
