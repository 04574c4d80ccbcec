/**
 * MCTN's network (resources/docs/baselines.md §5), to be read beside the MMSA PyTorch port
 * (thuiar/MMSA:src/MMSA/models/singleTask/MCTN.py) and the Keras original (hainow/MCTN:
 * seq2seq/mctn_models.py, models/trimodals.py, models/regression_model.py). Its PyTorch
 * transcription is bench/engine/torch/mctn.py (parity: test/unit/engine/methods/mctn.test.ts).
 *
 * Shapes: B batch, T steps, H hidden (32), R regression hidden (32), d_m a modality's width,
 * W the width of the frames the seq2seqs read and decode (H when projecting, max d_m when
 * zero-padding). m₁, m₂ are the `targets` knob's modalities (vision, then audio by default).
 *
 *   x_src  = source(x)                          [B, T, W] text, or [B, T, 3W] the three side by side
 *   j₁, s₁ = Encoder₁(x_src)                     biLSTM outputs summed [B, T, H]; s = tanh(U·(h→ + h←))
 *   ŷ₁     = Decoder₁(j₁, s₁; m₁)                 translation into m₁ (teacher forcing)
 *   ĵ, ŝ   = Encoder₁(source'(ŷ₁))               cyclic back-translation with the SAME seq2seq
 *   ŷ_l    = Decoder₁(ĵ, ŝ; l)
 *   j₂, s₂ = Encoder₂(j₁)                        seq2seq 2 reads seq2seq 1's encoder states
 *   ŷ₂     = Decoder₂(j₂, s₂; m₂)
 *   r      = AttentionPooling(LSTM_R(j₂))        [B, R]   (the representation)
 *   logits = Linear(r)                           [B, 1 | 8]
 *
 * No padding mask: neither reference masks the front padding (MMSA calls its LSTMs with
 * lengths=None), and the engine's batches carry no lengths.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Task } from '../../../../src-shared/domain';
import { AttentionLstmDecoder, AttentionPooling, EVAL, Linear, Lstm, scoped, variablesOf, type ForwardCtx, type Module, type NamedVariable } from '../../nn';
import type { Rng } from '../../random';
import type { DataShape } from '../../types';
import type { Inputs } from '../method';
import { outputWidth, taskLoss } from '../task-loss';
import type { MctnConfig } from './card';

type Modality = keyof Inputs;
const MODALITIES: readonly Modality[] = ['l', 'a', 'v'];

/**
 * How a modality enters the seq2seqs and how a decoded sequence is compared with its reference.
 * MMSA zero-pads every modality to 768 so that one decoder width fits all; baselines.md §5 replaces
 * this with per-modality projections and output layers [gap-fill] (`modalityIo`).
 */
interface ModalityIo extends Module {
  /** Width W of the frames the seq2seqs read and decode. */
  readonly width: number;
  /** A sequence [B, T, d_m] (data, or `leave`'s output for a decoded one) as seq2seq frames [B, T, W]. */
  enter(m: Modality, x: tf.Tensor3D): tf.Tensor3D;
  /** What `enter` gives for an all-zero (missing) modality, [B, T, W]. */
  absent(m: Modality, b: number, t: number): tf.Tensor3D;
  /** Decoded frames [B, T, W] in the space the loss compares. */
  leave(m: Modality, y: tf.Tensor3D): tf.Tensor3D;
  /** The reference `leave`'s output is compared with. */
  reference(m: Modality, x: tf.Tensor3D): tf.Tensor3D;
}

/** Per-modality Linear(d_m → H) in, Linear(H → d_m) out; the losses compare in the modality's own space. */
class ProjectIo implements ModalityIo {
  readonly width: number;
  private readonly into: Record<Modality, Linear>;
  private readonly out: Record<Modality, Linear>;

  constructor(dims: readonly number[], hidden: number, rng: Rng) {
    this.width = hidden;
    const each = (f: (d: number) => Linear): Record<Modality, Linear> => ({ l: f(dims[0]!), a: f(dims[1]!), v: f(dims[2]!) });
    this.into = each((d) => new Linear(d, hidden, rng));
    this.out = each((d) => new Linear(hidden, d, rng));
  }

