/**
 * Self-MM's network, read beside MMSA's src/MMSA/models/multiTask/SELF_MM.py ("model L<n>") and
 * its PyTorch transcription bench/engine/torch/self-mm.py. BERT is replaced as
 * resources/docs/baselines.md §1.2 and §2 say. Parameter names are the reference's state_dict
 * names (weights transposed, as everywhere in engine/nn).
 */
import * as tf from '@tensorflow/tfjs-core';
import { dropout, Linear, Lstm, scoped, type ForwardCtx, type Module, type NamedVariable } from '../../nn';
import type { Rng } from '../../random';
import type { DataShape } from '../../types';
import type { Inputs } from '../method';
import { outputWidth } from '../task-loss';
import type { SelfMmConfig } from './config';

/** The four heads and the representation each exposes to ULGM (MMSA's fusion/text/audio/vision). */
export const HEADS = ['fusion', 'text', 'audio', 'vision'] as const;
export type HeadName = (typeof HEADS)[number];

export interface SelfMmOutputs {
  /** Each head's output [B, w] (w = 1, or 8 logits on IEMOCAP): MMSA's M, T, A, V. */
  outputs: Record<HeadName, tf.Tensor2D>;
  /** Each head's first layer after ReLU [B, post_*_dim]: MMSA's Feature_f/t/a/v, what ULGM stores. */
  features: Record<HeadName, tf.Tensor2D>;
}

/**
 * Valid rows [B, T] (1 valid, 0 padding) of front-padded inputs, from the first row that is not all
 * zero onwards, in any modality or in the text alone; undefined ('none'): all T rows. MMSA packs the
 * LSTMs with BERT's attention-mask lengths (model L58-64); our word-aligned sequences carry no mask,
 * so it is read off the inputs [gap-fill]. Built from data only: nothing here needs a gradient.
 */
export function validRows(x: Inputs, from: SelfMmConfig['lengthsFrom']): tf.Tensor2D | undefined {
  if (from === 'none') return undefined;
  const present = (t: tf.Tensor3D): tf.Tensor2D => tf.max(tf.abs(t), 2);
  const any = from === 'text' ? present(x.l) : tf.addN([present(x.l), present(x.a), present(x.v)]);
  const seen = tf.cumsum(tf.cast(tf.greater(any, 0), 'float32'), 1);
  return tf.cast(tf.greater(seen, 0), 'float32') as tf.Tensor2D;
}

/**
 * The last L time steps of x and mask, L the batch's longest valid span: with front padding every
 * earlier step is padding for the whole batch, which leaves an LSTM's state as it was, so dropping
 * those steps changes nothing but the work (PyTorch's packed sequences skip them likewise). When
 * every sample fills the span, no mask is needed at all.
 */
function validSpan(x: Inputs, mask: tf.Tensor2D): { seq: Inputs; rows: tf.Tensor2D | undefined } {
  const [B, T] = mask.shape;
  const lengths = tf.sum(mask, 1).dataSync(); // [B]
  const longest = Math.max(1, ...lengths);
  const rows = Math.min(...lengths) === longest ? undefined : mask;
  if (longest >= T) return { seq: x, rows };
  const tail = <R extends tf.Tensor3D>(t: R): R => tf.slice(t, [0, T - longest, 0], [B, longest, t.shape[2]]);
  return { seq: { l: tail(x.l), a: tail(x.a), v: tail(x.v) }, rows: rows && tf.slice(rows, [0, T - longest], [B, longest]) };
}

/**
 * The first valid row of l [B, T, d_l] → [B, d_l] (row 0 without a mask; zeros for an empty
 * sequence): the "frozen [CLS]" option [gap-fill], as model L60 reads BERT's row 0.
 */
function firstValidRow(l: tf.Tensor3D, valid: tf.Tensor2D | undefined): tf.Tensor2D {
  const [B, T, d] = l.shape;
  if (!valid) return tf.reshape(tf.slice(l, [0, 0, 0], [B, 1, d]), [B, d]) as tf.Tensor2D;
  // valid is 0…0 1…1 per row: its step up is a one-hot of the first valid row.
  const before = tf.pad(tf.slice(valid, [0, 0], [B, T - 1]), [
    [0, 0],
    [1, 0],
  ]);
  const first = tf.expandDims(tf.sub(valid, before), 1); // [B, 1, T]
  return tf.reshape(tf.matMul(first, l), [B, d]) as tf.Tensor2D;
}

/** Model L111-136: one-layer LSTM over the valid rows, final hidden state → dropout → Linear. */
class SubNet implements Module {
  readonly rnn: Lstm;
  readonly linear: Linear;

  constructor(
    inSize: number,
    hidden: number,
    out: number,
    private readonly dropoutRate: number,
    rng: Rng,
  ) {
    this.rnn = new Lstm({ inputSize: inSize, hiddenSize: hidden }, rng);
    this.linear = new Linear(hidden, out, rng);
  }

  /** [B, T, in] → [B, out]. The mask gives pack_padded_sequence semantics (engine/nn/recurrent.ts). */
  apply(x: tf.Tensor3D, mask: tf.Tensor2D | undefined, ctx: ForwardCtx): tf.Tensor2D {
    const { h } = this.rnn.apply(x, ctx, mask ? { mask } : {});
    const last = tf.reshape(h, [x.shape[0], this.rnn.hiddenSize]) as tf.Tensor2D; // h_n.squeeze(0)
    return this.linear.apply(dropout(last, this.dropoutRate, ctx));
  }

