/**
 * Late-fusion linear baseline: mean-pool each modality over time, concatenate, one linear head.
 * It proves the pipeline end to end and is the floor every fusion method should beat.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { Adam } from '../../nn/adam';
import { Linear } from '../../nn/linear';
import type { Batch, Inputs, MethodContext, MethodInstance, Phase } from '../method';
import { outputWidth, taskLoss } from '../task-loss';
import type { lfLinearConfig } from './card';

type LfLinearConfig = z.output<typeof lfLinearConfig>;

/** [x̄_l; x̄_a; x̄_v]: [B, d_l + d_a + d_v]. */
function pooled(x: Inputs): tf.Tensor2D {
  return tf.concat([tf.mean(x.l, 1), tf.mean(x.a, 1), tf.mean(x.v, 1)], 1) as tf.Tensor2D;
}

export function createLfLinear({ shape, config, rng }: MethodContext<LfLinearConfig>): MethodInstance {
  const inWidth = shape.dims[0] + shape.dims[1] + shape.dims[2];
  const head = new Linear(inWidth, outputWidth(shape.task, shape.labelDim), rng);
  const params = [head.weight, ...(head.bias ? [head.bias] : [])];
  const optimizer = new Adam(params, { lr: config.lr });
  const forward = (x: Inputs): tf.Tensor2D => head.apply(pooled(x));
  const lossOf = (b: Batch): tf.Scalar => taskLoss(forward(b), b.y, shape.task);
  const phase: Phase = {
    name: 'model',
    epochs: config.epochs,
    batchSize: config.batchSize,
    // Losses returned unread: the trainer reads them after the step (every backend, webgpu too).
    trainStep(batch) {
      return tf.tidy(() => {
        const task = optimizer.minimize(() => lossOf(batch));
        return { total: task, task };
      });
    },
    validate(batch) {
      return tf.tidy(() => {
        const task = lossOf(batch);
        return { total: task, task };
      });
    },
    variables: () => params,
    optimizerVariables: () => optimizer.variables(),
  };
  return {
    phases: [phase],
    predict: (x) => tf.tidy(() => forward(x)),
    represent: (x) => tf.tidy(() => pooled(x)),
    dispose() {
      tf.dispose(params);
      optimizer.dispose();
    },
  };
}
