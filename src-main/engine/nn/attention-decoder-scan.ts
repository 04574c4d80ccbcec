import * as tf from '@tensorflow/tfjs-core';
import { maskedSoftmax } from './masked-softmax';
import { lstmCellFactors, statesBefore } from './recurrent-scan';
import { transposedProduct } from './transposed-product';

/**
 * The time loop of AttentionLstmDecoder (attention-decoder.ts) as ONE differentiable op with a
 * hand-written backward pass, for the same reasons as recurrent-scan.ts: autodiff recorded ~40
 * kernels per step and replayed ~100 in the backward pass (3.5x slower than PyTorch at MCTN
 * sizes); here the forward records nothing per step and the backward loop holds ~20 small ops,
 * with every weight gradient computed by one matMul over all steps after the loop.
 *
 * Parametrisation (prepared differentiably by the decoder): the additive score v·tanh(k_s + W_q·h)
 * is computed as (2v)·σ(2k_s + 2W_q·h), which differs from it by the per-row constant Σv that
 * softmax ignores; so `keys2` = 2·keys, `wq2` = 2·W_q, `v2` = 2·v. The LSTM weights are in the
 * scan's gate parametrisation (g block doubled); `wCtxH` stacks the ctx rows of W_ih over W_hh.
 */
export interface AttentionScanInputs {
  /** Teacher-forced input projections of every step [T, B, 4H] (bias included). */
  steps: tf.Tensor3D;
  /** [B, S, A] */
  keys2: tf.Tensor3D;
  /** [B, S, D] */
  memory: tf.Tensor3D;
  /** [H, A] */
  wq2: tf.Tensor2D;
  /** [A, 1] */
  v2: tf.Tensor2D;
  /** [D + H, 4H] */
  wCtxH: tf.Tensor2D;
  h0: tf.Tensor2D;
  c0: tf.Tensor2D;
}

/**
 * Returns [T + 1, B, H + D + S]: row t < T is [h_t | ctx_t | α_t] of step t, row T holds the final
 * cell state in its first H columns.
 */
export function attentionLstmScan(inputs: AttentionScanInputs, memoryMask: tf.Tensor2D | undefined): tf.Tensor3D {
  const { steps, keys2, memory, wq2, v2, wCtxH, h0, c0 } = inputs;
  const [T, B, G] = steps.shape;
  const [, S, D] = memory.shape;
  const H = G / 4;
  const A = keys2.shape[2];
  // customGrad hands f the very tensors passed to op(...), so the body reads them from `inputs`.
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const xs = tf.unstack(steps) as tf.Tensor2D[];
    const one = tf.scalar(1);
    const two = tf.scalar(2);
    let h: tf.Tensor = h0;
    let c: tf.Tensor = c0;
    const hs = new Array<tf.Tensor>(T);
    const cells = new Array<tf.Tensor>(T);
    const gates = new Array<tf.Tensor>(T);
    const sig = new Array<tf.Tensor>(T); // σ(2k + 2W_q·h) [B, S, A]
    const alphas = new Array<tf.Tensor>(T);
    const ctxs = new Array<tf.Tensor>(T);
    for (let t = 0; t < T; t++) {
      [h, c, gates[t], sig[t], alphas[t], ctxs[t]] = tf.tidy(() => {
        const s = tf.sigmoid(tf.add(keys2, tf.reshape(tf.matMul(h as tf.Tensor2D, wq2), [B, 1, A])));
        const scores = tf.reshape(tf.matMul(tf.reshape(s, [B * S, A]) as tf.Tensor2D, v2), [B, S]) as tf.Tensor2D;
        const alpha = maskedSoftmax(scores, memoryMask);
        const ctx = tf.reshape(tf.matMul(tf.reshape(alpha, [B, 1, S]), memory), [B, D]);
        const a = tf.sigmoid(tf.add(xs[t]!, tf.matMul(tf.concat([ctx, h], 1) as tf.Tensor2D, wCtxH))); // [i | f | q | o]
        const [i, f, q, o] = tf.split(a, 4, 1);
        const cNext = tf.add(tf.mul(f!, c), tf.mul(i!, tf.sub(tf.mul(q!, two), one)));
        const hNext = tf.mul(o!, tf.sub(tf.mul(tf.sigmoid(tf.mul(cNext, two)), two), one));
        return [hNext, cNext, a, s, alpha, ctx];
      });
      hs[t] = h;
      cells[t] = c;
    }
    const rows = tf.concat([tf.stack(hs), tf.stack(ctxs), tf.stack(alphas)], 2);
    const last = tf.pad(tf.reshape(c, [1, B, H]), [
      [0, 0],
      [0, 0],
      [0, D + S],
    ]);
    const value = tf.concat([rows, last], 0) as tf.Tensor3D;
    save([value, memory, wq2, v2, wCtxH, h0, c0, ...gates, ...cells, ...sig]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => attentionBackward(dy as tf.Tensor3D, saved, { T, B, H, S, D, A }),
    };
  });
  return op(steps, keys2, memory, wq2, v2, wCtxH, h0, c0) as tf.Tensor3D;
}

interface Sizes {
  T: number;
  B: number;
  H: number;
  S: number;
  D: number;
  A: number;
}

/**
 * BPTT: per step (newest first) the LSTM cell backward as in recurrent-scan.ts, then the
 * gradient reaching ctx goes back through the attention: dα = dctx·Mᵀ, softmax backward
 * dscore = α⊙(dα − Σα⊙dα) (zero at masked steps, where α = 0), ds = dscore⊗v2⊙s(1−s), which
 * feeds the keys (summed over steps) and the query (Σ_s ds, into h_{t−1} through W_q).
 */