  namedVariables(): NamedVariable[] {
    return [...scoped('rnn', this.rnn), ...scoped('linear_1', this.linear)];
  }
}

/** Model L30-52 and L69-97: dropout → layer_1 + ReLU (the feature) → layer_2 + ReLU → layer_3. */
class Head implements Module {
  readonly layers: [Linear, Linear, Linear];

  constructor(
    private readonly prefix: string,
    inWidth: number,
    dim: number,
    outWidth: number,
    private readonly dropoutRate: number,
    rng: Rng,
  ) {
    this.layers = [new Linear(inWidth, dim, rng), new Linear(dim, dim, rng), new Linear(dim, outWidth, rng)];
  }

  apply(x: tf.Tensor2D, ctx: ForwardCtx): { feature: tf.Tensor2D; output: tf.Tensor2D } {
    const feature = this.layers[0].apply(dropout(x, this.dropoutRate, ctx), 'relu'); // [B, dim]
    const output = this.layers[2].apply(this.layers[1].apply(feature, 'relu')); // [B, w]
    return { feature, output };
  }

  namedVariables(): NamedVariable[] {
    return this.layers.flatMap((l, i) => scoped(`${this.prefix}_layer_${i + 1}`, l));
  }
}

export class SelfMmNetwork implements Module {
  /** null: the first valid text row is the text feature (a frozen [CLS]). */
  readonly text: SubNet | null;
  readonly audio: SubNet;
  readonly video: SubNet;
  readonly heads: Record<HeadName, Head>;

  constructor(
    shape: DataShape,
    private readonly config: SelfMmConfig,
    rng: Rng,
  ) {
    const [dl, da, dv] = shape.dims;
    const c = config;
    const w = outputWidth(shape.task, shape.labelDim);
    // [gap-fill] §2: LSTM(d_l → 64) → Linear → text_out 64 in place of BERT's [CLS] (768).
    this.text = c.textEncoder === 'lstm' ? new SubNet(dl, c.textHidden, c.textOut, c.textDropout, rng) : null;
    const textOut = this.text ? c.textOut : dl;
    this.audio = new SubNet(da, c.audioHidden, c.audioOut, c.audioDropout, rng); // model L25-26
    this.video = new SubNet(dv, c.videoHidden, c.videoOut, c.videoDropout, rng); // model L27-28
    this.heads = {
      fusion: new Head('post_fusion', textOut + c.audioOut + c.videoOut, c.postFusionDim, w, c.postFusionDropout, rng),
      text: new Head('post_text', textOut, c.postTextDim, w, c.postTextDropout, rng),
      audio: new Head('post_audio', c.audioOut, c.postAudioDim, w, c.postAudioDropout, rng),
      vision: new Head('post_video', c.videoOut, c.postVideoDim, w, c.postVideoDropout, rng),
    };
  }

  /**
   * Model L54-109 on x = {l [B, T, d_l], a [B, T, d_a], v [B, T, d_v]}. `fusionOnly` skips the
   * unimodal heads (prediction and validation read only the fusion head).
   */
  forward(x: Inputs, ctx: ForwardCtx, fusionOnly = false): SelfMmOutputs {
    const mask = validRows(x, this.config.lengthsFrom); // [B, T]
    const { seq, rows } = mask ? validSpan(x, mask) : { seq: x, rows: mask };
    const text = this.text ? this.text.apply(seq.l, rows, ctx) : firstValidRow(x.l, mask); // [B, text_out | d_l]
    const audio = this.audio.apply(seq.a, rows, ctx); // [B, audio_out]
    const video = this.video.apply(seq.v, rows, ctx); // [B, video_out]
    const fusion = this.heads.fusion.apply(tf.concat([text, audio, video], 1) as tf.Tensor2D, ctx);
    const outputs = { fusion: fusion.output } as Record<HeadName, tf.Tensor2D>;
    const features = { fusion: fusion.feature } as Record<HeadName, tf.Tensor2D>;
    if (!fusionOnly) {
      for (const [name, input] of [
        ['text', text],
        ['audio', audio],
        ['vision', video],
      ] as const) {
        const head = this.heads[name].apply(input, ctx);
        outputs[name] = head.output;
        features[name] = head.feature;
      }
    }
    return { outputs, features };
  }

  /**
   * MMSA's optimiser groups (trainer L70-89): the audio and video sub-networks, and everything else.
   * BERT's two groups disappear; the text encoder joins "other" (§1.2).
   */
  groups(): { audio: tf.Variable[]; video: tf.Variable[]; other: tf.Variable[] } {
    const of = (m: Module): tf.Variable[] => m.namedVariables().map(([, v]) => v);
    return {
      audio: of(this.audio),
      video: of(this.video),
      other: [...(this.text ? of(this.text) : []), ...HEADS.flatMap((h) => of(this.heads[h]))],
    };
  }

  namedVariables(): NamedVariable[] {
    return [
      ...(this.text ? scoped('text_model', this.text) : []),
      ...scoped('audio_model', this.audio),
      ...scoped('video_model', this.video),
      ...HEADS.flatMap((h) => this.heads[h].namedVariables()),
    ];
  }
}
