/**
 * Batched matrix products in plain JS over flat float32 arrays, for the small per-batch matrices
 * of multi-head attention ([H·B, 50, 4]·[H·B, 4, 50] and [H·B, 50, 50]·[H·B, 50, 4] at MOSI
 * sizes), where tfjs-wasm's batched matMul runs a plain C loop at ~0.5 GMAC/s.
 *
 * Why these loops are faster: the SHORT dimension (the head size, 4) is held in registers and
 * the long one runs innermost; four output rows are computed per pass so every loaded element
 * of the other operand is used four times. Measured 3–6x faster than the wasm loop on those
 * shapes (e.g. [320, 50, 4]·[320, 4, 50]: ~0.7 ms against ~6 ms).
 * Operands are addressed through (row, column) strides, so transposed inputs need no copy.
 */

/** A view of one matrix in a flat array: element (r, c) is data[offset + r·rs + c·cs]. */
interface Mat {
  data: Float32Array;
  offset: number;
  rs: number;
  cs: number;
}

/**
 * out[i, j] = Σ_c A(i, c)·B(c, j) for a short reduction k (≤ n): for four rows at a time, k in
 * blocks of 4 held in registers (16 values), j innermost so each loaded B value serves 4 rows.
 */
function shortReduction(A: Mat, B: Mat, out: Float32Array, oo: number, m: number, k: number, n: number): void {
  const { data: a, offset: ao, rs: ars, cs: acs } = A;
  const { data: b, offset: bo, rs: brs, cs: bcs } = B;
  const k4 = k - (k % 4);
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const r0 = oo + i * n;
    const r1 = r0 + n;
    const r2 = r1 + n;
    const r3 = r2 + n;
    for (let c = 0; c < k4; c += 4) {
      const p0 = ao + i * ars + c * acs;
      const p1 = p0 + ars;
      const p2 = p1 + ars;
      const p3 = p2 + ars;
      const a00 = a[p0]!;
      const a01 = a[p0 + acs]!;
      const a02 = a[p0 + 2 * acs]!;
      const a03 = a[p0 + 3 * acs]!;
      const a10 = a[p1]!;
      const a11 = a[p1 + acs]!;
      const a12 = a[p1 + 2 * acs]!;
      const a13 = a[p1 + 3 * acs]!;
      const a20 = a[p2]!;
      const a21 = a[p2 + acs]!;
      const a22 = a[p2 + 2 * acs]!;
      const a23 = a[p2 + 3 * acs]!;
      const a30 = a[p3]!;
      const a31 = a[p3 + acs]!;
      const a32 = a[p3 + 2 * acs]!;
      const a33 = a[p3 + 3 * acs]!;
      const c0 = bo + c * brs;
      const c1 = c0 + brs;
      const c2 = c1 + brs;
      const c3 = c2 + brs;
      // Two copies of the loop so the first block stores without a per-element branch.
      if (c === 0) {
        for (let j = 0, bj = 0; j < n; j++, bj += bcs) {
          const b0 = b[c0 + bj]!;
          const b1 = b[c1 + bj]!;
          const b2 = b[c2 + bj]!;
          const b3 = b[c3 + bj]!;
          out[r0 + j] = a00 * b0 + a01 * b1 + a02 * b2 + a03 * b3;
          out[r1 + j] = a10 * b0 + a11 * b1 + a12 * b2 + a13 * b3;
          out[r2 + j] = a20 * b0 + a21 * b1 + a22 * b2 + a23 * b3;
          out[r3 + j] = a30 * b0 + a31 * b1 + a32 * b2 + a33 * b3;
        }
      } else {
        for (let j = 0, bj = 0; j < n; j++, bj += bcs) {
          const b0 = b[c0 + bj]!;
          const b1 = b[c1 + bj]!;
          const b2 = b[c2 + bj]!;
          const b3 = b[c3 + bj]!;
          out[r0 + j]! += a00 * b0 + a01 * b1 + a02 * b2 + a03 * b3;
          out[r1 + j]! += a10 * b0 + a11 * b1 + a12 * b2 + a13 * b3;
          out[r2 + j]! += a20 * b0 + a21 * b1 + a22 * b2 + a23 * b3;
          out[r3 + j]! += a30 * b0 + a31 * b1 + a32 * b2 + a33 * b3;
        }
      }
    }
    if (k4 < k) {
      for (let r = 0; r < 4; r++) oneRow(a, ao + (i + r) * ars, acs, b, bo, brs, bcs, out, oo + (i + r) * n, k4, k, n, k4 > 0);
    }
  }
  for (; i < m; i++) oneRow(a, ao + i * ars, acs, b, bo, brs, bcs, out, oo + i * n, 0, k, n, false);
}

