import type * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import type { DataShape } from '../types';
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
}

/**
 * A phase is one optimisation stage with its own model selection: HRLF has a teacher phase and a
 * student phase, a plain method has one. The trainer owns the loop (shuffling, batching, epochs,
 * best-validation snapshot, progress, checkpoints); the phase owns the model and the losses.
 */
export interface Phase {
  readonly name: string;
  readonly epochs: number;
  readonly batchSize: number;
  /**
   * One optimisation step on a clean batch. The phase applies its own corruption (MSM) using `rng`.
   * Must dispose every intermediate tensor (tf.tidy) and return host numbers: the named losses,
   * with `total` the optimised sum.
   */
  trainStep(batch: Batch, rng: Rng): Record<string, number>;
  /**
   * Validation losses for model selection on one batch (mean over the batch, named like trainStep's;
   * `total` is what selection minimises). `rng` is seeded identically every epoch so corrupted
   * validation data is fixed.
   */
  validate(batch: Batch, rng: Rng): Record<string, number>;
  /** Every variable whose value defines this phase's model (for the best-epoch snapshot and checkpoints). */
  variables(): tf.Variable[];
  /**
   * Optimizer state variables (Adam moments etc.), saved in resumable checkpoints so a resumed run
   * continues bit-identically.
   */
  optimizerVariables(): tf.Variable[];
  /** Key that identifies this phase's result for reuse (teacher cache); undefined: never reused. */
  readonly cacheKey?: string;
  /** Called after the phase's best weights are restored; e.g. the teacher freezes. */
  finish?(): void;
}

export interface MethodInstance {
  readonly phases: Phase[];
  /** Predictions of the final model: [B, labelDim] (regression) or [B, labelDim*2] logits (IEMOCAP). */
  predict(inputs: Inputs): tf.Tensor2D;
  /**
   * For methods that distil from a teacher (HRLF): the frozen teacher's outputs, evaluated on the
   * complete test condition beside the student.
   */
  predictTeacher?(inputs: Inputs): tf.Tensor2D;
  /** The fused representation used for the embedding view (HRLF: H̃); [B, k]. */
  represent(inputs: Inputs): tf.Tensor2D;
  dispose(): void;
}

export interface MethodContext<C> {
  shape: DataShape;
  config: C;
  seed: number;
  /** Seeded stream for weight initialisation. */
  rng: Rng;
}

export interface MethodDefinition<C = Record<string, unknown>> {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  /** Validates and fills defaults; every knob is recorded in the run's stored config. */
  readonly configSchema: z.ZodType<C>;
  /** Per-dataset-kind defaults (spec §4: lr, batch, epochs...) merged under the user's overrides. */
  defaults(shape: DataShape): Partial<C>;
  create(ctx: MethodContext<C>): MethodInstance;
}
