import { registerHostKernel, type Named } from './host';

/**
 * The second half of Conv1dK3 (see conv1d.ts): from the projected taps y [B, T, 3·o] (column
 * blocks k = 0, 1, 2), out[b, t] = scale·(y₀[t-1] + y₁[t] + y₂[t+1]) + add[t] with zero padding
 * in time, `add` [T, o] optional (the positional table). Replaces a pad, three slices, an addN,
 * a multiply and an add forward, and their gradients (pads and slices) backward.
 */
export const CONV_TAPS = 'HrlfConvTaps';
export const CONV_TAPS_GRAD = 'HrlfConvTapsGrad';

export interface ConvTapsAttrs {
  scale: number;
}

registerHostKernel(CONV_TAPS, (inputs, attrs, io) => {
  const { y, add } = inputs as Named<'y'> & Partial<Named<'add'>>;
  const scale = (attrs as unknown as ConvTapsAttrs).scale;
  const [B, T, w] = y.shape as [number, number, number];
  const o = w / 3;
  const out = io.output([B, T, o]);
  const ys = io.view(y);
  const pe = add ? io.view(add) : null;
  const dst = io.view(out);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const row = (b * T + t) * w;
      const prev = t > 0 ? row - w : -1;
      const next = t + 1 < T ? row + w + 2 * o : -1;
      const at = (b * T + t) * o;
      for (let c = 0; c < o; c++) {
        let sum = Math.fround((prev >= 0 ? ys[prev + c]! : 0) + ys[row + o + c]!);
        sum = Math.fround(sum + (next >= 0 ? ys[next + c]! : 0));
        let v = Math.fround(sum * scale);
        if (pe) v += pe[t * o + c]!;
        dst[at + c] = v;
      }
    }
  }
  return out;
});

registerHostKernel(CONV_TAPS_GRAD, (inputs, attrs, io) => {
  const { dy } = inputs as Named<'dy'>;
  const scale = (attrs as unknown as ConvTapsAttrs).scale;
  const [B, T, o] = dy.shape as [number, number, number];
  const w = 3 * o;
  const dY = io.output([B, T, w]);
  const g = io.view(dy);
  const dst = io.view(dY);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const row = (b * T + t) * w;
      const here = (b * T + t) * o;
      for (let c = 0; c < o; c++) {
        // y₀[t] feeds out[t+1], y₁[t] out[t], y₂[t] out[t-1].
        dst[row + c] = t + 1 < T ? g[here + o + c]! * scale : 0;
        dst[row + o + c] = g[here + c]! * scale;
        dst[row + 2 * o + c] = t > 0 ? g[here - o + c]! * scale : 0;
      }
    }
  }
  return dY;
});
