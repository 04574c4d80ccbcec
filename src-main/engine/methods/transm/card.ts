/**
 * TransM (TransModality, Wang, Wan and Wan, WWW 2020; arXiv 2009.02902) as the workbench runs it.
 * No public code exists: resources/docs/baselines.md §6 gives what the paper confirms and the build
 * plan; every knob below marked [gap-fill] is that plan's choice (or ours, where the plan is silent),
 * stored with every run. Card-level: zod, src-shared and other card modules only.
 *
 * Paper-stated (its abstract): fusion by end-to-end Transformer translation between modalities;
 * the encoder features learned while translating carry information from both the source and the
 * target modality. From a published summary of the paper (its method section could not be read
 * here): forward and backward translation, and parallel text–acoustic and text–visual fusion
 * cells. Everything at code level is a gap-fill.
 */
import { z } from 'zod';
import type { DatasetKind } from '../../../../src-shared/domain';
import { DATASET_KINDS } from '../../../../src-shared/domain';
import { defineMethod } from '../card';
import { msmKnobs, optionalEpochCount, SPEC_TRAINING, trainingKnobs } from '../knobs';

/** 'la,al,lv,vl' → [['l','a'], ['a','l'], ...]: source then target of each translator. */
export function parsePairs(spec: string): [string, string][] {
  return spec.split(',').map((p) => [p[0]!, p[1]!]);
}

export const transmConfigFields = {
  d: z.number().int().min(2).max(512).default(40).describe('model width d of every encoder and decoder (40, as HRLF) [gap-fill]'),
  layers: z.number().int().min(1).max(12).default(2).describe('pre-LN Transformer encoder layers per translator (2, as HRLF) [gap-fill]'),
  decoderLayers: z.number().int().min(1).max(12).default(2).describe('pre-LN Transformer decoder layers per translator [gap-fill]'),
  heads: z.number().int().min(1).max(64).default(10).describe('attention heads, as HRLF per dataset: MOSI 10, MOSEI 8, IEMOCAP 10 [gap-fill]'),
  ffnMultiplier: z.number().int().min(1).max(16).default(4).describe('FFN width as a multiple of d [gap-fill]'),
  dropout: z.number().min(0).lt(1).default(0.1).describe('dropout in encoders and decoders: attention weights, residual branches, FFN [gap-fill]'),
  scaleEmbedding: z
    .boolean()
    .default(true)
    .describe('multiply the source conv embedding and the target embedding by √d before adding positions (as HRLF) [gap-fill]'),
  pairs: z
    .string()
    .regex(/^[lav]{2}(,[lav]{2})*$/, "comma-separated source-target pairs of l, a, v, e.g. 'la,al,lv,vl'")
    .default('la,al,lv,vl')
    .describe("translators, source then target ('la' = L→A): text-centred, both directions [gap-fill]"),
  pooling: z
    .enum(['last', 'mean'])
    .default('last')
    .describe("what each translator's encoder gives the fusion: its output at the last time step, or the mean over the source's non-zero frames [gap-fill]"),
  fusionHidden: z.number().int().min(1).max(4096).default(40).describe('width of the fusion MLP (pooled encoder outputs concatenated → ReLU layer → head) [gap-fill]'),
  lambdaTrans: z.number().min(0).max(1000).default(1).describe('weight λ of the summed translation losses [gap-fill]'),
  translationDistance: z
    .enum(['l1', 'mse'])
    .default('l1')
    .describe("translation loss per translator: mean absolute ('l1') or squared ('mse') error over the target's non-zero frames [gap-fill]"),
  translationTarget: z
    .enum(['clean', 'corrupted'])
    .default('clean')
    .describe("the sequence each decoder reconstructs (and reads shifted right): the clean target modality, or its MSM-corrupted copy [gap-fill]"),
  regressionLoss: z
    .enum(['mse', 'l1'])
    .default('mse')
    .describe("MOSI/MOSEI task loss: 'mse' (HRLF's; the paper's own is not known) or 'l1' [gap-fill]"),
  lr: trainingKnobs.lr.default(SPEC_TRAINING.mosi.lr).describe("Adam learning rate (HRLF's per dataset, spec §4: the paper's are not known) [gap-fill]"),
  // A MOSI step at 128 peaks at 2.9 GB of tfjs-wasm's 4 GB heap (bench:engine's wasm_heap_mb).
  batchSize: trainingKnobs.batchSize.default(SPEC_TRAINING.mosi.batchSize).describe("samples per step: HRLF's per dataset (spec §4) [gap-fill]"),
  epochs: trainingKnobs.epochs.default(SPEC_TRAINING.mosi.epochs).describe("training epochs (HRLF's per dataset, spec §4); model selection: best validation loss [gap-fill]"),
  patience: optionalEpochCount().describe('stop after this many epochs without a better validation loss; null = train every epoch (as HRLF) [gap-fill]'),
  // The shared MSM generator (hrlf-spec §4.2), baselines.md §1.4: TransM has no missing simulation of its own.
  ...msmKnobs,
};

export const transmConfig = z.strictObject(transmConfigFields).superRefine((c, ctx) => {
  if (c.d % c.heads !== 0) ctx.addIssue({ code: 'custom', path: ['heads'], message: `d (${c.d}) must be divisible by heads (${c.heads})` });
  const pairs = c.pairs.split(',');
  if (pairs.some((p) => p[0] === p[1])) ctx.addIssue({ code: 'custom', path: ['pairs'], message: `a translator needs two different modalities (got '${c.pairs}')` });
  if (new Set(pairs).size !== pairs.length) ctx.addIssue({ code: 'custom', path: ['pairs'], message: `each pair at most once (got '${c.pairs}')` });
});

export type TransmConfig = z.output<typeof transmConfig>;

/** HRLF's per-dataset settings (spec §4) as the gap-fill: heads, lr, batch size, epochs. */
const TRANSM_DEFAULTS: Record<DatasetKind, Partial<z.input<typeof transmConfig>>> = {
  mosi: { heads: 10, ...SPEC_TRAINING.mosi },
  mosei: { heads: 8, ...SPEC_TRAINING.mosei },
  iemocap: { heads: 10, ...SPEC_TRAINING.iemocap },
};

export const transm = defineMethod({
  id: 'transm',
  title: 'TransM',
  description:
    'TransModality (WWW 2020), transcribed from the paper (no public code): Transformer translators L→A, A→L, L→V, V→L; their encoder outputs are fused for the prediction, trained with the task loss plus λ·L1 translation losses under the shared MSM.',
  family: 'joint-learning',
  config: transmConfig,
  kinds: DATASET_KINDS,
  defaults: TRANSM_DEFAULTS,
  phases: (c) => [{ name: 'model', epochs: c.epochs }],
  training: () => 'msm',
  representation: "fusion MLP output over the translators' pooled encoder states",
  load: () => import('./method').then((m) => m.createTransm),
});
