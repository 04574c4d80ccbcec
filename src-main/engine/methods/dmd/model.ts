/**
 * DMD's model code, loaded on demand by its card (./card.ts): the network (./network.ts), both
 * graph-distillation units (./graph-distill.ts), the objective (./objective.ts) and its one training
 * phase, read beside mdswyz/DMD:trains/singleTask/DMD.py ("trainer L<n>"): Adam over the model and
 * both units, gradients summed over `update_epochs` batches and clipped by value after every batch,
 * ReduceLROnPlateau on the validation loss, validation on the output's L1. Complete data only (§1.4).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Task } from '../../../../src-shared/domain';
import { Adam, disposeModule, EVAL, trainCtx, variablesOf } from '../../nn';
import type { Rng } from '../../random';
import type { DatasetData } from '../../types';
import type { Batch, Inputs, MethodContext, MethodInstance, Phase, StepLosses } from '../method';
import { taskLoss } from '../task-loss';
import type { DmdConfig } from './card';
import { GraphDistillation, HETERO_PRIOR, HOMO_PRIOR } from './graph-distill';
import { DmdNetwork } from './network';
import { hingeLabels, objective, TERMS, type DmdUnits } from './objective';

/** Indices into the scheduler variable (ReduceLROnPlateau's state, kept in a variable so a resume restores it). */
const BEST = 0;
const BAD_EPOCHS = 1;
/** Halvings so far: the lr is config.lr·factor^n, computed in float64 (a float32 lr would drift from torch's). */
const REDUCTIONS = 2;
const VALID_SUM = 3;
const VALID_COUNT = 4;
/** PyTorch starts `best` at +inf; float32's largest finite value plays it in a checkpointable variable. */
const NO_BEST = 3.4e38;

/**
 * Evaluation runs the forward in chunks of this many samples, each in its own tidy: one tidy over a
 * 256-sample evaluation batch keeps every intermediate of the 12 transformers (~3 GB of attention
 * maps at MOSI sizes) alive at once, past tfjs-wasm's 2 GB heap. No layer mixes samples in
 * evaluation, so chunking changes nothing.
 */
const EVAL_CHUNK = 32;

/** f over `x` in EVAL_CHUNK-sample chunks, concatenated: [B, k]. */
function inChunks(x: Inputs, f: (x: Inputs) => tf.Tensor2D): tf.Tensor2D {
  const B = x.l.shape[0];
  if (B <= EVAL_CHUNK) return tf.tidy(() => f(x));
  const parts: tf.Tensor2D[] = [];
  for (let start = 0; start < B; start += EVAL_CHUNK) {
    const n = Math.min(EVAL_CHUNK, B - start);
    const take = (t: tf.Tensor3D): tf.Tensor3D => tf.slice(t, [start, 0, 0], [n, -1, -1]);
    parts.push(tf.tidy(() => f({ l: take(x.l), a: take(x.a), v: take(x.v) })));
  }
  const out = tf.concat(parts, 0);
  tf.dispose(parts);
  return out;
}

/** The validation loss: the output's L1 (trainer L256), cross-entropy on IEMOCAP. */
function validationLoss(pred: tf.Tensor2D, y: tf.Tensor2D, task: Task): tf.Scalar {
  return task === 'regression' ? tf.mean(tf.abs(tf.sub(pred, y))) : taskLoss(pred, y, task);
}

export class DmdPhase implements Phase {
  readonly name = 'model';
  readonly epochs: number;
  readonly batchSize: number;
  readonly patience: number;
  readonly params: tf.Variable[];
  private readonly adamOptions: { lr: number };
  private readonly optimizer: Adam;
  /** Gradients summed since the last Adam step (zero_grad then backward adds, trainer L72-73); read by the parity test. */
  readonly accumulated: tf.Variable[];
  /** [best, bad epochs, reductions, Σ validation loss·B, Σ B] (ReduceLROnPlateau, trainer L40 and L210). */
  private readonly scheduler: tf.Variable;
  private pending = 0;
  private accumulation: number;