/** One output row from reduction columns [from, k); adds to the row when `accumulate`. */
function oneRow(
  a: Float32Array,
  ar: number,
  acs: number,
  b: Float32Array,
  bo: number,
  brs: number,
  bcs: number,
  out: Float32Array,
  row: number,
  from: number,
  k: number,
  n: number,
  accumulate: boolean,
): void {
  for (let j = 0; j < n; j++) {
    let s = accumulate ? out[row + j]! : 0;
    for (let c = from; c < k; c++) s += a[ar + c * acs]! * b[bo + c * brs + j * bcs]!;
    out[row + j] = s;
  }
}

/**
 * out[i, j] = Σ_c A(i, c)·B(c, j) for short output rows n (< k): 4 rows × 4 columns of
 * accumulators, c innermost, so each loaded B value serves 4 rows.
 */
function shortOutput(A: Mat, B: Mat, out: Float32Array, oo: number, m: number, k: number, n: number): void {
  const { data: a, offset: ao, rs: ars, cs: acs } = A;
  const { data: b, offset: bo, rs: brs, cs: bcs } = B;
  for (let j = 0; j < n; j += 4) {
    const w = Math.min(4, n - j);
    const j0 = bo + j * bcs;
    const j1 = w > 1 ? j0 + bcs : j0;
    const j2 = w > 2 ? j0 + 2 * bcs : j0;
    const j3 = w > 3 ? j0 + 3 * bcs : j0;
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      let s00 = 0;
      let s01 = 0;
      let s02 = 0;
      let s03 = 0;
      let s10 = 0;
      let s11 = 0;
      let s12 = 0;
      let s13 = 0;
      let s20 = 0;
      let s21 = 0;
      let s22 = 0;
      let s23 = 0;
      let s30 = 0;
      let s31 = 0;
      let s32 = 0;
      let s33 = 0;
      const p0 = ao + i * ars;
      const p1 = p0 + ars;
      const p2 = p1 + ars;
      const p3 = p2 + ars;
      for (let c = 0, ac = 0, bc = 0; c < k; c++, ac += acs, bc += brs) {
        const u0 = a[p0 + ac]!;
        const u1 = a[p1 + ac]!;
        const u2 = a[p2 + ac]!;
        const u3 = a[p3 + ac]!;
        const b0 = b[j0 + bc]!;
        const b1 = b[j1 + bc]!;
        const b2 = b[j2 + bc]!;
        const b3 = b[j3 + bc]!;
        s00 += u0 * b0;
        s01 += u0 * b1;
        s02 += u0 * b2;
        s03 += u0 * b3;
        s10 += u1 * b0;
        s11 += u1 * b1;
        s12 += u1 * b2;
        s13 += u1 * b3;
        s20 += u2 * b0;
        s21 += u2 * b1;
        s22 += u2 * b2;
        s23 += u2 * b3;
        s30 += u3 * b0;
        s31 += u3 * b1;
        s32 += u3 * b2;
        s33 += u3 * b3;
      }
      store(out, oo + i * n + j, w, s00, s01, s02, s03);
      store(out, oo + (i + 1) * n + j, w, s10, s11, s12, s13);
      store(out, oo + (i + 2) * n + j, w, s20, s21, s22, s23);
      store(out, oo + (i + 3) * n + j, w, s30, s31, s32, s33);
    }
    for (; i < m; i++) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      const p = ao + i * ars;
      for (let c = 0, ac = 0, bc = 0; c < k; c++, ac += acs, bc += brs) {
        const u = a[p + ac]!;
        s0 += u * b[j0 + bc]!;
        s1 += u * b[j1 + bc]!;
        s2 += u * b[j2 + bc]!;
        s3 += u * b[j3 + bc]!;
      }
      store(out, oo + i * n + j, w, s0, s1, s2, s3);
    }
  }
}

function store(out: Float32Array, at: number, w: number, s0: number, s1: number, s2: number, s3: number): void {
  out[at] = s0;
  if (w > 1) out[at + 1] = s1;
  if (w > 2) out[at + 2] = s2;
  if (w > 3) out[at + 3] = s3;
}

/**
 * out[p] = op(A[p])·op(B[p]) for p < batch; op transposes when the flag is set. A holds [m, k]
 * blocks ([k, m] when transposeA), B [k, n] blocks ([n, k] when transposeB), out [m, n] blocks.
 */
export function batchedProduct(
  a: Float32Array,
  b: Float32Array,
  out: Float32Array,
  batch: number,
  m: number,
  k: number,
  n: number,
  transposeA: boolean,
  transposeB: boolean,
): void {
  if (k === 0) {
    out.fill(0, 0, batch * m * n);
    return;
  }
  for (let p = 0; p < batch; p++) {
    const A: Mat = { data: a, offset: p * m * k, rs: transposeA ? 1 : k, cs: transposeA ? m : 1 };
    const B: Mat = { data: b, offset: p * k * n, rs: transposeB ? 1 : n, cs: transposeB ? k : 1 };
    if (k <= n) shortReduction(A, B, out, p * m * n, m, k, n);
    else shortOutput(A, B, out, p * m * n, m, k, n);
  }
}
