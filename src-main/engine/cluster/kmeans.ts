import type { Rng } from '../random';

/*
 * Host-side K-means for SMIL's modality prior (mengmenm/SMIL:src/get_sound_mean_kmean.py: sklearn
 * KMeans, n_clusters 10, random_state 0). It follows scikit-learn's KMeans (algorithm 'lloyd')
 * step for step: data centred on its mean before clustering, greedy k-means++ seeding with
 * 2 + ⌊ln k⌋ local trials, Lloyd iterations that stop on unchanged labels or when the squared centre
 * shift falls to tol × (mean per-feature variance), empty clusters re-seeded with the points farthest
 * from their centres, a final E-step when stopped by tolerance, and the lowest-inertia restart kept.
 * Only the random stream differs from sklearn's (ours comes from engine/random.ts), so seeded results
 * are reproducible here but not bit-equal to sklearn's; from the same initial centres they agree up to
 * rounding (same labels and iteration count).
 * All arithmetic is in float64.
 */

export interface LloydOptions {
  /** Iteration cap per run (sklearn max_iter, 300). */
  maxIter?: number;
  /** Relative tolerance on the squared centre shift (sklearn tol, 1e-4). */
  tol?: number;
}

export interface KMeansOptions extends LloydOptions {
  /** Number of clusters. */
  k: number;
  /** Seeded source for k-means++ (e.g. createRng(`${seed}:smil-prior`)). */
  rng: Rng;
  /** Restarts from fresh k-means++ seeds; the lowest inertia wins (sklearn n_init; 10 in the sklearn versions SMIL used). */
  nInit?: number;
}

export interface KMeansResult {
  /** [k, d] row-major. */
  centres: Float32Array;
  /** Cluster of each point. */
  labels: Int32Array;
  /** Sum of squared distances of the points to their centres. */
  inertia: number;
  /** Lloyd iterations of the kept run (sklearn n_iter_). */
  iterations: number;
}

interface Points {
  x: Float64Array;
  n: number;
  d: number;
  mean: Float64Array;
}

/** Validates and centres the data (sklearn subtracts the mean for more accurate distances). */
function centred(data: ArrayLike<number>, dim: number, k: number): Points {
  if (!Number.isInteger(dim) || dim <= 0) throw new Error(`k-means: dimension must be a positive integer, got ${dim}`);
  if (data.length % dim !== 0) throw new Error(`k-means: ${data.length} values do not form rows of ${dim}`);
  const n = data.length / dim;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new Error(`k-means: need 1 ≤ k ≤ number of points (${n}), got k = ${k}`);
  const x = Float64Array.from(data);
  const mean = new Float64Array(dim);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!)) throw new Error(`k-means: value ${i} (point ${Math.floor(i / dim)}) is not finite`);
    mean[i % dim]! += x[i]!;
  }
  for (let c = 0; c < dim; c++) mean[c]! /= n;
  for (let i = 0; i < x.length; i++) x[i]! -= mean[i % dim]!;
  return { x, n, d: dim, mean };
}

function squaredDistance(a: Float64Array, ai: number, b: Float64Array, bi: number, d: number): number {
  let s = 0;
  for (let c = 0; c < d; c++) {
    const diff = a[ai + c]! - b[bi + c]!;
    s += diff * diff;
  }
  return s;
}

/** sklearn's _tolerance: tol × mean of the per-feature (population) variances. */
function absoluteTolerance(p: Points, tol: number): number {
  if (tol === 0) return 0;
  let total = 0;
  for (let i = 0; i < p.x.length; i++) total += p.x[i]! * p.x[i]!; // the data is centred
  return (total / p.n / p.d) * tol;
}

/**
 * Nearest centre of every point (first one on ties). A centre's partial sum only grows, so its
 * distance stops being summed once it cannot beat the best so far: the same labels, less work.
 */
function assign(p: Points, centres: Float64Array, k: number, labels: Int32Array): void {
  const { x, n, d } = p;
  for (let i = 0; i < n; i++) {
    const xi = i * d;
    let best = 0;
    let bestDist = Infinity;
    for (let c = 0; c < k; c++) {
      const ci = c * d;
      let dist = 0;
      for (let f = 0; f < d && dist < bestDist; ) {
        const end = Math.min(d, f + 8);
        for (; f < end; f++) {
          const diff = x[xi + f]! - centres[ci + f]!;
          dist += diff * diff;
        }
      }
      if (dist < bestDist) {
        bestDist = dist;
        best = c;
      }
    }
    labels[i] = best;
  }
}

/**
 * One M-step as sklearn's lloyd_iter does it: cluster sums, then each empty cluster takes the point
 * farthest from its assigned centre (farthest first), then the means. Returns the new centres.
 */
function update(p: Points, centres: Float64Array, k: number, labels: Int32Array): Float64Array {
  const { x, n, d } = p;
  const next = new Float64Array(k * d);
  const weight = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const c = labels[i]!;
    weight[c]! += 1;
    for (let f = 0; f < d; f++) next[c * d + f]! += x[i * d + f]!;
  }
  const empty = [...weight.keys()].filter((c) => weight[c] === 0);
  if (empty.length > 0) {
    const far = [...Array(n).keys()]
      .map((i) => ({ i, dist: squaredDistance(x, i * d, centres, labels[i]! * d, d) }))
      .sort((a, b) => b.dist - a.dist);
    empty.forEach((c, e) => {
      const i = far[e]!.i;
      const old = labels[i]!;
      for (let f = 0; f < d; f++) {
        next[old * d + f]! -= x[i * d + f]!;
        next[c * d + f] = x[i * d + f]!;
      }
      weight[c] = 1;
      weight[old]! -= 1;
    });
  }
  for (let c = 0; c < k; c++) {
    if (weight[c]! > 0) for (let f = 0; f < d; f++) next[c * d + f]! /= weight[c]!;
  }
  return next;
}

