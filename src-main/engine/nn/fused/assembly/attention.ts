// AssemblyScript source of the SIMD attention kernels (compiled by scripts/build-wasm-kernels.mjs
// into ../attention-wasm.ts). Works on tfjs-wasm's own memory, imported: every pointer is a byte
// offset into the tfjs heap, so inputs and outputs are tensors in place, with no copies.
// attentionForward/Backward: head size 4, one head row is one f32x4; attentionForwardN/BackwardN
// (end of file): any head size. Per (head, batch) the keys and values are transposed
// into scratch ([dh][Tp], Tp = T rounded up to 4, zero-padded) so that every loop over key
// positions runs four positions per instruction. Same maths and dropout stream as the JS kernels
// of ../attention-kernel.ts; single precision throughout (as PyTorch).

// Scratch layout, in floats of Tp each: Kt dh, Vt dh, dKt dh, dVt dh, S (scores, then e^s) 1,
// M (dropout multipliers) 1, P (probabilities) 1, dP 1: 4·dh + 4 rows, 20 for head size 4.
const SCRATCH_ROWS: i32 = 20;

export function scratchFloats(T: i32): i32 {
  return SCRATCH_ROWS * ((T + 3) & ~3);
}

// e^x, Cephes' single-precision expf scheme (~1 ulp), lanes below -87.3 give 0.
// @ts-ignore: decorator
@inline
function exp4(x: v128): v128 {
  const lo = f32x4.splat(-87.33654);
  const under = f32x4.lt(x, lo);
  x = f32x4.max(x, lo);
  const n = f32x4.floor(f32x4.add(f32x4.mul(x, f32x4.splat(1.44269504088896341)), f32x4.splat(0.5)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let y = f32x4.splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(y, r), r), r), f32x4.splat(1.0));
  const pow2 = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return v128.andnot(f32x4.mul(y, pow2), under);
}

// @ts-ignore: decorator
@inline
function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

