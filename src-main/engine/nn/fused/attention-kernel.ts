import type { TensorInfo } from '@tensorflow/tfjs-core';
import { maskStreamStart, maskThreshold } from './mask-stream';
import { attentionSimd } from './attention-simd';
import { registerHostKernel, type HostIO, type Named } from './host';

/**
 * The core of multi-head attention, C = drop(softmax(Q·Kᵀ/√dh))·V per head, read straight from
 * the projections and written straight in the merged-heads layout the output projection takes:
 * no head split or merge transposes, no [H, B, T, T] score or mask tensors, one kernel instead
 * of ~12 ops forward and ~20 backward.
 *
 * - HrlfSelfAttention: qkv [B, T, 3d] (columns [q | k | v], head h at h·dh inside each block, as
 *   MultiHeadSelfAttention's fused projection lays them out) → C [B, T, d], P [H, B, T, T].
 * - HrlfCrossAttention: q [B, Tq, d] and kv [B, T, 2d] (columns [k | v]), projected from different
 *   inputs → C [B, Tq, d], P [H, B, Tq, T] (MultiHeadAttention: cross-modal and encoder–decoder
 *   attention); q [B, d] is one query per sample → C [B, d] (MultiHeadSelfAttention.applyLast).
 *
 * With `causal`, query i sees keys j ≤ i + |T − Tq| only (causalMask's band); hidden keys get
 * P = 0 exactly, as the composite path's −1e9 gives after exp. P (the softmax, before dropout)
 * is saved for the backward. Dropout draws the stream of dropout.ts in the order of the composite
 * path's [H, B, Tq, T] weights (hidden keys included), so both paths drop the same weights; the
 * backward redraws it. On wasm the SIMD kernels of attention-simd.ts run (one
 * specialised for head size 4, one for any other); elsewhere (cpu) the JS loops below, in float64.
 */
export const SELF_ATTENTION = 'HrlfSelfAttention';
export const SELF_ATTENTION_GRAD = 'HrlfSelfAttentionGrad';
export const CROSS_ATTENTION = 'HrlfCrossAttention';
export const CROSS_ATTENTION_GRAD = 'HrlfCrossAttentionGrad';

export interface AttentionAttrs {
  heads: number;
  /** Dropout rate on the attention weights; 0 = none (evaluation). */
  rate: number;
  seed: number;
  /** MulT's future mask (causalMask(Tq, T)) instead of no mask. */
  causal?: boolean;
  /** false: the softmax output is not needed (no gradient recorded) and is left unwritten. */
  keepProbs?: boolean;
}

/** Where Q, K and V sit: element (b, t, col) of an operand is data[b·batch + t·row + col]. */
interface Layout {
  B: number;
  H: number;
  Tq: number;
  T: number;
  dh: number;
  qBatch: number;
  qRow: number;
  qCol: number;
  kvBatch: number;
  kvRow: number;
  kCol: number;
  vCol: number;
  causal: boolean;
}

/**
 * e^x for x ≤ 0 (softmax after subtracting the row maximum), relative error below 1e-8: well
 * inside float32 rounding (6e-8). Math.exp costs ~10 ns in V8 and a student step needs ~5
 * million of them (the attention weights), so a softmax with it was slower than the matMuls it
 * feeds. Cody–Waite reduction x = k·ln2 + r (|r| ≤ ln2/2), a degree-7 Taylor polynomial for e^r,
 * and 2^k from a table (k ≥ -151: anything smaller underflows float32 anyway).
 */
const LOG2E = 1.4426950408889634;
const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;
/** 1.5·2^52: adding and subtracting it rounds a double to the nearest integer. */
const ROUND = 6755399441055744.0;
const MIN_K = -151;
const POW2 = Float64Array.from({ length: -MIN_K + 1 }, (_, i) => Math.pow(2, i + MIN_K));

