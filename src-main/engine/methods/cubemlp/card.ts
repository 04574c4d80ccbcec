/**
 * CubeMLP (Sun et al., ACM MM 2022; kiva12138/CubeMLP), re-implemented without BERT as
 * resources/docs/baselines.md §3 adapts it. Knob defaults are the reference's MOSI command (its
 * README) over the defaults of its Parameters.py; [gap-fill] marks our choices where the reference
 * is silent. Card-level: zod and src-shared only.
 */
import { z } from 'zod';
import { DATASET_KINDS } from '../../../../src-shared/domain';
import { defineMethod } from '../card';
import { trainingKnobs } from '../knobs';

/** `L-K-D` triples separated by `=` (the reference's --d_hiddens / --d_outs notation). */
const LKD_PATTERN = /^[1-9]\d*-[1-9]\d*-[1-9]\d*(=[1-9]\d*-[1-9]\d*-[1-9]\d*)*$/;

/** Sizes of each block of an `L-K-D=…` string (the pattern has checked the form). */
export function lkdBlocks(spec: string): number[][] {
  return spec.split('=').map((part) => part.split('-').map(Number));
}

/** One 0/1 flag per block, `-`-separated (the reference's --res_project). */
export function resProjectFlags(spec: string): boolean[] {
  return spec.split('-').map((s) => s === '1');
}

const fields = {
  lr: trainingKnobs.lr.default(4e-3).describe('Adam learning rate (README command: 4e-3; weight decay 0)'),
  batchSize: trainingKnobs.batchSize.default(128),
  epochs: trainingKnobs.epochs.default(70).describe('epochs (Parameters.py epochs_num 70); the best validation epoch is kept, no early stop'),
  lrStepEvery: z.number().int().min(1).default(60).describe('StepLR: multiply the learning rate by lrStepRate every this many epochs (lr_decrease_iter 60)'),
  lrStepRate: z.number().gt(0).max(1).default(0.1).describe('StepLR factor (lr_decrease_rate 0.1)'),
  gradientClip: z.number().min(0).default(1).describe('clip every gradient element to ±this before the Adam step (clip_grad_value_); 0 = off'),
  loss: z
    .enum(['mae', 'mse'])
    .default('mae')
    .describe("regression loss: 'mae' (the reference's L1) or 'mse' (baselines.md §1.3's uniform-MSE switch) [gap-fill]; model selection stays on validation MAE"),
  dCommon: z.number().int().min(1).max(1024).default(128).describe('width of every modality before mixing (d_common)'),
  encoder: z
    .enum(['gru', 'lstm', 'conv'])
    .default('gru')
    .describe("audio/vision encoder (--encoders): 'gru' 2-layer biGRU, 'lstm' 1-layer biLSTM (directions summed), 'conv' Conv1d k=3; then LayerNorm and ReLU"),
  timeLen: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(50)
    .describe('sequence length L the mixing blocks see (time_len): shorter inputs are zero-padded at the end, longer keep their last steps [gap-fill: 50]'),
  dHiddens: z.string().regex(LKD_PATTERN, "L-K-D triples joined by '=', e.g. 50-3-128=10-3-32").default('50-3-128=10-3-32').describe('hidden sizes of each MLPsBlock along L, K, D (--d_hiddens)'),
  dOuts: z.string().regex(LKD_PATTERN, "L-K-D triples joined by '=', e.g. 50-3-128=10-3-32").default('50-3-128=10-3-32').describe('output sizes of each MLPsBlock along L, K, D (--d_outs)'),
  resProject: z.string().regex(/^[01](-[01])*$/, "one 0/1 per block joined by '-', e.g. 1-1").default('1-1').describe('per block: residual through a bias-free Linear (1) or identity (0) (--res_project)'),
  bias: z.boolean().default(true).describe('biases in the MLPsBlock MLPs (--bias)'),
  lnFirst: z.boolean().default(true).describe('LayerNorm before each axis MLP instead of after the residual (--ln_first)'),
  activation: z.enum(['gelu', 'relu']).default('gelu').describe('activation inside each axis MLP (--activate; exact GELU)'),
  dropoutMlp: z.number().min(0).lt(1).default(0.1).describe('dropout after each axis MLP, all three axes (--dropout_mlp 0.1-0.1-0.1)'),
  dropout: z.number().min(0).lt(1).default(0.1).describe('dropout on the text, audio and vision features and in a two-layer classifier (--dropout 0.1-0.1-0.1-0.1)'),
  composeT: z.enum(['mean', 'cat']).default('mean').describe('compose the mixed features over L: mean or concatenation (--features_compose_t)'),
  composeK: z.enum(['mean', 'cat']).default('cat').describe('then over the modality axis K (--features_compose_k)'),
  validSteps: z
    .enum(['any', 'text'])
    .default('any')
    .describe(
      "the steps the recurrent encoders read (the reference packs them with BERT's token count): from the first non-zero row of 'any' modality, or of the 'text' features only [gap-fill]",
    ),
};

export const cubemlpConfigSchema = z.strictObject(fields).superRefine((c, ctx) => {
  const hiddens = lkdBlocks(c.dHiddens);
  const outs = lkdBlocks(c.dOuts);
  const res = resProjectFlags(c.resProject);
  if (outs.length !== hiddens.length) {
    ctx.addIssue({ code: 'custom', path: ['dOuts'], message: `${outs.length} blocks, but dHiddens has ${hiddens.length}` });
    return;
  }
  if (res.length !== outs.length) {
    ctx.addIssue({ code: 'custom', path: ['resProject'], message: `${res.length} flags for ${outs.length} blocks` });
    return;
  }
  let shape = [c.timeLen, 3, c.dCommon];
  outs.forEach((out, i) => {
    if (!res[i] && out.some((s, a) => s !== shape[a])) {
      ctx.addIssue({
        code: 'custom',
        path: ['resProject'],
        message: `block ${i + 1} maps ${shape.join('-')} to ${out.join('-')}: a size change needs a projected residual (1)`,
      });
    }
    shape = out;
  });
});

export type CubeMlpConfig = z.output<typeof cubemlpConfigSchema>;

export const cubemlp = defineMethod({
  id: 'cubemlp',
  title: 'CubeMLP',
  description:
    'MLP mixing along time, modality and feature axes over W_t·text and GRU-encoded audio/vision (ACM MM 2022), without BERT; trained on complete data.',
  family: 'complete-modality',
  config: cubemlpConfigSchema,
  // No reference config for MOSEI or IEMOCAP: both reuse the MOSI command (§1.7); the schema's defaults are it.
  kinds: DATASET_KINDS,
  phases: (c) => [{ name: 'model', epochs: c.epochs }],
  // §1.4: a complete-modality method trains on complete data.
  training: () => 'complete',
  representation: 'composed mixing features (mean over L, concatenated over modalities) fed to the head',
  load: () => import('./method').then((m) => m.createCubeMlp),
});
