/**
 * CorrKD's network (resources/docs/baselines.md §9, build plan [gap-fill]): HRLF's encoder stack
 * per modality, fused by concatenation → MLP. Teacher and student share the structure, not the
 * weights.
 *
 *   Z_m = Enc_m(X_m)[last step]          [B, d]          m ∈ {l, a, v}  (hrlf-spec §2)
 *   f   = ReLU(W_f·[Z_l; Z_a; Z_v] + b_f) [B, fusionHidden]  the joint feature (distilled, represented)
 *   ŷ   = W_h·f + b_h                     [B, out]        1, or 2 logits per IEMOCAP emotion
 */
import * as tf from '@tensorflow/tfjs-core';
import { MODALITIES } from '../../../../src-shared/domain';
import type { Rng } from '../../random';
import type { DataShape } from '../../types';
import { disposeModule, Linear, modalityEncoders, scoped, type ForwardCtx, type ModalityEncoder, type Module, type NamedVariable } from '../../nn';
import type { Inputs } from '../method';
import { outputWidth } from '../task-loss';
import type { CorrkdConfig } from './card';

type PerModality<T> = Record<keyof Inputs, T>;

export interface CorrkdOutputs {
  /** The joint feature f [B, fusionHidden]. */
  feature: tf.Tensor2D;
  /** [B, 1] (regression) or [B, 2·labelDim] (one binary head per emotion). */
  logits: tf.Tensor2D;
}

export class CorrkdNetwork implements Module {
  readonly encoders: PerModality<ModalityEncoder>;
  readonly fusion: Linear;
  readonly head: Linear;

  constructor(shape: DataShape, config: CorrkdConfig, rng: Rng) {
    const { d, layers, heads, dropout, ffnMultiplier, scaleEmbedding } = config;
    this.encoders = modalityEncoders(shape.dims, { length: shape.T, d, layers, heads, dropout, ffnMultiplier, scaleEmbedding }, rng);
    this.fusion = new Linear(3 * config.d, config.fusionHidden, rng);
    this.head = new Linear(config.fusionHidden, outputWidth(shape.task, shape.labelDim), rng);
  }

  /** `presentRows`: per modality, the rows b·T + t that can be non-zero (MSM-corrupted inputs only). */
  forward(inputs: Inputs, ctx: ForwardCtx, presentRows?: PerModality<Int32Array>): CorrkdOutputs {
    const z = MODALITIES.map((m) => this.encoders[m].apply(inputs[m], ctx, presentRows?.[m])); // 3 × [B, d]
    const feature = this.fusion.apply(tf.concat(z, 1), 'relu'); // [B, fusionHidden]
    return { feature, logits: this.head.apply(feature) };
  }

  namedVariables(): NamedVariable[] {
    return [...MODALITIES.flatMap((m) => scoped(`encoders.${m}`, this.encoders[m])), ...scoped('fusion', this.fusion), ...scoped('head', this.head)];
  }

  variables(): tf.Variable[] {
    return this.namedVariables().map(([, v]) => v);
  }

  dispose(): void {
    disposeModule(this);
    for (const m of MODALITIES) this.encoders[m].disposeConstants();
  }
}