  enter(m: Modality, x: tf.Tensor3D): tf.Tensor3D {
    return this.into[m].apply(x);
  }

  absent(m: Modality, b: number, t: number): tf.Tensor3D {
    // Linear(0) = its bias, at every step.
    return tf.add(tf.zeros([b, t, this.width]), this.into[m].bias!);
  }

  leave(m: Modality, y: tf.Tensor3D): tf.Tensor3D {
    return this.out[m].apply(y);
  }

  reference(_m: Modality, x: tf.Tensor3D): tf.Tensor3D {
    return x;
  }

  namedVariables(): NamedVariable[] {
    return [
      ...MODALITIES.flatMap((m) => scoped(`project.${m}`, this.into[m])),
      ...MODALITIES.flatMap((m) => scoped(`output.${m}`, this.out[m])),
    ];
  }
}

/** MMSA's scheme: zero-pad every modality to the widest; decoded frames keep that width (no parameters). */
class ZeroPadIo implements ModalityIo {
  readonly width: number;

  constructor(dims: readonly number[]) {
    this.width = Math.max(...dims);
  }

  enter(_m: Modality, x: tf.Tensor3D): tf.Tensor3D {
    const missing = this.width - x.shape[2];
    return missing === 0 ? x : tf.pad(x, [[0, 0], [0, 0], [0, missing]]);
  }

  absent(_m: Modality, b: number, t: number): tf.Tensor3D {
    return tf.zeros([b, t, this.width]);
  }

  leave(_m: Modality, y: tf.Tensor3D): tf.Tensor3D {
    return y;
  }

  reference(m: Modality, x: tf.Tensor3D): tf.Tensor3D {
    return this.enter(m, x);
  }

  namedVariables(): NamedVariable[] {
    return [];
  }
}

/**
 * MMSA Encoder: bidirectional LSTM (depth 1, directions summed, Keras merge_mode='sum'); s, the
 * decoder's initial state, is tanh(fc(h→ + h←)) with a bias-free fc.
 */
class Encoder implements Module {
  readonly rnn: Lstm;
  readonly bridge: Linear;

  constructor(inputSize: number, hidden: number, rng: Rng) {
    this.rnn = new Lstm({ inputSize, hiddenSize: hidden, bidirectional: true, merge: 'sum' }, rng);
    this.bridge = new Linear(hidden, hidden, rng, { bias: false });
  }

  /** x [B, T, in] → memory [B, T, H] (the "join"), s [B, H]. */
  apply(x: tf.Tensor3D, ctx: ForwardCtx): { memory: tf.Tensor3D; s: tf.Tensor2D } {
    const { output, h } = this.rnn.apply(x, ctx);
    const last = tf.sum(h, 0) as tf.Tensor2D; // h→ + h← : [B, H]
    return { memory: output, s: tf.tanh(this.bridge.apply(last)) };
  }

  namedVariables(): NamedVariable[] {
    return [...scoped('rnn', this.rnn), ...scoped('bridge', this.bridge)];
  }
}

/**
 * Encoder + attention LSTM decoder. The decoder (engine/nn AttentionLstmDecoder) carries its
 * LSTM state from step to step, starting from (s, 0); the MMSA port restarts a one-step
 * bidirectional LSTM from zeros at every step and carries only s as the attention query (its
 * commented-out `self.rnn(rnn_input) # s.unsqueeze(0)` shows the state was meant to be passed), and
 * the Keras AttentionDecoderCell carries (h, c): we carry the state.
 */
class Seq2Seq implements Module {
  readonly encoder: Encoder;
  readonly decoder: AttentionLstmDecoder;

  constructor(inputSize: number, width: number, hidden: number, rng: Rng) {
    this.encoder = new Encoder(inputSize, hidden, rng);
    this.decoder = new AttentionLstmDecoder({ outputSize: width, memorySize: hidden, hiddenSize: hidden }, rng);
  }

  /** Decodes `targets` [B, T, W] (teacher forcing) from the encoder's memory; → [B, T, W]. */
  decode(encoded: { memory: tf.Tensor3D; s: tf.Tensor2D }, targets: tf.Tensor3D): tf.Tensor3D {
    return this.decoder.apply(encoded.memory, targets, { h0: encoded.s }).output;
  }

