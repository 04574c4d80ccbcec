/**
 * GCNet (Lian et al., TPAMI 2023, "Graph Completion Network"; zeroQiaoba/GCNet) as
 * resources/docs/baselines.md §8 adapts it to word-aligned MSA data. Defaults: the reference README's
 * command (`--lr 0.001 --hidden 200 --windowp 2 --windowf 2 --base-model LSTM --loss-recon`) over
 * train_gcnet.py's argparse defaults (L2 1e-5, dropout 0.5, batch 32, 100 epochs) on every dataset
 * kind (MOSEI and IEMOCAP reuse it, §1.7). [gap-fill] marks §8's adaptation or our choice.
 *
 * The graph when each sample is one utterance (§8's default, word-as-node): GCNet's nodes are the
 * utterances of a conversation; our samples are single utterances with 50 word-aligned steps, so
 * each valid time step t of a sample is a node with features [a_t; l_t; v_t], and each sample is
 * its own graph (no edges between samples). Temporal graph: node j sends to the nodes within
 * windowPast/windowFuture steps of it (itself included), relation past/self/future. Speaker graph:
 * one speaker per utterance, so its n_speakers² relations collapse to one over the same window
 * edges; §8 drops it, `speakerGraph` keeps it as the reference does for CMU-MOSI.
 * Card-level: zod, src-shared and other card modules only.
 */
import { z } from 'zod';
import { DATASET_KINDS } from '../../../../src-shared/domain';
import { defineMethod } from '../card';
import { msmKnobs, optionalEpochCount, trainingKnobs } from '../knobs';

/** train_gcnet.py asserts mask_rate ≤ 0.7 for three modalities (each node keeps one at least). */
export const GCNET_MAX_MASK_RATE = 0.7;

const window = (side: string, flag: string): z.ZodDefault<z.ZodNumber> =>
  z
    .number()
    .int()
    .min(0)
    .max(50)
    .default(2)
    .describe(`temporal graph: edges to the nodes up to this many steps in the ${side} (--${flag}; README 2, argparse 6)`);

export const gcnetConfigFields = {
  lr: trainingKnobs.lr.default(1e-3).describe('Adam learning rate (README --lr 0.001; argparse 1e-4)'),
  weightDecay: z.number().min(0).max(1).default(1e-5).describe('Adam weight decay, L2 added to the gradient (--l2 1e-5)'),
  batchSize: trainingKnobs.batchSize.default(32).describe('samples per step (--batch-size 32; a GCNet batch is 32 conversations)'),
  epochs: trainingKnobs.epochs.default(100).describe('epochs (README --epoch 100); model selection: best validation loss, see validation'),
  patience: optionalEpochCount().describe('stop after this many epochs without a better validation loss; null = every epoch (GCNet has no early stop)'),
  hidden: z
    .number()
    .int()
    .min(2)
    .max(1024)
    .default(200)
    .describe('D_e (--hidden 200): base biLSTM hidden size per direction; the graph convolutions get hidden/2 (build_model)'),
  baseModel: z
    .enum(['lstm', 'gru'])
    .default('lstm')
    .describe("sequential context encoder over the nodes (--base-model LSTM): 2-layer bidirectional 'lstm' or 'gru'"),
  windowPast: window('past', 'windowp'),
  windowFuture: window('future', 'windowf'),
  dropout: z.number().min(0).lt(1).default(0.5).describe('dropout between the layers of every 2-layer LSTM (--dropout 0.5); GCNet has no other dropout'),
  timeAttention: z
    .boolean()
    .default(false)
    .describe("MatchingAttention 'general2' over the nodes after each graph network's LSTM (--time-attn; off in the README command)"),
  speakerGraph: z
    .boolean()
    .default(false)
    .describe(
      'add the speaker graph network: one relation over the temporal window edges (one speaker per sample), as the reference runs CMU-MOSI; baselines.md §8 drops it [gap-fill]',
    ),
  lossRecon: z.boolean().default(true).describe('add MaskedReconLoss (squared error on the masked node-modality cells) to the task loss (--loss-recon)'),
  maskGenerator: z
    .enum(['gcnet', 'msm'])
    .default('gcnet')
    .describe("training masks: GCNet's random_mask over (node, modality) cells, or the shared MSM generator (hrlf-spec §4.2) [gap-fill]"),
  maskRateMin: z.number().min(0).max(GCNET_MAX_MASK_RATE).default(0).describe('gcnet masks: each batch draws its missing rate uniformly in [maskRateMin, maskRateMax] [gap-fill]'),
  maskRateMax: z
    .number()
    .min(0)
    .max(GCNET_MAX_MASK_RATE)
    .default(GCNET_MAX_MASK_RATE)
    .describe("gcnet masks: upper end of the per-batch missing rate (≤ 0.7, the reference's assertion; both 0.2 = the README's constant-0.2) [gap-fill]"),
  ...msmKnobs,
};

export const gcnetConfig = z.strictObject(gcnetConfigFields).superRefine((c, ctx) => {
  if (c.maskRateMin > c.maskRateMax) {
    ctx.addIssue({ code: 'custom', path: ['maskRateMin'], message: `maskRateMin (${c.maskRateMin}) exceeds maskRateMax (${c.maskRateMax})` });
  }
});

export type GcnetConfig = z.output<typeof gcnetConfig>;

export const gcnet = defineMethod({
  id: 'gcnet',
  title: 'GCNet',
  description:
    "Graph Completion Network (TPAMI 2023): each time step of a sample is a node [a; l; v]; biLSTM, RGCN + GraphConv on the temporal window graph, a second biLSTM, a regression/emotion head on the last node and a reconstruction head; trained on GCNet's own per-batch masks with task + masked reconstruction loss.",
  family: 'generative',
  config: gcnetConfig,
  // The README command on every kind: no per-dataset config exists (§1.7: IEMOCAP reuses MOSEI's).
  kinds: DATASET_KINDS,
  phases: (c) => [{ name: 'model', epochs: c.epochs }],
  // §1.4: a missing-modality method trains with its own missing simulation.
  training: (c) => (c.maskGenerator === 'gcnet' ? 'own' : 'msm'),
  representation: 'fused graph-network output at the last node (D_h = 2·hidden + hidden/2), fed to the head',
  load: () => import('./method').then((m) => m.createGcnet),
});
