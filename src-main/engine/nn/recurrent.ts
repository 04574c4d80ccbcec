import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../random';
import { EVAL, type ForwardCtx } from './context';
import { dropout } from './dropout';
import { torchDefaultBound, uniformVariable } from './init';
import type { Module, NamedVariable } from './module';
import { gateColumns, gruScan, lstmScan, SATURATE, type ScanOptions } from './recurrent-scan';

/**
 * Multi-layer, optionally bidirectional LSTM and GRU with PyTorch's semantics (nn.LSTM / nn.GRU
 * with batch_first=True), batch-first input [B, T, D].
 *
 * Parameters are named as PyTorch's state_dict — `weight_ih_l{k}`, `weight_hh_l{k}`,
 * `bias_ih_l{k}`, `bias_hh_l{k}`, with the suffix `_reverse` for the second direction — and hold
 * the same values, with the weights TRANSPOSED like every weight in engine/nn (stored [in, G·H],
 * PyTorch's [G·H, in]): load a PyTorch tensor under its own name after `.t()`. Gate blocks keep
 * PyTorch's order: LSTM [i | f | g | o], GRU [r | z | n], so the column block g of
 * `weight_ih_l0` is torch `weight_ih_l0[g·H:(g+1)·H].t()`. Both biases exist (as in PyTorch);
 * the GRU's n gate is n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)). Every parameter starts
 * U(−1/√H, 1/√H), PyTorch's default.
 *
 * Efficiency: per layer and direction, ONE matMul computes the input projections of all T steps;
 * only the recurrent product runs inside the time loop (recurrent-scan.ts, one custom op with a
 * hand-written backward). Internally the layer is time-major.
 */

/** How the two directions of the LAST layer form the output. */
export type DirectionMerge = 'concat' | 'sum';

export interface RecurrentOptions {
  inputSize: number;
  /** Hidden units per direction (PyTorch hidden_size). */
  hiddenSize: number;
  /** Stacked layers (PyTorch num_layers); default 1. */
  layers?: number;
  /** A second, time-reversed direction per layer; default false. */
  bidirectional?: boolean;
  /**
   * Output of a bidirectional stack: 'concat' [.., 2H] (PyTorch, default) or 'sum' [.., H]
   * (CubeMLP's encoders, MCTN's Keras merge_mode='sum'). Only the last layer's output is merged;
   * between layers the directions are concatenated, as in PyTorch.
   */
  merge?: DirectionMerge;
  /** Dropout on every layer's output except the last, training only (PyTorch `dropout`); default 0. */
  dropout?: number;
}

export interface RecurrentCall {
  /**
   * Step validity [B, T], float 1 (valid) or 0 (padding), any layout (the project's sequences are
   * front-padded). A padded step leaves the state unchanged and outputs zeros, in both directions:
   * the result equals PyTorch on pack_padded_sequence input (then pad_packed_sequence, padding 0).
   * A sequence without valid steps (which PyTorch rejects) keeps its initial state. Omitted: all T
   * steps are valid.
   */
  mask?: tf.Tensor2D;
  /** Initial hidden states [layers·dirs, B, H], index layer·dirs + direction (PyTorch h_0); default zeros. */
  h0?: tf.Tensor3D;
  /**
   * How many leading steps are padding (mask 0) in EVERY sample, as the caller knows on the host
   * (the layer does not read the mask back). The scans and projections then run over the other
   * steps only, and zeros are put back in front: a padded step carries the state and outputs zero,
   * so output, h and c are unchanged, and a front-padded batch of short samples costs its longest
   * sample's length instead of T. Inter-layer dropout still draws its mask over all T steps, so a
   * seeded run draws the same. Needs `mask`; default 0.
   */
  leadingPadding?: number;
}

export interface LstmCall extends RecurrentCall {
  /** Initial cell states [layers·dirs, B, H] (PyTorch c_0); default zeros. */
  c0?: tf.Tensor3D;
}

export interface RecurrentOutput {
  /** Last layer's output at every step: [B, T, 2H] (bidirectional, concat) or [B, T, H]; zeros at padded steps. */
  output: tf.Tensor3D;
  /**
   * Final hidden state of every layer and direction [layers·dirs, B, H] (PyTorch h_n): after the
   * last valid step in that direction (for the reverse direction, the first valid time step).
   */
  h: tf.Tensor3D;
}

export interface LstmOutput extends RecurrentOutput {
  /** Final cell states [layers·dirs, B, H] (PyTorch c_n). */
  c: tf.Tensor3D;
}