  namedVariables(): NamedVariable[] {
    return [...scoped('encoder', this.encoder), ...scoped('decoder', this.decoder)];
  }
}

/**
 * Regression head (hainow/MCTN:models/regression_model.py; MMSA `Regression`): LSTM(R) over the
 * sequence, per-step score tanh(w·h + b), softmax over time, weighted sum, Linear. The MMSA port's
 * softmax runs over its (mistaken, see mctn.py) batch axis; the Keras original's over time, as here.
 */
class RegressionHead implements Module {
  readonly rnn: Lstm;
  readonly pooling: AttentionPooling;
  readonly out: Linear;

  constructor(hidden: number, regHidden: number, outWidth: number, rng: Rng) {
    this.rnn = new Lstm({ inputSize: hidden, hiddenSize: regHidden }, rng);
    this.pooling = new AttentionPooling(regHidden, rng);
    this.out = new Linear(regHidden, outWidth, rng);
  }

  /** j₂ [B, T, H] → r [B, R]. */
  represent(j2: tf.Tensor3D, ctx: ForwardCtx): tf.Tensor2D {
    return this.pooling.apply(this.rnn.apply(j2, ctx).output).pooled;
  }

  namedVariables(): NamedVariable[] {
    return [...scoped('rnn', this.rnn), ...scoped('pooling', this.pooling), ...scoped('head', this.out)];
  }
}

/** The weighted loss terms of one batch (each with its weight applied; `total` is their sum). */
export type MctnTerms = Record<'translation' | 'cycle' | 'translation2' | 'task', tf.Scalar> & { l2?: tf.Scalar };

export class MctnNetwork implements Module {
  readonly io: ModalityIo;
  readonly seq2seq1: Seq2Seq;
  readonly seq2seq2: Seq2Seq;
  readonly regression: RegressionHead;
  /** Translation targets of seq2seq 1 and seq2seq 2. */
  readonly m1: Modality;
  readonly m2: Modality;

  constructor(
    readonly shape: DataShape,
    readonly config: MctnConfig,
    rng: Rng,
  ) {
    const H = config.hidden;
    this.io = config.modalityIo === 'project' ? new ProjectIo(shape.dims, H, rng) : new ZeroPadIo(shape.dims);
    const W = this.io.width;
    [this.m1, this.m2] = config.targets === 'v,a' ? ['v', 'a'] : ['a', 'v'];
    this.seq2seq1 = new Seq2Seq(config.source === 'text' ? W : 3 * W, W, H, rng);
    this.seq2seq2 = new Seq2Seq(H, W, H, rng);
    this.regression = new RegressionHead(H, config.regHidden, outputWidth(shape.task, shape.labelDim), rng);
  }

  /** Encoder 1's input: text alone (mctn-faithful) or [l; a; v] (mctn-joint); [B, T, W | 3W]. */
  private source(x: Inputs): tf.Tensor3D {
    if (this.config.source === 'text') return this.io.enter('l', x.l);
    return tf.concat(
      MODALITIES.map((m) => this.io.enter(m, x[m])),
      2,
    );
  }

  /** The cycle's input: the decoded m₁ alone, in the slot m₁ has in `source` (the others absent). */
  private cycleSource(decoded: tf.Tensor3D): tf.Tensor3D {
    const entered = this.io.enter(this.m1, decoded);
    if (this.config.source === 'text') return entered;
    const [b, t] = decoded.shape;
    return tf.concat(
      MODALITIES.map((m) => (m === this.m1 ? entered : this.io.absent(m, b, t))),
      2,
    );
  }

  /** Decoded frames [B, T, W] → the loss's space; `firstFrame: 'zero'` blanks frame 0 as the MMSA port. */
  private leave(m: Modality, y: tf.Tensor3D): tf.Tensor3D {
    const out = this.io.leave(m, y);
    if (this.config.firstFrame === 'predict') return out;
    return tf.pad(tf.slice(out, [0, 1, 0], [-1, -1, -1]), [
      [0, 0],
      [1, 0],
      [0, 0],
    ]);
  }

