import * as tf from '@tensorflow/tfjs-core';
import { MODALITIES } from '../../../../src-shared/domain';
import type { Rng } from '../../random';
import type { DataShape } from '../../types';
import { disposeModule, Linear, modalityEncoders, scoped, type ForwardCtx, type ModalityEncoder, type Module, type NamedVariable } from '../../nn';
import type { Inputs } from '../method';
import { outputWidth } from '../task-loss';
import { Factorisation, PlainProjection, type PerModality } from './factorisation';
import { Refiner } from './refiner';

export interface NetworkOptions {
  shape: DataShape;
  d: number;
  layers: number;
  heads: number;
  dropout: number;
  ffnMultiplier: number;
  scaleEmbedding: boolean;
  /** false for `w/o FRF`: E^S/E^M and D_r replaced by one MLP per modality. */
  factorised: boolean;
}

export interface NetworkOutputs {
  z: PerModality<tf.Tensor2D>;
  /** Sentiment / modality parts; null when not factorised. */
  q: PerModality<tf.Tensor2D> | null;
  u: PerModality<tf.Tensor2D> | null;
  h: tf.Tensor2D;
  i1: tf.Tensor2D;
  i2: tf.Tensor2D;
  i3: tf.Tensor2D;
  ht: tf.Tensor2D;
  /** [B, 1] (regression) or [B, 2·labelDim] (one binary head per emotion). */
  logits: tf.Tensor2D;
}

/** One HRLF network (the teacher and the student have this structure, with separate weights). */
export class HrlfNetwork implements Module {
  readonly encoders: PerModality<ModalityEncoder>;
  readonly factorisation: Factorisation | null;
  readonly plain: PlainProjection | null;
  readonly refiner: Refiner;
  readonly classifier: Linear;

  constructor(readonly options: NetworkOptions, rng: Rng) {
    const { shape, d } = options;
    this.encoders = modalityEncoders(
      shape.dims,
      {
        length: shape.T,
        d,
        layers: options.layers,
        heads: options.heads,
        dropout: options.dropout,
        ffnMultiplier: options.ffnMultiplier,
        scaleEmbedding: options.scaleEmbedding,
      },
      rng,
    );
    this.factorisation = options.factorised ? new Factorisation(d, rng) : null;
    this.plain = options.factorised ? null : new PlainProjection(d, rng);
    this.refiner = new Refiner(d, rng);
    this.classifier = new Linear(3 * d, outputWidth(shape.task, shape.labelDim), rng);
  }

  /**
   * `presentRows` (optional): per modality, the rows b·T + t that may be non-zero when the inputs
   * are MSM-corrupted data; the encoders then skip the zero rows in their first projection.
   */
  forward(inputs: Inputs, ctx: ForwardCtx, presentRows?: PerModality<Int32Array>): NetworkOutputs {
    const z: PerModality<tf.Tensor2D> = {
      l: this.encoders.l.apply(inputs.l, ctx, presentRows?.l),
      a: this.encoders.a.apply(inputs.a, ctx, presentRows?.a),
      v: this.encoders.v.apply(inputs.v, ctx, presentRows?.v),
    };
    let q: PerModality<tf.Tensor2D> | null = null;
    let u: PerModality<tf.Tensor2D> | null = null;
    let h: tf.Tensor2D;
    if (this.factorisation) {
      const parts = this.factorisation.factorise(z);
      q = parts.q;
      u = parts.u;
      // H = [C_L; C_A; C_V] with C_m = [Q_m; U_m]: one concat of the six halves.
      h = tf.concat(MODALITIES.flatMap((m) => [parts.q[m], parts.u[m]]), 1);
    } else if (this.plain) {
      const c = this.plain.project(z);
      h = tf.concat(MODALITIES.map((m) => c[m]), 1);
    } else {
      throw new Error('network has neither factorisation nor projection');
    }
    const { i1, i2, i3, ht } = this.refiner.apply(h);
    return { z, q, u, h, i1, i2, i3, ht, logits: this.classifier.apply(ht) };
  }

  namedVariables(): NamedVariable[] {
    return [
      ...MODALITIES.flatMap((m) => scoped(`encoders.${m}`, this.encoders[m])),
      ...(this.factorisation ? scoped('factorisation', this.factorisation) : []),
      ...(this.plain ? scoped('plain', this.plain) : []),
      ...scoped('refiner', this.refiner),
      ...scoped('classifier', this.classifier),
    ];
  }

  variables(): tf.Variable[] {
    return this.namedVariables().map(([, v]) => v);
  }

  dispose(): void {
    disposeModule(this);
    for (const m of MODALITIES) this.encoders[m].disposeConstants();
  }
}
