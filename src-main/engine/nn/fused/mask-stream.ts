/**
 * The dropout mask stream: xorshift32 (Marsaglia), seeded through one splitmix step so nearby
 * seeds give unrelated masks; raw 32-bit draws are compared with an integer threshold, no float
 * conversion per element, and the comparison is turned into a number instead of branched on (a
 * 10% branch mispredicts often: the branchless loop is ~2x faster). Statistical quality is ample
 * for Bernoulli masks. dropout.ts fills mask tensors from it; the fused kernels draw the same
 * stream inline, element by element, in the same order.
 */
export function maskStreamStart(seed: number): number {
  const s = Math.imul((seed ^ 0x9e3779b9) >>> 0, 0x85ebca6b) >>> 0;
  return (s ^ (s >>> 13)) >>> 0 || 0x6d2b79f5;
}

/**
 * One step of the stream (xorshift32: s ^= s << 13, s ^= s >>> 17, s ^= s << 5). The element loops
 * inline it; this is for code that reasons about the stream as a whole (the webgpu kernel's jump
 * maps).
 */
export function maskStreamNext(s: number): number {
  s ^= s << 13;
  s ^= s >>> 17;
  s ^= s << 5;
  return s >>> 0;
}

/** Raw draws at or above this keep the element. */
export function maskThreshold(rate: number): number {
  return Math.floor(rate * 4294967296);
}

