import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '../../random';
import { scaleWidths } from './scales';
import type { Inputs, MethodContext, MethodDefinition, MethodInstance } from '../method';
import { teacherCacheKey } from './cache-key';
import { ablationSchema, hrlfConfigSchema, hrlfDefaults, type HrlfConfig } from './config';
import { Discriminator, StatisticsNetwork } from './critics';
import { HrlfNetwork } from './network';
import { StudentPhase } from './student-phase';
import { TeacherPhase } from './teacher-phase';
import { disposeModule, EVAL, tuneWasmKernels } from '../../nn';

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
    predict: (inputs: Inputs) => {
      tuneWasmKernels();
      return tf.tidy(() => student.forward(inputs, EVAL).logits);
    },
    predictTeacher: (inputs: Inputs) => {
      tuneWasmKernels();
      return tf.tidy(() => teacher.forward(inputs, EVAL).logits);
    },
    represent: (inputs: Inputs) => {
      tuneWasmKernels();
      return tf.tidy(() => student.forward(inputs, EVAL).ht);
    },
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

function definition(
  id: string,
  title: string,
  description: string,
  variant: HrlfVariant,
  configSchema: MethodDefinition<HrlfConfig>['configSchema'],
): MethodDefinition<HrlfConfig> {
  return { id, title, description, configSchema, defaults: hrlfDefaults, create: (ctx) => createHrlf(ctx, variant) };
}

export const hrlfMethod = definition(
  'hrlf',
  'HRLF',
  'Hierarchical Representation Learning Framework (NeurIPS 2024): teacher–student distillation with FRF, HMI and HAL.',
  { factorised: true, hmi: true, hal: true },
  hrlfConfigSchema,
);

export const hrlfWithoutFrf = definition(
  'hrlf-wo-frf',
  'HRLF w/o FRF',
  'Ablation (Table 3): no L_FRF and no factorisation; E^S/E^M replaced by one MLP d→d→d per modality.',
  { factorised: false, hmi: true, hal: true },
  ablationSchema('lambdaFrf'),
);

export const hrlfWithoutHmi = definition(
  'hrlf-wo-hmi',
  'HRLF w/o HMI',
  'Ablation (Table 3): no L_HMI and no statistics networks.',
  { factorised: true, hmi: false, hal: true },
  ablationSchema('lambdaHmi'),
);

export const hrlfWithoutHal = definition(
  'hrlf-wo-hal',
  'HRLF w/o HAL',
  'Ablation (Table 3): no L_HAL and no discriminators.',
  { factorised: true, hmi: true, hal: false },
  ablationSchema('lambdaHal'),
);
