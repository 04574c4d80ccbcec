import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { project, stratifiedSample } from '../../../src-main/engine/projection';
import { pca } from '../../../src-main/engine/projection/pca';
import { createRng } from '../../../src-main/engine/random';

const fixture = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'projection', 'pca.json'), 'utf8')) as { n: number; k: number; x: number[]; pca: number[] };

/** Three well-separated Gaussian clusters in 12-D with labels 0, 1, 2 (IEMOCAP-like one-hot rows). */
function clusters(perCluster = 40): { values: Float32Array; labels: Float32Array; width: number } {
  const rng = createRng('clusters');
  const width = 12;
  const n = perCluster * 3;
  const values = new Float32Array(n * width);
  const labels = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    labels[i * 3 + c] = 1;
    for (let j = 0; j < width; j++) values[i * width + j] = (j % 3 === c ? 8 : 0) + rng.normal();
  }
  return { values, labels, width };
}

/** Share of points whose nearest 2-D neighbour has the same class. */
function neighbourAgreement(points: Float32Array, classes: number[]): number {
  let agree = 0;
  for (let i = 0; i < classes.length; i++) {
    let best = -1;
    let bestD = Infinity;
    for (let j = 0; j < classes.length; j++) {
      if (i === j) continue;
      const d = (points[2 * i]! - points[2 * j]!) ** 2 + (points[2 * i + 1]! - points[2 * j + 1]!) ** 2;
      if (d < bestD) [best, bestD] = [j, d];
    }
    if (classes[best] === classes[i]) agree++;
  }
  return agree / classes.length;
}

describe('projections', () => {
  it('PCA equals scikit-learn up to the sign of each component', () => {
    const got = pca(Float32Array.from(fixture.x), fixture.n, fixture.k, createRng(1));
    for (let c = 0; c < 2; c++) {
      const sign = Math.sign(got[c]!) === Math.sign(fixture.pca[c]!) ? 1 : -1;
      for (let i = 0; i < fixture.n; i++) expect(sign * got[i * 2 + c]!).toBeCloseTo(fixture.pca[i * 2 + c]!, 3);
    }
  });

  it.each(['tsne', 'umap', 'pca'] as const)('%s keeps separated classes apart and is deterministic in its seed', (algorithm) => {
    const { values, labels, width } = clusters();
    const req = { algorithm, seed: 3, perClass: 100, perplexity: 15 };
    const a = project(values, width, labels, 3, req);
    const classes = a.indices.map((i) => i % 3);
    expect(neighbourAgreement(a.points, classes)).toBeGreaterThan(0.95);
    expect(Array.from(project(values, width, labels, 3, req).points)).toEqual(Array.from(a.points));
    if (algorithm !== 'pca') expect(Array.from(project(values, width, labels, 3, { ...req, seed: 4 }).points)).not.toEqual(Array.from(a.points));
  });

  it('caps samples per class, stratified by label', () => {
    const labels = Float32Array.from([...Array(50).fill(2.6), ...Array(10).fill(-1), ...Array(5).fill(0.5)]);
    const chosen = stratifiedSample(labels, 1, 8, createRng(1));
    const count = (pred: (y: number) => boolean): number => chosen.filter((i) => pred(labels[i]!)).length;
    expect(count((y) => y > 2)).toBe(8);
    expect(count((y) => y === -1)).toBe(8);
    expect(count((y) => y === 0.5)).toBe(5);
  });
});
