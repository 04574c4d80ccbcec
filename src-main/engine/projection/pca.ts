/**
 * Principal components by power iteration with deflation on the covariance matrix. The
 * representations are small (n ≤ a few thousand, k ≤ 120), so this is exact enough and needs no
 * linear-algebra dependency. Signs are fixed (largest |loading| positive) so plots are stable.
 */
import type { Rng } from '../random';

export function pca(rows: Float32Array, n: number, k: number, rng: Rng, components = 2): Float32Array {
  const mean = new Float64Array(k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) mean[j]! += rows[i * k + j]! / n;
  const cov = new Float64Array(k * k);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < k; a++) {
      const da = rows[i * k + a]! - mean[a]!;
      for (let b = a; b < k; b++) cov[a * k + b]! += (da * (rows[i * k + b]! - mean[b]!)) / Math.max(1, n - 1);
    }
  }
  for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) cov[a * k + b] = cov[b * k + a]!;
  const vectors: Float64Array[] = [];
  for (let c = 0; c < components; c++) {
    let v = Float64Array.from({ length: k }, () => rng.normal());
    for (let iter = 0; iter < 500; iter++) {
      const next = new Float64Array(k);
      for (let a = 0; a < k; a++) {
        let s = 0;
        for (let b = 0; b < k; b++) s += cov[a * k + b]! * v[b]!;
        next[a] = s;
      }
      for (const u of vectors) {
        const dot = next.reduce((s, x, j) => s + x * u[j]!, 0);
        for (let j = 0; j < k; j++) next[j]! -= dot * u[j]!;
      }
      const norm = Math.hypot(...next);
      if (norm === 0) break;
      for (let j = 0; j < k; j++) next[j]! /= norm;
      const delta = next.reduce((s, x, j) => s + Math.abs(x - v[j]!), 0);
      v = next;
      if (delta < 1e-10) break;
    }
    let big = 0;
    for (let j = 0; j < k; j++) if (Math.abs(v[j]!) > Math.abs(v[big]!)) big = j;
    if (v[big]! < 0) for (let j = 0; j < k; j++) v[j] = -v[j]!;
    vectors.push(v);
  }
  const out = new Float32Array(n * components);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < components; c++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += (rows[i * k + j]! - mean[j]!) * vectors[c]![j]!;
      out[i * components + c] = s;
    }
  }
  return out;
}