function expNonPositive(x: number): number {
  if (x < -104) return 0;
  const k = x * LOG2E + ROUND - ROUND;
  const r = x - k * LN2_HI - k * LN2_LO;
  const p = 1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720 + r * (1 / 5040)))))));
  return p * POW2[k - MIN_K]!;
}

let scratch = new Float64Array(0);

function rowScratch(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(n);
  return scratch;
}

function forward(q: Float32Array, kv: Float32Array, out: Float32Array, probs: Float32Array, L: Layout, rate: number, seed: number): void {
  const { B, H, Tq, T, dh } = L;
  const d = H * dh;
  const scale = 1 / Math.sqrt(dh);
  const drop = rate > 0;
  const keep = Math.fround(1 / (1 - rate));
  const threshold = maskThreshold(rate);
  let s = maskStreamStart(seed);
  const buf = rowScratch(T + dh);
  const acc = buf.subarray(T, T + dh);
  const offset = Math.abs(T - Tq);
  let p = 0;
  for (let h = 0; h < H; h++) {
    for (let b = 0; b < B; b++) {
      const kb = b * L.kvBatch + L.kCol + h * dh;
      const vb = b * L.kvBatch + L.vCol + h * dh;
      for (let i = 0; i < Tq; i++) {
        const qi = b * L.qBatch + i * L.qRow + L.qCol + h * dh;
        const lim = L.causal ? Math.min(T, i + offset + 1) : T;
        buf.fill(-Infinity, lim, T);
        let max = -Infinity;
        for (let j = 0, kj = kb; j < lim; j++, kj += L.kvRow) {
          let dot = 0;
          for (let c = 0; c < dh; c++) dot += q[qi + c]! * kv[kj + c]!;
          dot *= scale;
          buf[j] = dot;
          if (dot > max) max = dot;
        }
        let sum = 0;
        for (let j = 0; j < T; j++) {
          const e = expNonPositive(buf[j]! - max);
          buf[j] = e;
          sum += e;
        }
        const inv = 1 / sum;
        acc.fill(0);
        for (let j = 0, vj = vb; j < T; j++, vj += L.kvRow, p++) {
          const pj = Math.fround(buf[j]! * inv);
          probs[p] = pj;
          let w = pj;
          if (drop) {
            s ^= s << 13;
            s ^= s >>> 17;
            s ^= s << 5;
            w = pj * (+(s >>> 0 >= threshold) * keep);
          }
          for (let c = 0; c < dh; c++) acc[c]! += w * kv[vj + c]!;
        }
        const o = (b * Tq + i) * d + h * dh;
        for (let c = 0; c < dh; c++) out[o + c] = acc[c]!;
      }
    }
  }
}

/**
 * dQ, dK, dV from dC. With W = P⊙M (M the dropout mask): dW = dC·Vᵀ, dV = Wᵀ·dC, dP = dW⊙M,
 * dS = P⊙(dP − rowsum(dP⊙P)), dQ = dS·K/√dh, dK = dSᵀ·Q/√dh. dK and dV accumulate over the
 * queries in float64 and are stored once per (head, batch); dq and dkv must start at zero where
 * nothing else writes.
 */