/** The four parameters of one layer and direction (PyTorch names, weights transposed). */
interface DirectionParams {
  readonly suffix: string;
  readonly weightIh: tf.Variable;
  readonly weightHh: tf.Variable;
  readonly biasIh: tf.Variable;
  readonly biasHh: tf.Variable;
}

/** What one layer-direction gets from the stack, all time-major. */
interface DirectionInput {
  /** Layer input [T·B, in]. */
  x: tf.Tensor2D;
  T: number;
  B: number;
  /** [T·B, G·H] pre-activation offsets that saturate the gates at padded steps; null without a mask. */
  maskBias: tf.Tensor2D | null;
  scan: ScanOptions;
  h0: tf.Tensor2D;
  c0: tf.Tensor2D;
}

interface DirectionResult {
  /** Hidden state after each step [T, B, H] (carried through padded steps). */
  states: tf.Tensor3D;
  /** Final cell state [B, H] (LSTM only). */
  c: tf.Tensor2D | null;
}

/**
 * x·W + b for all time steps at once. Plain matMul + add rather than linearOp: autodiff then skips
 * the input gradient when nothing upstream needs it (the first layer usually reads data), while
 * linearOp's custom backward always computes it ([T·B, G·H]·[G·H, D], as costly as the forward).
 */
export function project(x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  return tf.add(tf.matMul(x, w as tf.Tensor2D), b);
}

abstract class StackedRecurrent implements Module {
  readonly hiddenSize: number;
  readonly layers: number;
  readonly directions: 1 | 2;
  readonly merge: DirectionMerge;
  readonly dropoutRate: number;
  /** Index layer·directions + direction, as PyTorch's h_n. */
  readonly params: DirectionParams[] = [];

  protected constructor(
    private readonly kind: 'Lstm' | 'Gru',
    gates: number,
    readonly options: RecurrentOptions,
    rng: Rng,
  ) {
    const { inputSize, hiddenSize } = options;
    this.hiddenSize = hiddenSize;
    this.layers = options.layers ?? 1;
    this.directions = options.bidirectional ? 2 : 1;
    this.merge = options.merge ?? 'concat';
    this.dropoutRate = options.dropout ?? 0;
    for (const [name, v] of [
      ['inputSize', inputSize],
      ['hiddenSize', hiddenSize],
      ['layers', this.layers],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`${kind}: ${name} must be a positive integer, got ${v}`);
    }
    if (!(this.dropoutRate >= 0 && this.dropoutRate < 1)) throw new Error(`${kind}: dropout must be in [0, 1), got ${this.dropoutRate}`);
    const bound = torchDefaultBound(hiddenSize);
    const g = gates * hiddenSize;
    for (let l = 0; l < this.layers; l++) {
      const inSize = l === 0 ? inputSize : hiddenSize * this.directions;
      for (let d = 0; d < this.directions; d++) {
        const suffix = `_l${l}${d === 1 ? '_reverse' : ''}`;
        this.params.push({
          suffix,
          weightIh: uniformVariable([inSize, g], bound, rng),
          weightHh: uniformVariable([hiddenSize, g], bound, rng),
          biasIh: uniformVariable([g], bound, rng),
          biasHh: uniformVariable([g], bound, rng),
        });
      }
    }
  }

  /** Output width: H·2 for a concatenated bidirectional stack, else H. */
  get outputSize(): number {
    return this.directions === 2 && this.merge === 'concat' ? 2 * this.hiddenSize : this.hiddenSize;
  }

  namedVariables(): NamedVariable[] {
    return this.params.flatMap((p) => [
      [`weight_ih${p.suffix}`, p.weightIh] as const,
      [`weight_hh${p.suffix}`, p.weightHh] as const,
      [`bias_ih${p.suffix}`, p.biasIh] as const,
      [`bias_hh${p.suffix}`, p.biasHh] as const,
    ]);
  }

  /** Per-column factors from PyTorch's gate parametrisation to the scan's (see recurrent-scan.ts). */
  protected abstract readonly gateScale: readonly number[];
  /** Per-gate pre-activation offsets that freeze the state at a padded step. */
  protected abstract readonly paddingOffset: readonly number[];

  protected abstract runDirection(p: DirectionParams, input: DirectionInput, scale: tf.Tensor1D): DirectionResult;

