import * as tf from '@tensorflow/tfjs-core';
import { tanhViaSigmoid } from './sigmoid-tanh';
import { transposedProduct } from './transposed-product';

/**
 * The time loops of one LSTM or GRU layer in one direction, each as ONE differentiable op with a
 * hand-written backward pass (backpropagation through time).
 *
 * Why custom ops: autodiff through the per-step ops would record ~15 kernels per step on the tape
 * and replay ~30 in the backward pass; here the forward records nothing per step, and the backward
 * computes every step-independent factor for all T steps at once (a handful of large elementwise
 * ops), so the loop over T only holds the recurrent matMul and ~6 small ops. The weight gradient
 * is one matMul over all steps after the loop. Per-step work uses only unflagged 2-D matMuls
 * (XNNPACK's fast path on wasm; the weight is transposed once per backward, not per step). Each
 * step runs in its own tf.tidy: its temporaries are freed at once and the allocator hands the
 * next step warm memory (~20% faster on wasm than one tidy around the loop), and the constants 1
 * and 2 are tensors made once, not a scalar upload per op.
 *
 * The ops work in an INTERNAL gate parametrisation, prepared by the layers in recurrent.ts by
 * scaling weight columns (differentiably, outside these ops):
 *
 * - LSTM columns [i | f | g | o]; the g block is pre-multiplied by 2 so ONE sigmoid over all 4H
 *   columns yields q = σ(2·z_g), and g = tanh(z_g) = 2q − 1 (tfjs-wasm's tanh is a slow scalar
 *   loop; its sigmoid is vectorised). tanh(c) is likewise 2σ(2c) − 1.
 * - GRU columns [r | u | n]: u = 1 − z (the z block negated, so h' = h + u⊙(n − h)) and the n
 *   block pre-multiplied by 2 (n = 2σ(·) − 1). The recurrent bias stays inside: n's pre-activation
 *   is x_n + r⊙(W_hn·h + b_hn), as in PyTorch.
 *
 * Masking (padded steps leave the state unchanged, exactly): the layer adds ±SATURATE to the input
 * pre-activations of padded steps, which drives the sigmoids to exactly 0 or 1 in float32 —
 * LSTM i = 0, f = 1 (c is carried bit-for-bit), GRU u = 0 (h is carried bit-for-bit) — and makes
 * their derivatives σ(1−σ) exactly 0, so no gradient leaks into padded inputs. The LSTM's h (which
 * is o⊙tanh(c), not carried by the gates) is blended with the step's keep mask.
 *
 * Shapes are time-major: xp [T, B, G·H] (input projections incl. biases), w [H, G·H]. Steps run
 * t = 0…T−1, or T−1…0 when `reverse`; outputs are returned in time order.
 */

/** Added to a gate's pre-activation to saturate its sigmoid to exactly 0 or 1 (see above). */
export const SATURATE = 1e4;

export interface ScanOptions {
  /**
   * Per-step keep masks [B, 1] (1 = valid, 0 = padding) in time order; null when every step is
   * valid. Only the LSTM's h needs them; its gates and the whole GRU are frozen by SATURATE.
   */
  keep: tf.Tensor2D[] | null;
  reverse: boolean;
}

type Saved = tf.Tensor[];

/**
 * A [G·H] row holding values[k] over gate k's H columns: the factors that map PyTorch's gate
 * parametrisation to the one above, and the padding offsets.
 */
export function gateColumns(values: readonly number[], hidden: number): tf.Tensor1D {
  const out = new Float32Array(values.length * hidden);
  values.forEach((v, k) => out.fill(v, k * hidden, (k + 1) * hidden));
  return tf.tensor1d(out);
}

/** Time-order stack of the state BEFORE each step: the initial state at the first processed step. */
export function statesBefore(states: tf.Tensor3D, initial: tf.Tensor2D, reverse: boolean): tf.Tensor3D {
  const [t, b, h] = states.shape;
  const first = tf.reshape(initial, [1, b, h]);
  if (t === 1) return first as tf.Tensor3D;
  const rest = tf.slice(states, [reverse ? 1 : 0, 0, 0], [t - 1, b, h]);
  return tf.concat(reverse ? [rest, first] : [first, rest], 0) as tf.Tensor3D;
}

