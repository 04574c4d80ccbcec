/**
 * CorrKD (Correlation-Decoupled Knowledge Distillation, Li, Yang et al., CVPR 2024; arXiv 2404.16456)
 * as the workbench runs it: "CorrKD (our re-implementation)". No public code exists and only the
 * abstract could be read: resources/docs/baselines.md §9 gives what it confirms and the build plan.
 * Card-level: zod, src-shared and other card modules only.
 *
 * Paper-stated (abstract): a teacher–student framework for uncertain missing modalities with three
 * distillation losses: (i) sample-level contrastive distillation (cross-sample correlations),
 * (ii) category-guided prototype distillation (category prototypes align the feature
 * distributions), (iii) response-disentangled consistency distillation (disentangled responses,
 * mutual information between teacher and student responses). Everything at code level — backbone,
 * formulas, weights, temperatures, schedule — is a [gap-fill] knob below (§9's build plan, or ours
 * where the plan is silent), stored with every run.
 */
import { z } from 'zod';
import type { DatasetKind } from '../../../../src-shared/domain';
import { DATASET_KINDS } from '../../../../src-shared/domain';
import { defineMethod } from '../card';
import { msmKnobs, optionalEpochCount, SPEC_TRAINING, trainingKnobs } from '../knobs';

const temperature = (what: string, value: number) =>
  z.number().positive().max(100).default(value).describe(`${what} [gap-fill]`);
const weight = (what: string) => z.number().min(0).max(1000).default(1).describe(`weight of ${what} (§9: all weights 1) [gap-fill]`);

export const corrkdConfigFields = {
  // Backbone: HRLF's encoder stack (hrlf-spec §2), per §9's plan, with HRLF's settings.
  d: z.number().int().min(2).max(512).default(40).describe("encoder width d (HRLF's 40) [gap-fill]"),
  layers: z.number().int().min(1).max(12).default(2).describe("Transformer encoder layers per modality (HRLF's) [gap-fill]"),
  heads: z.number().int().min(1).max(64).default(10).describe('attention heads, as HRLF per dataset: MOSI 10, MOSEI 8, IEMOCAP 10 [gap-fill]'),
  ffnMultiplier: z.number().int().min(1).max(16).default(4).describe('FFN width as a multiple of d [gap-fill]'),
  dropout: z.number().min(0).lt(1).default(0.1).describe('dropout inside the encoders: attention weights, residual branches, FFN [gap-fill]'),
  scaleEmbedding: z.boolean().default(true).describe('multiply the conv embedding by √d before the positional encoding (as HRLF) [gap-fill]'),
  fusionHidden: z
    .number()
    .int()
    .min(1)
    .max(4096)
    .default(120)
    .describe('width of the fusion MLP [Z_l; Z_a; Z_v] (3d) → ReLU layer → head; its output is the joint feature the distillation losses read [gap-fill]'),
  // (i) Sample-level contrastive distillation.
  lambdaScd: weight('L_SCD'),
  scdTerms: z
    .enum(['kl+infonce', 'kl', 'infonce'])
    .default('kl+infonce')
    .describe("L_SCD: row-wise KL between the teacher's and the student's softmax(cosine matrix / τ), plus InfoNCE (student i must pick teacher i) [gap-fill]"),
  tauScd: temperature('temperature τ of L_SCD (§9: 0.1)', 0.1),
  // (ii) Category-guided prototype distillation.
  lambdaCpd: weight('L_CPD'),
  cpdClasses: z
    .enum(['acc7', 'polarity'])
    .default('acc7')
    .describe("MOSI/MOSEI categories of L_CPD: 'acc7' = round-half-even(clip(y, −3, 3)), 'polarity' = sign(y) (negative/neutral/positive); IEMOCAP: one per emotion [gap-fill]"),
  tauCpd: temperature("temperature τ of L_CPD's similarities to the prototypes (§9 gives none: L_SCD's 0.1)", 0.1),
  // (iii) Response-disentangled consistency distillation.
  lambdaRcd: weight('L_RCD'),
  rcdRegression: z
    .enum(['bins', 'mse'])
    .default('bins')
    .describe(
      "MOSI/MOSEI response of L_RCD: 'bins' = soft Acc-7 binning of the output, softmax(−(ŷ − c)²/w) over c ∈ {−3…3}, distilled like a classifier; 'mse' = (ŷ_s − ŷ_t)² consistency (§9's fallback) [gap-fill]",
    ),
  rcdBinWidth: z.number().positive().max(100).default(1).describe("w of the 'bins' response [gap-fill]"),
  tauRcd: temperature('temperature T of the decoupled KD terms (scaled by T², as decoupled KD does)', 1),
  rcdTarget: weight('the target-class KD part (decoupled KD α)'),
  rcdNonTarget: weight('the non-target KD part (decoupled KD β; 0 for binary IEMOCAP heads, which have one non-target class)'),
  rcdJsd: weight('the Jensen–Shannon mutual-information term between teacher and student responses'),
  regressionLoss: z.enum(['mse', 'l1']).default('mse').describe("MOSI/MOSEI task loss: 'mse' (HRLF's; the paper's own is not known) or 'l1' [gap-fill]"),
  lr: trainingKnobs.lr.default(SPEC_TRAINING.mosi.lr).describe("Adam learning rate of both phases (HRLF's per dataset, spec §4) [gap-fill]"),
  batchSize: trainingKnobs.batchSize.default(SPEC_TRAINING.mosi.batchSize).describe("samples per step (HRLF's per dataset, spec §4) [gap-fill]"),
  epochs: trainingKnobs.epochs
    .default(SPEC_TRAINING.mosi.epochs)
    .describe("epochs of each phase, teacher and student (HRLF's per dataset, spec §4); model selection: best validation loss [gap-fill]"),
  patience: optionalEpochCount().describe('stop a phase after this many epochs without a better validation loss; null = every epoch (as HRLF) [gap-fill]'),
  // The student's missing simulation: the shared MSM (§9's plan: "as for HRLF"; the paper's
  // "Modality Random Missing" is known only from a summary and is MSM's subset draw).
  ...msmKnobs,
};