  protected run(x: tf.Tensor3D, ctx: ForwardCtx, call: LstmCall): { output: tf.Tensor3D; h: tf.Tensor3D; c: tf.Tensor3D | null } {
    const { h0, c0 } = call;
    const skip = call.leadingPadding ?? 0;
    this.validate(x, call.mask, h0, c0, skip);
    const mask = skip > 0 ? (tf.slice(call.mask!, [0, skip], [-1, -1]) as tf.Tensor2D) : call.mask;
    const steps = skip > 0 ? (tf.slice(x, [0, skip, 0], [-1, -1, -1]) as tf.Tensor3D) : x;
    const [B, T] = steps.shape; // the steps that run: all but the `skip` cut ones
    const H = this.hiddenSize;
    const keepTB1 = mask ? (tf.reshape(tf.transpose(mask), [T, B, 1]) as tf.Tensor3D) : null;
    const keep = keepTB1 ? (tf.unstack(keepTB1) as tf.Tensor2D[]) : null;
    const maskBias = keepTB1
      ? (tf.mul(tf.sub(1, tf.reshape(keepTB1, [T * B, 1])), gateColumns(this.paddingOffset, H)) as tf.Tensor2D)
      : null;
    const scale = gateColumns(this.gateScale, H);
    const zeros = tf.zeros([B, H]) as tf.Tensor2D;
    const initial = (states: tf.Tensor3D | undefined, k: number): tf.Tensor2D =>
      states ? (tf.reshape(tf.slice(states, [k, 0, 0], [1, B, H]), [B, H]) as tf.Tensor2D) : zeros;

    let input = tf.transpose(steps, [1, 0, 2]) as tf.Tensor3D; // [T, B, D]
    const hs: tf.Tensor2D[] = [];
    const cs: tf.Tensor2D[] = [];
    for (let l = 0; l < this.layers; l++) {
      const x2 = tf.reshape(input, [T * B, input.shape[2]]) as tf.Tensor2D;
      const outs: tf.Tensor3D[] = [];
      for (let d = 0; d < this.directions; d++) {
        const k = l * this.directions + d;
        const reverse = d === 1;
        const { states, c } = this.runDirection(this.params[k]!, { x: x2, T, B, maskBias, scan: { keep, reverse }, h0: initial(h0, k), c0: initial(c0, k) }, scale);
        hs.push(tf.reshape(tf.slice(states, [reverse ? 0 : T - 1, 0, 0], [1, B, H]), [B, H]) as tf.Tensor2D);
        if (c) cs.push(c);
        outs.push(keepTB1 ? tf.mul(states, keepTB1) : states);
      }
      const last = l === this.layers - 1;
      if (outs.length === 1) input = outs[0]!;
      else input = (last && this.merge === 'sum' ? tf.add(outs[0]!, outs[1]!) : tf.concat(outs, 2)) as tf.Tensor3D;
      if (!last) input = this.interLayerDropout(input, skip, ctx);
    }
    const output = tf.transpose(input, [1, 0, 2]) as tf.Tensor3D; // [B, T, ·], before the cut steps' zeros
    return {
      output: skip > 0 ? (tf.pad(output, [[0, 0], [skip, 0], [0, 0]]) as tf.Tensor3D) : output,
      h: tf.stack(hs) as tf.Tensor3D,
      c: cs.length > 0 ? (tf.stack(cs) as tf.Tensor3D) : null,
    };
  }

  /**
   * Dropout on a time-major layer output [T, B, ·] whose first `skip` steps were cut: the mask is
   * drawn over the full [skip + T, B, ·] (its values run in that order), so the kept steps get
   * the values they get without the cut.
   */
  private interLayerDropout(input: tf.Tensor3D, skip: number, ctx: ForwardCtx): tf.Tensor3D {
    if (skip === 0 || !ctx.training || this.dropoutRate <= 0) return dropout(input, this.dropoutRate, ctx);
    const full = dropout(tf.pad(input, [[skip, 0], [0, 0], [0, 0]]) as tf.Tensor3D, this.dropoutRate, ctx);
    return tf.slice(full, [skip, 0, 0], [-1, -1, -1]) as tf.Tensor3D;
  }

