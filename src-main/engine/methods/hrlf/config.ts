import { z } from 'zod';
import type { DatasetKind } from '../../../../src-shared/domain';
import { msmKnobs, SPEC_TRAINING, trainingKnobs } from '../knobs';

/**
 * Every knob of HRLF (spec docs/hrlf-spec.md). Defaults are the spec's, including its [fill]
 * choices; per-dataset values (spec §4) come from HRLF_DEFAULTS and are merged under the user's
 * overrides before parsing. Unknown keys are rejected so that a typo is not silently ignored.
 * Card-level: zod and src-shared only.
 */
export const hrlfConfigFields = {
  d: z.number().int().positive().default(40).describe('embedding size d (40 on all datasets)'),
  layers: z.number().int().positive().default(2).describe('Transformer encoder layers per modality [fill]'),
  heads: z.number().int().positive().default(10).describe('attention heads (MOSI 10, MOSEI 8, IEMOCAP 10)'),
  dropout: z.number().min(0).lt(1).default(0.1).describe('dropout inside the encoders: attention weights, residual branches, FFN [fill]'),
  ffnMultiplier: z.number().int().positive().default(4).describe('FFN width as a multiple of d'),
  scaleEmbedding: z.boolean().default(true).describe('multiply the conv embedding by √d before the positional encoding (MulT) [fill]'),
  lr: trainingKnobs.lr.default(1e-3),
  discLr: z.number().positive().nullable().default(null).describe("learning rate of the HAL discriminators' own Adam; null = lr"),
  discSteps: z.number().int().min(1).default(1).describe('discriminator steps after each student step [fill]'),
  batchSize: trainingKnobs.batchSize.default(128),
  epochs: trainingKnobs.epochs.default(50).describe('epochs of each phase (teacher and student)'),
  lambdaFrf: z.number().min(0).default(1).describe('weight of L_FRF'),
  lambdaHmi: z.number().min(0).default(1).describe('weight of L_HMI'),
  lambdaHal: z.number().min(0).default(0.1).describe("weight of L_HAL: 0.1, not the paper's 1, which collapses the student onto language (spec §3b)"),
  lambdaKl: z.number().min(0).default(1).describe('weight of the teacher–student KL term'),
  stopGradFrfTargets: z.boolean().default(true).describe('stop-gradient on the FRF targets (Z_β, Q_α); without it L_FRF collapses Z (spec §3b)'),
  frfDistance: z.enum(['l2', 'mse']).default('l2').describe("FRF distance: 'l2' per-sample L2 norm averaged over the batch (paper), 'mse' mean squared error"),
  // MSM for the student [fill]; a scenario sets them; the teacher never reads them.
  ...msmKnobs,
};

type Fields = typeof hrlfConfigFields;

/** Cross-field checks shared by every variant's schema. */
function checked<S extends z.ZodObject<Fields, z.core.$strict>>(schema: S): S {
  return schema.superRefine((c, ctx) => {
    if (c.d % c.heads !== 0) {
      ctx.addIssue({ code: 'custom', path: ['heads'], message: `d (${c.d}) must be divisible by heads (${c.heads})` });
    }
    if (c.d % 2 !== 0) {
      ctx.addIssue({ code: 'custom', path: ['d'], message: `d (${c.d}) must be even: Q and U are d/2 each` });
    }
  });
}

export const hrlfConfigSchema = checked(z.strictObject(hrlfConfigFields));
export type HrlfConfig = z.output<typeof hrlfConfigSchema>;

/** The λ an ablation fixes at 0. */
export type FixedZero = 'lambdaFrf' | 'lambdaHmi' | 'lambdaHal';

/**
 * Schema of an ablation: the dropped term's λ is fixed at 0 so the stored config says what ran.
 * `z.literal(0)` still accepts an explicit 0 and rejects anything else.
 */
export function ablationSchema(fixedZero: FixedZero): typeof hrlfConfigSchema {
  const fixed = z.literal(0).default(0).describe('fixed at 0 by this ablation');
  return checked(z.strictObject({ ...hrlfConfigFields, [fixedZero]: fixed }) as unknown as z.ZodObject<Fields, z.core.$strict>);
}

/** Spec §4: learning rate, batch size, epochs and heads per dataset. */
export const HRLF_DEFAULTS: Record<DatasetKind, Pick<HrlfConfig, 'heads' | 'lr' | 'batchSize' | 'epochs'>> = {
  mosi: { heads: 10, ...SPEC_TRAINING.mosi },
  mosei: { heads: 8, ...SPEC_TRAINING.mosei },
  iemocap: { heads: 10, ...SPEC_TRAINING.iemocap },
};

/**
 * Named override sets. `paper-literal`: the paper's objective as written (spec §3b: it does not
 * train). An ablation keeps its dropped term's λ at 0 under every preset.
 */
export function hrlfPresets(fixedZero?: FixedZero): Record<string, Partial<HrlfConfig>> {
  const paperLiteral: Partial<HrlfConfig> = { lambdaFrf: 1, lambdaHmi: 1, lambdaHal: 1, lambdaKl: 1, stopGradFrfTargets: false };
  if (fixedZero) delete paperLiteral[fixedZero];
  return { 'paper-literal': paperLiteral };
}

export function discriminatorLr(config: HrlfConfig): number {
  return config.discLr ?? config.lr;
}
