import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../random';
import { attentionLstmScan } from './attention-decoder-scan';
import { torchDefaultBound, uniformVariable } from './init';
import { Linear } from './linear';
import { scoped, type Module, type NamedVariable } from './module';
import { project } from './recurrent';
import { gateColumns } from './recurrent-scan';

export interface AttentionDecoderOptions {
  /** Width of a target frame, which is also the width of a predicted frame. */
  outputSize: number;
  /** Width of one memory (encoder output) step. */
  memorySize: number;
  /** LSTM hidden units H. */
  hiddenSize: number;
  /** Hidden width A of the additive attention; default H. */
  attentionSize?: number;
}

export interface AttentionDecoderCall {
  /** [B, S] 1 = valid memory step; masked steps get zero attention. Omitted: all valid. */
  memoryMask?: tf.Tensor2D;
  /** Initial LSTM state [B, H] each; default zeros. */
  h0?: tf.Tensor2D;
  c0?: tf.Tensor2D;
}

export interface AttentionDecoderOutput {
  /** Predicted frames [B, T, outputSize]; row t is predicted from target frames 0…t−1. */
  output: tf.Tensor3D;
  /** Attention weights over the memory at every decoding step [B, T, S]. */
  attention: tf.Tensor3D;
  /** LSTM state after the last step [B, H]. */
  h: tf.Tensor2D;
  c: tf.Tensor2D;
}

/**
 * Attention-based LSTM decoder of a seq2seq translation (MCTN §5), trained with teacher forcing.
 *
 * At step t, with (h, c) the state after step t−1:
 *   e_s   = v·tanh(W_q·h + W_k·m_s)            additive attention over the memory m [B, S, Dm]
 *   α     = softmax_s(e) over valid steps, ctx = Σ_s α_s·m_s
 *   h, c  = LSTMCell([y_{t−1}; ctx], (h, c))  y_{−1} = 0, y_{t−1} = the ground-truth target frame
 *   ŷ_t   = W_o·[h; ctx] + b_o
 *
 * This is the MMSA PyTorch port's decoder (thuiar/MMSA:src/MMSA/models/singleTask/MCTN.py: the
 * bias-free additive attention on [s; m_s], LSTM input [y_prev; ctx], output Linear on
 * [h; ctx]) with two deliberate differences: the LSTM state is carried from step to step (the
 * port restarts its LSTM from zeros at every step and only carries the attention query), and
 * frame 0 is predicted too (from a zero frame; the port leaves it zero). The original Keras
 * AttentionDecoderCell (hainow/MCTN:seq2seq/cells.py) scores [m_s; c_{t−1}] with one Dense layer,
 * feeds no previous frame and ties its forget gate to its input gate; we follow the port.
 *
 * Parameters: `cell.*` as PyTorch nn.LSTMCell(outputSize + memorySize, H) (weights transposed,
 * input rows [y_prev | ctx], gate columns [i | f | g | o]); `attention.query.weight` [H, A],
 * `attention.key.weight` [Dm, A], `attention.score.weight` [A, 1] (no biases); `out.weight`
 * [H + Dm, outputSize] (rows [h | ctx]) and `out.bias`.
 */
export class AttentionLstmDecoder implements Module {
  readonly hiddenSize: number;
  readonly outputSize: number;
  readonly memorySize: number;
  readonly weightIh: tf.Variable;
  readonly weightHh: tf.Variable;
  readonly biasIh: tf.Variable;
  readonly biasHh: tf.Variable;
  readonly query: Linear;
  readonly key: Linear;
  readonly score: Linear;
  readonly out: Linear;

