/**
 * SMIL's networks (resources/docs/baselines.md §7; card.ts marks the release's values and our
 * gap-fills). The release's avMNIST fusion model (mengmenm/SMIL:src/models/soundlenet5.py,
 * SoundLenet5New) and inference network (src/models/newencoder.py, InferNetNew), adapted to three
 * sequence modalities m ∈ {l, a, v}:
 *
 *   f_m  = LN(Enc_m(Conv_k3(X_m)·√d + PE))[:, T−1]      [B, d]    encoder, last step   [gap-fill]
 *   p_m  = 1 if X_m has a non-zero frame else 0          [B, 1]    "missing" = all frames zero
 *   a_m  = [p_m'·f_m' for m' ≠ m]                         [B, 2d]   what is available to infer m
 *   w_m  = softmax(G0_m·a_m)  (or softplus / Σ)           [B, K]    release: InferNetNew.fc0
 *   r_m  = w_m·C_m                                        [B, d]    C_m [K, d]: K-means prior
 *   f̃_m  = p_m·f_m + (1 − p_m)·r_m                       [B, d]    reconstruction of a missing m
 *   x    = [f̃_l; f̃_a; f̃_v]                              [B, 3d]
 *   x'   = x ⊙ softplus(G1·x + ε1)  (or x + …)            [B, 3d]   release: fc1 noise layer
 *   h    = ReLU(W1·x' + b1)                               [B, hidden]
 *   h'   = h ⊙ softplus(G2·x' + ε2)  (knob noiseOnHidden)  [B, hidden] release: fc2 noise layer
 *   ŷ    = W2·drop(h') + b2                               [B, out]
 *
 * ε ~ N(0, 1) in the release's meta-train passes (InferNetNew with meta_train=True adds randn to
 * the mean), 0 in its meta-validation and test passes; we draw it from a seeded host stream, and at
 * test time average seeded noised passes as the paper's Monte-Carlo inference does (method.ts).
 * The clean pass (the release's mode 'two') reads complete inputs: x = [f_l; f_a; f_v], no noise.
 * θ (the main network: encoders, W1, W2) and φ (the inference network: G0, G1, G2) are kept apart:
 * the meta-learning inner step updates θ only, as the release's inner loop updates the fusion model.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DataShape } from '../../types';
import type { Rng } from '../../random';
import { Conv1dK3, dropout, Linear, positionalEncoding, scoped, TransformerEncoder, type ForwardCtx, type Module, type NamedVariable } from '../../nn';
import type { Inputs } from '../method';
import { outputWidth } from '../task-loss';
import type { SmilConfig } from './card';

export type Modality = keyof Inputs;
export const MODALITIES: readonly Modality[] = ['l', 'a', 'v'];

/** ε of one noised pass: [B, 3d] for the fused vector, [B, hidden] for h (when noiseOnHidden). */
export interface Noise {
  fused: tf.Tensor2D;
  hidden?: tf.Tensor2D;
}

/** What the objective reads from one pass: the release's (pred, f, f1). */
export interface PassOutput {
  logits: tf.Tensor2D;
  /** x' (noised pass) or x (clean pass), [B, 3d]: the first alignment level. */
  fused: tf.Tensor2D;
  /** h' (noised pass) or h (clean pass), [B, hidden]: the second alignment level and the representation. */
  hidden: tf.Tensor2D;
}

/** Conv_k3 (no bias)·√d + PE → pre-LN Transformer → final LN, read at the last step: f_m [B, d]. */
export class ModalityEncoder implements Module {
  readonly conv: Conv1dK3;
  readonly encoder: TransformerEncoder;

  constructor(
    inDim: number,
    config: SmilConfig,
    private readonly pe: tf.Tensor2D,
    rng: Rng,
  ) {
    this.conv = new Conv1dK3(inDim, config.d, rng);
    this.encoder = new TransformerEncoder({ d: config.d, heads: config.heads, layers: config.layers, dropout: config.dropout, ffnMultiplier: config.ffnMultiplier }, rng);
  }

  apply(x: tf.Tensor3D, ctx: ForwardCtx): tf.Tensor2D {
    const embedded = this.conv.apply(x, undefined, { scale: Math.sqrt(this.conv.outChannels), add: this.pe });
    return this.encoder.applyLast(embedded, ctx);
  }

  namedVariables(): NamedVariable[] {
    return [...scoped('conv', this.conv), ...scoped('encoder', this.encoder)];
  }
}

/** p_m: 1 where the sample has any non-zero frame of the modality, [B, 1] (data only, no gradient). */
export function presence(x: tf.Tensor3D): tf.Tensor2D {
  return tf.reshape(tf.cast(tf.greater(tf.max(tf.abs(x), [1, 2]), 0), 'float32'), [x.shape[0], 1]);
}

export class SmilNetwork {
  readonly encoders: Record<Modality, ModalityEncoder>;
  readonly fusion: Linear;
  readonly head: Linear;
  /** G0_m: available features → logits over m's K centres. */
  readonly priorNet: Record<Modality, Linear>;
  /** G1: x → the fused vector's noise mean. */
  readonly fusedNoise: Linear;
  /** G2: x' → h's noise mean (noiseOnHidden). */
  readonly hiddenNoise: Linear | null;
  /** C_m [K, d]: the K-means prior (fitted, not trained). */
  readonly centres: Record<Modality, tf.Variable>;
  private readonly pe: tf.Tensor2D;