export const corrkdConfig = z.strictObject(corrkdConfigFields).superRefine((c, ctx) => {
  if (c.d % c.heads !== 0) ctx.addIssue({ code: 'custom', path: ['heads'], message: `d (${c.d}) must be divisible by heads (${c.heads})` });
});

export type CorrkdConfig = z.output<typeof corrkdConfig>;

/** HRLF's per-dataset settings (spec §4) as the gap-fill: heads, lr, batch size, epochs. */
const CORRKD_DEFAULTS: Record<DatasetKind, Partial<z.input<typeof corrkdConfig>>> = {
  mosi: { heads: 10, ...SPEC_TRAINING.mosi },
  mosei: { heads: 8, ...SPEC_TRAINING.mosei },
  iemocap: { heads: 10, ...SPEC_TRAINING.iemocap },
};

export const corrkd = defineMethod({
  id: 'corrkd',
  title: 'CorrKD',
  description:
    'Correlation-decoupled knowledge distillation (CVPR 2024), our re-implementation from the abstract (no public code): a teacher on complete data, then a student under the shared MSM with sample-level contrastive, category-prototype and response-decoupled distillation.',
  family: 'joint-learning',
  config: corrkdConfig,
  kinds: DATASET_KINDS,
  defaults: CORRKD_DEFAULTS,
  // §9's plan: a teacher on complete data, frozen, then the student; `epochs` each.
  phases: (c) => [
    { name: 'teacher', epochs: c.epochs },
    { name: 'student', epochs: c.epochs },
  ],
  training: () => 'msm',
  representation: "student's fused joint feature (fusion MLP output)",
  asyncReads: true,
  // Its teacher is its own network (not HRLF's): cached and reused under HRLF's rules, in its own group.
  teacher: { phase: 'teacher', group: 'corrkd' },
  load: () => import('./method').then((m) => m.createCorrkd),
});
