/**
 * DMD (Li et al., CVPR 2023, "Decoupled Multimodal Distilling"; mdswyz/DMD), re-implemented without
 * BERT as resources/docs/baselines.md §4 adapts it, with the MulT-family encoder details of §1.8.
 * Schema defaults are the reference's MOSI settings (config/config.json `dmd`), MOSEI's differ
 * (DMD_DEFAULTS) and IEMOCAP reuses MOSEI's (§1.7). [gap-fill] marks our choices where the reference
 * is silent. Card-level: zod and src-shared only.
 */
import { z } from 'zod';
import { DATASET_KINDS, type DatasetKind } from '../../../../src-shared/domain';
import { defineMethod } from '../card';
import { trainingKnobs } from '../knobs';

const rate = (what: string, mosi: number): z.ZodDefault<z.ZodNumber> => z.number().min(0).lt(1).default(mosi).describe(what);
const kernel = (m: string, mosi: number): z.ZodDefault<z.ZodNumber> =>
  z.number().int().min(1).max(49).default(mosi).describe(`temporal Conv1d kernel of the ${m} projection (conv1d_kernel_size_${m[0]}; padding 0, so T' = T − k + 1)`);
const weight = (what: string, value: number): z.ZodDefault<z.ZodNumber> => z.number().min(0).max(1000).default(value).describe(what);

export const dmdConfigSchema = z
  .strictObject({
    lr: trainingKnobs.lr.default(1e-4).describe('Adam learning rate (learning_rate); the configured weight_decay never reaches Adam in the reference, so there is none'),
    batchSize: trainingKnobs.batchSize.default(16),
    epochs: trainingKnobs.epochs
      .default(100)
      .describe('most epochs [gap-fill]: the reference trains until early stop with no cap; model selection: best validation loss'),
    earlyStop: z.number().int().min(1).max(1000).default(10).describe('stop after this many epochs without a better validation loss (early_stop)'),
    updateEpochs: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(10)
      .describe("gradient accumulation (update_epochs): one Adam step per this many batches, gradients summed; an epoch's incomplete remainder is dropped, as in the reference"),
    gradientClip: z
      .number()
      .min(0)
      .default(0.6)
      .describe('after every batch, clip each element of the summed gradients to ±this (clip_grad_value_ on the accumulated .grad, grad_clip); 0 = off'),
    lrFactor: z.number().gt(0).lt(1).default(0.5).describe('ReduceLROnPlateau factor on the validation loss'),
    lrPatience: z.number().int().min(0).max(1000).default(5).describe('ReduceLROnPlateau patience in epochs (patience)'),
    d: z.number().int().min(2).max(1024).default(50).describe('width of every modality after the temporal projection (dst_feature_dim_nheads[0])'),
    heads: z.number().int().min(1).max(64).default(10).describe('attention heads of every transformer (dst_feature_dim_nheads[1])'),
    layers: z.number().int().min(1).max(16).default(4).describe('layers of the self-attention and crossmodal transformers (nlevels)'),
    memLayers: z.number().int().min(1).max(16).default(3).describe('the memory transformers get max(layers, this) layers (get_network(…, layers=3))'),
    kernelL: kernel('language', 5),
    kernelA: kernel('audio', 5),
    kernelV: kernel('vision', 5),
    textDropout: rate('dropout on the text features before their projection (text_dropout)', 0.5),
    attnDropout: rate("attention dropout of the networks whose target is text ('l', 'al', 'vl') and of the memory transformers (attn_dropout)", 0.3),
    attnDropoutA: rate("attention dropout of the networks of width d_a ('a', 'la', 'va'; attn_dropout_a, MulT's naming)", 0.2),
    attnDropoutV: rate("attention dropout of the networks of width d_v ('v', 'lv', 'av'; attn_dropout_v)", 0),
    embedDropout: rate('dropout on the embedded transformer inputs (embed_dropout)', 0.2),
    reluDropout: rate('dropout after the FFN ReLU (relu_dropout)', 0),
    resDropout: rate('dropout on each residual branch (res_dropout)', 0),
    outputDropout: rate('dropout inside every residual output MLP (output_dropout)', 0.5),
    causal: z.boolean().default(true).describe('causal (future) attention mask in every transformer (attn_mask)'),
    gdSizeHomo: z.number().int().min(1).max(1024).default(64).describe('hidden size g of the homogeneous graph-distillation unit (gd_size_low)'),
    gdSizeHetero: z.number().int().min(1).max(1024).default(32).describe('hidden size g of the heterogeneous graph-distillation unit (gd_size_high)'),
    gdAlpha: z.number().positive().max(100).default(1 / 8).describe('edge scores are multiplied by this before the softmax (alpha)'),
    gdReg: weight('weight of the edge-prior regulariser L_reg (gd_reg)', 10),
    gdLogitWeight: weight('weight of the logit distillation distance (w_losses[0])', 1),
    gdReprWeight: weight('weight of the (hetero) representation distillation term (w_losses[1])', 10),
    lambdaGraph: weight('weight of each graph-distillation loss in the total (0.05)', 0.05),
    lambdaDecouple: weight('weight of L_s_sr + L_recon + lambdaMargin·(L_sim + L_ort) in the total (0.1)', 0.1),
    lambdaMargin: weight('weight of L_sim + L_ort inside the decoupling term (0.1)', 0.1),
    ortAxis: z
      .enum(['feature', 'batch'])
      .default('feature')
      .describe(
        "L_ort's cosine on the [T', B, d] features [gap-fill]: over the 'feature' axis per (sample, time step) (baselines.md §4), or over the 'batch' axis per (time step, feature), what PyTorch 1.x's CosineEmbeddingLoss computed for 3-D input",
      ),
    regressionLoss: z
      .enum(['l1', 'mse'])
      .default('l1')
      .describe("regression task loss of all eight terms: DMD's L1, or 'mse' (uniform MSE as HRLF's task loss, §1.3) [gap-fill]; validation stays on the output's L1"),
  })
  .superRefine((c, ctx) => {
    if (c.d % c.heads !== 0) ctx.addIssue({ code: 'custom', path: ['heads'], message: `d (${c.d}) must be divisible by heads (${c.heads})` });
  });