  constructor(
    shape: DataShape,
    readonly config: SmilConfig,
    rng: Rng,
  ) {
    const { d, clusters, hidden } = config;
    this.pe = tf.keep(positionalEncoding(shape.T, d));
    const make = <T>(f: (m: Modality, i: number) => T): Record<Modality, T> => ({ l: f('l', 0), a: f('a', 1), v: f('v', 2) });
    this.encoders = make((_m, i) => new ModalityEncoder(shape.dims[i]!, config, this.pe, rng));
    this.fusion = new Linear(3 * d, hidden, rng);
    this.head = new Linear(hidden, outputWidth(shape.task, shape.labelDim), rng);
    this.priorNet = make(() => new Linear(2 * d, clusters, rng));
    this.fusedNoise = new Linear(3 * d, 3 * d, rng);
    this.hiddenNoise = config.noiseOnHidden ? new Linear(3 * d, hidden, rng) : null;
    this.centres = make(() => tf.tidy(() => tf.variable(tf.zeros([clusters, d]), false)));
  }

  features(inputs: Inputs, ctx: ForwardCtx): Record<Modality, tf.Tensor2D> {
    return { l: this.encoders.l.apply(inputs.l, ctx), a: this.encoders.a.apply(inputs.a, ctx), v: this.encoders.v.apply(inputs.v, ctx) };
  }

  /** x = [f̃_l; f̃_a; f̃_v] [B, 3d]: each missing modality reconstructed from its prior. */
  reconstruct(inputs: Inputs, ctx: ForwardCtx): tf.Tensor2D {
    const f = this.features(inputs, ctx);
    const p = { l: presence(inputs.l), a: presence(inputs.a), v: presence(inputs.v) };
    const parts = MODALITIES.map((m) => {
      const available = tf.concat(MODALITIES.filter((o) => o !== m).map((o) => tf.mul(f[o], p[o])), 1) as tf.Tensor2D; // [B, 2d]
      const logits = this.priorNet[m].apply(available); // [B, K]
      const w =
        this.config.priorWeights === 'softmax'
          ? tf.softmax(logits)
          : (() => {
              const s = tf.softplus(logits);
              return tf.div(s, tf.sum(s, 1, true));
            })();
      const r = tf.matMul(w, this.centres[m] as tf.Tensor2D); // [B, d]
      return tf.add(tf.mul(f[m], p[m]), tf.mul(r, tf.sub(1, p[m])));
    });
    return tf.concat(parts, 1) as tf.Tensor2D;
  }

  /** softplus(g + ε) combined with `x` as the knob says. */
  private regularise(x: tf.Tensor2D, mean: tf.Tensor2D, eps: tf.Tensor2D | undefined): tf.Tensor2D {
    const s = tf.softplus(eps ? tf.add(mean, eps) : mean);
    return this.config.noiseCombine === 'multiply' ? tf.mul(x, s) : tf.add(x, s);
  }

  /** The noised pass after reconstruction (release mode 'one'): ε null = the noise at its mean. */
  regularised(x: tf.Tensor2D, eps: Noise | null, ctx: ForwardCtx): PassOutput {
    const fused = this.regularise(x, this.fusedNoise.apply(x), eps?.fused);
    let hidden = this.fusion.apply(fused, 'relu');
    if (this.hiddenNoise) hidden = this.regularise(hidden, this.hiddenNoise.apply(fused), eps?.hidden);
    return { logits: this.head.apply(dropout(hidden, this.config.headDropout, ctx)), fused, hidden };
  }

  /** Release mode 'one' on possibly incomplete inputs. */
  noised(inputs: Inputs, eps: Noise | null, ctx: ForwardCtx): PassOutput {
    return this.regularised(this.reconstruct(inputs, ctx), eps, ctx);
  }

  /** Release mode 'two' on complete inputs: no reconstruction, no noise. */
  clean(inputs: Inputs, ctx: ForwardCtx): PassOutput {
    const f = this.features(inputs, ctx);
    const fused = tf.concat([f.l, f.a, f.v], 1) as tf.Tensor2D;
    const hidden = this.fusion.apply(fused, 'relu');
    return { logits: this.head.apply(dropout(hidden, this.config.headDropout, ctx)), fused, hidden };
  }

  /** θ: what the pretraining and the inner step update. */
  mainNamed(): NamedVariable[] {
    return [
      ...MODALITIES.flatMap((m) => scoped(`encoders.${m}`, this.encoders[m])),
      ...scoped('fusion', this.fusion),
      ...scoped('head', this.head),
    ];
  }

  /** φ: the inference network. */
  inferenceNamed(): NamedVariable[] {
    return [
      ...MODALITIES.flatMap((m) => scoped(`priorNet.${m}`, this.priorNet[m])),
      ...scoped('fusedNoise', this.fusedNoise),
      ...(this.hiddenNoise ? scoped('hiddenNoise', this.hiddenNoise) : []),
    ];
  }

  namedVariables(): NamedVariable[] {
    return [...this.mainNamed(), ...this.inferenceNamed(), ...MODALITIES.map((m): NamedVariable => [`prior.${m}`, this.centres[m]])];
  }

  dispose(): void {
    tf.dispose(this.namedVariables().map(([, v]) => v));
    this.pe.dispose();
  }
}

/** Standard normals from the host stream, [rows, cols]. */
export function normals(rows: number, cols: number, rng: Rng): tf.Tensor2D {
  const values = new Float32Array(rows * cols);
  for (let i = 0; i < values.length; i++) values[i] = rng.normal();
  return tf.tensor2d(values, [rows, cols]);
}

/** ε for one noised pass of `rows` samples. */
export function drawNoise(net: SmilNetwork, rows: number, rng: Rng): Noise {
  const fused = normals(rows, 3 * net.config.d, rng);
  return net.hiddenNoise ? { fused, hidden: normals(rows, net.config.hidden, rng) } : { fused };
}
