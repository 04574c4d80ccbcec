import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../random';
import type { ForwardCtx } from './context';
import { Conv1dK3 } from './conv1d';
import { scoped, type Module, type NamedVariable } from './module';
import { positionalEncoding } from './positional';
import { TransformerEncoder } from './transformer';

export interface ModalityEncoderOptions {
  inputDim: number;
  length: number;
  d: number;
  layers: number;
  heads: number;
  dropout: number;
  ffnMultiplier: number;
  scaleEmbedding: boolean;
}

/**
 * HRLF's per-modality encoder (resources/docs/hrlf-spec.md §2), shared by every method that uses
 * HRLF's encoder stack (HRLF, CorrKD). Spec §2 steps 1–2 for one modality: R = Conv1D(X)·√d + PE, Z = F(R)[last step] ∈ R^d.
 * Only the last step of F's output is used, so the last encoder layer runs in its last-step form.
 */
export class ModalityEncoder implements Module {
  readonly conv: Conv1dK3;
  readonly encoder: TransformerEncoder;
  private readonly pe: tf.Tensor2D;
  private readonly scale: number;

  constructor(options: ModalityEncoderOptions, rng: Rng) {
    this.conv = new Conv1dK3(options.inputDim, options.d, rng);
    this.encoder = new TransformerEncoder(
      { d: options.d, heads: options.heads, layers: options.layers, dropout: options.dropout, ffnMultiplier: options.ffnMultiplier },
      rng,
    );
    this.pe = tf.keep(positionalEncoding(options.length, options.d));
    this.scale = options.scaleEmbedding ? Math.sqrt(options.d) : 1;
  }

  /** [B, T, d_m] → Z [B, d]; `presentRows`: see Conv1dK3.apply (MSM-corrupted data only). */
  apply(x: tf.Tensor3D, ctx: ForwardCtx, presentRows?: Int32Array): tf.Tensor2D {
    const r = this.conv.apply(x, presentRows, { scale: this.scale, add: this.pe });
    return this.encoder.applyLast(r, ctx);
  }

  namedVariables(): NamedVariable[] {
    return [...scoped('conv', this.conv), ...scoped('encoder', this.encoder)];
  }

  /** The positional table is a constant, not a parameter: freed here. */
  disposeConstants(): void {
    this.pe.dispose();
  }
}

/** One encoder per modality (l, a, v, built in that order from `rng`) for inputs of widths `dims`. */
export function modalityEncoders(
  dims: readonly [number, number, number],
  options: Omit<ModalityEncoderOptions, 'inputDim'>,
  rng: Rng,
): { l: ModalityEncoder; a: ModalityEncoder; v: ModalityEncoder } {
  const l = new ModalityEncoder({ ...options, inputDim: dims[0] }, rng);
  const a = new ModalityEncoder({ ...options, inputDim: dims[1] }, rng);
  const v = new ModalityEncoder({ ...options, inputDim: dims[2] }, rng);
  return { l, a, v };
}
