import { maskStreamStart, maskThreshold } from './mask-stream';
import { registerHostKernel } from './host';

/**
 * y = x · mask with the mask of dropout.ts (same seed, same stream, same order) drawn inline:
 * no mask tensor is built or uploaded. Its gradient is the same kernel on dy with the same seed.
 */
export const DROPOUT = 'HrlfDropout';

export interface DropoutAttrs {
  rate: number;
  seed: number;
}

registerHostKernel(DROPOUT, (inputs, attrs, io) => {
  const x = inputs.x!;
  const { rate, seed } = attrs as unknown as DropoutAttrs;
  const out = io.output(x.shape);
  const src = io.view(x);
  const dst = io.view(out);
  // Rounded as the mask tensor stores it, so the product equals x · mask bit for bit.
  const scale = Math.fround(1 / (1 - rate));
  const threshold = maskThreshold(rate);
  let s = maskStreamStart(seed);
  for (let i = 0; i < dst.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    dst[i] = src[i]! * (+(s >>> 0 >= threshold) * scale);
  }
  return out;
});