interface Run {
  centres: Float64Array;
  labels: Int32Array;
  inertia: number;
  iterations: number;
}

/** sklearn's _kmeans_single_lloyd on centred points from centred initial centres. */
function lloyd(p: Points, initial: Float64Array, k: number, options: LloydOptions): Run {
  const maxIter = options.maxIter ?? 300;
  const tol = absoluteTolerance(p, options.tol ?? 1e-4);
  let centres = initial;
  const labels = new Int32Array(p.n).fill(-1);
  const previous = new Int32Array(p.n).fill(-1);
  let strict = false;
  let iteration = 0;
  for (; iteration < maxIter; iteration++) {
    assign(p, centres, k, labels);
    const next = update(p, centres, k, labels);
    let shift = 0;
    for (let i = 0; i < next.length; i++) shift += (next[i]! - centres[i]!) ** 2;
    centres = next;
    if (labels.every((l, i) => l === previous[i])) {
      strict = true;
      break;
    }
    if (shift <= tol) break;
    previous.set(labels);
  }
  // Stopped by tolerance or the cap: one more E-step so the labels match the final centres.
  if (!strict) assign(p, centres, k, labels);
  let inertia = 0;
  for (let i = 0; i < p.n; i++) inertia += squaredDistance(p.x, i * p.d, centres, labels[i]! * p.d, p.d);
  return { centres, labels, inertia, iterations: Math.min(iteration + 1, maxIter) };
}

/** Greedy k-means++ as sklearn's _kmeans_plusplus (2 + ⌊ln k⌋ candidates per centre, the best kept). */
function kMeansPlusPlus(p: Points, k: number, rng: Rng): Float64Array {
  const { x, n, d } = p;
  const centres = new Float64Array(k * d);
  const trials = 2 + Math.floor(Math.log(k));
  const first = rng.int(n);
  centres.set(x.subarray(first * d, first * d + d), 0);
  let closest = new Float64Array(n);
  let potential = 0;
  for (let i = 0; i < n; i++) {
    closest[i] = squaredDistance(x, i * d, x, first * d, d);
    potential += closest[i]!;
  }
  const cumulative = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    let run = 0;
    for (let i = 0; i < n; i++) cumulative[i] = run += closest[i]!;
    let bestPotential = Infinity;
    let bestId = 0;
    let bestClosest = closest;
    for (let t = 0; t < trials; t++) {
      const id = Math.min(searchSorted(cumulative, rng.next() * potential), n - 1);
      const candidate = new Float64Array(n);
      let candidatePotential = 0;
      for (let i = 0; i < n; i++) {
        candidate[i] = Math.min(closest[i]!, squaredDistance(x, i * d, x, id * d, d));
        candidatePotential += candidate[i]!;
      }
      if (candidatePotential < bestPotential) {
        bestPotential = candidatePotential;
        bestId = id;
        bestClosest = candidate;
      }
    }
    centres.set(x.subarray(bestId * d, bestId * d + d), c * d);
    closest = bestClosest;
    potential = bestPotential;
  }
  return centres;
}

/** First index whose cumulative value is ≥ v (numpy searchsorted, side 'left'). */
function searchSorted(cumulative: Float64Array, v: number): number {
  let lo = 0;
  let hi = cumulative.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whether two labelings are the same partition up to renaming (sklearn's _is_same_clustering). */
function sameClustering(a: Int32Array, b: Int32Array, k: number): boolean {
  const map = new Int32Array(k).fill(-1);
  for (let i = 0; i < a.length; i++) {
    if (map[a[i]!] === -1) map[a[i]!] = b[i]!;
    else if (map[a[i]!] !== b[i]) return false;
  }
  return true;
}

function result(p: Points, run: Run, k: number): KMeansResult {
  const centres = new Float32Array(k * p.d);
  for (let i = 0; i < centres.length; i++) centres[i] = run.centres[i]! + p.mean[i % p.d]!;
  return { centres, labels: run.labels, inertia: run.inertia, iterations: run.iterations };
}

/**
 * Lloyd's algorithm from given initial centres [k, d] (sklearn KMeans(init=centres, n_init=1,
 * algorithm='lloyd')). `data` holds the points row-major, `dim` values each.
 */
export function lloydKMeans(data: ArrayLike<number>, dim: number, initialCentres: ArrayLike<number>, options: LloydOptions = {}): KMeansResult {
  const k = initialCentres.length / dim;
  if (!Number.isInteger(k)) throw new Error(`k-means: ${initialCentres.length} initial values do not form centres of ${dim}`);
  const p = centred(data, dim, k);
  const initial = Float64Array.from(initialCentres, (v, i) => v - p.mean[i % dim]!);
  return result(p, lloyd(p, initial, k, options), k);
}

/** Seeded K-means: `nInit` k-means++ restarts, each refined by Lloyd, the lowest inertia kept. */
export function kMeans(data: ArrayLike<number>, dim: number, options: KMeansOptions): KMeansResult {
  const { k, rng } = options;
  const p = centred(data, dim, k);
  const nInit = options.nInit ?? 10;
  if (!Number.isInteger(nInit) || nInit < 1) throw new Error(`k-means: nInit must be a positive integer, got ${nInit}`);
  let best: Run | null = null;
  for (let r = 0; r < nInit; r++) {
    const run = lloyd(p, kMeansPlusPlus(p, k, rng), k, options);
    // A lower inertia for the same partition is rounding noise; keep the first (as sklearn).
    if (best === null || (run.inertia < best.inertia && !sameClustering(run.labels, best.labels, k))) best = run;
  }
  return result(p, best!, k);
}
