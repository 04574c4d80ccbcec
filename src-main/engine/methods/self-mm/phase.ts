/**
 * Self-MM's one training phase, read beside MMSA's trainer src/MMSA/trains/multiTask/SELF_MM.py
 * ("trainer L<n>") and bench/engine/torch/self-mm.py: multi-task losses, gradient accumulation
 * (`update_epochs`), per-group Adam, ULGM after every batch, and validation on the fusion output.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Task } from '../../../../src-shared/domain';
import { EVAL, trainCtx } from '../../nn';
import type { Rng } from '../../random';
import type { DatasetData } from '../../types';
import type { Batch, Phase } from '../method';
import { taskLoss } from '../task-loss';
import type { SelfMmConfig } from './config';
import { HEADS, type HeadName, type SelfMmNetwork } from './network';
import { GroupedAdam } from './optimizer';
import { UlgmStore, type UnimodalTargets } from './ulgm';

export class SelfMmPhase implements Phase {
  readonly name = 'model';
  readonly epochs: number;
  readonly batchSize: number;
  readonly patience: number;
  readonly optimizer: GroupedAdam;
  /** Null without ULGM (IEMOCAP, or `ulgm: false`). */
  readonly ulgm: UlgmStore | null;
  /** The epoch being trained (1-based; 0 before the first beginEpoch). */
  private epoch = 0;
  /**
   * Gradients summed since the last optimiser step (trainer L124-125: zero_grad, then backward
   * adds), one per parameter. Variables, so a step's tensor count stays the same while they fill.
   */
  private readonly accumulated: tf.Variable[];
  /** Batches summed in `accumulated`; 0: it holds nothing yet. */
  private pending = 0;
  /** Batches per optimiser step this epoch: update_epochs, or all of an epoch that has fewer. */
  private accumulation: number;

  constructor(
    readonly net: SelfMmNetwork,
    private readonly config: SelfMmConfig,
    private readonly task: Task,
    trainSize: number,
  ) {
    this.epochs = config.epochs;
    this.batchSize = config.batchSize;
    this.patience = config.earlyStop;
    this.accumulation = config.updateEpochs;
    const groups = net.groups();
    this.accumulated = [...groups.audio, ...groups.video, ...groups.other].map((p) => tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
    // trainer L82-89
    this.optimizer = new GroupedAdam([
      { params: groups.audio, lr: config.lrAudio, weightDecay: config.weightDecayAudio },
      { params: groups.video, lr: config.lrVideo, weightDecay: config.weightDecayVideo },
      { params: groups.other, lr: config.lrOther, weightDecay: config.weightDecayOther },
    ]);
    this.ulgm =
      config.ulgm && task === 'regression'
        ? new UlgmStore(
            trainSize,
            { fusion: config.postFusionDim, text: config.postTextDim, audio: config.postAudioDim, vision: config.postVideoDim },
            { clamp: config.labelClamp, excludeZero: config.excludeZero },
          )
        : null;
  }

  /**
   * Trainer L112-124: a new epoch restarts the accumulation (an incomplete one is dropped); ULGM
   * labels start at the truth. [adaptation] An epoch of fewer than update_epochs batches steps once,
   * on all of them: MMSA would never step at all.
   */
  beginEpoch(epoch: number, data: DatasetData): void {
    this.epoch = epoch;
    this.pending = 0;
    this.accumulation = Math.min(this.config.updateEpochs, Math.ceil(data.train.n / this.batchSize));
    this.ulgm?.beginEpoch(epoch, data.train.y);
  }

  /**
   * Per head: the regression error |ŷ − y| (or its square, the 'mse' switch), [B, 1]. |x| is
   * relu(x) + relu(−x): the engine registers gradients for those (not for Abs), and the gradient is
   * PyTorch's sgn(x), 0 at x = 0.
   */
  private error(pred: tf.Tensor2D, target: tf.Tensor2D): tf.Tensor2D {
    const diff = tf.sub(pred, target);
    return (this.config.regressionLoss === 'l1' ? tf.add(tf.relu(diff), tf.relu(tf.neg(diff))) : tf.square(diff)) as tf.Tensor2D;
  }

  /**
   * Trainer L147-151 and L269-277, one term per head. Regression with ULGM: the fusion head learns
   * the truth, each unimodal head its generated label weighted by tanh(|ỹ_m − ỹ_M|). Without ULGM
   * (IEMOCAP: cross-entropy per emotion, §1.3) every head learns the truth with weight 1 [gap-fill].
   */
  private terms(outputs: Record<HeadName, tf.Tensor2D>, y: tf.Tensor2D, targets: UnimodalTargets | null): Record<HeadName, tf.Scalar> {
    const out = {} as Record<HeadName, tf.Scalar>;
    for (const h of HEADS) {
      if (this.task === 'classification') out[h] = taskLoss(outputs[h], y, 'classification');
      else if (h === 'fusion' || !targets) out[h] = tf.mean(this.error(outputs[h], y)) as tf.Scalar;
      else {
        const B = y.shape[0];
        const label = tf.tensor2d(targets.labels[h], [B, 1]);
        const weight = tf.tensor2d(targets.weights[h], [B, 1]);
        out[h] = tf.mean(tf.mul(weight, this.error(outputs[h], label))) as tf.Scalar;
      }
    }
    return out;
  }

  /** Trainer L123-170 for one batch. */
  trainStep(batch: Batch, rng: Rng): Record<string, number> {
    if (this.epoch === 0) throw new Error('Self-MM: beginEpoch must run before the first trainStep');
    const params = this.optimizer.params;
    const ulgm = this.ulgm;
    ulgm?.readIfRestored();
    const targets = ulgm ? ulgm.targets(batch.index) : null;
    const ctx = trainCtx(rng);
    const first = this.pending === 0;
    const kept = tf.tidy(() => {
      const holder: { terms?: tf.Tensor1D; features?: tf.Tensor2D } = {};
      const { grads } = tf.variableGrads(() => {
        const { outputs, features } = this.net.forward(batch, ctx);
        const terms = this.terms(outputs, batch.y, targets);
        // kept past variableGrads' own scope; disposed below
        holder.terms = tf.keep(tf.stack(HEADS.map((h) => terms[h])) as tf.Tensor1D); // [4]
        if (ulgm) holder.features = tf.keep(tf.concat(HEADS.map((h) => features[h]), 1) as tf.Tensor2D); // [B, Σ dims]
        return tf.addN(HEADS.map((h) => terms[h])) as tf.Scalar;
      }, params);
      // loss.backward() adds into .grad until the optimiser step (trainer L153).
      params.forEach((p, i) => {
        const g = grads[p.name] ?? tf.zerosLike(p);
        const acc = this.accumulated[i]!;
        acc.assign(first ? g : tf.add(acc, g));
      });
      return { terms: holder.terms!, ...(holder.features ? { features: holder.features } : {}) };
    });
    const values = kept.terms.dataSync();
    const losses: Record<string, number> = {};
    HEADS.forEach((h, k) => (losses[h] = values[k]!));
    losses.total = HEADS.reduce((s, h) => s + losses[h]!, 0);
    if (ulgm && kept.features) ulgm.update(this.splitFeatures(kept.features.dataSync() as Float32Array, batch.index.length), batch.index, this.epoch);
    tf.dispose([kept.terms, ...(kept.features ? [kept.features] : [])]);
    // trainer L167-170: one step per `update_epochs` batches.
    if (++this.pending === this.accumulation) {
      this.optimizer.step(this.accumulated);
      this.pending = 0;
    }
    return losses;
  }

  /** [B, Σ dims] → each head's [B, dim] rows. */
  private splitFeatures(all: Float32Array, B: number): Record<HeadName, Float32Array> {
    const dims = this.ulgm!.dims;
    const width = HEADS.reduce((s, h) => s + dims[h], 0);
    const out = {} as Record<HeadName, Float32Array>;
    let offset = 0;
    for (const h of HEADS) {
      const f = new Float32Array(B * dims[h]);
      for (let b = 0; b < B; b++) f.set(all.subarray(b * width + offset, b * width + offset + dims[h]), b * dims[h]);
      out[h] = f;
      offset += dims[h];
    }
    return out;
  }

  /** Trainer L248: the fusion output's loss against the truth (L1; CE on IEMOCAP), eval mode. */
  validate(batch: Batch): Record<string, number> {
    const fusion = tf.tidy(() => {
      const out = this.net.forward(batch, EVAL, true).outputs.fusion;
      const loss = this.task === 'classification' ? taskLoss(out, batch.y, 'classification') : tf.mean(this.error(out, batch.y));
      return loss.dataSync()[0]!;
    });
    return { total: fusion, fusion };
  }

  variables(): tf.Variable[] {
    return this.net.namedVariables().map(([, v]) => v);
  }

  /**
   * Adam's moments, the ULGM stores and the gradient sums (saved for completeness: an accumulation
   * never outlives its epoch, and every epoch starts a new one).
   */
  optimizerVariables(): tf.Variable[] {
    return [...this.optimizer.variables(), ...(this.ulgm?.variables() ?? []), ...this.accumulated];
  }

  dispose(): void {
    tf.dispose(this.accumulated);
    this.optimizer.dispose();
    this.ulgm?.dispose();
  }
}