// @ts-ignore: decorator
@inline
function hmax(v: v128): f32 {
  return max(max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}

// Kt[c][j] = k_j[c] and Vt[c][j] = v_j[c] for one (head, batch), zero-padded to Tp.
// @ts-ignore: decorator
@inline
function transposeKV(kv: usize, kb: i32, vb: i32, kvRow: i32, T: i32, Tp: i32, kt: usize, vt: usize): void {
  for (let j = 0; j < Tp; j++) {
    let k0: f32 = 0, k1: f32 = 0, k2: f32 = 0, k3: f32 = 0, v0: f32 = 0, v1: f32 = 0, v2: f32 = 0, v3: f32 = 0;
    if (j < T) {
      const kp = kv + (<usize>(kb + j * kvRow) << 2);
      const vp = kv + (<usize>(vb + j * kvRow) << 2);
      k0 = load<f32>(kp); k1 = load<f32>(kp, 4); k2 = load<f32>(kp, 8); k3 = load<f32>(kp, 12);
      v0 = load<f32>(vp); v1 = load<f32>(vp, 4); v2 = load<f32>(vp, 8); v3 = load<f32>(vp, 12);
    }
    const o = <usize>j << 2;
    const r = <usize>Tp << 2;
    store<f32>(kt + o, k0); store<f32>(kt + r + o, k1); store<f32>(kt + 2 * r + o, k2); store<f32>(kt + 3 * r + o, k3);
    store<f32>(vt + o, v0); store<f32>(vt + r + o, v1); store<f32>(vt + 2 * r + o, v2); store<f32>(vt + 3 * r + o, v3);
  }
}

// Dropout multipliers of one row (mask · keep, or 1 without dropout) into m[0..T), zeros after;
// returns the advanced xorshift32 state.
// @ts-ignore: decorator
@inline
function maskRow(m: usize, T: i32, Tp: i32, drop: bool, state: u32, threshold: u32, keep: f32): u32 {
  let s = state;
  for (let j = 0; j < T; j++) {
    let w: f32 = 1;
    if (drop) {
      s ^= s << 13;
      s ^= s >> 17;
      s ^= s << 5;
      w = s >= threshold ? keep : 0;
    }
    store<f32>(m + (<usize>j << 2), w);
  }
  for (let j = T; j < Tp; j++) store<f32>(m + (<usize>j << 2), 0);
  return s;
}

// Keys query i sees: all T, or with `causal` MulT's band j ≤ i + |T − Tq| (causalMask). The rest
// take probability exactly 0 (as the composite path's −1e9), so loops stop at the band's last
// block; the dropout stream still advances over all T (it is drawn in [H, B, Tq, T] order).
// @ts-ignore: decorator
@inline
function visible(i: i32, Tq: i32, T: i32, causal: bool): i32 {
  return causal ? min(T, i + abs(T - Tq) + 1) : T;
}

// Scores of the key block at j with the lanes at or past lim (padding, or hidden by the causal
// band) at −∞, so that they take no weight.
// @ts-ignore: decorator
@inline
function hideKeys(sv: v128, j: i32, lim: i32): v128 {
  if (j + 4 <= lim) return sv;
  const lane = i32x4.lt_s(i32x4.add(i32x4.splat(j), i32x4(0, 1, 2, 3)), i32x4.splat(lim));
  return v128.bitselect(sv, f32x4.splat(-Infinity), lane);
}

// Scores sc[0..Tl) → e^(s − max) in place; returns 1 / their sum, splatted.
// @ts-ignore: decorator
@inline
function expRow(sc: usize, Tl: i32, mx: v128): v128 {
  const mxv = f32x4.splat(hmax(mx));
  let sum = f32x4.splat(0);
  for (let j = 0; j < Tl; j += 4) {
    const o = <usize>j << 2;
    const e = exp4(f32x4.sub(v128.load(sc + o), mxv));
    v128.store(sc + o, e);
    sum = f32x4.add(sum, e);
  }
  return f32x4.splat(<f32>1 / hsum(sum));
}

// Probabilities pv of the key block at j (j < T) into the row p of T floats.
// @ts-ignore: decorator
@inline
function storeProbs(p: usize, j: i32, T: i32, pv: v128): void {
  const o = p + (<usize>j << 2);
  if (j + 4 <= T) {
    v128.store(o, pv);
    return;
  }
  store<f32>(o, f32x4.extract_lane(pv, 0));
  if (T - j > 1) store<f32>(o, f32x4.extract_lane(pv, 1), 4);
  if (T - j > 2) store<f32>(o, f32x4.extract_lane(pv, 2), 8);
}

// Row i of the saved probabilities (at p) into pr, zero-padded to Tp; returns the end of its
// visible blocks.
// @ts-ignore: decorator
@inline
function probsRow(pr: usize, p: usize, i: i32, Tq: i32, T: i32, Tp: i32, causal: bool): i32 {
  memory.copy(pr, p, <usize>T << 2);
  for (let j = T; j < Tp; j++) store<f32>(pr + (<usize>j << 2), 0);
  return (visible(i, Tq, T, causal) + 3) & ~3;
}

// Element offsets: element (b, t, col) of q is q[b·qBatch + t·qRow + col], of kv likewise.
// out [B, Tq, 4H], probs [H, B, Tq, T] (written only when writeProbs).
export function attentionForward(
  q: usize, kv: usize, out: usize, probs: usize, scratch: usize,
  B: i32, H: i32, Tq: i32, T: i32,
  qBatch: i32, qRow: i32, qCol: i32, kvBatch: i32, kvRow: i32, kCol: i32, vCol: i32, causal: bool,
  drop: bool, state: u32, threshold: u32, keep: f32, writeProbs: bool,
): void {
  const Tp = (T + 3) & ~3;
  const row = <usize>Tp << 2;
  const kt = scratch;
  const vt = kt + 4 * row;
  const sc = kt + 16 * row;
  const mk = sc + row;
  const d = H * 4;
  const half = f32x4.splat(0.5);
  const negInf = f32x4.splat(-Infinity);
  let s = state;
  let p: usize = probs;
  for (let h = 0; h < H; h++) {
    for (let b = 0; b < B; b++) {
      transposeKV(kv, b * kvBatch + kCol + h * 4, b * kvBatch + vCol + h * 4, kvRow, T, Tp, kt, vt);
      for (let i = 0; i < Tq; i++) {
        const qv = f32x4.mul(v128.load(q + (<usize>(b * qBatch + i * qRow + qCol + h * 4) << 2)), half);
        const q0 = f32x4.splat(f32x4.extract_lane(qv, 0));
        const q1 = f32x4.splat(f32x4.extract_lane(qv, 1));
        const q2 = f32x4.splat(f32x4.extract_lane(qv, 2));
        const q3 = f32x4.splat(f32x4.extract_lane(qv, 3));
        const lim = visible(i, Tq, T, causal);
        const Tl = (lim + 3) & ~3;
        let mx = negInf;
        for (let j = 0; j < Tl; j += 4) {
          const o = <usize>j << 2;
          let sv = f32x4.mul(q0, v128.load(kt + o));
          sv = f32x4.add(sv, f32x4.mul(q1, v128.load(kt + row + o)));
          sv = f32x4.add(sv, f32x4.mul(q2, v128.load(kt + 2 * row + o)));
          sv = hideKeys(f32x4.add(sv, f32x4.mul(q3, v128.load(kt + 3 * row + o))), j, lim);
          v128.store(sc + o, sv);
          mx = f32x4.max(mx, sv);
        }
        const inv = expRow(sc, Tl, mx);
        s = maskRow(mk, T, Tp, drop, s, threshold, keep);
        let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
        for (let j = 0; j < Tl; j += 4) {
          const o = <usize>j << 2;
          const pv = f32x4.mul(v128.load(sc + o), inv);
          if (writeProbs) storeProbs(p, j, T, pv);
          const w = f32x4.mul(pv, v128.load(mk + o));
          a0 = f32x4.add(a0, f32x4.mul(w, v128.load(vt + o)));
          a1 = f32x4.add(a1, f32x4.mul(w, v128.load(vt + row + o)));
          a2 = f32x4.add(a2, f32x4.mul(w, v128.load(vt + 2 * row + o)));
          a3 = f32x4.add(a3, f32x4.mul(w, v128.load(vt + 3 * row + o)));
        }
        if (writeProbs && Tl < T) memory.fill(p + (<usize>Tl << 2), 0, <usize>(T - Tl) << 2);
        p += <usize>T << 2;
        const op = out + (<usize>((b * Tq + i) * d + h * 4) << 2);
        store<f32>(op, hsum(a0)); store<f32>(op, hsum(a1), 4); store<f32>(op, hsum(a2), 8); store<f32>(op, hsum(a3), 12);
      }
    }
  }
}

// dQ (into dq, q's layout) and dK, dV (into dkv, kv's layout) from dC [B, Tq, 4H]; see
// attention-kernel.ts for the formulas. Every element of dq and dkv that q and kv use is written.
export function attentionBackward(
  dc: usize, q: usize, kv: usize, probs: usize, dq: usize, dkv: usize, scratch: usize,
  B: i32, H: i32, Tq: i32, T: i32,
  qBatch: i32, qRow: i32, qCol: i32, kvBatch: i32, kvRow: i32, kCol: i32, vCol: i32, causal: bool,
  drop: bool, state: u32, threshold: u32, keep: f32,
): void {
  const Tp = (T + 3) & ~3;
  const row = <usize>Tp << 2;
  const kt = scratch;
  const vt = kt + 4 * row;
  const dkt = kt + 8 * row;
  const dvt = kt + 12 * row;
  const mk = kt + 17 * row;
  const pr = kt + 18 * row;
  const dp = kt + 19 * row;
  const d = H * 4;
  const half = f32x4.splat(0.5);
  const zero = f32x4.splat(0);
  let s = state;
  let p: usize = probs;
  for (let h = 0; h < H; h++) {
    for (let b = 0; b < B; b++) {
      const kb = b * kvBatch + kCol + h * 4;
      const vb = b * kvBatch + vCol + h * 4;
      transposeKV(kv, kb, vb, kvRow, T, Tp, kt, vt);
      memory.fill(dkt, 0, 8 * row);
      for (let i = 0; i < Tq; i++) {
        const gv = v128.load(dc + (<usize>((b * Tq + i) * d + h * 4) << 2));
        const g0 = f32x4.splat(f32x4.extract_lane(gv, 0));
        const g1 = f32x4.splat(f32x4.extract_lane(gv, 1));
        const g2 = f32x4.splat(f32x4.extract_lane(gv, 2));
        const g3 = f32x4.splat(f32x4.extract_lane(gv, 3));
        s = maskRow(mk, T, Tp, drop, s, threshold, keep);
        // Hidden keys have P = 0, so they add nothing to dV, dP·P, dQ or dK.
        const Tl = probsRow(pr, p, i, Tq, T, Tp, causal);
        let rowDot = zero;
        for (let j = 0; j < Tl; j += 4) {
          const o = <usize>j << 2;
          const m = v128.load(mk + o);
          const pv = v128.load(pr + o);
          const w = f32x4.mul(pv, m);
          v128.store(dvt + o, f32x4.add(v128.load(dvt + o), f32x4.mul(w, g0)));
          v128.store(dvt + row + o, f32x4.add(v128.load(dvt + row + o), f32x4.mul(w, g1)));
          v128.store(dvt + 2 * row + o, f32x4.add(v128.load(dvt + 2 * row + o), f32x4.mul(w, g2)));
          v128.store(dvt + 3 * row + o, f32x4.add(v128.load(dvt + 3 * row + o), f32x4.mul(w, g3)));
          let dw = f32x4.mul(g0, v128.load(vt + o));
          dw = f32x4.add(dw, f32x4.mul(g1, v128.load(vt + row + o)));
          dw = f32x4.add(dw, f32x4.mul(g2, v128.load(vt + 2 * row + o)));
          dw = f32x4.add(dw, f32x4.mul(g3, v128.load(vt + 3 * row + o)));
          const dpv = f32x4.mul(dw, m);
          v128.store(dp + o, dpv);
          rowDot = f32x4.add(rowDot, f32x4.mul(dpv, pv));
        }
        const rd = f32x4.splat(hsum(rowDot));
        const qv = v128.load(q + (<usize>(b * qBatch + i * qRow + qCol + h * 4) << 2));
        const q0 = f32x4.splat(f32x4.extract_lane(qv, 0));
        const q1 = f32x4.splat(f32x4.extract_lane(qv, 1));
        const q2 = f32x4.splat(f32x4.extract_lane(qv, 2));
        const q3 = f32x4.splat(f32x4.extract_lane(qv, 3));
        let d0 = zero, d1 = zero, d2 = zero, d3 = zero;
        for (let j = 0; j < Tl; j += 4) {
          const o = <usize>j << 2;
          const ds = f32x4.mul(f32x4.mul(v128.load(pr + o), f32x4.sub(v128.load(dp + o), rd)), half);
          d0 = f32x4.add(d0, f32x4.mul(ds, v128.load(kt + o)));
          d1 = f32x4.add(d1, f32x4.mul(ds, v128.load(kt + row + o)));
          d2 = f32x4.add(d2, f32x4.mul(ds, v128.load(kt + 2 * row + o)));
          d3 = f32x4.add(d3, f32x4.mul(ds, v128.load(kt + 3 * row + o)));
          v128.store(dkt + o, f32x4.add(v128.load(dkt + o), f32x4.mul(ds, q0)));
          v128.store(dkt + row + o, f32x4.add(v128.load(dkt + row + o), f32x4.mul(ds, q1)));
          v128.store(dkt + 2 * row + o, f32x4.add(v128.load(dkt + 2 * row + o), f32x4.mul(ds, q2)));
          v128.store(dkt + 3 * row + o, f32x4.add(v128.load(dkt + 3 * row + o), f32x4.mul(ds, q3)));
        }
        const dqp = dq + (<usize>(b * qBatch + i * qRow + qCol + h * 4) << 2);
        store<f32>(dqp, hsum(d0)); store<f32>(dqp, hsum(d1), 4); store<f32>(dqp, hsum(d2), 8); store<f32>(dqp, hsum(d3), 12);
        p += <usize>T << 2;
      }
      for (let j = 0; j < T; j++) {
        const o = <usize>j << 2;
        const kp = dkv + (<usize>(kb + j * kvRow) << 2);
        const vp = dkv + (<usize>(vb + j * kvRow) << 2);
        store<f32>(kp, load<f32>(dkt + o)); store<f32>(kp, load<f32>(dkt + row + o), 4);
        store<f32>(kp, load<f32>(dkt + 2 * row + o), 8); store<f32>(kp, load<f32>(dkt + 3 * row + o), 12);
        store<f32>(vp, load<f32>(dvt + o)); store<f32>(vp, load<f32>(dvt + row + o), 4);
        store<f32>(vp, load<f32>(dvt + 2 * row + o), 8); store<f32>(vp, load<f32>(dvt + 3 * row + o), 12);
      }
    }
  }
}

// Any head size dh (DMD's is 5): the same algorithm with the head-column loops at run time. Scratch
// after the [4·dh + 4] rows of Tp floats: three blocks of dh f32x4 (splatted query or gradient
// columns, and accumulators).
export function scratchFloatsN(T: i32, dh: i32): i32 {
  return (4 * dh + 4) * ((T + 3) & ~3) + 12 * dh;
}

// Kt[c][j] = k_j[c] and Vt[c][j] = v_j[c] for one (head, batch), zero-padded to Tp.
// @ts-ignore: decorator
@inline
function transposeKVN(kv: usize, kb: i32, vb: i32, kvRow: i32, T: i32, Tp: i32, dh: i32, kt: usize, vt: usize): void {
  const r = <usize>Tp << 2;
  for (let j = 0; j < Tp; j++) {
    const o = <usize>j << 2;
    const kp = kv + (<usize>(kb + j * kvRow) << 2);
    const vp = kv + (<usize>(vb + j * kvRow) << 2);
    for (let c = 0; c < dh; c++) {
      const cr = <usize>c * r + o;
      const co = <usize>c << 2;
      store<f32>(kt + cr, j < T ? load<f32>(kp + co) : 0);
      store<f32>(vt + cr, j < T ? load<f32>(vp + co) : 0);
    }
  }
}

export function attentionForwardN(
  q: usize, kv: usize, out: usize, probs: usize, scratch: usize,
  B: i32, H: i32, Tq: i32, T: i32, dh: i32,
  qBatch: i32, qRow: i32, qCol: i32, kvBatch: i32, kvRow: i32, kCol: i32, vCol: i32, causal: bool,
  drop: bool, state: u32, threshold: u32, keep: f32, writeProbs: bool,
): void {
  const Tp = (T + 3) & ~3;
  const row = <usize>Tp << 2;
  const kt = scratch;
  const vt = kt + <usize>dh * row;
  const sc = kt + <usize>(4 * dh) * row;
  const mk = sc + row;
  const qs = kt + <usize>(4 * dh + 4) * row;
  const acc = qs + (<usize>dh << 4);
  const d = H * dh;
  const scale = <f32>(1.0 / Math.sqrt(<f64>dh));
  const negInf = f32x4.splat(-Infinity);
  let s = state;
  let p: usize = probs;
  for (let h = 0; h < H; h++) {
    for (let b = 0; b < B; b++) {
      transposeKVN(kv, b * kvBatch + kCol + h * dh, b * kvBatch + vCol + h * dh, kvRow, T, Tp, dh, kt, vt);
      for (let i = 0; i < Tq; i++) {
        const qp = q + (<usize>(b * qBatch + i * qRow + qCol + h * dh) << 2);
        for (let c = 0; c < dh; c++) v128.store(qs + (<usize>c << 4), f32x4.splat(load<f32>(qp + (<usize>c << 2)) * scale));
        const lim = visible(i, Tq, T, causal);
        const Tl = (lim + 3) & ~3;
        let mx = negInf;
        for (let j = 0; j < Tl; j += 4) {
          const o = <usize>j << 2;
          let sv = f32x4.splat(0);
          for (let c = 0; c < dh; c++) sv = f32x4.add(sv, f32x4.mul(v128.load(qs + (<usize>c << 4)), v128.load(kt + <usize>c * row + o)));
          sv = hideKeys(sv, j, lim);
          v128.store(sc + o, sv);
          mx = f32x4.max(mx, sv);
        }
        const inv = expRow(sc, Tl, mx);
        s = maskRow(mk, T, Tp, drop, s, threshold, keep);
        memory.fill(acc, 0, <usize>dh << 4);
        for (let j = 0; j < Tl; j += 4) {
          const o = <usize>j << 2;
          const pv = f32x4.mul(v128.load(sc + o), inv);
          if (writeProbs) storeProbs(p, j, T, pv);
          const w = f32x4.mul(pv, v128.load(mk + o));
          for (let c = 0; c < dh; c++) {
            const ap = acc + (<usize>c << 4);
            v128.store(ap, f32x4.add(v128.load(ap), f32x4.mul(w, v128.load(vt + <usize>c * row + o))));
          }
        }
        if (writeProbs && Tl < T) memory.fill(p + (<usize>Tl << 2), 0, <usize>(T - Tl) << 2);
        p += <usize>T << 2;
        const op = out + (<usize>((b * Tq + i) * d + h * dh) << 2);
        for (let c = 0; c < dh; c++) store<f32>(op + (<usize>c << 2), hsum(v128.load(acc + (<usize>c << 4))));
      }
    }
  }
}

export function attentionBackwardN(
  dc: usize, q: usize, kv: usize, probs: usize, dq: usize, dkv: usize, scratch: usize,
  B: i32, H: i32, Tq: i32, T: i32, dh: i32,
  qBatch: i32, qRow: i32, qCol: i32, kvBatch: i32, kvRow: i32, kCol: i32, vCol: i32, causal: bool,
  drop: bool, state: u32, threshold: u32, keep: f32,
): void {
  const Tp = (T + 3) & ~3;
  const row = <usize>Tp << 2;
  const kt = scratch;
  const vt = kt + <usize>dh * row;
  const dkt = kt + <usize>(2 * dh) * row;
  const dvt = kt + <usize>(3 * dh) * row;
  const mk = kt + <usize>(4 * dh + 1) * row;
  const pr = kt + <usize>(4 * dh + 2) * row;
  const dp = kt + <usize>(4 * dh + 3) * row;
  const gs = kt + <usize>(4 * dh + 4) * row;
  const qs = gs + (<usize>dh << 4);
  const acc = qs + (<usize>dh << 4);
  const d = H * dh;
  const scale = f32x4.splat(<f32>(1.0 / Math.sqrt(<f64>dh)));
  const zero = f32x4.splat(0);
  let s = state;
  let p: usize = probs;
  for (let h = 0; h < H; h++) {
    for (let b = 0; b < B; b++) {
      const kb = b * kvBatch + kCol + h * dh;
      const vb = b * kvBatch + vCol + h * dh;
      transposeKVN(kv, kb, vb, kvRow, T, Tp, dh, kt, vt);
      memory.fill(dkt, 0, <usize>(2 * dh) * row);
      for (let i = 0; i < Tq; i++) {
        const gp = dc + (<usize>((b * Tq + i) * d + h * dh) << 2);
        const qp = q + (<usize>(b * qBatch + i * qRow + qCol + h * dh) << 2);
        for (let c = 0; c < dh; c++) {
          v128.store(gs + (<usize>c << 4), f32x4.splat(load<f32>(gp + (<usize>c << 2))));
          v128.store(qs + (<usize>c << 4), f32x4.splat(load<f32>(qp + (<usize>c << 2))));
        }
        s = maskRow(mk, T, Tp, drop, s, threshold, keep);
        // Hidden keys have P = 0, so they add nothing to dV, dP·P, dQ or dK.
        const Tl = probsRow(pr, p, i, Tq, T, Tp, causal);
        let rowDot = zero;
        for (let j = 0; j < Tl; j += 4) {
          const o = <usize>j << 2;
          const m = v128.load(mk + o);
          const pv = v128.load(pr + o);
          const w = f32x4.mul(pv, m);
          let dw = zero;
          for (let c = 0; c < dh; c++) {
            const g = v128.load(gs + (<usize>c << 4));
            const vp = dvt + <usize>c * row + o;
            v128.store(vp, f32x4.add(v128.load(vp), f32x4.mul(w, g)));
            dw = f32x4.add(dw, f32x4.mul(g, v128.load(vt + <usize>c * row + o)));
          }
          const dpv = f32x4.mul(dw, m);
          v128.store(dp + o, dpv);
          rowDot = f32x4.add(rowDot, f32x4.mul(dpv, pv));
        }
        const rd = f32x4.splat(hsum(rowDot));
        memory.fill(acc, 0, <usize>dh << 4);
        for (let j = 0; j < Tl; j += 4) {
          const o = <usize>j << 2;
          const ds = f32x4.mul(f32x4.mul(v128.load(pr + o), f32x4.sub(v128.load(dp + o), rd)), scale);
          for (let c = 0; c < dh; c++) {
            const ap = acc + (<usize>c << 4);
            const kp = dkt + <usize>c * row + o;
            v128.store(ap, f32x4.add(v128.load(ap), f32x4.mul(ds, v128.load(kt + <usize>c * row + o))));
            v128.store(kp, f32x4.add(v128.load(kp), f32x4.mul(ds, v128.load(qs + (<usize>c << 4)))));
          }
        }
        const dqp = dq + (<usize>(b * qBatch + i * qRow + qCol + h * dh) << 2);
        for (let c = 0; c < dh; c++) store<f32>(dqp + (<usize>c << 2), hsum(v128.load(acc + (<usize>c << 4))));
        p += <usize>T << 2;
      }
      for (let j = 0; j < T; j++) {
        const o = <usize>j << 2;
        const kp = dkv + (<usize>(kb + j * kvRow) << 2);
        const vp = dkv + (<usize>(vb + j * kvRow) << 2);
        for (let c = 0; c < dh; c++) {
          store<f32>(kp + (<usize>c << 2), load<f32>(dkt + <usize>c * row + o));
          store<f32>(vp + (<usize>c << 2), load<f32>(dvt + <usize>c * row + o));
        }
      }
    }
  }
}
