/**
 * TransM's network and objective (resources/docs/baselines.md §6; card.ts says which parts the
 * paper states and which are gap-fills). With P translators p = s → t:
 *
 *   H_p   = Enc_p(X̃_s)                        [B, T, d]      X̃: the MSM-corrupted inputs
 *   z_p   = H_p[:, T−1]  or  mean_valid(H_p)   [B, d]         knob `pooling` [gap-fill]
 *   h     = ReLU(W_f·[z_1; …; z_P] + b_f)      [B, fusionHidden]  the representation
 *   ŷ     = W_h·h + b_h                        [B, out]       1, or 2 per IEMOCAP emotion
 *   Ŷ_p   = Dec_p(shift(Y_t), H_p)             [B, T, d_t]    Y_t clean (knob `translationTarget`)
 *   L     = L_task(ŷ, y) + λ·Σ_p L1_valid(Ŷ_p, Y_t)        [gap-fill: pairs, L1, λ = 1]
 *
 * "Valid" frames are the non-zero rows of the sequence in question: padding and dropped frames
 * are zero vectors (baselines.md §1.1), and the data carry no other length mask.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DataShape } from '../../types';
import type { Rng } from '../../random';
import { Linear, positionalEncoding, scoped, type ForwardCtx, type Module, type NamedVariable } from '../../nn';
import type { Inputs } from '../method';
import { outputWidth, taskLoss } from '../task-loss';
import { parsePairs, type TransmConfig } from './card';
import { Translator } from './translator';

type Modality = keyof Inputs;
const MODALITIES: readonly Modality[] = ['l', 'a', 'v'];

/** One translator with its route. */
export interface Route {
  /** 'la' for L → A: the parameter prefix and the loss name's suffix. */
  name: string;
  source: Modality;
  target: Modality;
  translator: Translator;
}

/** What the training objective needs from one forward pass. */
export interface TrainingForward {
  logits: tf.Tensor2D;
  representation: tf.Tensor2D;
  /** Ŷ_p per route, [B, T, d_t]. */
  decoded: tf.Tensor3D[];
}

/** Presence of each frame, [B, T, 1]: 1 where the row has a non-zero feature. Data only (no gradient needed). */
export function validFrames(x: tf.Tensor3D): tf.Tensor3D {
  return tf.cast(tf.greater(tf.max(tf.abs(x), 2, true), 0), 'float32') as tf.Tensor3D;
}

/** Mean of H [B, T, d] over the frames with mask 1 ([B, T, 1]); a sample with none gets zeros. */
function maskedMean(h: tf.Tensor3D, mask: tf.Tensor3D): tf.Tensor2D {
  const count = tf.maximum(tf.sum(mask, 1), 1);
  return tf.div(tf.sum(tf.mul(h, mask), 1), count);
}

export class TransmNetwork implements Module {
  readonly routes: Route[];
  readonly fusion: Linear;
  readonly head: Linear;
  private readonly pe: tf.Tensor2D;

  constructor(
    shape: DataShape,
    private readonly config: TransmConfig,
    rng: Rng,
  ) {
    this.pe = tf.keep(positionalEncoding(shape.T, config.d));
    const dim = (m: Modality): number => shape.dims[MODALITIES.indexOf(m)]!;
    this.routes = parsePairs(config.pairs).map(([s, t]) => {
      const source = s as Modality;
      const target = t as Modality;
      const translator = new Translator(
        {
          sourceDim: dim(source),
          targetDim: dim(target),
          d: config.d,
          layers: config.layers,
          decoderLayers: config.decoderLayers,
          heads: config.heads,
          dropout: config.dropout,
          ffnMultiplier: config.ffnMultiplier,
          scaleEmbedding: config.scaleEmbedding,
        },
        this.pe,
        rng,
      );
      return { name: `${source}${target}`, source, target, translator };
    });
    this.fusion = new Linear(this.routes.length * config.d, config.fusionHidden, rng);
    this.head = new Linear(config.fusionHidden, outputWidth(shape.task, shape.labelDim), rng);
  }

  /** h and ŷ from the pooled encoder states [z_1; …; z_P] ([B, P·d]). */
  private fuse(pooled: tf.Tensor2D[]): { representation: tf.Tensor2D; logits: tf.Tensor2D } {
    const representation = this.fusion.apply(tf.concat(pooled, 1) as tf.Tensor2D, 'relu');
    return { representation, logits: this.head.apply(representation) };
  }

