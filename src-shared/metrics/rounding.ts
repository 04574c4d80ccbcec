/** Rounding and clipping with numpy semantics. */

/**
 * numpy's `np.round(x)` / `np.rint(x)`: round half to even (2.5 → 2, 3.5 → 4, −0.5 → −0).
 * `Math.round` rounds halves up and would move MOSI labels at +0.5, +2.5, −1.5 to another class.
 */
export function roundHalfEven(x: number): number {
  // Only exact halves differ from Math.round; x/2 is exact, so round it and double to land on the even integer.
  if (Math.abs(x - Math.trunc(x)) === 0.5) return 2 * Math.round(x / 2);
  return Math.round(x);
}

/** numpy's `np.clip(x, lo, hi)`; NaN stays NaN. */
export function clip(x: number, lo: number, hi: number): number {
  if (Number.isNaN(x)) return NaN;
  return Math.min(hi, Math.max(lo, x));
}