function backward(
  dc: Float32Array,
  q: Float32Array,
  kv: Float32Array,
  probs: Float32Array,
  dq: Float32Array,
  dkv: Float32Array,
  L: Layout,
  rate: number,
  seed: number,
): void {
  const { B, H, Tq, T, dh } = L;
  const d = H * dh;
  const scale = 1 / Math.sqrt(dh);
  const drop = rate > 0;
  const keep = Math.fround(1 / (1 - rate));
  const threshold = maskThreshold(rate);
  let s = maskStreamStart(seed);
  const buf = rowScratch(2 * T + 2 * T * dh + 2 * dh);
  const dp = buf.subarray(0, T);
  const mask = buf.subarray(T, 2 * T);
  const dk = buf.subarray(2 * T, 2 * T + T * dh);
  const dv = buf.subarray(2 * T + T * dh, 2 * T + 2 * T * dh);
  const dqi = buf.subarray(2 * T + 2 * T * dh, 2 * T + 2 * T * dh + dh);
  let p = 0;
  for (let h = 0; h < H; h++) {
    for (let b = 0; b < B; b++) {
      const kb = b * L.kvBatch + L.kCol + h * dh;
      const vb = b * L.kvBatch + L.vCol + h * dh;
      dk.fill(0);
      dv.fill(0);
      for (let i = 0; i < Tq; i++) {
        const qi = b * L.qBatch + i * L.qRow + L.qCol + h * dh;
        const ci = (b * Tq + i) * d + h * dh;
        let rowDot = 0;
        for (let j = 0, vj = vb; j < T; j++, vj += L.kvRow) {
          let m = 1;
          if (drop) {
            s ^= s << 13;
            s ^= s >>> 17;
            s ^= s << 5;
            m = +(s >>> 0 >= threshold) * keep;
          }
          mask[j] = m;
          const pj = probs[p + j]!;
          const w = pj * m;
          let dw = 0;
          for (let c = 0; c < dh; c++) {
            const g = dc[ci + c]!;
            dw += g * kv[vj + c]!;
            dv[j * dh + c]! += w * g;
          }
          const dpj = dw * m;
          dp[j] = dpj;
          rowDot += dpj * pj;
        }
        dqi.fill(0);
        for (let j = 0, kj = kb; j < T; j++, kj += L.kvRow) {
          const ds = probs[p + j]! * (dp[j]! - rowDot) * scale;
          for (let c = 0; c < dh; c++) {
            dqi[c]! += ds * kv[kj + c]!;
            dk[j * dh + c]! += ds * q[qi + c]!;
          }
        }
        for (let c = 0; c < dh; c++) dq[qi + c] = dqi[c]!;
        p += T;
      }
      for (let j = 0; j < T; j++) {
        const kj = kb + j * L.kvRow;
        const vj = vb + j * L.kvRow;
        for (let c = 0; c < dh; c++) {
          dkv[kj + c] = dk[j * dh + c]!;
          dkv[vj + c] = dv[j * dh + c]!;
        }
      }
    }
  }
}

function selfLayout(shape: readonly number[], heads: number, causal: boolean): Layout {
  const [B, T, w] = shape as [number, number, number];
  const d = w / 3;
  return { B, H: heads, Tq: T, T, dh: d / heads, qBatch: T * w, qRow: w, qCol: 0, kvBatch: T * w, kvRow: w, kCol: d, vCol: 2 * d, causal };
}

/** q [B, Tq, d] or [B, d] (Tq = 1), kv [B, T, 2d]. */
function crossLayout(qShape: readonly number[], kvShape: readonly number[], heads: number, causal: boolean): Layout {
  const B = qShape[0]!;
  const d = qShape[qShape.length - 1]!;
  const Tq = qShape.length === 3 ? qShape[1]! : 1;
  const [, T, w] = kvShape as [number, number, number];
  return { B, H: heads, Tq, T, dh: d / heads, qBatch: Tq * d, qRow: d, qCol: 0, kvBatch: T * w, kvRow: w, kCol: 0, vCol: d, causal };
}

/** The layout and dropout arguments of the SIMD kernels, after the pointers; the any-head-size ones also take dh. */
function simdArgs(L: Layout, rate: number, seed: number, withHeadSize = false): number[] {
  const drop = rate > 0 ? 1 : 0;
  const causal = L.causal ? 1 : 0;
  return [L.B, L.H, L.Tq, L.T, ...(withHeadSize ? [L.dh] : []), L.qBatch, L.qRow, L.qCol, L.kvBatch, L.kvRow, L.kCol, L.vCol, causal, drop, maskStreamStart(seed), maskThreshold(rate), Math.fround(1 / (1 - rate))];
}

