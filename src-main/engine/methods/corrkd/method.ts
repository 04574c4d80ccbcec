/**
 * CorrKD's model code, loaded on demand by ./card.ts: teacher and student networks and the two
 * phases of §9's plan (resources/docs/baselines.md), as HRLF runs its own:
 * - teacher: L_task on complete data, best validation loss kept, then frozen; cached and reused
 *   across runs by the trainer under the same key rule as HRLF's teacher (../teacher-cache.ts);
 * - student: each batch MSM-corrupted (the shared generator, hrlf-spec §4.2), the frozen teacher
 *   on the clean batch (eval mode; computed once per sample, ../frozen-outputs.ts), one Adam step
 *   on the student objective (./objective.ts).
 *   Validation: the same objective on MSM-corrupted validation data from the trainer's fixed-seed
 *   stream (HRLF's selection rule, spec §4.3).
 * No step reads a tensor: the terms go back unread (the card declares asyncReads).
 */
import * as tf from '@tensorflow/tfjs-core';
import { msmOptionsOf } from '../../data/msm';
import { corrupt } from '../../data/msm-batch';
import { Adam, EVAL, trainCtx, type ForwardCtx } from '../../nn';
import { createRng, type Rng } from '../../random';
import type { DataShape } from '../../types';
import { FrozenOutputs } from '../frozen-outputs';
import type { Batch, MethodContext, MethodInstance, Phase, StepLosses } from '../method';
import { phaseCacheKey } from '../teacher-cache';
import type { CorrkdConfig } from './card';
import { CorrkdNetwork } from './network';
import { studentTerms, teacherTerms, type Terms } from './objective';

/** Bump when the teacher's computation changes, so stale cached teachers are not reused. */
const TEACHER_VERSION = 'corrkd-teacher/1';

/** Exactly what the teacher phase reads (data shape, seed, its network and training knobs). */
export function corrkdTeacherCacheKey(shape: DataShape, config: CorrkdConfig, seed: number): string {
  const { d, layers, heads, dropout, ffnMultiplier, scaleEmbedding, fusionHidden, lr, batchSize, epochs, patience } = config;
  return phaseCacheKey('corrkd-teacher', {
    version: TEACHER_VERSION,
    shape,
    seed,
    net: { d, layers, heads, dropout, ffnMultiplier, scaleEmbedding, fusionHidden },
    training: { lr, batchSize, epochs, patience },
    regressionLoss: shape.task === 'regression' ? config.regressionLoss : null,
  });
}

/** Keeps the terms past the step's tidy, unread (the trainer reads them in one asynchronous read). */
function kept(terms: Terms): StepLosses {
  return Object.fromEntries(Object.entries(terms).map(([n, v]) => [n, tf.keep(v)]));
}

/** One Adam step on `objective`'s total; the terms, kept. Call inside tf.tidy. */
function optimise(adam: Adam, objective: () => Terms): StepLosses {
  const holder: { terms?: StepLosses } = {};
  adam.minimize(() => {
    const terms = objective();
    holder.terms = kept(terms);
    return terms.total!;
  });
  if (!holder.terms) throw new Error('CorrKD step produced no loss');
  return holder.terms;
}

export function createCorrkd(ctx: MethodContext<CorrkdConfig>): MethodInstance {
  const { shape, config } = ctx;
  const task = shape.task;
  // Separate init streams, teacher first: the teacher's weights depend only on the seed, which is
  // what makes the teacher cache valid (as HRLF).
  const teacher = new CorrkdNetwork(shape, config, createRng(ctx.rng.seed()));
  const student = new CorrkdNetwork(shape, config, createRng(ctx.rng.seed()));
  const teacherAdam = new Adam(teacher.variables(), { lr: config.lr });
  const studentAdam = new Adam(student.variables(), { lr: config.lr });
  const msm = msmOptionsOf(config);
  const patience = config.patience !== null ? { patience: config.patience } : {};

  const teacherPhase: Phase = {
    name: 'teacher',
    epochs: config.epochs,
    batchSize: config.batchSize,
    ...patience,
    cacheKey: corrkdTeacherCacheKey(shape, config, ctx.seed),
    trainStep: (batch, rng) => tf.tidy(() => optimise(teacherAdam, () => teacherTerms(teacher.forward(batch, trainCtx(rng)), batch.y, task, config))),
    validate: (batch) => tf.tidy(() => kept(teacherTerms(teacher.forward(batch, EVAL), batch.y, task, config))),
    variables: () => teacher.variables(),
    optimizerVariables: () => teacherAdam.variables(),
    // Frozen from here on: the student phase runs it forward only, in eval mode.
    finish: () => {
      for (const v of teacher.variables()) v.trainable = false;
    },
  };

  /**
   * What a student step needs before the student runs, drawn from `rng` first: the MSM-corrupted
   * copy of the batch, and the frozen teacher's outputs on the clean batch (outside the gradient).
   */
  const teacherRows = new FrozenOutputs((x) => teacher.forward(x, EVAL));
  const prepare = (batch: Batch, rng: Rng) => ({ corrupted: corrupt(batch, rng, msm), teacherOut: teacherRows.of(batch) });

  const studentObjective = (batch: Batch, prepared: ReturnType<typeof prepare>, forwardCtx: ForwardCtx): Terms => {
    const studentOut = student.forward(prepared.corrupted.inputs, forwardCtx, prepared.corrupted.rows);
    return studentTerms(prepared.teacherOut, studentOut, batch.y, task, config);
  };

  const studentPhase: Phase = {
    name: 'student',
    epochs: config.epochs,
    batchSize: config.batchSize,
    ...patience,
    trainStep: (batch, rng) =>
      tf.tidy(() => {
        const prepared = prepare(batch, rng);
        const forwardCtx = trainCtx(rng); // dropout seeds after the masks
        return optimise(studentAdam, () => studentObjective(batch, prepared, forwardCtx));
      }),
    validate: (batch, rng) => tf.tidy(() => kept(studentObjective(batch, prepare(batch, rng), EVAL))),
    variables: () => student.variables(),
    optimizerVariables: () => studentAdam.variables(),
  };

  return {
    phases: [teacherPhase, studentPhase],
    predict: (x) => tf.tidy(() => student.forward(x, EVAL).logits),
    predictTeacher: (x) => tf.tidy(() => teacher.forward(x, EVAL).logits),
    represent: (x) => tf.tidy(() => student.forward(x, EVAL).feature),
    dispose() {
      teacherRows.dispose();
      teacherAdam.dispose();
      studentAdam.dispose();
      teacher.dispose();
      student.dispose();
    },
  };
}