function attentionBackward(dy: tf.Tensor3D, saved: tf.Tensor[], { T, B, H, S, D, A }: Sizes): tf.Tensor[] {
  const [out, memory] = saved as [tf.Tensor3D, tf.Tensor3D];
  const [wq2, v2, wCtxH, h0, c0] = saved.slice(2, 7) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
  const gates = tf.stack(saved.slice(7, 7 + T)) as tf.Tensor3D;
  const cells = tf.stack(saved.slice(7 + T, 7 + 2 * T)) as tf.Tensor3D;
  const sigs = tf.stack(saved.slice(7 + 2 * T, 7 + 3 * T)) as tf.Tensor4D; // [T, B, S, A]
  const [hAll, ctxAll, alphaAll] = tf.split(tf.slice(out, [0, 0, 0], [T, B, H + D + S]), [H, D, S], 2) as tf.Tensor3D[];
  const hPrev = statesBefore(hAll!, h0, false);
  const { P4, K4, F4 } = lstmCellFactors(gates, cells, statesBefore(cells, c0, false));
  // ds per unit of dscore: v2 ⊙ s(1−s), for all steps at once.
  const dsFactor = tf.unstack(tf.mul(tf.mul(sigs, tf.sub(1, sigs)), tf.reshape(v2, [A]))) as tf.Tensor3D[];
  const alphas = tf.unstack(alphaAll!) as tf.Tensor2D[];
  const [dyRows, dyLast] = tf.split(dy, [T, 1], 0) as [tf.Tensor3D, tf.Tensor3D];
  const [dyH, dyCtx, dyAlpha] = tf.split(dyRows, [H, D, S], 2).map((t) => tf.unstack(t) as tf.Tensor2D[]) as [
    tf.Tensor2D[],
    tf.Tensor2D[],
    tf.Tensor2D[],
  ];
  const dcT = tf.reshape(tf.slice(dyLast, [0, 0, 0], [1, B, H]), [B, H]);
  const wT = tf.transpose(wCtxH);
  const wqT = tf.transpose(wq2);
  const memoryT = tf.transpose(memory, [0, 2, 1]); // [B, D, S]
  let dc4: tf.Tensor = tf.stack([dcT, dcT, dcT, tf.zeros([B, H])], 1);
  let dh: tf.Tensor = tf.zeros([B, H]);
  const dz = new Array<tf.Tensor>(T);
  const dctx = new Array<tf.Tensor>(T);
  const dscore = new Array<tf.Tensor>(T);
  const dq = new Array<tf.Tensor>(T);
  const dkeys = new Array<tf.Tensor>(T);
  for (let t = T - 1; t >= 0; t--) {
    [dz[t], dc4, dctx[t], dscore[t], dq[t], dkeys[t], dh] = tf.tidy(() => {
      const dH = tf.add(dyH[t]!, dh);
      const dcTotal = tf.add(dc4, tf.mul(tf.reshape(dH, [B, 1, H]), K4[t]!));
      const dzt = tf.reshape(tf.mul(dcTotal, P4[t]!), [B, 4 * H]) as tf.Tensor2D;
      const [dCtxGates, dhGates] = tf.split(tf.matMul(dzt, wT), [D, H], 1);
      const dCtx = tf.add(dyCtx[t]!, dCtxGates!);
      const dAlpha = tf.add(dyAlpha[t]!, tf.reshape(tf.matMul(tf.reshape(dCtx, [B, 1, D]), memoryT), [B, S]));
      const alpha = alphas[t]!;
      const dScore = tf.mul(alpha, tf.sub(dAlpha, tf.sum(tf.mul(alpha, dAlpha), 1, true)));
      const ds = tf.mul(tf.reshape(dScore, [B, S, 1]), dsFactor[t]!); // [B, S, A]
      const dQ = tf.sum(ds, 1);
      return [dzt, tf.mul(dcTotal, F4[t]!), dCtx, dScore, dQ, ds, tf.add(dhGates!, tf.matMul(dQ, wqT))];
    });
  }
  const dSteps = tf.stack(dz);
  const dW = transposedProduct(
    tf.reshape(tf.concat([ctxAll!, hPrev], 2), [T * B, D + H]) as tf.Tensor2D,
    tf.reshape(dSteps, [T * B, 4 * H]) as tf.Tensor2D,
  );
  const dWq = transposedProduct(tf.reshape(hPrev, [T * B, H]) as tf.Tensor2D, tf.reshape(tf.stack(dq), [T * B, A]) as tf.Tensor2D);
  const dV = transposedProduct(tf.reshape(sigs, [T * B * S, A]) as tf.Tensor2D, tf.reshape(tf.stack(dscore), [T * B * S, 1]) as tf.Tensor2D);
  // dM[b] = Σ_t α_t[b]ᵀ·dctx_t[b]: one batched product over the stacked steps.
  const dMemory = tf.matMul(tf.transpose(alphaAll!, [1, 2, 0]), tf.transpose(tf.stack(dctx), [1, 0, 2]));
  const dKeys = tf.addN(dkeys);
  const dc0 = tf.reshape(tf.slice(dc4, [0, 0, 0], [B, 1, H]), [B, H]);
  return [dSteps, dKeys, dMemory, dWq, dV, dW, dh, dc0];
}