  private pool(h: tf.Tensor3D, source: tf.Tensor3D): tf.Tensor2D {
    if (this.config.pooling === 'mean') return maskedMean(h, validFrames(source));
    const [b, t, d] = h.shape;
    return tf.reshape(tf.slice(h, [0, t - 1, 0], [b, 1, d]), [b, d]);
  }

  /**
   * Training forward: encoders on `inputs` (the corrupted batch; `rows` its possibly non-zero rows
   * per modality), decoders reconstructing `targets` (clean or corrupted, per the knob).
   */
  forward(inputs: Inputs, targets: Inputs, ctx: ForwardCtx, rows?: Record<Modality, Int32Array>): TrainingForward {
    const pooled: tf.Tensor2D[] = [];
    const decoded: tf.Tensor3D[] = [];
    for (const r of this.routes) {
      const memory = r.translator.encode(inputs[r.source], ctx, rows?.[r.source]);
      pooled.push(this.pool(memory, inputs[r.source]));
      decoded.push(r.translator.translate(memory, targets[r.target], ctx));
    }
    return { ...this.fuse(pooled), decoded };
  }

  /** Inference (eval mode): the encoders only; with last-step pooling the last layer computes one step. */
  infer(inputs: Inputs, ctx: ForwardCtx): { representation: tf.Tensor2D; logits: tf.Tensor2D } {
    const pooled = this.routes.map((r) =>
      this.config.pooling === 'last'
        ? r.translator.encodeLast(inputs[r.source], ctx)
        : this.pool(r.translator.encode(inputs[r.source], ctx), inputs[r.source]),
    );
    return this.fuse(pooled);
  }

  namedVariables(): NamedVariable[] {
    return [
      ...this.routes.flatMap((r) => scoped(`translators.${r.name}`, r.translator)),
      ...scoped('fusion', this.fusion),
      ...scoped('head', this.head),
    ];
  }

  variables(): tf.Variable[] {
    return this.namedVariables().map(([, v]) => v);
  }

  /** Frees the parameters and the positional table. */
  dispose(): void {
    tf.dispose(this.variables());
    this.pe.dispose();
  }
}

/**
 * Named loss terms as scalars, each its contribution to `total` (λ applied), as HRLF's terms:
 * total = task + trans, and the per-translator `trans_<route>` sum to `trans`.
 */
export interface Objective {
  names: string[];
  values: tf.Scalar[];
  total: tf.Scalar;
}

/** Mean |Ŷ − Y| (or squared) over the valid frames of Y and all features; 0 when Y has none in the batch. */
export function translationLoss(decoded: tf.Tensor3D, target: tf.Tensor3D, distance: TransmConfig['translationDistance']): tf.Scalar {
  const mask = validFrames(target);
  const diff = tf.sub(decoded, target);
  const err = distance === 'l1' ? tf.abs(diff) : tf.square(diff);
  const count = tf.maximum(tf.mul(tf.sum(mask), target.shape[2]), 1);
  return tf.div(tf.sum(tf.mul(err, mask)), count) as tf.Scalar;
}

/** Task loss: taskLoss (MSE, or per-emotion CE) unless the regression knob asks for L1. */
export function transmTaskLoss(logits: tf.Tensor2D, y: tf.Tensor2D, shape: DataShape, config: TransmConfig): tf.Scalar {
  if (shape.task === 'regression' && config.regressionLoss === 'l1') return tf.mean(tf.abs(tf.sub(logits, y))) as tf.Scalar;
  return taskLoss(logits, y, shape.task);
}

export function objective(net: TransmNetwork, out: TrainingForward, targets: Inputs, y: tf.Tensor2D, shape: DataShape, config: TransmConfig): Objective {
  const task = transmTaskLoss(out.logits, y, shape, config);
  const trans = net.routes.map((r, i) => tf.mul(translationLoss(out.decoded[i]!, targets[r.target], config.translationDistance), config.lambdaTrans) as tf.Scalar);
  const transSum = trans.length === 1 ? trans[0]! : (tf.addN(trans) as tf.Scalar);
  const total = tf.add(task, transSum) as tf.Scalar;
  return {
    names: ['total', 'task', 'trans', ...net.routes.map((r) => `trans_${r.name}`)],
    values: [total, task, transSum, ...trans],
    total,
  };
}
