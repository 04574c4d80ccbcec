/**
 * Self-MM's knobs: MMSA's `self_mm` settings (src/MMSA/config/config_regression.json) under
 * workbench names, plus every [gap-fill] of resources/docs/baselines.md §2 with the document's
 * default. Schema defaults are MOSI's; MOSEI's differ (SELF_MM_DEFAULTS) and IEMOCAP reuses MOSEI's
 * (§1.7). Card-level: zod and src-shared only.
 */
import { z } from 'zod';
import type { DatasetKind } from '../../../../src-shared/domain';
import { trainingKnobs } from '../knobs';

const lr = (group: string, mosi: number): z.ZodDefault<z.ZodNumber> =>
  z.number().positive().max(1).default(mosi).describe(`Adam learning rate of the ${group} (MMSA learning_rate_*)`);
const decay = (group: string, mosi: number): z.ZodDefault<z.ZodNumber> =>
  z.number().min(0).max(1).default(mosi).describe(`Adam weight decay (L2 added to the gradient) of the ${group} (MMSA weight_decay_*)`);
const width = (what: string, mosi: number): z.ZodDefault<z.ZodNumber> => z.number().int().min(1).max(4096).default(mosi).describe(what);
const rate = (what: string, mosi: number): z.ZodDefault<z.ZodNumber> => z.number().min(0).lt(1).default(mosi).describe(what);

export const selfMmConfigSchema = z.strictObject({
  batchSize: trainingKnobs.batchSize.default(16),
  epochs: trainingKnobs.epochs
    .default(100)
    .describe('most epochs [gap-fill]: MMSA trains Self-MM until early stop with no cap; model selection: best validation loss'),
  earlyStop: z.number().int().min(1).max(1000).default(8).describe('stop after this many epochs without a better validation loss (MMSA early_stop)'),
  updateEpochs: z
    .number()
    .int()
    .min(1)
    .max(64)
    .default(4)
    .describe("gradient accumulation (MMSA update_epochs): one optimiser step per this many batches, gradients summed; an epoch's incomplete remainder is dropped, as in MMSA"),
  lrOther: lr('text encoder, heads and fusion ("other" group; BERT\'s group disappears, §1.2)', 1e-3),
  lrAudio: lr('audio sub-network', 5e-3),
  lrVideo: lr('video sub-network', 5e-3),
  weightDecayOther: decay('"other" group', 1e-3),
  weightDecayAudio: decay('audio sub-network', 1e-3),
  weightDecayVideo: decay('video sub-network', 1e-3),
  textEncoder: z
    .enum(['lstm', 'first-row'])
    .default('lstm')
    .describe("text in place of BERT's [CLS] [gap-fill]: 'lstm' LSTM over the valid words → Linear; 'first-row' the first valid text row as a frozen [CLS] (meant for MMSA 768-d BERT features, [unverified])"),
  textHidden: width("text LSTM hidden size [gap-fill] ('lstm' only)", 64),
  textOut: width("text sub-network output, text_out [gap-fill] ('lstm' only; 'first-row' gives d_l)", 64),
  textDropout: rate("dropout on the text LSTM's final state [gap-fill], as a_lstm_dropout for audio", 0),
  audioHidden: width('audio LSTM hidden size (a_lstm_hidden_size)', 16),
  videoHidden: width('video LSTM hidden size (v_lstm_hidden_size)', 32),
  audioOut: width('audio sub-network output (audio_out)', 16),
  videoOut: width('video sub-network output (video_out)', 32),
  audioDropout: rate("dropout on the audio LSTM's final state (a_lstm_dropout)", 0),
  videoDropout: rate("dropout on the video LSTM's final state (v_lstm_dropout)", 0),
  postFusionDim: width('fusion head width (post_fusion_dim); its first layer is the fusion representation', 128),
  postTextDim: width('text head width (post_text_dim)', 32),
  postAudioDim: width('audio head width (post_audio_dim)', 16),
  postVideoDim: width('video head width (post_video_dim)', 32),
  postFusionDropout: rate('dropout before the fusion head (post_fusion_dropout)', 0),
  postTextDropout: rate('dropout before the text head (post_text_dropout)', 0.1),
  postAudioDropout: rate('dropout before the audio head (post_audio_dropout)', 0.1),
  postVideoDropout: rate('dropout before the video head (post_video_dropout)', 0),
  labelClamp: z.number().positive().max(100).default(3).describe('H: ULGM clamps generated unimodal labels to [−H, H]'),
  excludeZero: z.boolean().default(true).describe('ULGM: the positive centre averages labels > 0 (true) or ≥ 0 (false)'),
  ulgm: z
    .boolean()
    .default(true)
    .describe(
      'ULGM unimodal label generation (regression only). false: every unimodal head learns the ground truth with weight 1; IEMOCAP always runs without it ("Self-MM (no ULGM)", [gap-fill])',
    ),
  lengthsFrom: z
    .enum(['any-modality', 'text', 'none'])
    .default('any-modality')
    .describe(
      "valid rows the LSTMs read (packed-sequence semantics) [gap-fill]: from the first row present in any modality, or in the text, onwards; 'none' reads all T rows. MMSA packs with the text lengths; on complete data the three agree but 'none'",
    ),
  regressionLoss: z.enum(['l1', 'mse']).default('l1').describe("regression loss of every head and of validation: Self-MM's L1, or 'mse' (uniform MSE as HRLF's task loss, §1.3) [gap-fill]"),
});

export type SelfMmConfig = z.output<typeof selfMmConfigSchema>;

/** MMSA's MOSEI settings, where they differ from MOSI's (the schema defaults). */
const MOSEI: Partial<z.input<typeof selfMmConfigSchema>> = {
  batchSize: 32,
  lrVideo: 1e-4,
  weightDecayAudio: 0,
  weightDecayVideo: 0,
  weightDecayOther: 1e-2,
  postFusionDropout: 0.1,
  postTextDropout: 0,
  postAudioDropout: 0,
};

/** Per kind: MOSI = the schema; IEMOCAP = MOSEI's settings (§1.7) without ULGM (§2). */
export const SELF_MM_DEFAULTS: Partial<Record<DatasetKind, Partial<z.input<typeof selfMmConfigSchema>>>> = {
  mosi: {},
  mosei: MOSEI,
  iemocap: { ...MOSEI, ulgm: false },
};
