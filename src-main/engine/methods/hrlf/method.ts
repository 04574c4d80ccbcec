/**
 * HRLF's model code, loaded on demand by its cards (./card.ts): the teacher and student networks,
 * the critics, and the two phases.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '../../random';
import { disposeModule, EVAL } from '../../nn';
import type { Inputs, MethodContext, MethodInstance } from '../method';
import { teacherCacheKey } from './cache-key';
import type { HrlfConfig } from './config';
import { Discriminator, StatisticsNetwork } from './critics';
import { HrlfNetwork } from './network';
import { scaleWidths } from './scales';
import { StudentPhase } from './student-phase';
import { TeacherPhase } from './teacher-phase';

/** Structural switches of the Table 3 ablations. */
export interface HrlfVariant {
  factorised: boolean;
  hmi: boolean;
  hal: boolean;
}

/** Builds teacher, student, critics and the two phases for one run. */
export function createHrlf(ctx: MethodContext<HrlfConfig>, variant: HrlfVariant): MethodInstance {
  const { shape, config } = ctx;
  // Separate init streams, teacher first: the teacher's weights depend only on ctx.rng's seed,
  // not on which student variant follows, which is what makes the teacher cache valid.
  const teacherRng = createRng(ctx.rng.seed());
  const studentRng = createRng(ctx.rng.seed());
  const netOptions = {
    shape,
    d: config.d,
    layers: config.layers,
    heads: config.heads,
    dropout: config.dropout,
    ffnMultiplier: config.ffnMultiplier,
    scaleEmbedding: config.scaleEmbedding,
    factorised: variant.factorised,
  };
  const teacher = new HrlfNetwork(netOptions, teacherRng);
  const student = new HrlfNetwork(netOptions, studentRng);
  const widths = scaleWidths(config.d);
  const critics = variant.hmi && config.lambdaHmi > 0 ? widths.map((k) => new StatisticsNetwork(k, studentRng)) : [];
  const discriminators = variant.hal && config.lambdaHal > 0 ? widths.map((k) => new Discriminator(k, studentRng)) : [];

  const teacherPhase = new TeacherPhase(teacher, config, shape.task, teacherCacheKey(shape, config, ctx.seed, variant.factorised));
  const studentPhase = new StudentPhase({ teacher, student, critics, discriminators }, config, shape.task);

  return {
    phases: [teacherPhase, studentPhase],
    predict: (inputs: Inputs) => tf.tidy(() => student.forward(inputs, EVAL).logits),
    predictTeacher: (inputs: Inputs) => tf.tidy(() => teacher.forward(inputs, EVAL).logits),
    represent: (inputs: Inputs) => tf.tidy(() => student.forward(inputs, EVAL).ht),
    dispose: () => {
      teacherPhase.dispose();
      studentPhase.dispose();
      teacher.dispose();
      student.dispose();
      critics.forEach(disposeModule);
      discriminators.forEach(disposeModule);
    },
  };
}
