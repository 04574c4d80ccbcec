/**
 * Built-in synthetic datasets with the real datasets' shapes, generated deterministically from a seed.
 *
 * Generative model (documented in the README): every sample has a label-derived latent u. Each
 * modality m observes it through its own noise (σ_l < σ_a < σ_v), only on a random subset of its
 * valid frames (probability ρ_m), mixed with sample- and frame-level nuisance factors, through a
 * fixed random nonlinear map x_t = B_m tanh(A_m [w_t·(u + σ_m ε) ; ν + ξ_t]) + η_t. Sequences are
 * front-padded with zero frames to T. Language therefore carries the label best, then audio,
 * then visual, and the modalities' noises are independent, so combining them beats any one alone.
 */
import { readFileSync } from 'node:fs';
import { IEMOCAP_EMOTIONS, type DatasetKind, type Split } from '../../../src-shared/domain';
import { resourcePath } from '../paths';
import { createRng, type Rng } from '../random';
import type { DatasetData, SplitData } from '../types';

export interface SyntheticSpec {
  id: string;
  kind: DatasetKind;
  description: string;
  T: number;
  dims: [number, number, number];
  sizes: Record<Split, number>;
}

export const SYNTHETIC_SPECS: readonly SyntheticSpec[] = [
  {
    id: 'synth-mosi',
    kind: 'mosi',
    description: 'Synthetic features with CMU-MOSI shapes (MulT: T=50, 300/5/20) on the real MOSI labels and split',
    T: 50,
    dims: [300, 5, 20],
    sizes: { train: 1284, valid: 229, test: 686 },
  },
  {
    id: 'synth-mosei',
    kind: 'mosei',
    description: "Synthetic features with CMU-MOSEI shapes (T=50, 300/74/35), labels skewed positive like MOSEI's",
    T: 50,
    dims: [300, 74, 35],
    sizes: { train: 16326, valid: 1871, test: 4659 },
  },
  {
    id: 'synth-iemocap',
    kind: 'iemocap',
    description: 'Synthetic features with IEMOCAP shapes (T=50, 300/74/35), 4 emotions (Neutral, Happy, Sad, Angry)',
    T: 50,
    dims: [300, 74, 35],
    sizes: { train: 2717, valid: 798, test: 938 },
  },
];

/** Per-modality observation model: label noise, share of frames that carry the label, frame noise. */
export const MODALITY_PARAMS = {
  l: { labelNoise: 0.9, activeRate: 0.5, frameNoise: 0.25 },
  a: { labelNoise: 1.3, activeRate: 0.4, frameNoise: 0.3 },
  v: { labelNoise: 2.8, activeRate: 0.25, frameNoise: 0.5 },
} as const;

const HIDDEN = 16;
const NUISANCE = 4;
const LATENT = 4;
const MIN_LENGTH_FRACTION = 0.4;

interface Labelled {
  ids: string[];
  /** [n, labelDim] */
  y: Float32Array;
  /** [n, LATENT] the label seen by the modalities */
  latent: Float32Array;
}

/** Regression latent: a few nonlinear views of the sentiment score, roughly unit scale. */
function sentimentLatent(y: number, out: Float32Array, at: number): void {
  out[at] = y / 1.5;
  out[at + 1] = Math.tanh(1.5 * y);
  out[at + 2] = Math.abs(y) / 1.5 - 1;
  out[at + 3] = Math.sin((Math.PI * y) / 3);
}

function regressionLabels(ids: string[], ys: number[]): Labelled {
  const n = ys.length;
  const y = Float32Array.from(ys);
  const latent = new Float32Array(n * LATENT);
  for (let i = 0; i < n; i++) sentimentLatent(ys[i]!, latent, i * LATENT);
  return { ids, y, latent };
}

/** MOSI: the real labels and the standard video-grouped split (resources/datasets/mosi_labels.csv). */
function mosiLabels(): Record<Split, Labelled> {
  const rows = readFileSync(resourcePath('datasets', 'mosi_labels.csv'), 'utf8').trim().split('\n').slice(1);
  const by: Record<Split, { ids: string[]; ys: number[] }> = {
    train: { ids: [], ys: [] },
    valid: { ids: [], ys: [] },
    test: { ids: [], ys: [] },
  };
  for (const row of rows) {
    const [video, index, , , label, split] = row.split(',');
    const bucket = by[split as Split];
    if (!bucket) throw new Error(`mosi_labels.csv: unknown split '${split}'`);
    bucket.ids.push(`${video}_${index}`);
    bucket.ys.push(Number(label));
  }
  return {
    train: regressionLabels(by.train.ids, by.train.ys),
    valid: regressionLabels(by.valid.ids, by.valid.ys),
    test: regressionLabels(by.test.ids, by.test.ys),
  };
}

/**
 * MOSEI-like labels: annotator means on a 1/3 grid in [-3, 3], about a fifth exactly neutral and
 * the rest centred above zero, reproducing MOSEI's well-known skew toward positive sentiment.
 */
function moseiLabels(spec: SyntheticSpec, rng: Rng): Record<Split, Labelled> {
  const make = (split: Split): Labelled => {
    const n = spec.sizes[split];
    const ys: number[] = [];
    for (let i = 0; i < n; i++) {
      if (rng.next() < 0.2) {
        ys.push(0);
        continue;
      }
      const raw = 0.6 + 1.2 * rng.normal();
      ys.push(Math.max(-3, Math.min(3, Math.round(raw * 3) / 3)));
    }
    return regressionLabels(
      ys.map((_, i) => `${spec.id}_${split}_${i}`),
      ys,
    );
  };
  return { train: make('train'), valid: make('valid'), test: make('test') };
}

