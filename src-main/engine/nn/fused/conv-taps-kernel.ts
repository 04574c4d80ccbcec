import { registerHostKernel, type Named } from './host';

/**
 * The second half of Conv1d (see conv1d.ts): from the projected taps y [B, T, k·o] (column block j
 * holding tap j), out[b, t] = scale·(Σ_j y_j[t + j − padLeft] + bias) + add[t], taps outside
 * [0, T) reading zeros, for t < tOut. `bias` [o] and `add` [tOut, o] (a positional table) are
 * optional. Replaces a pad, k slices, an addN, a bias add, a multiply and an add forward, and
 * their gradients (pads and slices) backward.
 */
export const CONV_TAPS = 'HrlfConvTaps';
export const CONV_TAPS_GRAD = 'HrlfConvTapsGrad';

export interface ConvTapsAttrs {
  /** Kernel size (number of taps). */
  k: number;
  padLeft: number;
  /** Input and output lengths. */
  t: number;
  tOut: number;
  scale: number;
}

function attrsOf(attrs: Record<string, unknown>): ConvTapsAttrs {
  return attrs as unknown as ConvTapsAttrs;
}

registerHostKernel(CONV_TAPS, (inputs, attrs, io) => {
  const { y, add, bias } = inputs as Named<'y'> & Partial<Named<'add' | 'bias'>>;
  const { k, padLeft, tOut, scale } = attrsOf(attrs);
  const [B, T, w] = y.shape as [number, number, number];
  const o = w / k;
  const out = io.output([B, tOut, o]);
  const ys = io.view(y);
  const pe = add ? io.view(add) : null;
  const bs = bias ? io.view(bias) : null;
  const dst = io.view(out);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < tOut; t++) {
      const at = (b * tOut + t) * o;
      const first = Math.max(0, padLeft - t);
      const last = Math.min(k, T + padLeft - t);
      for (let c = 0; c < o; c++) {
        let sum = 0;
        for (let j = first; j < last; j++) sum = Math.fround(sum + ys[(b * T + t + j - padLeft) * w + j * o + c]!);
        if (bs) sum = Math.fround(sum + bs[c]!);
        let v = scale === 1 ? sum : Math.fround(sum * scale);
        if (pe) v += pe[t * o + c]!;
        dst[at + c] = v;
      }
    }
  }
  return out;
});

registerHostKernel(CONV_TAPS_GRAD, (inputs, attrs, io) => {
  const { dy } = inputs as Named<'dy'>;
  const { k, padLeft, t: T, scale } = attrsOf(attrs);
  const [B, tOut, o] = dy.shape as [number, number, number];
  const w = k * o;
  const dY = io.output([B, T, w]);
  const g = io.view(dy);
  const dst = io.view(dY);
  for (let b = 0; b < B; b++) {
    for (let r = 0; r < T; r++) {
      const row = (b * T + r) * w;
      for (let j = 0; j < k; j++) {
        // y_j[r] feeds out[r − j + padLeft].
        const t = r - j + padLeft;
        const at = row + j * o;
        if (t < 0 || t >= tOut) {
          dst.fill(0, at, at + o);
          continue;
        }
        const from = (b * tOut + t) * o;
        for (let c = 0; c < o; c++) dst[at + c] = g[from + c]! * scale;
      }
    }
  }
  return dY;
});
