/**
 * GCNet's training, read beside zeroQiaoba/GCNet:gcnet/train_gcnet.py (train_or_eval_model
 * L201-405) and loss.py (MaskedMSELoss L384-401, MaskedCELoss L364-381, MaskedReconLoss L319-361):
 * every batch draws fresh (node, modality) masks, the network reads the masked nodes, and one Adam
 * step (weight decay = L2 on the gradient) minimises L_task + L_recon. Validation draws its masks
 * from the trainer's fixed-seed stream, so selection is deterministic (the reference's are not, §11.2).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Task } from '../../../../src-shared/domain';
import { drawMsmMasks, msmOptionsOf } from '../../data/msm';
import { Adam, EVAL, trainCtx, type ForwardCtx } from '../../nn';
import type { Rng } from '../../random';
import type { Batch, Inputs, MethodContext, MethodInstance, Phase, StepLosses } from '../method';
import { taskLoss } from '../task-loss';
import type { GcnetConfig } from './card';
import { gcnetRandomMask } from './random-mask';
import { GcnetNetwork, nodeFeatures, nodeValidity } from './network';

/** Per modality, [B·T] row-major: 1 where the (node, modality) cell is kept. */
export interface NodeMasks {
  l: Float32Array;
  a: Float32Array;
  v: Float32Array;
}

/**
 * One batch's masks. 'gcnet': random_mask over all B·T cells at a missing rate drawn uniformly in
 * [maskRateMin, maskRateMax] for this batch [gap-fill; the reference uses one constant rate];
 * 'msm': the shared generator's frame masks.
 */
export function drawNodeMasks(batch: number, steps: number, config: GcnetConfig, rng: Rng): NodeMasks {
  if (config.maskGenerator === 'msm') return drawMsmMasks(batch, steps, rng, msmOptionsOf(config));
  const rate = config.maskRateMin + rng.next() * (config.maskRateMax - config.maskRateMin);
  const matrix = gcnetRandomMask(batch * steps, rate, rng); // [B·T, 3]: audio, text, video
  const column = (c: number): Float32Array => Float32Array.from({ length: batch * steps }, (_, r) => matrix[r * 3 + c]!);
  return { a: column(0), l: column(1), v: column(2) };
}

function maskTensor(mask: Float32Array, batch: number, steps: number): tf.Tensor3D {
  return tf.tensor3d(mask, [batch, steps, 1]);
}

/**
 * loss.py MaskedReconLoss: squared error on the dropped (node, modality) cells of real nodes, each
 * modality's sum divided by its width, the three summed and divided by the number of real nodes.
 * recon/target [B, T, D] in [a; l; v] order, keep/valid [B, T, 1].
 */
export function maskedReconLoss(
  recon: tf.Tensor3D,
  target: tf.Tensor3D,
  keep: { a: tf.Tensor3D; l: tf.Tensor3D; v: tf.Tensor3D },
  valid: tf.Tensor3D,
  dims: [number, number, number],
): tf.Scalar {
  const [B, T] = recon.shape;
  let offset = 0;
  const terms = (['a', 'l', 'v'] as const).map((m, i) => {
    const d = dims[i]!;
    const slice = (x: tf.Tensor3D): tf.Tensor3D => tf.slice(x, [0, 0, offset], [B, T, d]);
    const sq = tf.square(tf.sub(slice(recon), slice(target))); // [B, T, d]
    offset += d;
    return tf.div(tf.sum(tf.mul(sq, tf.mul(tf.sub(1, keep[m]), valid))), d);
  });
  return tf.div(tf.addN(terms), tf.maximum(tf.sum(valid), 1)) as tf.Scalar;
}

/** The step's loss terms on one batch under `masks`: task (MSE, or IEMOCAP's CE of §1.3), recon, total. */
export function gcnetLosses(
  net: GcnetNetwork,
  batch: Batch,
  masks: NodeMasks,
  valid: Float32Array,
  config: GcnetConfig,
  task: Task,
  ctx: ForwardCtx,
): { total: tf.Scalar; task: tf.Scalar; recon: tf.Scalar } {
  const [B, T] = batch.l.shape;
  const keep = { a: maskTensor(masks.a, B, T), l: maskTensor(masks.l, B, T), v: maskTensor(masks.v, B, T) };
  const masked: Inputs = { l: tf.mul(batch.l, keep.l), a: tf.mul(batch.a, keep.a), v: tf.mul(batch.v, keep.v) };
  const out = net.forward(masked, valid, ctx);
  // MaskedMSELoss over real utterances = mean over the batch's samples (one labelled node each).
  const taskTerm = taskLoss(out.logits, batch.y, task);
  const recon = maskedReconLoss(net.reconstruct(out.hidden), nodeFeatures(batch), keep, tf.tensor3d(valid, [B, T, 1]), net.blockDims);
  return { total: config.lossRecon ? tf.add(taskTerm, recon) : taskTerm, task: taskTerm, recon };
}