/** Step indices in processing order. */
function order(t: number, reverse: boolean): number[] {
  const steps = [...Array(t).keys()];
  return reverse ? steps.reverse() : steps;
}

/**
 * One LSTM layer-direction. Returns [T + 1, B, H]: rows 0…T−1 are the hidden state after each
 * time step (carried unchanged through padded steps), row T is the final cell state.
 */
export function lstmScan(
  xp: tf.Tensor3D,
  w: tf.Tensor2D,
  h0: tf.Tensor2D,
  c0: tf.Tensor2D,
  { keep, reverse }: ScanOptions,
): tf.Tensor3D {
  const [T, B, G] = xp.shape;
  const H = G / 4;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xpIn, wIn, h0In, c0In, save] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    const xs = tf.unstack(xpIn) as tf.Tensor2D[];
    const one = tf.scalar(1);
    const two = tf.scalar(2);
    let h: tf.Tensor = h0In;
    let c: tf.Tensor = c0In;
    const hs = new Array<tf.Tensor>(T);
    const gates = new Array<tf.Tensor>(T);
    const cells = new Array<tf.Tensor>(T);
    for (const t of order(T, reverse)) {
      [h, c, gates[t]] = tf.tidy(() => {
        const a = tf.sigmoid(tf.add(xs[t]!, tf.matMul(h as tf.Tensor2D, wIn))); // [B, 4H] = [i | f | q | o]
        const [i, f, q, o] = tf.split(a, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const cNext = tf.add(tf.mul(f, c), tf.mul(i, tf.sub(tf.mul(q, two), one)));
        const hNew = tf.mul(o, tf.sub(tf.mul(tf.sigmoid(tf.mul(cNext, two)), two), one));
        return [keep ? tf.add(h, tf.mul(keep[t]!, tf.sub(hNew, h))) : hNew, cNext, a];
      });
      hs[t] = h;
      cells[t] = c;
    }
    const value = tf.stack([...hs, c]) as tf.Tensor3D;
    // The keep masks too: tensors the backward merely closes over are gone by then (tf.grad
    // disposes the forward's intermediates; only saved tensors survive).
    save([value, wIn, h0In, c0In, ...gates, ...cells, ...(keep ?? [])]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: Saved) => lstmBackward(dy as tf.Tensor3D, saved, keep !== null, reverse, T, B, H),
    };
  });
  return op(xp, w, h0, c0) as tf.Tensor3D;
}

/**
 * The step-independent factors of the LSTM cell's backward pass for all T steps at once, each
 * unstacked to T tensors [B, 4, H] (see lstmBackward): P = [g, c_prev, 2i, tanh c] ⊙ a(1 − a),
 * K = [k, k, k, 1] with k = o⊙(1 − tanh²c), F = [f, f, f, 0]. gates [T, B, 4H] are the sigmoid
 * outputs [i | f | q | o] (g = 2q − 1), cells and cPrev [T, B, H].
 */
export function lstmCellFactors(
  gates: tf.Tensor3D,
  cells: tf.Tensor3D,
  cPrev: tf.Tensor3D,
): { P4: tf.Tensor3D[]; K4: tf.Tensor3D[]; F4: tf.Tensor3D[] } {
  const [T, B, G] = gates.shape;
  const H = G / 4;
  const [I, F, Q, O] = tf.split(gates, 4, 2) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
  const tanhC = tanhViaSigmoid(cells);
  const K = tf.mul(O, tf.sub(1, tf.square(tanhC)));
  const P = tf.mul(
    tf.stack([tf.sub(tf.mul(Q, 2), 1), cPrev, tf.mul(I, 2), tanhC], 2), // [T, B, 4, H]
    tf.reshape(tf.mul(gates, tf.sub(1, gates)), [T, B, 4, H]),
  );
  return {
    P4: tf.unstack(P) as tf.Tensor3D[],
    K4: tf.unstack(tf.stack([K, K, K, tf.onesLike(K)], 2)) as tf.Tensor3D[],
    F4: tf.unstack(tf.stack([F, F, F, tf.zerosLike(F)], 2)) as tf.Tensor3D[],
  };
}

