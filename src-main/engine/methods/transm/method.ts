/**
 * TransM's one training phase (baselines.md §1.4: the shared MSM, as TransM has no missing
 * simulation of its own): each batch is MSM-corrupted, the encoders read the corrupted inputs,
 * the decoders reconstruct the targets (clean by default), and one Adam step minimises
 * L_task + λ·Σ L_trans. Validation: the same objective on MSM-corrupted validation data drawn from
 * the trainer's fixed-seed stream (HRLF's selection rule, spec §4.3). Inference: encoders only.
 */
import * as tf from '@tensorflow/tfjs-core';
import { msmOptionsOf } from '../../data/msm';
import { corrupt } from '../../data/msm-batch';
import { Adam, EVAL, trainCtx, type ForwardCtx } from '../../nn';
import type { Rng } from '../../random';
import type { Batch, MethodContext, MethodInstance, Phase } from '../method';
import type { TransmConfig } from './card';
import { objective, TransmNetwork } from './network';

export function createTransm({ shape, config, rng }: MethodContext<TransmConfig>): MethodInstance {
  const net = new TransmNetwork(shape, config, rng);
  const params = net.variables();
  const adam = new Adam(params, { lr: config.lr });
  const msm = msmOptionsOf(config);

  /** The objective's terms on an MSM-corrupted copy of `batch` (masks drawn first from `rng`), packed for one read. */
  const terms = (batch: Batch, rng: Rng, ctx: (r: Rng) => ForwardCtx, minimise: boolean): Record<string, number> => {
    let names: string[] = [];
    const packed = tf.tidy(() => {
      const corrupted = corrupt(batch, rng, msm);
      const targets = config.translationTarget === 'clean' ? batch : corrupted.inputs;
      const held: { values?: tf.Tensor1D } = {};
      const loss = (): tf.Scalar => {
        const out = net.forward(corrupted.inputs, targets, ctx(rng), corrupted.rows);
        const o = objective(net, out, targets, batch.y, shape, config);
        names = o.names;
        held.values = tf.keep(tf.stack(o.values) as tf.Tensor1D);
        return o.total;
      };
      if (minimise) adam.minimize(loss);
      else loss();
      if (!held.values) throw new Error('TransM step produced no loss');
      return held.values;
    });
    const data = packed.dataSync();
    packed.dispose();
    return Object.fromEntries(names.map((n, i) => [n, data[i]!]));
  };

  const phase: Phase = {
    name: 'model',
    epochs: config.epochs,
    batchSize: config.batchSize,
    ...(config.patience !== null ? { patience: config.patience } : {}),
    trainStep: (batch, rng) => terms(batch, rng, trainCtx, true),
    validate: (batch, rng) => terms(batch, rng, () => EVAL, false),
    variables: () => params,
    optimizerVariables: () => adam.variables(),
  };

  return {
    phases: [phase],
    predict: (x) => tf.tidy(() => net.infer(x, EVAL).logits),
    represent: (x) => tf.tidy(() => net.infer(x, EVAL).representation),
    dispose() {
      net.dispose();
      adam.dispose();
    },
  };
}