/** Host node flags of a batch (one small synchronous read; the graph is built on the host). */
function validityOf(x: Inputs): Float32Array {
  const v = nodeValidity(x);
  const data = v.dataSync() as Float32Array;
  v.dispose();
  return data;
}

export function createGcnet(ctx: MethodContext<GcnetConfig>): MethodInstance {
  return buildGcnet(ctx).instance;
}

/** The method instance and its network (the parity test loads reference weights into it). */
export function buildGcnet({ shape, config, rng }: MethodContext<GcnetConfig>): {
  instance: MethodInstance;
  net: GcnetNetwork;
  step: (batch: Batch, masks: NodeMasks, valid: Float32Array, ctx: ForwardCtx) => StepLosses;
} {
  const net = new GcnetNetwork(shape, config, rng);
  const params = net.namedVariables().map(([, v]) => v);
  const adam = new Adam(params, { lr: config.lr });

  /** One Adam step on `batch` under given masks (trainStep draws them; the parity test passes the reference's). */
  const step = (batch: Batch, masks: NodeMasks, valid: Float32Array, forwardCtx: ForwardCtx): StepLosses =>
    tf.tidy(() => {
      let terms: { task: tf.Scalar; recon: tf.Scalar } | null = null;
      const { value, grads } = tf.variableGrads(() => {
        const l = gcnetLosses(net, batch, masks, valid, config, shape.task, forwardCtx);
        terms = { task: tf.keep(l.task), recon: tf.keep(l.recon) };
        return l.total;
      }, params);
      // torch.optim.Adam weight_decay: λ·p added to the gradient before the moments. A parameter the
      // loss does not reach (linear_rec without lossRecon) has no gradient: PyTorch skips it, and
      // Adam here leaves it unchanged.
      const wd = config.weightDecay;
      adam.apply(
        params.map((p) => {
          const g = grads[p.name];
          return g && wd > 0 ? tf.add(g, tf.mul(p, wd)) : g;
        }),
      );
      const kept = terms as unknown as { task: tf.Scalar; recon: tf.Scalar };
      return { total: value, task: kept.task, recon: kept.recon };
    });

  /**
   * GCNet's selection is on validation F1 over masked data; the loss analogue is the task loss
   * on masked data, without the reconstruction term [gap-fill, §1.6].
   */
  const phase: Phase = {
    name: 'model',
    epochs: config.epochs,
    batchSize: config.batchSize,
    ...(config.patience !== null ? { patience: config.patience } : {}),
    trainStep(batch, stepRng): StepLosses {
      const [B, T] = batch.l.shape;
      // The graph is the clean batch's: umask is known whatever the masks drop.
      const valid = validityOf(batch);
      return step(batch, drawNodeMasks(B, T, config, stepRng), valid, trainCtx(stepRng));
    },
    validate(batch, validRng): StepLosses {
      const [B, T] = batch.l.shape;
      const valid = validityOf(batch);
      const masks = drawNodeMasks(B, T, config, validRng);
      return tf.tidy(() => {
        const l = gcnetLosses(net, batch, masks, valid, config, shape.task, EVAL);
        return { total: l.task, task: l.task, recon: l.recon, objective: l.total };
      });
    },
    variables: () => params,
    optimizerVariables: () => adam.variables(),
  };

  const infer = (x: Inputs) => net.forward(x, validityOf(x), EVAL);
  const instance: MethodInstance = {
    phases: [phase],
    predict: (x) => tf.tidy(() => infer(x).logits),
    represent: (x) => tf.tidy(() => infer(x).last),
    dispose() {
      tf.dispose(params);
      adam.dispose();
    },
  };
  return { instance, net, step };
}
