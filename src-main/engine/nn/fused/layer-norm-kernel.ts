import { registerHostKernel, type Named } from './host';

/**
 * LayerNorm over the last axis of x [N, D] in one pass per row (forward), and its closed-form
 * backward in one more (see layer-norm.ts for the formula). The forward's second output holds
 * each row's mean and 1/std, [N, 2], which is all the backward needs besides x and γ.
 * Statistics accumulate in float64 (PyTorch accumulates in float32; the difference is rounding).
 */
export const LAYER_NORM = 'HrlfLayerNorm';
export const LAYER_NORM_GRAD = 'HrlfLayerNormGrad';

registerHostKernel(LAYER_NORM, (inputs, attrs, io) => {
  const { x, gamma, beta } = inputs as Named<'x' | 'gamma' | 'beta'>;
  const eps = attrs.eps as number;
  const [n, d] = x.shape as [number, number];
  const y = io.output([n, d]);
  const stats = io.output([n, 2]);
  const xs = io.view(x);
  const g = io.view(gamma);
  const b = io.view(beta);
  const ys = io.view(y);
  const st = io.view(stats);
  for (let r = 0, o = 0; r < n; r++, o += d) {
    let sum = 0;
    for (let c = 0; c < d; c++) sum += xs[o + c]!;
    const mean = sum / d;
    let sq = 0;
    for (let c = 0; c < d; c++) {
      const e = xs[o + c]! - mean;
      sq += e * e;
    }
    const rstd = 1 / Math.sqrt(sq / d + eps);
    for (let c = 0; c < d; c++) ys[o + c] = (xs[o + c]! - mean) * rstd * g[c]! + b[c]!;
    st[2 * r] = mean;
    st[2 * r + 1] = rstd;
  }
  return [y, stats];
});

let acc = new Float64Array(0);

registerHostKernel(LAYER_NORM_GRAD, (inputs, _attrs, io) => {
  const { dy, x, gamma, stats } = inputs as Named<'dy' | 'x' | 'gamma' | 'stats'>;
  const [n, d] = x.shape as [number, number];
  const dx = io.output([n, d]);
  const dgamma = io.output([d]);
  const dbeta = io.output([d]);
  const dys = io.view(dy);
  const xs = io.view(x);
  const g = io.view(gamma);
  const st = io.view(stats);
  const dxs = io.view(dx);
  if (acc.length < 3 * d) acc = new Float64Array(3 * d);
  acc.fill(0, 0, 2 * d);
  const xhat = acc.subarray(2 * d, 3 * d);
  for (let r = 0, o = 0; r < n; r++, o += d) {
    const mean = st[2 * r]!;
    const rstd = st[2 * r + 1]!;
    let sg = 0;
    let sgx = 0;
    for (let c = 0; c < d; c++) {
      const xh = (xs[o + c]! - mean) * rstd;
      const dyc = dys[o + c]!;
      const gc = dyc * g[c]!;
      xhat[c] = xh;
      sg += gc;
      sgx += gc * xh;
      acc[c]! += dyc * xh;
      acc[d + c]! += dyc;
    }
    const mg = sg / d;
    const mgx = sgx / d;
    for (let c = 0; c < d; c++) dxs[o + c] = rstd * (dys[o + c]! * g[c]! - mg - xhat[c]! * mgx);
  }
  io.view(dgamma).set(acc.subarray(0, d));
  io.view(dbeta).set(acc.subarray(d, 2 * d));
  return [dx, dgamma, dbeta];
});