/**
 * BPTT for lstmScan. With dĥ the gradient reaching the step's fresh hidden state and dc the total
 * gradient at its cell state, the pre-activation gradient is dz = [dc, dc, dc, dĥ] ⊙ P with
 * P = [g, c_prev, 2i, tanh c] ⊙ a ⊙ (1 − a), computed for all steps up front; dc itself is
 * dc_next⊙f_next + dĥ⊙o⊙(1 − tanh²c). Both are carried in a [B, 4, H] layout ([dc, dc, dc, ·]) so
 * each step is a few broadcast multiplies instead of concatenations.
 */
function lstmBackward(
  dy: tf.Tensor3D,
  saved: Saved,
  masked: boolean,
  reverse: boolean,
  T: number,
  B: number,
  H: number,
): tf.Tensor[] {
  const [out, w, h0, c0] = saved as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
  const keep = masked ? saved.slice(4 + 2 * T, 4 + 3 * T) : null;
  const A = tf.stack(saved.slice(4, 4 + T)) as tf.Tensor3D; // [T, B, 4H]
  const C = tf.stack(saved.slice(4 + T, 4 + 2 * T)) as tf.Tensor3D; // [T, B, H]
  const hPrev = statesBefore(tf.slice(out, [0, 0, 0], [T, B, H]), h0, reverse);
  const cPrev = statesBefore(C, c0, reverse);
  const { P4, K4, F4 } = lstmCellFactors(A, C, cPrev);
  const dys = tf.unstack(tf.slice(dy, [0, 0, 0], [T, B, H])) as tf.Tensor2D[];
  const dcT = tf.reshape(tf.slice(dy, [T, 0, 0], [1, B, H]), [B, H]);
  const wT = tf.transpose(w);
  let dc4: tf.Tensor = tf.stack([dcT, dcT, dcT, tf.zeros([B, H])], 1); // gradient at c, in [B, 4, H]
  let dh: tf.Tensor = tf.zeros([B, H]); // gradient reaching the previous step's h
  const dz = new Array<tf.Tensor>(T);
  for (const t of order(T, !reverse)) {
    [dz[t], dc4, dh] = tf.tidy(() => {
      const dH = tf.add(dys[t]!, dh);
      const dHat = keep ? tf.mul(keep[t]!, dH) : dH;
      const dcTotal = tf.add(dc4, tf.mul(tf.reshape(dHat, [B, 1, H]), K4[t]!));
      const dzt = tf.reshape(tf.mul(dcTotal, P4[t]!), [B, 4 * H]) as tf.Tensor2D;
      const dhPrev = tf.matMul(dzt, wT);
      return [dzt, tf.mul(dcTotal, F4[t]!), keep ? tf.add(dhPrev, tf.sub(dH, dHat)) : dhPrev];
    });
  }
  const dZ = tf.stack(dz);
  const dW = transposedProduct(tf.reshape(hPrev, [T * B, H]), tf.reshape(dZ, [T * B, 4 * H]));
  const dc0 = tf.reshape(tf.slice(dc4, [0, 0, 0], [B, 1, H]), [B, H]);
  return [dZ, dW, dh, dc0];
}

/**
 * One GRU layer-direction. xp [T, B, 3H] holds the input projections with b_ih; bh [3H] is the
 * recurrent bias. Returns [T, B, H]: the hidden state after each time step. Padding needs no
 * keep mask here: the saturated u = 0 of a padded step carries h exactly.
 */
