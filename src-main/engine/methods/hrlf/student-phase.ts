import * as tf from '@tensorflow/tfjs-core';
import type { Task } from '../../../../src-shared/domain';
import { permutation, type Rng } from '../../random';
import { corrupt } from '../../data/msm-batch';
import { msmOptionsOf, type MsmOptions } from '../../data/msm';
import { Adam, EVAL, trainCtx, variablesOf, type ForwardCtx } from '../../nn';
import { FrozenOutputs } from '../frozen-outputs';
import type { Batch, Phase } from '../method';
import { discriminatorLr, type HrlfConfig } from './config';
import type { Discriminator, StatisticsNetwork } from './critics';
import { halDiscriminatorLoss } from './losses/hal';
import { permutationMatrix } from './losses/hmi';
import type { HrlfNetwork } from './network';
import { studentObjective } from './objective';
import { multiScale, scaleRows, type ScaleParts } from './scales';
import { appendTerm, tidyTerms, type PackedTerms } from './terms';

export interface StudentParts {
  teacher: HrlfNetwork;
  student: HrlfNetwork;
  /** HMI statistics networks, one per scale; empty when HMI is off. Trained with the student. */
  critics: StatisticsNetwork[];
  /** HAL discriminators, one per scale; empty when HAL is off. Trained by their own Adam. */
  discriminators: Discriminator[];
}

/** What the student reads of the frozen teacher, per sample: the scales' parts and the logits. */
type TeacherRows = ScaleParts & { logits: tf.Tensor2D };

/**
 * Spec §4.2: the student learns from MSM-corrupted batches under the frozen teacher (which sees
 * the clean batch, forward only, eval mode). Each step: one student update (Adam over the student
 * and the HMI critics), then `discSteps` discriminator updates (their own Adam) on the same
 * representations, detached. The teacher's outputs are computed once per sample of a split and
 * gathered per batch (../frozen-outputs.ts).
 */
export class StudentPhase implements Phase {
  readonly name = 'student';
  readonly epochs: number;
  readonly batchSize: number;
  private readonly msm: MsmOptions;
  private readonly adam: Adam;
  private readonly discAdam: Adam | null;
  private readonly teacherRows: FrozenOutputs<TeacherRows>;

  constructor(
    private readonly parts: StudentParts,
    private readonly config: HrlfConfig,
    private readonly task: Task,
  ) {
    this.epochs = config.epochs;
    this.batchSize = config.batchSize;
    this.msm = msmOptionsOf(config);
    this.adam = new Adam([...parts.student.variables(), ...variablesOf(...parts.critics)], { lr: config.lr });
    this.discAdam =
      parts.discriminators.length > 0 ? new Adam(variablesOf(...parts.discriminators), { lr: discriminatorLr(config) }) : null;
    this.teacherRows = new FrozenOutputs((inputs) => {
      const { h, ht, i1, i2, i3, logits } = parts.teacher.forward(inputs, EVAL);
      return { h, ht, i1, i2, i3, logits };
    });
  }

  /**
   * What a training and a validation step share, drawn from `rng` in a fixed order (MSM masks,
   * then HMI permutations): the corrupted inputs and the frozen teacher's outputs on clean data.
   */
  private prepare(batch: Batch, rng: Rng) {
    const corrupted = corrupt(batch, rng, this.msm);
    const permutations = this.drawPermutations(batch.y.shape[0], rng);
    const teacherOut = this.teacherRows.of(batch);
    return { corrupted, permutations, teacherOut, teacherScales: multiScale(teacherOut) };
  }

  trainStep(batch: Batch, rng: Rng): PackedTerms {
    return tidyTerms(() => this.step(batch, rng));
  }

  /** One student update and the discriminators' steps; the packed loss terms, unread. */
  private step(batch: Batch, rng: Rng): PackedTerms {
    const { discriminators } = this.parts;
    // Host randomness in a fixed order: MSM masks, HMI permutations, then dropout seeds.
    const { corrupted, permutations, teacherOut, teacherScales } = this.prepare(batch, rng);
    const ctx = trainCtx(rng);
    const holder: { terms?: PackedTerms; scales?: tf.Tensor2D[] } = {};
    this.adam.minimize(() => {
      const r = this.objective(corrupted, batch.y, teacherScales, teacherOut.logits, permutations, ctx);
      holder.terms = r.terms.pack();
      // The discriminators train on these representations after the student step.
      holder.scales = r.scales.map((s) => tf.keep(s));
      return r.total;
    });
    if (!holder.terms || !holder.scales) throw new Error('student step produced no loss');
    let packed = holder.terms;
    if (this.discAdam) {
      const studentScales = holder.scales;
      let value: tf.Scalar | null = null;
      for (let k = 0; k < this.config.discSteps; k++) {
        value = this.discAdam.minimize(() => halDiscriminatorLoss(discriminators, teacherScales, studentScales));
      }
      if (value) packed = appendTerm(packed, 'disc', value);
    }
    holder.scales.forEach((s) => s.dispose());
    return packed;
  }

  /**
   * The student's objective on MSM-corrupted validation data (masks and HMI permutations from
   * the trainer's fixed-seed `rng`), eval mode; `disc` reports the discriminators' loss.
   */
  validate(batch: Batch, rng: Rng): PackedTerms {
    const { discriminators } = this.parts;
    return tidyTerms(() => {
      const { corrupted, permutations, teacherOut, teacherScales } = this.prepare(batch, rng);
      const r = this.objective(corrupted, batch.y, teacherScales, teacherOut.logits, permutations, EVAL);
      const packed = r.terms.pack();
      return this.discAdam ? appendTerm(packed, 'disc', halDiscriminatorLoss(discriminators, teacherScales, r.scales)) : packed;
    });
  }

  private objective(
    corrupted: ReturnType<typeof corrupt>,
    y: tf.Tensor2D,
    teacherScales: tf.Tensor2D[],
    teacherLogits: tf.Tensor2D,
    permutations: tf.Tensor2D[],
    ctx: ForwardCtx,
  ): ReturnType<typeof studentObjective> {
    const { student, critics, discriminators } = this.parts;
    return studentObjective({
      student,
      studentOut: student.forward(corrupted.inputs, ctx, corrupted.rows),
      teacherScales,
      teacherLogits,
      y,
      task: this.task,
      config: this.config,
      critics,
      discriminators,
      permutations,
    });
  }

  /** HMI negatives: one batch permutation per scale (none when HMI is off). */
  private drawPermutations(batch: number, rng: Rng): tf.Tensor2D[] {
    if (this.parts.critics.length === 0 || this.config.lambdaHmi === 0) return [];
    return scaleRows(batch).map((n) => permutationMatrix(permutation(n, rng)));
  }

  variables(): tf.Variable[] {
    return [...this.parts.student.variables(), ...variablesOf(...this.parts.critics), ...variablesOf(...this.parts.discriminators)];
  }

  optimizerVariables(): tf.Variable[] {
    return [...this.adam.variables(), ...(this.discAdam?.variables() ?? [])];
  }

  dispose(): void {
    this.adam.dispose();
    this.discAdam?.dispose();
    this.teacherRows.dispose();
  }
}
