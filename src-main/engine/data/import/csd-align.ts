/**
 * The word-aligned procedure of the CMU-MultimodalSDK (datasets.md §3.2), on one video at a time.
 * Pure functions over typed arrays, so they are tested without files.
 *
 * 1. The text sequence is the word grid: its rows, sorted by start time (stable, as the SDK's
 *    pre-alignment sorts), minus zero-length words (the SDK skips reference rows shorter than ε).
 * 2. Audio and visual rows are averaged over each word: the mean of the rows whose interval
 *    intersects the word's by more than ε (the SDK's `__intersect_and_copy` + an averaging collapse
 *    function). A word no row intersects gets a zero row and is counted (the SDK would leave the
 *    word out of that modality only, which shifts the modalities against each other).
 * 3. Each labelled segment takes the words intersecting it by more than ε, in time order; a word
 *    that straddles a boundary belongs to both segments, as in the SDK.
 * 4. Sequences are cut to the last T words and front-padded with zero rows (SDK `get_tensors` with
 *    left padding; the workbench convention).
 */

/** The SDK's interval tolerance (mmdatasdk/dataset/dataset.py: epsilon=10e-6). */
export const EPSILON = 10e-6;

export type Floats = Float32Array | Float64Array;

/** One video's rows of one computational sequence. */
export interface VideoRows {
  n: number;
  dim: number;
  /** [n, dim] row-major. */
  features: Floats;
  /** [n, 2] start, end seconds. */
  intervals: Floats;
}

/** Length of the intersection of [a0, a1] and [b0, b1] (negative when disjoint). */
function overlap(a0: number, a1: number, b0: number, b1: number): number {
  return Math.min(a1, b1) - Math.max(a0, b0);
}

export interface WordGrid {
  /** Rows of the text sequence in time order, zero-length words left out. */
  rows: Int32Array;
  starts: Float64Array;
  ends: Float64Array;
  /** Words shorter than ε (or with a non-finite time), skipped. */
  zeroLength: number;
}

export function wordGrid(intervals: Floats, n: number): WordGrid {
  const idx: number[] = [];
  let zeroLength = 0;
  for (let i = 0; i < n; i++) {
    const s = intervals[2 * i] as number;
    const e = intervals[2 * i + 1] as number;
    if (!(Math.abs(e - s) >= EPSILON) || !Number.isFinite(s) || !Number.isFinite(e)) zeroLength++;
    else idx.push(i);
  }
  idx.sort((a, b) => (intervals[2 * a] as number) - (intervals[2 * b] as number)); // stable
  const rows = Int32Array.from(idx);
  const starts = new Float64Array(rows.length);
  const ends = new Float64Array(rows.length);
  rows.forEach((r, k) => {
    starts[k] = intervals[2 * r] as number;
    ends[k] = intervals[2 * r + 1] as number;
  });
  return { rows, starts, ends, zeroLength };
}

/** First index in the ascending `a` whose value is >= x. */
function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface WordMeans {
  /** [words, dim] float64 means, zero rows where no frame intersects the word. */
  values: Float64Array;
  /** Words no row intersects. */
  missing: number;
}

/**
 * Mean of a finer-rate sequence's rows over each word (unweighted, as the SDK's averaging collapse;
 * non-finite values propagate and are replaced by 0 later, where they are counted).
 */
export function averageOverWords(grid: WordGrid, seq: VideoRows): WordMeans {
  const { dim } = seq;
  const words = grid.rows.length;
  const values = new Float64Array(words * dim);
  // Frames sorted by start; a frame intersecting [s, e] starts before e and after s − (longest frame).
  const order = Array.from({ length: seq.n }, (_, i) => i)
    .filter((i) => Number.isFinite(seq.intervals[2 * i]) && Number.isFinite(seq.intervals[2 * i + 1]))
    .sort((a, b) => (seq.intervals[2 * a] as number) - (seq.intervals[2 * b] as number));
  const frames = order.length;
  const fStart = new Float64Array(frames);
  const fEnd = new Float64Array(frames);
  let longest = 0;
  order.forEach((r, k) => {
    fStart[k] = seq.intervals[2 * r] as number;
    fEnd[k] = seq.intervals[2 * r + 1] as number;
    longest = Math.max(longest, (fEnd[k] as number) - (fStart[k] as number));
  });
  let missing = 0;
  const sum = new Float64Array(dim);
  for (let w = 0; w < words; w++) {
    const s = grid.starts[w] as number;
    const e = grid.ends[w] as number;
    sum.fill(0);
    let count = 0;
    for (let k = lowerBound(fStart, s - longest - EPSILON); k < frames && (fStart[k] as number) < e; k++) {
      if (overlap(fStart[k] as number, fEnd[k] as number, s, e) <= EPSILON) continue;
      const base = (order[k] as number) * dim;
      for (let d = 0; d < dim; d++) sum[d] = (sum[d] as number) + (seq.features[base + d] as number);
      count++;
    }
    if (count === 0) {
      missing++;
      continue;
    }
    for (let d = 0; d < dim; d++) values[w * dim + d] = (sum[d] as number) / count;
  }
  return { values, missing };
}

/** Words (indices into the grid, in time order) intersecting the segment [s, e] by more than ε. */
export function wordsInSegment(grid: WordGrid, s: number, e: number): number[] {
  if (!(Math.abs(e - s) >= EPSILON)) return [];
  const out: number[] = [];
  // Words may overlap one another slightly, so scan every word starting before e.
  const stop = lowerBound(grid.starts, e);
  for (let w = 0; w < stop; w++) {
    if (overlap(grid.starts[w] as number, grid.ends[w] as number, s, e) > EPSILON) out.push(w);
  }
  return out;
}

/**
 * Write the rows `words` of a [*, dim] word-level matrix into one [T, dim] block of `out` at
 * `offset`: the last T words, zero rows in front. Returns true when words were cut.
 */
export function placeFrontPadded(values: Floats, dim: number, words: readonly number[], T: number, out: Float32Array, offset: number): boolean {
  const keep = words.length > T ? words.slice(words.length - T) : words;
  const pad = T - keep.length;
  out.fill(0, offset, offset + pad * dim);
  keep.forEach((w, k) => {
    const src = w * dim;
    const dst = offset + (pad + k) * dim;
    for (let d = 0; d < dim; d++) out[dst + d] = values[src + d] as number;
  });
  return words.length > T;
}

/** The text features of the grid's words, in grid order, as float64 [words, dim]. */
export function gridRows(grid: WordGrid, seq: VideoRows): Float64Array {
  const { dim } = seq;
  const out = new Float64Array(grid.rows.length * dim);
  grid.rows.forEach((r, k) => {
    for (let d = 0; d < dim; d++) out[k * dim + d] = seq.features[r * dim + d] as number;
  });
  return out;
}