/** Forward on the SIMD kernel where it runs (wasm), else in JS. Outputs must be allocated. */
function runForward(io: HostIO, q: TensorInfo, kv: TensorInfo, out: TensorInfo, probs: TensorInfo, L: Layout, rate: number, seed: number, keepProbs: boolean): void {
  const simd = attentionSimd(io.heap);
  if (simd && io.heap) {
    const scratch = simd.scratch(L.T, L.dh);
    const at = io.heap.offset;
    const pointers = [at(q), at(kv), at(out), at(probs), scratch];
    if (L.dh === 4) simd.exports.attentionForward(...pointers, ...simdArgs(L, rate, seed), keepProbs ? 1 : 0);
    else simd.exports.attentionForwardN(...pointers, ...simdArgs(L, rate, seed, true), keepProbs ? 1 : 0);
    return;
  }
  forward(io.view(q), io.view(kv), io.view(out), io.view(probs), L, rate, seed);
}

function runBackward(io: HostIO, dy: TensorInfo, q: TensorInfo, kv: TensorInfo, probs: TensorInfo, dq: TensorInfo, dkv: TensorInfo, L: Layout, rate: number, seed: number): void {
  const simd = attentionSimd(io.heap);
  if (simd && io.heap) {
    const scratch = simd.scratch(L.T, L.dh);
    const at = io.heap.offset;
    const pointers = [at(dy), at(q), at(kv), at(probs), at(dq), at(dkv), scratch];
    if (L.dh === 4) simd.exports.attentionBackward(...pointers, ...simdArgs(L, rate, seed));
    else simd.exports.attentionBackwardN(...pointers, ...simdArgs(L, rate, seed, true));
    return;
  }
  backward(io.view(dy), io.view(q), io.view(kv), io.view(probs), io.view(dq), io.view(dkv), L, rate, seed);
}

registerHostKernel(SELF_ATTENTION, (inputs, attrs, io) => {
  const { qkv } = inputs as Named<'qkv'>;
  const { heads, rate, seed, keepProbs, causal } = attrs as unknown as AttentionAttrs;
  const L = selfLayout(qkv.shape, heads, causal === true);
  const out = io.output([L.B, L.T, L.H * L.dh]);
  const probs = io.output([L.H, L.B, L.T, L.T]);
  runForward(io, qkv, qkv, out, probs, L, rate, seed, keepProbs !== false);
  return [out, probs];
});

registerHostKernel(SELF_ATTENTION_GRAD, (inputs, attrs, io) => {
  const { dy, qkv, probs } = inputs as Named<'dy' | 'qkv' | 'probs'>;
  const { heads, rate, seed, causal } = attrs as unknown as AttentionAttrs;
  const L = selfLayout(qkv.shape, heads, causal === true);
  const dqkv = io.output(qkv.shape);
  runBackward(io, dy, qkv, qkv, probs, dqkv, dqkv, L, rate, seed);
  return dqkv;
});

registerHostKernel(CROSS_ATTENTION, (inputs, attrs, io) => {
  const { q, kv } = inputs as Named<'q' | 'kv'>;
  const { heads, rate, seed, keepProbs, causal } = attrs as unknown as AttentionAttrs;
  const L = crossLayout(q.shape, kv.shape, heads, causal === true);
  const out = io.output(q.shape);
  const probs = io.output([L.H, L.B, L.Tq, L.T]);
  runForward(io, q, kv, out, probs, L, rate, seed, keepProbs !== false);
  return [out, probs];
});

registerHostKernel(CROSS_ATTENTION_GRAD, (inputs, attrs, io) => {
  const { dy, q, kv, probs } = inputs as Named<'dy' | 'q' | 'kv' | 'probs'>;
  const { heads, rate, seed, causal } = attrs as unknown as AttentionAttrs;
  const L = crossLayout(q.shape, kv.shape, heads, causal === true);
  const dq = io.output(q.shape);
  const dkv = io.output(kv.shape);
  runBackward(io, dy, q, kv, probs, dq, dkv, L, rate, seed);
  return [dq, dkv];
});
