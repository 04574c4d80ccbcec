import { z } from 'zod';
import type { DatasetKind } from '../../../../src-shared/domain';
import type { DataShape } from '../../types';

/**
 * Every knob of HRLF (spec docs/hrlf-spec.md). Defaults are the spec's, including its [fill]
 * choices; per-dataset values (spec §4) come from `hrlfDefaults(shape)` and are merged under the
 * user's overrides before parsing. Unknown keys are rejected so that a typo is not silently ignored.
 */
export const hrlfConfigFields = {
  /** Embedding size d (40 on all datasets). */
  d: z.number().int().positive().default(40),
  /** Transformer encoder layers per modality [fill]. */
  layers: z.number().int().positive().default(2),
  /** Attention heads (MOSI 10, MOSEI 8, IEMOCAP 10 via defaults(shape)). */
  heads: z.number().int().positive().default(10),
  /** Dropout inside the encoders: attention weights, residual branches, FFN [fill]. */
  dropout: z.number().min(0).lt(1).default(0.1),
  /** FFN width as a multiple of d. */
  ffnMultiplier: z.number().int().positive().default(4),
  /** Multiply the conv embedding by √d before adding the positional encoding (MulT) [fill]. */
  scaleEmbedding: z.boolean().default(true),
  lr: z.number().positive().default(1e-3),
  /** Learning rate of the HAL discriminators' own Adam; null = same as lr. */
  discLr: z.number().positive().nullable().default(null),
  /** Discriminator steps after each student step [fill: 1]. */
  discSteps: z.number().int().min(1).default(1),
  batchSize: z.number().int().positive().default(128),
  /** Epochs of each phase (teacher and student). */
  epochs: z.number().int().positive().default(50),
  lambdaFrf: z.number().min(0).default(1),
  lambdaHmi: z.number().min(0).default(1),
  /** 0.1, not the paper's 1: with 1 the student collapses onto language (spec §3b). */
  lambdaHal: z.number().min(0).default(0.1),
  lambdaKl: z.number().min(0).default(1),
  /** Stop-gradient on the FRF targets (Z_β, Q_α); without it L_FRF collapses Z (spec §3b). */
  stopGradFrfTargets: z.boolean().default(true),
  /** 'l2': per-sample L2 norm averaged over the batch (paper); 'mse': mean squared error. */
  frfDistance: z.enum(['l2', 'mse']).default('l2'),
  /**
   * MSM for the student [fill]: the available-modality sets drawn from (';'-separated, each a
   * ','-separated subset of l, a, v) and the upper bound of the frame-drop ratio p ~ U[0, max).
   * A scenario (e.g. "only audio missing, p up to 0.5") sets these; the teacher never reads them.
   */
  msmSubsets: z
    .string()
    .regex(/^(l|a|v|l,a|l,v|a,v|l,a,v)(;(l|a|v|l,a|l,v|a,v|l,a,v))*$/, "';'-separated subsets of l,a,v in l,a,v order, e.g. 'l,v;l,a,v'")
    .default('l;a;v;l,a;l,v;a,v;l,a,v'),
  msmMaxDrop: z.number().min(0).max(1).default(1),
};

type Fields = typeof hrlfConfigFields;

/** Cross-field checks shared by every variant's schema. */
function checked<S extends z.ZodObject<Fields>>(schema: S): S {
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

/**
 * Schema of an ablation: the dropped term's λ is fixed at 0 so the stored config says what ran.
 * `z.literal(0)` still accepts an explicit 0 and rejects anything else.
 */
export function ablationSchema(fixedZero: 'lambdaFrf' | 'lambdaHmi' | 'lambdaHal'): z.ZodType<HrlfConfig> {
  return checked(z.strictObject({ ...hrlfConfigFields, [fixedZero]: z.literal(0).default(0) }) as unknown as z.ZodObject<Fields>);
}

const PER_KIND: Record<DatasetKind, Pick<HrlfConfig, 'heads' | 'lr' | 'batchSize' | 'epochs'>> = {
  mosi: { heads: 10, lr: 1e-3, batchSize: 128, epochs: 50 },
  mosei: { heads: 8, lr: 2e-3, batchSize: 16, epochs: 20 },
  iemocap: { heads: 10, lr: 4e-3, batchSize: 32, epochs: 30 },
};

/** Spec §4: learning rate, batch size, epochs and heads per dataset. */
export function hrlfDefaults(shape: DataShape): Partial<HrlfConfig> {
  return { ...PER_KIND[shape.kind] };
}

/** Named override sets. `paper-literal`: the paper's objective as written (spec §3b: it does not train). */
export const hrlfPresets: Record<string, Partial<HrlfConfig>> = {
  'paper-literal': { lambdaFrf: 1, lambdaHmi: 1, lambdaHal: 1, lambdaKl: 1, stopGradFrfTargets: false },
};

export function discriminatorLr(config: HrlfConfig): number {
  return config.discLr ?? config.lr;
}