export function gruScan(xp: tf.Tensor3D, w: tf.Tensor2D, bh: tf.Tensor1D, h0: tf.Tensor2D, reverse: boolean): tf.Tensor3D {
  const [T, B, G] = xp.shape;
  const H = G / 3;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xpIn, wIn, bhIn, h0In, save] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.GradSaveFunc];
    const [xru, xn] = tf.split(xpIn, [2 * H, H], 2);
    const xrus = tf.unstack(xru!) as tf.Tensor2D[];
    const xns = tf.unstack(xn!) as tf.Tensor2D[];
    const one = tf.scalar(1);
    const two = tf.scalar(2);
    let h: tf.Tensor2D = h0In;
    const hs = new Array<tf.Tensor>(T);
    const ru = new Array<tf.Tensor>(T);
    const qs = new Array<tf.Tensor>(T);
    const hpn = new Array<tf.Tensor>(T);
    for (const t of order(T, reverse)) {
      [h, ru[t], qs[t], hpn[t]] = tf.tidy(() => {
        const hp = tf.fused.matMul({ a: h, b: wIn, bias: bhIn }); // [B, 3H]
        const [hpRu, hpN] = tf.split(hp, [2 * H, H], 1) as [tf.Tensor2D, tf.Tensor2D];
        const gates = tf.sigmoid(tf.add(xrus[t]!, hpRu)); // [B, 2H] = [r | u]
        const [r, u] = tf.split(gates, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
        const q = tf.sigmoid(tf.add(xns[t]!, tf.mul(r, hpN)));
        const n = tf.sub(tf.mul(q, two), one);
        return [tf.add(h, tf.mul(u, tf.sub(n, h))) as tf.Tensor2D, gates, q, hpN];
      });
      hs[t] = h;
    }
    const value = tf.stack(hs) as tf.Tensor3D;
    save([value, wIn, h0In, ...ru, ...qs, ...hpn]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: Saved) => gruBackward(dy as tf.Tensor3D, saved, reverse, T, B, H),
    };
  });
  return op(xp, w, bh, h0) as tf.Tensor3D;
}

/**
 * BPTT for gruScan. Per unit of gradient dH at a step's output h' = h + u⊙(n − h), the
 * pre-activation gradients are fixed factors of the forward values: n: Mn = 2u⊙q(1−q), u:
 * (n − h)⊙u(1−u), r: Mn⊙hp_n⊙r(1−r), and the recurrent product's n block Mn⊙r. They are computed
 * for all steps up front; the loop only carries dH ← dy + dH⊙(1−u) + dhp·Wᵀ.
 */
function gruBackward(dy: tf.Tensor3D, saved: Saved, reverse: boolean, T: number, B: number, H: number): tf.Tensor[] {
  const [out, w, h0] = saved as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D];
  const RU = tf.stack(saved.slice(3, 3 + T)) as tf.Tensor3D; // [T, B, 2H]
  const Q = tf.stack(saved.slice(3 + T, 3 + 2 * T)) as tf.Tensor3D; // [T, B, H]
  const HPN = tf.stack(saved.slice(3 + 2 * T, 3 + 3 * T)) as tf.Tensor3D; // [T, B, H]
  const hPrev = statesBefore(out, h0, reverse);
  const [R, U] = tf.split(RU, 2, 2) as [tf.Tensor3D, tf.Tensor3D];
  const n = tf.sub(tf.mul(Q, 2), 1);
  const mn = tf.mul(tf.mul(U, 2), tf.mul(Q, tf.sub(1, Q)));
  const mu = tf.mul(tf.sub(n, hPrev), tf.mul(U, tf.sub(1, U)));
  const mr = tf.mul(tf.mul(mn, HPN), tf.mul(R, tf.sub(1, R)));
  const mh = tf.unstack(tf.stack([mr, mu, tf.mul(mn, R)], 2)) as tf.Tensor3D[]; // [B, 3, H] per step
  const carry = tf.unstack(tf.sub(1, U)) as tf.Tensor2D[];
  const dys = tf.unstack(dy) as tf.Tensor2D[];
  const wT = tf.transpose(w);
  let dh: tf.Tensor = tf.zeros([B, H]);
  const dHs = new Array<tf.Tensor>(T);
  const dhp = new Array<tf.Tensor>(T);
  for (const t of order(T, !reverse)) {
    [dHs[t], dhp[t], dh] = tf.tidy(() => {
      const dH = tf.add(dys[t]!, dh);
      const dhpt = tf.reshape(tf.mul(tf.reshape(dH, [B, 1, H]), mh[t]!), [B, 3 * H]) as tf.Tensor2D;
      return [dH, dhpt, tf.add(tf.matMul(dhpt, wT), tf.mul(dH, carry[t]!))];
    });
  }
  const dHP = tf.stack(dhp); // [T, B, 3H]
  const dXp = tf.reshape(tf.mul(tf.reshape(tf.stack(dHs), [T, B, 1, H]), tf.stack([mr, mu, mn], 2)), [T, B, 3 * H]);
  const dW = transposedProduct(tf.reshape(hPrev, [T * B, H]), tf.reshape(dHP, [T * B, 3 * H]));
  const dbh = tf.sum(dHP, [0, 1]);
  return [dXp, dW, dbh, dh];
}