/** IEMOCAP-like labels: one emotion per sample, stored as 4 binary (absent/present) labels. */
function iemocapLabels(spec: SyntheticSpec, rng: Rng): Record<Split, Labelled> {
  const shares = [0.31, 0.24, 0.2, 0.25];
  const make = (split: Split): Labelled => {
    const n = spec.sizes[split];
    const y = new Float32Array(n * IEMOCAP_EMOTIONS.length);
    const latent = new Float32Array(n * LATENT);
    for (let i = 0; i < n; i++) {
      let r = rng.next();
      let c = 0;
      while (c < shares.length - 1 && r >= shares[c]!) r -= shares[c++]!;
      y[i * 4 + c] = 1;
      for (let k = 0; k < LATENT; k++) latent[i * LATENT + k] = k === c ? 1.5 : -0.5;
    }
    return { ids: Array.from({ length: n }, (_, i) => `${spec.id}_${split}_${i}`), y, latent };
  };
  return { train: make('train'), valid: make('valid'), test: make('test') };
}

interface ModalityMap {
  A: Float32Array; // [HIDDEN, LATENT + NUISANCE]
  B: Float32Array; // [dim, HIDDEN]
  dim: number;
}

function randomMap(dim: number, rng: Rng): ModalityMap {
  const inDim = LATENT + NUISANCE;
  const A = new Float32Array(HIDDEN * inDim).map(() => (rng.normal() * 1.2) / Math.sqrt(inDim));
  const B = new Float32Array(dim * HIDDEN).map(() => rng.normal() / Math.sqrt(HIDDEN));
  return { A, B, dim };
}

function renderModality(
  labelled: Labelled,
  T: number,
  lengths: Int32Array,
  map: ModalityMap,
  params: (typeof MODALITY_PARAMS)[keyof typeof MODALITY_PARAMS],
  rng: Rng,
): Float32Array {
  const n = labelled.ids.length;
  const { A, B, dim } = map;
  const inDim = LATENT + NUISANCE;
  const out = new Float32Array(n * T * dim);
  const seen = new Float32Array(LATENT);
  const nuisance = new Float32Array(NUISANCE);
  const input = new Float32Array(inDim);
  const hidden = new Float32Array(HIDDEN);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < LATENT; k++) seen[k] = labelled.latent[i * LATENT + k]! + params.labelNoise * rng.normal();
    for (let k = 0; k < NUISANCE; k++) nuisance[k] = rng.normal();
    for (let t = T - lengths[i]!; t < T; t++) {
      const active = rng.next() < params.activeRate ? 1 : 0;
      for (let k = 0; k < LATENT; k++) input[k] = active * seen[k]!;
      for (let k = 0; k < NUISANCE; k++) input[LATENT + k] = nuisance[k]! + 0.3 * rng.normal();
      for (let h = 0; h < HIDDEN; h++) {
        let s = 0;
        for (let k = 0; k < inDim; k++) s += A[h * inDim + k]! * input[k]!;
        hidden[h] = Math.tanh(s);
      }
      const base = (i * T + t) * dim;
      for (let j = 0; j < dim; j++) {
        let s = 0;
        for (let h = 0; h < HIDDEN; h++) s += B[j * HIDDEN + h]! * hidden[h]!;
        out[base + j] = s + params.frameNoise * rng.normal();
      }
    }
  }
  return out;
}

export function findSyntheticSpec(id: string): SyntheticSpec | undefined {
  return SYNTHETIC_SPECS.find((s) => s.id === id);
}

/** Deterministic in (spec, seed): the same call always yields the same bytes. */
export function generateSynthetic(spec: SyntheticSpec, seed = 20241210): Omit<DatasetData, 'sha256'> {
  const rng = createRng(`${spec.id}:${seed}`);
  const labels =
    spec.kind === 'mosi' ? mosiLabels() : spec.kind === 'mosei' ? moseiLabels(spec, rng) : iemocapLabels(spec, rng);
  const maps = {
    l: randomMap(spec.dims[0], rng),
    a: randomMap(spec.dims[1], rng),
    v: randomMap(spec.dims[2], rng),
  };
  const build = (split: Split): SplitData => {
    const lab = labels[split];
    const n = lab.ids.length;
    const minLen = Math.ceil(MIN_LENGTH_FRACTION * spec.T);
    const lengths = Int32Array.from({ length: n }, () => minLen + rng.int(spec.T - minLen + 1));
    return {
      n,
      ids: lab.ids,
      l: renderModality(lab, spec.T, lengths, maps.l, MODALITY_PARAMS.l, rng),
      a: renderModality(lab, spec.T, lengths, maps.a, MODALITY_PARAMS.a, rng),
      v: renderModality(lab, spec.T, lengths, maps.v, MODALITY_PARAMS.v, rng),
      y: lab.y,
    };
  };
  return {
    name: spec.id,
    kind: spec.kind,
    task: spec.kind === 'iemocap' ? 'classification' : 'regression',
    T: spec.T,
    dims: spec.dims,
    labelDim: spec.kind === 'iemocap' ? IEMOCAP_EMOTIONS.length : 1,
    train: build('train'),
    valid: build('valid'),
    test: build('test'),
  };
}