  constructor(
    readonly net: DmdNetwork,
    readonly units: DmdUnits,
    private readonly config: DmdConfig,
    private readonly task: Task,
  ) {
    this.epochs = config.epochs;
    this.batchSize = config.batchSize;
    this.patience = config.earlyStop;
    this.accumulation = config.updateEpochs;
    this.params = variablesOf(net, units.homo, units.hetero); // trainer L35-39
    this.adamOptions = { lr: config.lr };
    this.optimizer = new Adam(this.params, this.adamOptions);
    this.accumulated = this.params.map((p) => tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
    this.scheduler = tf.tidy(() => tf.variable(tf.tensor1d([NO_BEST, 0, 0, 0, 0]), false));
  }

  /**
   * A new epoch restarts the accumulation (trainer L68: an incomplete one is dropped), and the
   * scheduler steps on the previous epoch's validation loss (trainer L210; the reference passes it
   * rounded to 4 decimals). [adaptation] An epoch of fewer than update_epochs batches steps once, on
   * all of them: the reference would never step.
   */
  async beginEpoch(epoch: number, data: DatasetData): Promise<void> {
    this.pending = 0;
    this.accumulation = Math.min(this.config.updateEpochs, Math.ceil(data.train.n / this.batchSize));
    const state = Array.from(await this.scheduler.data());
    if (epoch === 1) state.splice(0, 5, NO_BEST, 0, 0, 0, 0);
    else if (state[VALID_COUNT]! > 0) {
      const metric = Math.round((state[VALID_SUM]! / state[VALID_COUNT]!) * 1e4) / 1e4;
      // torch ReduceLROnPlateau(mode 'min', threshold 1e-4 'rel', cooldown 0, min_lr 0)
      if (metric < state[BEST]! * (1 - 1e-4)) {
        state[BEST] = metric;
        state[BAD_EPOCHS] = 0;
      } else state[BAD_EPOCHS]! += 1;
      if (state[BAD_EPOCHS]! > this.config.lrPatience) {
        state[REDUCTIONS]! += 1;
        state[BAD_EPOCHS] = 0;
      }
    }
    state[VALID_SUM] = 0;
    state[VALID_COUNT] = 0;
    tf.tidy(() => this.scheduler.assign(tf.tensor1d(state)));
    this.adamOptions.lr = this.config.lr * this.config.lrFactor ** state[REDUCTIONS]!;
  }

  /** The learning rate of the epoch being trained (after the plateau schedule). */
  get learningRate(): number {
    return this.adamOptions.lr;
  }

  /** trainer L72-192 for one batch. */
  trainStep(batch: Batch, rng: Rng): StepLosses {
    const B = batch.index.length;
    const labels = hingeLabels(batch.y.dataSync() as Float32Array, B, this.task);
    const ctx = trainCtx(rng);
    const first = this.pending === 0;
    const clip = this.config.gradientClip;
    const losses = tf.tidy(() => {
      const held: { terms?: tf.Scalar[]; total?: tf.Scalar } = {};
      const { grads } = tf.variableGrads(() => {
        const o = objective(this.net.forward(batch, ctx), this.units, batch.y, labels, this.task, this.config);
        held.terms = TERMS.map((t) => tf.keep(o.terms[t]));
        held.total = tf.keep(tf.clone(o.total));
        return o.total;
      }, this.params);
      // backward adds into .grad, then clip_grad_value_ clips the running sum (trainer L177-184).
      this.params.forEach((p, i) => {
        const g = grads[p.name] ?? tf.zerosLike(p);
        const acc = this.accumulated[i]!;
        const sum = first ? g : tf.add(acc, g);
        acc.assign(clip > 0 ? tf.clipByValue(sum, -clip, clip) : sum);
      });
      const out: Record<string, tf.Scalar> = { total: held.total! };
      TERMS.forEach((t, k) => (out[t] = held.terms![k]!));
      return out;
    });
    // trainer L190-192: one step per `update_epochs` batches.
    if (++this.pending === this.accumulation) {
      this.optimizer.apply(this.accumulated);
      this.pending = 0;
    }
    return losses;
  }

  /** trainer L255-257: the output's L1 in eval mode; its sample-weighted sum feeds the scheduler. */
  validate(batch: Batch): StepLosses {
    return tf.tidy(() => {
      const loss = validationLoss(this.net.forward(batch, EVAL).output, batch.y, this.task);
      const B = batch.index.length;
      const add = tf.concat([tf.zeros([VALID_SUM]), tf.reshape(tf.mul(loss, B), [1]), tf.tensor1d([B])]);
      this.scheduler.assign(tf.add(this.scheduler, add));
      return { total: loss, [this.task === 'regression' ? 'l1' : 'ce']: tf.clone(loss) };
    });
  }

  variables(): tf.Variable[] {
    return this.params;
  }

  /** Adam's moments, the gradient sums and the scheduler state. */
  optimizerVariables(): tf.Variable[] {
    return [...this.optimizer.variables(), ...this.accumulated, this.scheduler];
  }

  dispose(): void {
    tf.dispose([...this.accumulated, this.scheduler]);
    this.optimizer.dispose();
  }
}

/** The network, units and phase behind a DMD instance (the parity test reaches them). */
export interface DmdParts {
  instance: MethodInstance;
  net: DmdNetwork;
  units: DmdUnits;
  phase: DmdPhase;
}

export function buildDmd({ shape, config, rng }: MethodContext<DmdConfig>): DmdParts {
  const net = new DmdNetwork(shape, config, rng);
  const gd = { nClasses: net.outWidth, alpha: config.gdAlpha, reg: config.gdReg, logitWeight: config.gdLogitWeight, reprWeight: config.gdReprWeight };
  // run.py L138-160: hidden d (homo repr) and 2d (hetero repr).
  const units: DmdUnits = {
    homo: new GraphDistillation({ ...gd, hidden: config.d, gdSize: config.gdSizeHomo, prior: HOMO_PRIOR }, rng),
    hetero: new GraphDistillation({ ...gd, hidden: 2 * config.d, gdSize: config.gdSizeHetero, prior: HETERO_PRIOR }, rng),
  };
  const phase = new DmdPhase(net, units, config, shape.task);
  const instance: MethodInstance = {
    phases: [phase],
    predict: (x: Inputs) => inChunks(x, (c) => net.forward(c, EVAL).output),
    represent: (x: Inputs) => inChunks(x, (c) => net.forward(c, EVAL).fused),
    dispose() {
      phase.dispose();
      disposeModule(net);
      disposeModule(units.homo);
      disposeModule(units.hetero);
    },
  };
  return { instance, net, units, phase };
}

export function createDmd(ctx: MethodContext<DmdConfig>): MethodInstance {
  return buildDmd(ctx).instance;
}