  /** Test-time path: encoders and head only. r [B, R]. */
  represent(x: Inputs, ctx: ForwardCtx = EVAL): tf.Tensor2D {
    const j1 = this.seq2seq1.encoder.apply(this.source(x), ctx).memory;
    const j2 = this.seq2seq2.encoder.apply(j1, ctx).memory;
    return this.regression.represent(j2, ctx);
  }

  /** [B, 1] sentiment, or [B, 8] emotion logits. */
  predict(x: Inputs, ctx: ForwardCtx = EVAL): tf.Tensor2D {
    return this.regression.out.apply(this.represent(x, ctx));
  }

  /**
   * Training forward and losses (MMSA `MCTN.forward`): `shown` is what the encoders read, `targets`
   * what the decoders reconstruct (teacher forcing reads them too), y the labels.
   */
  losses(shown: Inputs, targets: Inputs, y: tf.Tensor2D, ctx: ForwardCtx): { terms: MctnTerms; total: tf.Scalar } {
    const c = this.config;
    const { io, m1, m2 } = this;
    // MSE between decoded frames (in the loss's space) and the reference, weighted.
    const mse = (m: Modality, predicted: tf.Tensor3D, weight: number): tf.Scalar =>
      tf.mul(tf.mean(tf.square(tf.sub(predicted, io.reference(m, targets[m])))), weight);

    // Seq2seq 1: source → m₁, then the cyclic back-translation m₁ → text with the same seq2seq.
    const enc1 = this.seq2seq1.encoder.apply(this.source(shown), ctx);
    const y1 = this.leave(m1, this.seq2seq1.decode(enc1, io.enter(m1, targets[m1]))); // [B, T, d_m₁ | W]
    const cycleEnc = this.seq2seq1.encoder.apply(this.cycleSource(y1), ctx);
    const yCycle = this.leave('l', this.seq2seq1.decode(cycleEnc, io.enter('l', targets.l)));
    // Seq2seq 2: seq2seq 1's encoder states → m₂.
    const enc2 = this.seq2seq2.encoder.apply(enc1.memory, ctx);
    const y2 = this.leave(m2, this.seq2seq2.decode(enc2, io.enter(m2, targets[m2])));
    const logits = this.regression.out.apply(this.regression.represent(enc2.memory, ctx));

    const terms: MctnTerms = {
      translation: mse(m1, y1, c.translationWeight),
      cycle: mse('l', yCycle, c.cycleWeight),
      translation2: mse(m2, y2, c.translation2Weight),
      task: mctnTaskLoss(logits, y, this.shape.task, c.regressionLoss),
    };
    // Keras kernel_regularizer=l2(f): f·ΣW² on the regression layer's kernel.
    if (c.l2Regression > 0) terms.l2 = tf.mul(tf.sum(tf.square(this.regression.out.weight)), c.l2Regression) as tf.Scalar;
    return { terms, total: tf.addN(Object.values(terms)) as tf.Scalar };
  }

  namedVariables(): NamedVariable[] {
    return [
      ...this.io.namedVariables(),
      ...scoped('seq2seq1', this.seq2seq1),
      ...scoped('seq2seq2', this.seq2seq2),
      ...scoped('regression', this.regression),
    ];
  }

  variables(): tf.Variable[] {
    return variablesOf(this);
  }
}

/** MCTN's task loss: MAE (MMSA L1Loss, Keras 'mae') or the uniform-MSE switch; IEMOCAP: per-emotion cross-entropy (§1.3). */
export function mctnTaskLoss(logits: tf.Tensor2D, y: tf.Tensor2D, task: Task, regression: 'l1' | 'mse'): tf.Scalar {
  if (task === 'regression' && regression === 'l1') {
    // |d| as relu(d) + relu(−d): the engine registers no gradient for Abs (subgradient 0 at 0, as torch).
    const d = tf.sub(logits, y);
    return tf.mean(tf.add(tf.relu(d), tf.relu(tf.neg(d)))) as tf.Scalar;
  }
  return taskLoss(logits, y, task);
}
