/**
 * MCTN (Pham et al., AAAI 2019, "Multimodal Cyclic Translation Network") in the two variants of
 * resources/docs/baselines.md §5: `mctn-faithful` (the encoder reads text only, as the original)
 * and `mctn-joint` (the encoder reads the three projected modalities side by side). One model
 * (./method.ts); the card fixes `source`, so every stored run says which variant produced it.
 * Card-level: zod and src-shared only.
 */
import { z } from 'zod';
import { DATASET_KINDS } from '../../../../src-shared/domain';
import { defineMethod, type MethodCard } from '../card';
import { msmKnobs, trainingKnobs } from '../knobs';

/** Knobs shared by both variants. Defaults: MMSA's `mctn` block (config_regression.json) and the Keras configs/mctn.yaml. */
const fields = {
  hidden: z
    .number()
    .int()
    .min(1)
    .max(1024)
    .default(32)
    .describe('hidden width H of both seq2seq encoders (biLSTM, directions summed), their attention decoders and the modality projections (hidden_dim 32)'),
  regHidden: z.number().int().min(1).max(1024).default(32).describe('LSTM width of the regression head before attention pooling (reg_hidden_dim 32)'),
  targets: z
    .enum(['v,a', 'a,v'])
    .default('v,a')
    .describe("hierarchy: seq2seq 1 translates into the first, seq2seq 2 into the second ('v,a' = MMSA port; 'a,v' = the Keras command line's default t c f)"),
  modalityIo: z
    .enum(['project', 'zero-pad'])
    .default('project')
    .describe("[gap-fill] how modalities enter and leave the seq2seqs: 'project' per-modality Linear into H and Linear(H → d_m) output layers; 'zero-pad' MMSA's zero-padding to the widest modality (its loss then includes the padded dims)"),
  translationTargets: z
    .enum(['clean', 'corrupted'])
    .default('clean')
    .describe("[gap-fill] what the decoders reconstruct under MSM: 'clean' the complete sequences, 'corrupted' the sequences the model was shown"),
  firstFrame: z
    .enum(['predict', 'zero'])
    .default('predict')
    .describe("decoded frame 0: 'predict' it from a zero start frame (Keras original decodes every frame); 'zero' leave it zero as the MMSA port does (a constant in the MSE)"),
  maxSeqLen: z.number().int().min(1).max(10000).default(50).describe('[gap-fill] time steps read: the last maxSeqLen of the front-padded sequence (MMSA max_seq_len 50; the original used 20)'),
  translationWeight: z.number().min(0).default(0.1).describe('weight of MSE(seq2seq 1 output, first target) (translation loss_weight 0.1)'),
  cycleWeight: z.number().min(0).default(0.1).describe('weight of MSE(cyclic back-translation, text) (cycle_loss_weight 0.1)'),
  translation2Weight: z.number().min(0).default(0.1).describe('weight of MSE(seq2seq 2 output, second target) (translation2 loss_weight 0.1)'),
  regressionLoss: z
    .enum(['l1', 'mse'])
    .default('l1')
    .describe("[gap-fill] MOSI/MOSEI task loss: 'l1' MCTN's MAE (weight 1.0), 'mse' HRLF's uniform MSE (baselines.md §1.3); IEMOCAP always uses cross-entropy"),
  l2Regression: z.number().min(0).max(10).default(0).describe("L2 factor on the regression layer's weight: 0 as the MMSA port, 0.01 as the Keras original (l2_factor)"),
  selection: z
    .enum(['total', 'task'])
    .default('total')
    .describe("validation loss for model selection and early stop: 'total' every weighted term (MMSA's Loss), 'task' the task loss alone"),
  lr: trainingKnobs.lr.default(1e-4),
  batchSize: trainingKnobs.batchSize.default(32),
  epochs: trainingKnobs.epochs
    .default(200)
    .describe('epochs at most (MMSA trains until early stop; the Keras original documents 200); model selection: best validation loss'),
  gradClip: z.number().min(0).default(1).describe('clip the global gradient norm to this before each Adam step (torch clip_grad_norm_; 0 = off)'),
  patience: z.number().int().min(1).max(1000).default(8).describe('early stop after this many epochs without a better validation loss (MMSA early_stop 8)'),
  // [gap-fill] MCTN has no missing simulation of its own: the shared MSM generator (baselines.md §1.4).
  ...msmKnobs,
};

const faithfulSchema = z.strictObject({
  ...fields,
  source: z.literal('text').default('text').describe("encoder input: text only (the original design); fixed by mctn-faithful"),
});

const jointSchema = z.strictObject({
  ...fields,
  source: z
    .literal('joint')
    .default('joint')
    .describe('encoder input: the three projected (possibly zeroed) modalities concatenated; fixed by mctn-joint (baselines.md §5 [gap-fill])'),
});

export type MctnConfig = z.output<typeof faithfulSchema> | z.output<typeof jointSchema>;

type Schema = typeof faithfulSchema | typeof jointSchema;

function mctnCard<S extends Schema>(card: Pick<MethodCard<S>, 'id' | 'title' | 'description' | 'config'>): MethodCard<S> {
  return {
    ...card,
    family: 'joint-learning',
    // MMSA's config has MOSI only; MOSEI reuses it and IEMOCAP MOSEI's (§1.7): the schema defaults.
    kinds: DATASET_KINDS,
    phases: (c) => [{ name: 'model', epochs: c.epochs }],
    training: () => 'msm',
    representation: 'attention-pooled regression-LSTM states over seq2seq 2 encoder outputs',
    load: () => import('./method').then((m) => m.createMctn),
  };
}

export const mctnFaithful = defineMethod(
  mctnCard({
    id: 'mctn-faithful',
    title: 'MCTN (faithful)',
    description:
      'Hierarchical cyclic translation text → vision (→ text) → audio with attention LSTM seq2seqs; regression on seq2seq 2 encoder states; reads text only at test time; trained under MSM.',
    config: faithfulSchema,
  }),
);

export const mctnJoint = defineMethod(
  mctnCard({
    id: 'mctn-joint',
    title: 'MCTN (joint input)',
    description:
      'MCTN whose encoder reads all three projected modalities (missing ones zeroed), with the same translation and cycle targets, so audio and vision reach the prediction; trained under MSM.',
    config: jointSchema,
  }),
);
