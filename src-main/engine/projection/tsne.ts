/**
 * Exact t-SNE (van der Maaten & Hinton, 2008) for the embedding view: Gaussian affinities
 * calibrated to the perplexity by bisection, symmetrised; Student-t similarities in 2-D; gradient
 * descent with momentum, per-parameter gains and early exaggeration. O(n²) per iteration, which is
 * fine for the capped, stratified samples the inspector shows (≤ ~1000 points).
 */
import type { Rng } from '../random';

export interface TsneOptions {
  perplexity: number;
  iterations: number;
  learningRate: number;
}

export const TSNE_DEFAULTS: TsneOptions = { perplexity: 30, iterations: 1000, learningRate: 200 };

function squaredDistances(rows: Float32Array, n: number, k: number): Float64Array {
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let c = 0; c < k; c++) {
        const diff = rows[i * k + c]! - rows[j * k + c]!;
        s += diff * diff;
      }
      d[i * n + j] = s;
      d[j * n + i] = s;
    }
  }
  return d;
}

/** Row-conditional affinities whose entropy matches log(perplexity), then P = (P + Pᵀ) / 2n. */
function affinities(dist: Float64Array, n: number, perplexity: number): Float64Array {
  const target = Math.log(perplexity);
  const P = new Float64Array(n * n);
  const row = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let lo = 0;
    let hi = Number.POSITIVE_INFINITY;
    let beta = 1;
    for (let iter = 0; iter < 64; iter++) {
      let sum = 0;
      for (let j = 0; j < n; j++) {
        row[j] = j === i ? 0 : Math.exp(-dist[i * n + j]! * beta);
        sum += row[j]!;
      }
      let entropy = 0;
      for (let j = 0; j < n; j++) {
        if (row[j]! > 0 && sum > 0) {
          const p = row[j]! / sum;
          entropy -= p * Math.log(p);
        }
      }
      if (Math.abs(entropy - target) < 1e-5) break;
      if (entropy > target) {
        lo = beta;
        beta = hi === Number.POSITIVE_INFINITY ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = (beta + lo) / 2;
      }
    }
    let sum = 0;
    for (let j = 0; j < n; j++) sum += row[j]!;
    for (let j = 0; j < n; j++) P[i * n + j] = sum > 0 ? row[j]! / sum : 0;
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = Math.max((P[i * n + j]! + P[j * n + i]!) / (2 * n), 1e-12);
      P[i * n + j] = v;
      P[j * n + i] = v;
    }
  }
  return P;
}

export function tsne(rows: Float32Array, n: number, k: number, rng: Rng, options: Partial<TsneOptions> = {}): Float32Array {
  const opts = { ...TSNE_DEFAULTS, ...options };
  if (n < 3) return new Float32Array(n * 2);
  const perplexity = Math.min(opts.perplexity, (n - 1) / 3);
  const P = affinities(squaredDistances(rows, n, k), n, perplexity);
  const Y = Float64Array.from({ length: n * 2 }, () => rng.normal() * 1e-4);
  const update = new Float64Array(n * 2);
  const gains = new Float64Array(n * 2).fill(1);
  const num = new Float64Array(n * n);
  const grad = new Float64Array(n * 2);
  const exaggerationEnd = Math.min(250, Math.floor(opts.iterations / 4));
  for (let iter = 0; iter < opts.iterations; iter++) {
    const exaggeration = iter < exaggerationEnd ? 12 : 1;
    const momentum = iter < exaggerationEnd ? 0.5 : 0.8;
    let sumQ = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const dx = Y[2 * i]! - Y[2 * j]!;
        const dy = Y[2 * i + 1]! - Y[2 * j + 1]!;
        const q = 1 / (1 + dx * dx + dy * dy);
        num[i * n + j] = q;
        num[j * n + i] = q;
        sumQ += 2 * q;
      }
    }
    grad.fill(0);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        const q = num[i * n + j]!;
        const mult = 4 * (exaggeration * P[i * n + j]! - q / sumQ) * q;
        grad[2 * i]! += mult * (Y[2 * i]! - Y[2 * j]!);
        grad[2 * i + 1]! += mult * (Y[2 * i + 1]! - Y[2 * j + 1]!);
      }
    }
    for (let p = 0; p < n * 2; p++) {
      gains[p] = Math.sign(grad[p]!) !== Math.sign(update[p]!) ? gains[p]! + 0.2 : Math.max(0.01, gains[p]! * 0.8);
      update[p] = momentum * update[p]! - opts.learningRate * gains[p]! * grad[p]!;
      Y[p]! += update[p]!;
    }
    let mx = 0;
    let my = 0;
    for (let i = 0; i < n; i++) {
      mx += Y[2 * i]! / n;
      my += Y[2 * i + 1]! / n;
    }
    for (let i = 0; i < n; i++) {
      Y[2 * i]! -= mx;
      Y[2 * i + 1]! -= my;
    }
  }
  return Float32Array.from(Y);
}
