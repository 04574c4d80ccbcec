/**
 * CubeMLP's training, read beside kiva12138/CubeMLP:Train.py: one task loss (L1 by default), Adam
 * with weight decay 0, every gradient element clipped to ±gradientClip (clip_grad_value_), StepLR
 * per epoch, model selection on the best validation MAE. Complete data only (baselines.md §1.4).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Adam, EVAL, trainCtx, variablesOf, type ForwardCtx } from '../../nn';
import type { Task } from '../../../../src-shared/domain';
import type { Batch, Inputs, MethodContext, MethodInstance, Phase } from '../method';
import { taskLoss } from '../task-loss';
import type { CubeMlpConfig } from './card';
import { CubeMlpNet } from './network';

/** Mean |ŷ − y| (torch.nn.L1Loss on the flattened outputs). */
function meanAbsoluteError(pred: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
  return tf.mean(tf.abs(tf.sub(pred, y)));
}

/** StepLR (Train.py get_optimizer): the learning rate of a 1-based epoch, derived from it so a resume needs no state. */
export function stepLr(config: CubeMlpConfig, epoch: number): number {
  return config.lr * Math.pow(config.lrStepRate, Math.floor((epoch - 1) / config.lrStepEvery));
}

/** The optimised loss: L1 or MSE for regression (config.loss), per-emotion cross-entropy for IEMOCAP (§1.3). */
export function cubeMlpLoss(pred: tf.Tensor2D, y: tf.Tensor2D, task: Task, config: CubeMlpConfig): tf.Scalar {
  return task === 'regression' && config.loss === 'mae' ? meanAbsoluteError(pred, y) : taskLoss(pred, y, task);
}

export function createCubeMlp(ctx: MethodContext<CubeMlpConfig>): MethodInstance {
  return buildCubeMlp(ctx).instance;
}

/** The method instance and its network (the parity test loads reference weights into it). */
export function buildCubeMlp({ shape, config, rng }: MethodContext<CubeMlpConfig>): { instance: MethodInstance; net: CubeMlpNet } {
  const net = new CubeMlpNet(shape, config, rng);
  const params = variablesOf(net);
  // Mutable options: beginEpoch sets the scheduled learning rate.
  const adamOptions = { lr: config.lr };
  const optimizer = new Adam(params, adamOptions);
  const regression = shape.task === 'regression';

  const forward = (x: Inputs, ctx: ForwardCtx): tf.Tensor2D => net.logits(net.features(x, ctx), ctx);
  const lossName = regression ? config.loss : 'ce';

  const phase: Phase = {
    name: 'model',
    epochs: config.epochs,
    batchSize: config.batchSize,
    beginEpoch(epoch) {
      adamOptions.lr = stepLr(config, epoch);
    },
    trainStep(batch: Batch, stepRng) {
      return tf.tidy(() => {
        const ctx = trainCtx(stepRng);
        const { value, grads } = tf.variableGrads(() => cubeMlpLoss(forward(batch, ctx), batch.y, shape.task, config), params);
        const clip = config.gradientClip;
        optimizer.apply(params.map((p) => (clip > 0 ? tf.clipByValue(grads[p.name]!, -clip, clip) : grads[p.name])));
        // Returned unread: the trainer reads every step's losses in one asynchronous read.
        return { total: value, [lossName]: tf.clone(value) };
      });
    },
    // Train.py current_result_better: regression keeps the epoch with the lowest validation MAE,
    // whatever the training loss; IEMOCAP keeps the lowest validation cross-entropy (§1.6).
    validate(batch: Batch) {
      return tf.tidy((): Record<string, tf.Scalar> => {
        const pred = forward(batch, EVAL);
        if (!regression) {
          const ce = taskLoss(pred, batch.y, shape.task);
          return { total: ce, ce: tf.clone(ce) };
        }
        const mae = meanAbsoluteError(pred, batch.y);
        if (config.loss === 'mae') return { total: mae, mae: tf.clone(mae) };
        return { total: mae, mae: tf.clone(mae), mse: taskLoss(pred, batch.y, shape.task) };
      });
    },
    variables: () => params,
    optimizerVariables: () => optimizer.variables(),
  };

  const instance: MethodInstance = {
    phases: [phase],
    predict: (x) => tf.tidy(() => forward(x, EVAL)),
    represent: (x) => tf.tidy(() => net.features(x, EVAL)),
    dispose() {
      tf.dispose(params);
      optimizer.dispose();
    },
  };
  return { instance, net };
}
