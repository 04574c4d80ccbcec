/**
 * Late-fusion linear baseline: mean-pool each modality over time, concatenate, one linear head.
 * It proves the pipeline end to end and is the floor every fusion method should beat.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { Adam } from '../../nn/adam';
import { Linear } from '../../nn/linear';
import type { Batch, Inputs, MethodDefinition, MethodInstance, Phase } from '../method';
import { outputWidth, taskLoss } from '../task-loss';
import { SPEC_TRAINING } from '../training-defaults';

export const LfLinearConfig = z.strictObject({
  lr: z.number().positive().max(1),
  batchSize: z.number().int().min(1).max(4096),
  epochs: z.number().int().min(1).max(1000),
});
export type LfLinearConfig = z.infer<typeof LfLinearConfig>;

function pooled(x: Inputs): tf.Tensor2D {
  return tf.concat([tf.mean(x.l, 1), tf.mean(x.a, 1), tf.mean(x.v, 1)], 1) as tf.Tensor2D;
}

export const lfLinear: MethodDefinition<LfLinearConfig> = {
  id: 'lf-linear',
  title: 'Late fusion (linear)',
  description: 'Mean-pool each modality over time, concatenate, linear head; trained on complete data.',
  configSchema: LfLinearConfig,
  defaults: (shape) => ({ ...SPEC_TRAINING[shape.kind] }),
  create({ shape, config, rng }): MethodInstance {
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
      trainStep(batch) {
        return tf.tidy(() => {
          const value = optimizer.minimize(() => lossOf(batch));
          const task = value.dataSync()[0]!;
          return { total: task, task };
        });
      },
      validate(batch) {
        const task = tf.tidy(() => lossOf(batch).dataSync()[0]!);
        return { total: task, task };
      },
      variables: () => params,
      optimizerVariables: () => optimizer.variables(),
    };
    return {
      phases: [phase],
      predict: forward,
      represent: pooled,
      dispose() {
        tf.dispose(params);
        optimizer.dispose();
      },
    };
  },
};