  constructor(options: AttentionDecoderOptions, rng: Rng) {
    const { outputSize, memorySize, hiddenSize } = options;
    const attentionSize = options.attentionSize ?? hiddenSize;
    for (const [name, v] of Object.entries({ outputSize, memorySize, hiddenSize, attentionSize })) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`AttentionLstmDecoder: ${name} must be a positive integer, got ${v}`);
    }
    this.hiddenSize = hiddenSize;
    this.outputSize = outputSize;
    this.memorySize = memorySize;
    const bound = torchDefaultBound(hiddenSize);
    this.weightIh = uniformVariable([outputSize + memorySize, 4 * hiddenSize], bound, rng);
    this.weightHh = uniformVariable([hiddenSize, 4 * hiddenSize], bound, rng);
    this.biasIh = uniformVariable([4 * hiddenSize], bound, rng);
    this.biasHh = uniformVariable([4 * hiddenSize], bound, rng);
    this.query = new Linear(hiddenSize, attentionSize, rng, { bias: false });
    this.key = new Linear(memorySize, attentionSize, rng, { bias: false });
    this.score = new Linear(attentionSize, 1, rng, { bias: false });
    this.out = new Linear(hiddenSize + memorySize, outputSize, rng);
  }

  /** memory [B, S, Dm], targets [B, T, outputSize] (teacher forcing: the decoder reads them shifted by one). */
  apply(memory: tf.Tensor3D, targets: tf.Tensor3D, call: AttentionDecoderCall = {}): AttentionDecoderOutput {
    this.validate(memory, targets, call);
    const [B, S, Dm] = memory.shape;
    const T = targets.shape[1];
    const H = this.hiddenSize;
    const Dy = this.outputSize;
    // Same gate parametrisation as the Lstm layer: g's pre-activation doubled, tanh(z) = 2σ(2z) − 1.
    const scale = gateColumns([1, 1, 2, 1], H);
    const wIh = tf.mul(this.weightIh, scale) as tf.Tensor2D;
    const wY = tf.slice(wIh, [0, 0], [Dy, 4 * H]);
    // ctx and h multiply one stacked weight: one matMul per step.
    const wCtxH = tf.concat([tf.slice(wIh, [Dy, 0], [Dm, 4 * H]), tf.mul(this.weightHh, scale)], 0) as tf.Tensor2D;
    const bias = tf.mul(tf.add(this.biasIh, this.biasHh), scale) as tf.Tensor1D;

    // Teacher forcing: step t reads target frame t−1 (a zero frame at t = 0); projected for all steps at once.
    const first = tf.zeros([B, 1, Dy]);
    const previous = T === 1 ? first : tf.concat([first, tf.slice(targets, [0, 0, 0], [B, T - 1, Dy])], 1);
    const fromPrevious = project(tf.reshape(previous, [B * T, Dy]) as tf.Tensor2D, wY, bias);
    const A = this.key.outFeatures;
    const keys = tf.reshape(this.key.apply(tf.reshape(memory, [B * S, Dm]) as tf.Tensor2D), [B, S, A]);

    // The time loop is one custom op (attention-decoder-scan.ts), which wants the score doubled.
    const packed = attentionLstmScan(
      {
        steps: tf.transpose(tf.reshape(fromPrevious, [B, T, 4 * H]), [1, 0, 2]) as tf.Tensor3D,
        keys2: tf.mul(keys, 2) as tf.Tensor3D,
        memory,
        wq2: tf.mul(this.query.weight, 2) as tf.Tensor2D,
        v2: tf.mul(this.score.weight, 2) as tf.Tensor2D,
        wCtxH,
        h0: call.h0 ?? (tf.zeros([B, H]) as tf.Tensor2D),
        c0: call.c0 ?? (tf.zeros([B, H]) as tf.Tensor2D),
      },
      call.memoryMask,
    );
    // Rows t < T: [h_t | ctx_t | α_t]; the readout is [h_t | ctx_t]. Row T starts with the final c.
    const readout = tf.reshape(tf.transpose(tf.slice(packed, [0, 0, 0], [T, B, H + Dm]), [1, 0, 2]), [B * T, H + Dm]);
    return {
      output: tf.reshape(this.out.apply(readout as tf.Tensor2D), [B, T, Dy]),
      attention: tf.transpose(tf.slice(packed, [0, 0, H + Dm], [T, B, S]), [1, 0, 2]) as tf.Tensor3D,
      h: tf.reshape(tf.slice(packed, [T - 1, 0, 0], [1, B, H]), [B, H]),
      c: tf.reshape(tf.slice(packed, [T, 0, 0], [1, B, H]), [B, H]),
    };
  }

  namedVariables(): NamedVariable[] {
    return [
      ['cell.weight_ih', this.weightIh],
      ['cell.weight_hh', this.weightHh],
      ['cell.bias_ih', this.biasIh],
      ['cell.bias_hh', this.biasHh],
      ...scoped('attention.query', this.query),
      ...scoped('attention.key', this.key),
      ...scoped('attention.score', this.score),
      ...scoped('out', this.out),
    ];
  }

  private validate(memory: tf.Tensor3D, targets: tf.Tensor3D, call: AttentionDecoderCall): void {
    const name = 'AttentionLstmDecoder';
    if (memory.rank !== 3 || memory.shape[2] !== this.memorySize || memory.shape[1] < 1) {
      throw new Error(`${name}: memory must be [B, S ≥ 1, ${this.memorySize}], got [${memory.shape.join(', ')}]`);
    }
    const [B, S] = memory.shape;
    if (targets.rank !== 3 || targets.shape[0] !== B || targets.shape[2] !== this.outputSize || targets.shape[1] < 1) {
      throw new Error(`${name}: targets must be [${B}, T ≥ 1, ${this.outputSize}], got [${targets.shape.join(', ')}]`);
    }
    const m = call.memoryMask;
    if (m && (m.rank !== 2 || m.shape[0] !== B || m.shape[1] !== S)) {
      throw new Error(`${name}: memoryMask must be [B, S] = [${B}, ${S}], got [${m.shape.join(', ')}]`);
    }
    for (const [key, s] of [
      ['h0', call.h0],
      ['c0', call.c0],
    ] as const) {
      if (s && (s.rank !== 2 || s.shape[0] !== B || s.shape[1] !== this.hiddenSize)) {
        throw new Error(`${name}: ${key} must be [B, H] = [${B}, ${this.hiddenSize}], got [${s.shape.join(', ')}]`);
      }
    }
  }
}
