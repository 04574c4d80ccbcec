/**
 * ULGM, Self-MM's unimodal label generation, read beside MMSA's trainer
 * src/MMSA/trains/multiTask/SELF_MM.py ("trainer L<n>") and bench/engine/torch/self-mm.py.
 *
 * Per training sample it keeps each head's feature and the text/audio/vision labels (the fusion
 * label is the ground truth and never changes). The working copies are host arrays (the update is
 * per-sample bookkeeping outside autodiff); after every batch they are written to tf.Variables,
 * which the checkpoint saves, and a restore of those variables (a resume) is read back before the
 * next use. The class centres are a function of the stores, so they are recomputed where the
 * reference reads them instead of being stored.
 */
import * as tf from '@tensorflow/tfjs-core';
import { HEADS, type HeadName } from './network';

/** The heads whose labels ULGM generates. */
export const UNIMODAL = ['text', 'audio', 'vision'] as const;
export type Unimodal = (typeof UNIMODAL)[number];

/** Trainer L307. */
const MIN = 1e-8;

export interface UlgmOptions {
  /** H: generated labels are clamped to [−H, H]. */
  clamp: number;
  /** The positive centre averages labels > 0 (true) or ≥ 0. */
  excludeZero: boolean;
}

/** What the unimodal losses of one batch read (trainer L150, L269-277): targets and weights [B]. */
export interface UnimodalTargets {
  labels: Record<Unimodal, Float32Array>;
  /** tanh(|ỹ_m − ỹ_M|). */
  weights: Record<Unimodal, Float32Array>;
}

export class UlgmStore {
  /** feature store of each head [n, dim] (trainer L22-27). */
  private readonly features: Record<HeadName, Float32Array>;
  /** generated labels [n] (trainer L55-60). */
  private readonly labels: Record<Unimodal, Float32Array>;
  /** ground truth [n]: the fusion label, re-read from the training split every epoch. */
  private truth: Float32Array;
  private readonly featureVars: Record<HeadName, tf.Variable>;
  /** the three label stores as rows of one variable [3, n]. */
  private readonly labelVar: tf.Variable;
  /** The tensors this store last wrote into its variables: anything else means a restore. */
  private written: unknown[] = [];

  constructor(
    readonly n: number,
    readonly dims: Record<HeadName, number>,
    private readonly options: UlgmOptions,
  ) {
    this.features = Object.fromEntries(HEADS.map((h) => [h, new Float32Array(n * dims[h])])) as Record<HeadName, Float32Array>;
    this.labels = Object.fromEntries(UNIMODAL.map((m) => [m, new Float32Array(n)])) as Record<Unimodal, Float32Array>;
    this.truth = new Float32Array(n);
    this.featureVars = Object.fromEntries(HEADS.map((h) => [h, tf.tidy(() => tf.variable(tf.zeros([n, dims[h]]), false))])) as Record<HeadName, tf.Variable>;
    this.labelVar = tf.tidy(() => tf.variable(tf.zeros([UNIMODAL.length, n]), false));
  }

  /** The checkpointed state. */
  variables(): tf.Variable[] {
    return [...HEADS.map((h) => this.featureVars[h]), this.labelVar];
  }

  private ids(): unknown[] {
    return this.variables().map((v) => v.dataId);
  }

  /** Sets the fusion labels (ground truth, [n, 1]) and, at epoch 1, starts every label there (trainer L91-98, L300-304). */
  beginEpoch(epoch: number, truth: Float32Array): void {
    if (truth.length !== this.n) throw new Error(`Self-MM ULGM: the training split has ${truth.length} samples, the label store ${this.n}`);
    this.truth = Float32Array.from(truth);
    if (epoch === 1) {
      for (const m of UNIMODAL) this.labels[m].set(truth);
      for (const h of HEADS) this.features[h].fill(0);
      this.write();
    } else {
      this.readIfRestored();
    }
  }

  /** After a restore (resume) the variables hold other tensors than the last written: read them back. */
  readIfRestored(): void {
    const ids = this.ids();
    if (ids.every((id, i) => id === this.written[i])) return;
    for (const h of HEADS) this.features[h].set(this.featureVars[h].dataSync());
    const labels = this.labelVar.dataSync();
    UNIMODAL.forEach((m, k) => this.labels[m].set(labels.subarray(k * this.n, (k + 1) * this.n)));
    this.written = ids;
  }

  /** Targets and weights of the unimodal losses for the batch rows `index`, before this batch's update. */
  targets(index: Int32Array): UnimodalTargets {
    const pick = (f: (i: number) => number): Float32Array => Float32Array.from(index, f);
    const labels = {} as Record<Unimodal, Float32Array>;
    const weights = {} as Record<Unimodal, Float32Array>;
    for (const m of UNIMODAL) {
      const store = this.labels[m];
      labels[m] = pick((i) => store[i]!);
      weights[m] = pick((i) => Math.tanh(Math.abs(store[i]! - this.truth[i]!)));
    }
    return { labels, weights };
  }

