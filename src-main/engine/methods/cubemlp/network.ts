/**
 * CubeMLP's network, read beside kiva12138/CubeMLP:Model.py (`Model`) and MLPProcess.py
 * (`MLPEncoder`, here engine/nn's MlpMixingEncoder), with the adaptations of
 * resources/docs/baselines.md §3 (no BERT: W_t projects our text features; word-aligned inputs, so
 * no symmetric padding of audio/vision to the BERT length).
 *
 * Shapes: B batch, T input steps, L = timeLen, C = dCommon, K = 3 modalities; a block maps
 * [L, K, C] → [L', K', D'].
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DataShape } from '../../types';
import type { Rng } from '../../random';
import {
  Conv1d,
  dropout,
  Gru,
  LayerNorm,
  Linear,
  Lstm,
  MlpMixingEncoder,
  orthogonalWeight,
  parseLkdTriples,
  scoped,
  type ForwardCtx,
  type Module,
  type NamedVariable,
} from '../../nn';
import type { Inputs } from '../method';
import { outputWidth } from '../task-loss';
import { resProjectFlags, type CubeMlpConfig } from './card';

/** Model.py: one Linear head up to this composed width, else Linear → 128 → ReLU → dropout → Linear. */
const SINGLE_LAYER_HEAD_MAX = 128;

type Encoder = Gru | Lstm | Conv1d;

/**
 * Which steps the recurrent encoders read, [B, T] float 1/0: from the first step where the chosen
 * inputs have a non-zero value to the end (front padding; interior zero rows, e.g. dropped frames,
 * stay valid steps with zero input, as the reference's 1e-6 fill keeps them).
 */
function validSteps(x: Inputs, from: CubeMlpConfig['validSteps']): tf.Tensor2D {
  const mass = (m: tf.Tensor3D): tf.Tensor2D => tf.sum(tf.abs(m), 2);
  const seen = from === 'text' ? mass(x.l) : tf.addN([mass(x.l), mass(x.a), mass(x.v)]);
  return tf.cast(tf.greater(tf.cumsum(seen, 1), 0), 'float32') as tf.Tensor2D;
}

/** Keeps the last `len` steps or zero-pads the end up to `len` (Model.py's F.pad to time_len). */
function fitTime(h: tf.Tensor3D, len: number): tf.Tensor3D {
  const [B, T, C] = h.shape;
  if (T === len) return h;
  if (T > len) return tf.slice(h, [0, T - len, 0], [B, len, C]);
  return tf.pad(h, [
    [0, 0],
    [0, len - T],
    [0, 0],
  ]);
}

export class CubeMlpNet implements Module {
  /** Model.py W_t: text [.., d_l] → [.., C], no bias. */
  readonly wT: Linear;
  readonly encA: Encoder;
  readonly encV: Encoder;
  readonly lnA: LayerNorm;
  readonly lnV: LayerNorm;
  readonly mixer: MlpMixingEncoder;
  /** One Linear, or [Linear → 128, Linear 128 → out] with ReLU and dropout between. */
  readonly head: Linear[];
  /** Width of the composed features the head reads. */
  readonly composedWidth: number;

  constructor(
    shape: DataShape,
    private readonly config: CubeMlpConfig,
    rng: Rng,
  ) {
    const C = config.dCommon;
    const [dL, dA, dV] = shape.dims;
    this.wT = new Linear(dL, C, rng, { bias: false });
    this.encA = makeEncoder(config.encoder, dA, C, rng);
    this.encV = makeEncoder(config.encoder, dV, C, rng);
    // Train.py other_model_operations: every recurrent weight_hh is re-drawn orthogonal.
    for (const enc of [this.encA, this.encV]) {
      if (enc instanceof Conv1d) continue;
      for (const [name, v] of enc.namedVariables()) {
        if (name.startsWith('weight_hh')) tf.tidy(() => v.assign(orthogonalWeight(v.shape[0]!, v.shape[1]!, rng)));
      }
    }
    this.lnA = new LayerNorm(C, 1e-6);
    this.lnV = new LayerNorm(C, 1e-6);
    const hiddens = parseLkdTriples(config.dHiddens);
    const outs = parseLkdTriples(config.dOuts);
    const res = resProjectFlags(config.resProject);
    this.mixer = new MlpMixingEncoder(
      [config.timeLen, 3, C],
      outs.map((out, i) => ({ hidden: hiddens[i]!, out, resProject: res[i]! })),
      { dropout: config.dropoutMlp, activation: config.activation, bias: config.bias, lnFirst: config.lnFirst, eps: 1e-6 },
      rng,
    );
    // Model.py get_output_dim: [L', K', D'] composed over L, then over K.
    const [lOut, kOut, dOut] = this.mixer.outShape;
    this.composedWidth = dOut * (config.composeT === 'cat' ? lOut : 1) * (config.composeK === 'cat' ? kOut : 1);
    const width = outputWidth(shape.task, shape.labelDim);
    this.head =
      this.composedWidth <= SINGLE_LAYER_HEAD_MAX
        ? [new Linear(this.composedWidth, width, rng)]
        : [new Linear(this.composedWidth, SINGLE_LAYER_HEAD_MAX, rng), new Linear(SINGLE_LAYER_HEAD_MAX, width, rng)];
  }