export type DmdConfig = z.output<typeof dmdConfigSchema>;

/** config/config.json `dmd.datasetParams.mosei`, where it differs from MOSI's (the schema defaults). */
const MOSEI: Partial<z.input<typeof dmdConfigSchema>> = {
  d: 30,
  heads: 6,
  kernelA: 1,
  kernelV: 3,
  textDropout: 0.3,
  attnDropout: 0.4,
  attnDropoutA: 0,
  embedDropout: 0,
};

/** Per kind: MOSI = the schema; IEMOCAP = MOSEI's settings (§1.7). */
export const DMD_DEFAULTS: Partial<Record<DatasetKind, Partial<z.input<typeof dmdConfigSchema>>>> = { mosi: {}, mosei: MOSEI, iemocap: MOSEI };

export const dmd = defineMethod({
  id: 'dmd',
  title: 'DMD',
  description:
    'Decoupled multimodal distilling (CVPR 2023): shared/specific Conv1d decoupling, a homogeneous branch (self-attention on the shared part) and a heterogeneous branch (MulT crossmodal transformers on the specific parts), each with a graph-distillation unit; without BERT, trained on complete data.',
  family: 'complete-modality',
  config: dmdConfigSchema,
  kinds: DATASET_KINDS,
  defaults: DMD_DEFAULTS,
  phases: (c) => [{ name: 'model', epochs: c.epochs }],
  // §1.4: a complete-modality method trains on complete data.
  training: () => 'complete',
  representation: "the fused 9d vector (sigmoid-gated hetero and homo features through the residual MLP) fed to the output layer",
  load: () => import('./model').then((m) => m.createDmd),
});