  /**
   * Trainer L155-164 after a batch: from epoch 2 on, update the batch's labels against the centres
   * of the stores as they stand (the reference's centres after the previous batch); then store the
   * batch's features. `features[h]` holds the batch's [B, dim] rows.
   */
  update(features: Record<HeadName, Float32Array>, index: Int32Array, epoch: number): void {
    if (epoch > 1) this.updateLabels(features, index, epoch);
    for (const h of HEADS) {
      const d = this.dims[h];
      index.forEach((row, b) => this.features[h].set(features[h].subarray(b * d, (b + 1) * d), row * d));
    }
    this.write();
  }

  /** A label's class for the centres (trainer L285-298). */
  private sign(label: number): 1 | -1 | 0 {
    if (label < 0) return -1;
    return label > 0 || (!this.options.excludeZero && label === 0) ? 1 : 0;
  }

  /**
   * Trainer L285-298: mean stored feature over samples whose current label is positive and
   * negative. An empty class has no centre (the reference's mean is NaN there).
   */
  centres(h: HeadName): { pos: Float64Array; neg: Float64Array } {
    const d = this.dims[h];
    const labels = h === 'fusion' ? this.truth : this.labels[h];
    const store = this.features[h];
    const pos = new Float64Array(d);
    const neg = new Float64Array(d);
    let np = 0;
    let nn = 0;
    for (let i = 0; i < this.n; i++) {
      const s = this.sign(labels[i]!);
      if (s === 0) continue;
      const sum = s > 0 ? pos : neg;
      for (let j = 0; j < d; j++) sum[j] = sum[j]! + store[i * d + j]!;
      if (s > 0) np++;
      else nn++;
    }
    if (np === 0 || nn === 0) {
      throw new Error(`Self-MM ULGM: no training sample has a ${np === 0 ? 'positive' : 'negative'} ${h} label, so its centre is undefined`);
    }
    for (let j = 0; j < d; j++) {
      pos[j] = pos[j]! / np;
      neg[j] = neg[j]! / nn;
    }
    return { pos, neg };
  }

  /** (d_n − d_p) / (d_p + MIN) for each of the B rows of f [B, d] (trainer L309-311, L324-328). */
  private relativeDistance(h: HeadName, f: Float32Array): Float64Array {
    const { pos, neg } = this.centres(h);
    const d = this.dims[h];
    const out = new Float64Array(f.length / d);
    for (let b = 0; b < out.length; b++) {
      let dp = 0;
      let dn = 0;
      for (let j = 0; j < d; j++) {
        const x = f[b * d + j]!;
        dp += (x - pos[j]!) ** 2;
        dn += (x - neg[j]!) ** 2;
      }
      dp = Math.sqrt(dp);
      dn = Math.sqrt(dn);
      out[b] = (dn - dp) / (dp + MIN);
    }
    return out;
  }

  /** Trainer L306-332: the label update rule, n = the epoch. */
  private updateLabels(features: Record<HeadName, Float32Array>, index: Int32Array, n: number): void {
    const H = this.options.clamp;
    const deltaF = this.relativeDistance('fusion', features.fusion);
    for (const m of UNIMODAL) {
      const deltaS = this.relativeDistance(m, features[m]);
      const store = this.labels[m];
      index.forEach((row, b) => {
        const yM = this.truth[row]!;
        const alpha = deltaS[b]! / (deltaF[b]! + MIN);
        const fresh = Math.min(H, Math.max(-H, 0.5 * alpha * yM + 0.5 * (yM + deltaS[b]! - deltaF[b]!)));
        store[row] = ((n - 1) / (n + 1)) * store[row]! + (2 / (n + 1)) * fresh;
      });
    }
  }

  /** Host stores → variables (what a checkpoint saves). */
  private write(): void {
    // wasm copies a new tensor's values at once; the cpu backend keeps the array, so it gets a copy.
    const copy = tf.getBackend() === 'wasm' ? (x: Float32Array) => x : (x: Float32Array) => x.slice();
    tf.tidy(() => {
      for (const h of HEADS) this.featureVars[h].assign(tf.tensor2d(copy(this.features[h]), [this.n, this.dims[h]]));
      const labels = new Float32Array(UNIMODAL.length * this.n);
      UNIMODAL.forEach((m, k) => labels.set(this.labels[m], k * this.n));
      this.labelVar.assign(tf.tensor2d(labels, [UNIMODAL.length, this.n]));
    });
    this.written = this.ids();
  }

  /** Generated labels of every training sample (tests, inspection). */
  labelsOf(m: Unimodal): Float32Array {
    return Float32Array.from(this.labels[m]);
  }

  dispose(): void {
    tf.dispose(this.variables());
  }
}