  /** Model.py forward up to `fused_features`: [B, composedWidth]. */
  features(x: Inputs, ctx: ForwardCtx): tf.Tensor2D {
    const cfg = this.config;
    const rate = cfg.dropout;
    const steps = this.encA instanceof Conv1d ? null : validSteps(x, cfg.validSteps);
    const t = this.wT.apply(x.l); // [B, T, C]
    const a = this.encode(this.encA, this.lnA, x.a, steps, ctx); // [B, T, C]
    const v = this.encode(this.encV, this.lnV, x.v, steps, ctx); // [B, T, C]
    const fitted = [t, a, v].map((h) => fitTime(dropout(h, rate, ctx), cfg.timeLen)); // [B, L, C] each
    const cube = tf.stack(fitted, 2) as tf.Tensor4D; // [B, L, 3, C]
    const mixed = this.mixer.apply(cube, ctx); // [B, L', K', D']
    const [B, lOut, kOut, dOut] = mixed.shape;
    // Over L: mean → [B, K', D'], or cat (torch.cat of the L slices on the last axis) → [B, K', L'·D'].
    const overL =
      cfg.composeT === 'mean' ? tf.mean(mixed, 1) : tf.reshape(tf.transpose(mixed, [0, 2, 1, 3]), [B, kOut, lOut * dOut]);
    // Over K: mean → [B, F], or cat → [B, K'·F].
    return (cfg.composeK === 'mean' ? tf.mean(overL, 1) : tf.reshape(overL, [B, -1])) as tf.Tensor2D;
  }

  /** Model.py classifier: [B, composedWidth] → [B, outputWidth]. */
  logits(features: tf.Tensor2D, ctx: ForwardCtx): tf.Tensor2D {
    if (this.head.length === 1) return this.head[0]!.apply(features);
    const hidden = dropout(this.head[0]!.apply(features, 'relu'), this.config.dropout, ctx);
    return this.head[1]!.apply(hidden);
  }

  /**
   * Model.py "Extract features": encoder, then ReLU(LayerNorm(·)). Recurrent encoders read only the
   * valid steps (the reference packs them) and sum their two directions (torch.split + sum).
   */
  private encode(enc: Encoder, ln: LayerNorm, x: tf.Tensor3D, steps: tf.Tensor2D | null, ctx: ForwardCtx): tf.Tensor3D {
    const h = enc instanceof Conv1d ? enc.apply(x) : enc.apply(x, ctx, { mask: steps! }).output;
    return tf.relu(ln.apply(h));
  }

  namedVariables(): NamedVariable[] {
    return [
      ...scoped('W_t', this.wT),
      ...scoped(this.encA instanceof Conv1d ? 'conv_a' : 'rnn_a', this.encA),
      ...scoped(this.encV instanceof Conv1d ? 'conv_v' : 'rnn_v', this.encV),
      ...scoped('ln_a', this.lnA),
      ...scoped('ln_v', this.lnV),
      ...scoped('mlp_encoder', this.mixer),
      ...this.head.flatMap((layer, i) => scoped(`classifier.${i === 0 ? 0 : 3}`, layer)),
    ];
  }
}

/** Model.py's extractors (--encoders), all with hidden size C and the two directions summed. */
function makeEncoder(kind: CubeMlpConfig['encoder'], inputSize: number, C: number, rng: Rng): Encoder {
  if (kind === 'conv') return new Conv1d(inputSize, C, 3, rng, { padding: 1 });
  const options = { inputSize, hiddenSize: C, bidirectional: true, merge: 'sum' as const };
  return kind === 'gru' ? new Gru({ ...options, layers: 2 }, rng) : new Lstm({ ...options, layers: 1 }, rng);
}
