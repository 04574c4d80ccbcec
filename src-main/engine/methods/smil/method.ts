/**
 * SMIL's two phases (resources/docs/baselines.md §7; release: mengmenm/SMIL).
 *
 * pretrain: the complete-modality model (release step 1: a pretrained full-modality model), the
 *   clean pass on complete batches, task loss, Adam on θ. Selection: the validation task loss.
 * meta: at its first epoch the K-means prior is fitted over the pretrained encoders' training
 *   features (prior.ts); then each step is one meta iteration (objective.ts): the batch is
 *   MSM-corrupted [gap-fill: the release draws meta-train samples from a modality-incomplete
 *   subset and meta-validation samples from the complete one; our data are all complete], its
 *   first half is the meta-train batch (incomplete, ε ~ N(0, 1)), its second half the
 *   meta-validation batch (incomplete copy noised at the mean, complete copy clean). Adam on θ and φ
 *   with the release's StepLR and inner-lr decay, counted in meta iterations. Selection: L_val on
 *   the MSM-corrupted validation batch at θ (no inner step).
 * Inference: Monte-Carlo average of `mcSamples` noised passes (the release's mc_size 30) with ε from
 *   a stream seeded by the run seed afresh at every call, so evaluating the same inputs twice gives
 *   the same numbers; the encoders and the reconstruction run once per call, only the noise layers
 *   are repeated. [gap-fill] the outputs (regression values, IEMOCAP logits) are averaged; the
 *   release averages test accuracies of 30 passes (whose test passes use meta_train=False, i.e. the
 *   noise mean, so its 30 passes coincide).
 */
import * as tf from '@tensorflow/tfjs-core';
import { msmOptionsOf } from '../../data/msm';
import { corrupt } from '../../data/msm-batch';
import { Adam, EVAL, trainCtx } from '../../nn';
import { createRng, type Rng } from '../../random';
import type { Batch, Inputs, MethodContext, MethodInstance, Phase, StepLosses } from '../method';
import type { SmilConfig } from './card';
import { drawNoise, SmilNetwork } from './network';
import { metaGradients, outerLoss, smilTaskLoss } from './objective';
import { fitPrior } from './prior';

function rowsOf<T extends tf.Tensor>(x: T, start: number, size: number): T {
  return tf.slice(x, start, size);
}

function inputsRows(x: Inputs, start: number, size: number): Inputs {
  return { l: rowsOf(x.l, start, size), a: rowsOf(x.a, start, size), v: rowsOf(x.v, start, size) };
}

export function createSmil({ shape, config, seed, rng }: MethodContext<SmilConfig>): MethodInstance {
  const net = new SmilNetwork(shape, config, rng);
  const theta = net.mainNamed().map(([, v]) => v);
  const phi = net.inferenceNamed().map(([, v]) => v);
  const prior = net.namedVariables().filter(([n]) => n.startsWith('prior.')).map(([, v]) => v);
  /** 1 once the prior is fitted: a resume after the meta phase's first epoch keeps the fitted prior. */
  const fitted = tf.tidy(() => tf.variable(tf.scalar(0), false));
  const pretrainAdam = new Adam(theta, { lr: config.lr });
  const metaAdam = new Adam([...theta, ...phi], { lr: config.lr });
  const msm = msmOptionsOf(config);
  const decay = (every: number, iteration: number): number => Math.pow(config.lrDecay, Math.floor(iteration / every));
  /** Meta iterations done (the release's `iterate`), synced from metaAdam's step count at each epoch. */
  let iteration = 0;
  const patience = config.patience !== null ? { patience: config.patience } : {};

  const pretrainLosses = (batch: Batch, rng: Rng, train: boolean): StepLosses =>
    tf.tidy(() => {
      const loss = (): tf.Scalar => smilTaskLoss(net.clean(batch, train ? trainCtx(rng) : EVAL).logits, batch.y, shape.task, config);
      if (!train) return { total: loss() };
      const { value, grads } = tf.variableGrads(loss, theta);
      pretrainAdam.apply(theta.map((v) => (config.weightDecay > 0 ? tf.add(grads[v.name]!, tf.mul(v, config.weightDecay)) : grads[v.name])));
      return { total: value };
    });

  const pretrain: Phase = {
    name: 'pretrain',
    epochs: config.pretrainEpochs ?? config.epochs,
    batchSize: config.batchSize,
    ...patience,
    trainStep: (batch, rng) => pretrainLosses(batch, rng, true),
    validate: (batch, rng) => pretrainLosses(batch, rng, false),
    variables: () => theta,
    optimizerVariables: () => pretrainAdam.variables(),
  };

  const meta: Phase = {
    name: 'meta',
    epochs: config.epochs,
    batchSize: config.batchSize,
    ...patience,
    async beginEpoch(epoch, data) {
      if (epoch === 1 || (await fitted.data())[0] === 0) {
        await fitPrior(net, data.train, data.T, data.dims, seed);
        tf.tidy(() => fitted.assign(tf.scalar(1)));
      }
      iteration = (await metaAdam.step.data())[0]!;
    },
    trainStep(batch, rng) {
      const losses = tf.tidy(() => {
        const b = batch.y.shape[0];
        const half = Math.ceil(b / 2);
        // With one sample the meta-train and meta-validation batches are that sample.
        const [valStart, valSize] = b > 1 ? [half, b - half] : [0, b];
        const incomplete = corrupt(batch, rng, msm).inputs;
        const ctx = trainCtx(rng);
        const { terms, grads } = metaGradients(
          net,
          {
            train: { inputs: inputsRows(incomplete, 0, half), y: rowsOf(batch.y, 0, half), eps: drawNoise(net, half, rng) },
            val: { incomplete: inputsRows(incomplete, valStart, valSize), complete: inputsRows(batch, valStart, valSize), y: rowsOf(batch.y, valStart, valSize) },
          },
          shape.task,
          config.lrInner * decay(config.lrInnerDecayEvery, iteration),
          ctx,
        );
        metaAdam.options.lr = config.lr * decay(config.lrStepEvery, iteration);
        metaAdam.apply(grads);
        return terms;
      });
      iteration++;
      return losses;
    },
    validate: (batch, rng) =>
      tf.tidy(() => {
        const o = outerLoss(net, corrupt(batch, rng, msm).inputs, batch, batch.y, shape.task, EVAL);
        return { total: o.total, task: o.task, alignFused: o.alignFused, alignHidden: o.alignHidden };
      }),
    variables: () => [...theta, ...phi, ...prior],
    optimizerVariables: () => [...metaAdam.variables(), fitted],
  };

  /** Monte-Carlo prediction: the mean of mcSamples noised passes (or the noise mean when 0). */
  const predict = (x: Inputs): tf.Tensor2D =>
    tf.tidy(() => {
      const fused = net.reconstruct(x, EVAL);
      if (config.mcSamples === 0) return net.regularised(fused, null, EVAL).logits;
      const mc = createRng(`${seed}:smil-mc`);
      const passes = Array.from({ length: config.mcSamples }, () => net.regularised(fused, drawNoise(net, fused.shape[0], mc), EVAL).logits);
      return tf.div(tf.addN(passes), config.mcSamples) as tf.Tensor2D;
    });

  return {
    phases: [pretrain, meta],
    predict,
    represent: (x) => tf.tidy(() => net.noised(x, null, EVAL).hidden),
    dispose() {
      net.dispose();
      pretrainAdam.dispose();
      metaAdam.dispose();
      fitted.dispose();
    },
  };
}
