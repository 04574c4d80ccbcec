/**
 * SMIL (Ma et al., AAAI 2021, "Multimodal Learning with Severely Missing Modality") as the workbench
 * runs it. Its public code (mengmenm/SMIL) covers avMNIST and MM-IMDb only; resources/docs/baselines.md
 * §7 gives what the release does and the adaptation to three sequence modalities. The mechanism is
 * kept: a complete-modality model is pretrained, a K-means prior of each modality's features is fitted
 * on the training split, a missing modality's feature is reconstructed as a weighted sum of its
 * cluster centres, an inference network adds learned softplus noise, and a Bayesian meta-learning
 * step (inner SGD step on a modality-incomplete batch, outer loss on a complete one) trains both.
 * Every knob marked [gap-fill] is that adaptation's choice (or ours where it is silent), stored with
 * every run; [release] marks the released code's value. Card-level: zod, src-shared, card modules only.
 */
import { z } from 'zod';
import type { DatasetKind } from '../../../../src-shared/domain';
import { DATASET_KINDS } from '../../../../src-shared/domain';
import { defineMethod } from '../card';
import { msmKnobs, optionalEpochCount, SPEC_TRAINING, trainingKnobs } from '../knobs';

export const smilConfigFields = {
  d: z.number().int().min(2).max(512).default(40).describe('width d of each modality encoder and of its feature f_m (40, as HRLF) [gap-fill]'),
  layers: z.number().int().min(1).max(12).default(1).describe('pre-LN Transformer layers per modality encoder (baselines.md §7: 1) [gap-fill]'),
  heads: z.number().int().min(1).max(64).default(10).describe('attention heads, as HRLF per dataset: MOSI 10, MOSEI 8, IEMOCAP 10 [gap-fill]'),
  ffnMultiplier: z.number().int().min(1).max(16).default(4).describe('encoder FFN width as a multiple of d [gap-fill]'),
  dropout: z.number().min(0).lt(1).default(0.1).describe('dropout inside the encoders (attention weights, residual branches, FFN) [gap-fill]'),
  hidden: z.number().int().min(1).max(4096).default(64).describe('width of the fusion layer h = ReLU(W1·x) before the head (release: 480 → 64) [release]'),
  headDropout: z.number().min(0).lt(1).default(0.5).describe('dropout on h before the head (release: nn.Dropout(), p 0.5) [release]'),
  clusters: z.number().int().min(1).max(256).default(10).describe('K of the K-means modality prior, per modality (release: n_clusters 10) [release]'),
  kmeansRestarts: z.number().int().min(1).max(100).default(10).describe('K-means restarts (k-means++ seeds), lowest inertia kept (sklearn n_init 10, as the release ran it) [release]'),
  priorWeights: z
    .enum(['softmax', 'softplus'])
    .default('softmax')
    .describe("weights over a missing modality's K centres: 'softmax' of the inference logits (baselines.md §7), or the release's softplus normalised by its sum [gap-fill]"),
  noiseCombine: z
    .enum(['multiply', 'add'])
    .default('multiply')
    .describe("feature regularisation: x·softplus(g(x)+ε) ('multiply', the paper and MM-IMDb code) or x + softplus(g(x)+ε) ('add', the avMNIST code) [gap-fill]"),
  noiseOnHidden: z
    .boolean()
    .default(false)
    .describe('also regularise the fusion layer h (the release noises both fc1 and fc2; baselines.md §7 only the fused vector) [gap-fill]'),
  alignFused: z.number().min(0).max(1000).default(0.01).describe('α: weight of MSE(fused vector, noised vs clean) in the outer loss (KDLossAlignTwo alpha) [release]'),
  alignHidden: z.number().min(0).max(1000).default(0.01).describe('β: weight of MSE(fusion layer h, noised vs clean) in the outer loss (KDLossAlignTwo beta) [release]'),
  lrInner: z.number().positive().max(1).default(1e-3).describe('learning rate of the inner SGD step on the modality-incomplete batch (release lr_inner) [release]'),
  lrInnerDecayEvery: z.number().int().min(1).max(1e9).default(1000).describe('the inner learning rate × lrDecay every this many meta iterations (release: 1000) [release]'),
  lrStepEvery: z.number().int().min(1).max(1e9).default(5000).describe('StepLR: the Adam learning rate × lrDecay every this many meta iterations (release: 5000) [release]'),
  lrDecay: z.number().positive().max(1).default(0.1).describe('decay factor of both schedules (release: 0.1) [release]'),
  weightDecay: z.number().min(0).max(1).default(1e-4).describe("Adam's L2 weight decay, PyTorch semantics (release: 1e-4) [release]"),
  mcSamples: z
    .number()
    .int()
    .min(0)
    .max(1000)
    .default(30)
    .describe('test-time Monte-Carlo passes averaged (release mc_size 30), noise from a stream seeded by the run seed; 0 = noise off (its mean) [release]'),
  regressionLoss: z.enum(['l1', 'mse']).default('l1').describe("MOSI/MOSEI task loss: 'l1' (baselines.md §7) or 'mse' (uniform with HRLF, §1.3) [gap-fill]"),
  lr: trainingKnobs.lr.default(1e-3).describe('Adam learning rate of both networks (release: 1e-3) [release]'),
  batchSize: trainingKnobs.batchSize.default(128).describe('samples per meta iteration, split in halves: meta-train and meta-validation (release: 128 each) [gap-fill]'),
  epochs: trainingKnobs.epochs
    .default(SPEC_TRAINING.mosi.epochs)
    .describe("epochs of each phase (HRLF's per dataset, spec §4: the release counts 8000 iterations on avMNIST) [gap-fill]"),
  pretrainEpochs: optionalEpochCount().describe('epochs of the complete-modality pretraining phase; null = `epochs` [gap-fill]'),
  patience: optionalEpochCount().describe('stop a phase after this many epochs without a better validation loss; null = train every epoch (the release has no early stop) [gap-fill]'),
  // The meta-train batches' missing modalities come from the shared MSM generator (hrlf-spec §4.2):
  // the release's meta-train set is a modality-incomplete subset, which our data do not have [gap-fill].
  ...msmKnobs,
};