  private validate(x: tf.Tensor, mask: tf.Tensor | undefined, h0: tf.Tensor | undefined, c0: tf.Tensor | undefined, skip: number): void {
    const inSize = this.options.inputSize;
    if (x.rank !== 3 || x.shape[2] !== inSize || x.shape[1]! < 1) {
      throw new Error(`${this.kind}: input must be [B, T ≥ 1, ${inSize}], got [${x.shape.join(', ')}]`);
    }
    const [B, T] = x.shape;
    if (mask && (mask.rank !== 2 || mask.shape[0] !== B || mask.shape[1] !== T || mask.dtype !== 'float32')) {
      throw new Error(`${this.kind}: mask must be float32 [B, T] = [${B}, ${T}], got ${mask.dtype} [${mask.shape.join(', ')}]`);
    }
    if (!Number.isInteger(skip) || skip < 0 || skip >= T!) {
      throw new Error(`${this.kind}: leadingPadding must be an integer in [0, T − 1] = [0, ${T! - 1}], got ${skip}`);
    }
    if (skip > 0 && !mask) throw new Error(`${this.kind}: leadingPadding needs the mask it summarises`);
    const stateShape = [this.layers * this.directions, B, this.hiddenSize];
    for (const [name, s] of [
      ['h0', h0],
      ['c0', c0],
    ] as const) {
      if (s && s.shape.join() !== stateShape.join()) {
        throw new Error(`${this.kind}: ${name} must be [layers·dirs, B, H] = [${stateShape.join(', ')}], got [${s.shape.join(', ')}]`);
      }
    }
  }
}

/**
 * PyTorch nn.LSTM (batch_first). `apply(x, ctx, { mask, h0, c0 })` → { output, h, c }; see
 * RecurrentCall for the mask semantics and StackedRecurrent's notes for the parameter layout.
 */
export class Lstm extends StackedRecurrent {
  /** g's pre-activation doubled: one sigmoid gives σ(2z), and tanh(z) = 2σ(2z) − 1. */
  protected readonly gateScale = [1, 1, 2, 1];
  /** At a padded step: input gate 0, forget gate 1, so c is carried exactly. */
  protected readonly paddingOffset = [-SATURATE, SATURATE, 0, 0];

  constructor(options: RecurrentOptions, rng: Rng) {
    super('Lstm', 4, options, rng);
  }

  apply(x: tf.Tensor3D, ctx: ForwardCtx = EVAL, call: LstmCall = {}): LstmOutput {
    const { output, h, c } = this.run(x, ctx, call);
    return { output, h, c: c! };
  }

  protected runDirection(p: DirectionParams, input: DirectionInput, scale: tf.Tensor1D): DirectionResult {
    const { x, T, B, maskBias, scan, h0, c0 } = input;
    const H = this.hiddenSize;
    // PyTorch's two LSTM biases only ever appear summed.
    const bias = tf.mul(tf.add(p.biasIh, p.biasHh), scale);
    let xp = project(x, tf.mul(p.weightIh, scale), bias);
    if (maskBias) xp = tf.add(xp, maskBias);
    const packed = lstmScan(tf.reshape(xp, [T, B, 4 * H]), tf.mul(p.weightHh, scale) as tf.Tensor2D, h0, c0, scan);
    return {
      states: tf.slice(packed, [0, 0, 0], [T, B, H]),
      c: tf.reshape(tf.slice(packed, [T, 0, 0], [1, B, H]), [B, H]),
    };
  }
}

/**
 * PyTorch nn.GRU (batch_first). `apply(x, ctx, { mask, h0 })` → { output, h }; see RecurrentCall
 * for the mask semantics and StackedRecurrent's notes for the parameter layout.
 */
export class Gru extends StackedRecurrent {
  /** z negated (the scan's u = 1 − z), n's pre-activation doubled (tanh via sigmoid). */
  protected readonly gateScale = [1, -1, 2];
  /** At a padded step: u = 0, so h is carried exactly. */
  protected readonly paddingOffset = [0, -SATURATE, 0];

  constructor(options: RecurrentOptions, rng: Rng) {
    super('Gru', 3, options, rng);
  }

  apply(x: tf.Tensor3D, ctx: ForwardCtx = EVAL, call: RecurrentCall = {}): RecurrentOutput {
    const { output, h } = this.run(x, ctx, call);
    return { output, h };
  }

  protected runDirection(p: DirectionParams, input: DirectionInput, scale: tf.Tensor1D): DirectionResult {
    const { x, T, B, maskBias, scan, h0 } = input;
    const H = this.hiddenSize;
    let xp = project(x, tf.mul(p.weightIh, scale), tf.mul(p.biasIh, scale));
    if (maskBias) xp = tf.add(xp, maskBias);
    const states = gruScan(
      tf.reshape(xp, [T, B, 3 * H]),
      tf.mul(p.weightHh, scale) as tf.Tensor2D,
      tf.mul(p.biasHh, scale) as tf.Tensor1D,
      h0,
      scan.reverse,
    );
    return { states, c: null };
  }
}