export const smilConfig = z.strictObject(smilConfigFields).superRefine((c, ctx) => {
  if (c.d % c.heads !== 0) ctx.addIssue({ code: 'custom', path: ['heads'], message: `d (${c.d}) must be divisible by heads (${c.heads})` });
});

export type SmilConfig = z.output<typeof smilConfig>;

/** HRLF's per-dataset heads and epochs (spec §4) as the gap-fill; lr and batch as released. */
const SMIL_DEFAULTS: Record<DatasetKind, Partial<z.input<typeof smilConfig>>> = {
  mosi: { heads: 10, epochs: SPEC_TRAINING.mosi.epochs },
  mosei: { heads: 8, epochs: SPEC_TRAINING.mosei.epochs },
  iemocap: { heads: 10, epochs: SPEC_TRAINING.iemocap.epochs },
};

export const smil = defineMethod({
  id: 'smil',
  title: 'SMIL',
  description:
    'SMIL (AAAI 2021), adapted to three modalities: a complete-modality model is pretrained, a K-means prior (K = 10) of each modality is fitted, missing features are reconstructed from the prior, and first-order Bayesian meta-learning trains the model with learned softplus noise; Monte-Carlo inference (30 seeded passes).',
  family: 'generative',
  config: smilConfig,
  kinds: DATASET_KINDS,
  defaults: SMIL_DEFAULTS,
  phases: (c) => [
    { name: 'pretrain', epochs: c.pretrainEpochs ?? c.epochs },
    { name: 'meta', epochs: c.epochs },
  ],
  training: () => 'msm',
  representation: 'fusion layer h = ReLU(W1·[f̃_l; f̃_a; f̃_v]) (noise at its mean)',
  load: () => import('./method').then((m) => m.createSmil),
});
