/**
 * MCTN's one training phase (MMSA trains/singleTask/MCTN.py): each step corrupts the clean batch
 * with the shared MSM generator (baselines.md §1.4), runs every translation, the cycle and the task
 * loss, clips the global gradient norm (MMSA grad_clip 1.0) and takes one Adam step. Validation
 * scores the same objective on MSM-corrupted validation data (the trainer's fixed-seed rng), as
 * MMSA selects on its full loss. Evaluation and the embedding view use the encoders and head only.
 */
import * as tf from '@tensorflow/tfjs-core';
import { msmOptionsOf } from '../../data/msm';
import { corrupt } from '../../data/msm-batch';
import { Adam, clipGradNorm, EVAL, trainCtx, type ForwardCtx } from '../../nn';
import type { Rng } from '../../random';
import type { Batch, Inputs, MethodContext, MethodInstance, Phase } from '../method';
import type { MctnConfig } from './card';
import { MctnNetwork } from './network';

/** The last `n` steps of every modality (sequences are front-padded: the words are at the end). */
export function lastSteps(x: Inputs, n: number): Inputs {
  const T = x.l.shape[1];
  if (n >= T) return x;
  const crop = (t: tf.Tensor3D): tf.Tensor3D => tf.slice(t, [0, T - n, 0], [-1, n, -1]);
  return { l: crop(x.l), a: crop(x.a), v: crop(x.v) };
}

/** Loss terms kept out of the gradient scope in one tensor (one read). */
interface Packed {
  names: string[];
  values: tf.Tensor1D;
}

function read(packed: Packed): Record<string, number> {
  const data = packed.values.dataSync();
  packed.values.dispose();
  return Object.fromEntries(packed.names.map((n, i) => [n, data[i]!]));
}

export function createMctn({ shape, config, rng }: MethodContext<MctnConfig>): MethodInstance {
  return mctnInstance(new MctnNetwork(shape, config, rng));
}

/** The method around a built network (the parity test loads reference weights into it first). */
export function mctnInstance(net: MctnNetwork): MethodInstance {
  const { config } = net;
  const params = net.variables();
  const adam = new Adam(params, { lr: config.lr });
  const msm = msmOptionsOf(config);

  /** What the encoders see (MSM-corrupted) and what the decoders reconstruct (`translationTargets`). */
  const views = (batch: Batch, stepRng: Rng): { shown: Inputs; targets: Inputs } => {
    const shown = corrupt(batch, stepRng, msm).inputs;
    const targets = config.translationTargets === 'clean' ? batch : shown;
    return { shown: lastSteps(shown, config.maxSeqLen), targets: lastSteps(targets, config.maxSeqLen) };
  };

  /** The objective on one batch; its total and terms are packed (kept) into `holder` for reading. */
  const objective = (batch: Batch, stepRng: Rng, ctx: ForwardCtx, holder: { packed?: Packed }): tf.Scalar => {
    const { shown, targets } = views(batch, stepRng);
    const { terms, total } = net.losses(shown, targets, batch.y, ctx);
    holder.packed = { names: ['total', ...Object.keys(terms)], values: tf.keep(tf.stack([total, ...Object.values(terms)]) as tf.Tensor1D) };
    return total;
  };

  const phase: Phase = {
    name: 'model',
    epochs: config.epochs,
    batchSize: config.batchSize,
    patience: config.patience,
    trainStep(batch, stepRng) {
      const holder: { packed?: Packed } = {};
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => objective(batch, stepRng, trainCtx(stepRng), holder), params);
        const ordered = params.map((p) => grads[p.name]);
        adam.apply(config.gradClip > 0 ? clipGradNorm(ordered, config.gradClip) : ordered);
      });
      if (!holder.packed) throw new Error('MCTN step produced no loss');
      return read(holder.packed);
    },
    validate(batch, stepRng) {
      const holder: { packed?: Packed } = {};
      tf.tidy(() => {
        objective(batch, stepRng, EVAL, holder);
      });
      if (!holder.packed) throw new Error('MCTN validation produced no loss');
      const out = read(holder.packed);
      // What model selection minimises: every weighted term (MMSA's Loss) or the task loss alone.
      if (config.selection === 'task') out.total = out.task!;
      return out;
    },
    variables: () => params,
    optimizerVariables: () => adam.variables(),
  };

  const crop = (x: Inputs): Inputs => lastSteps(x, config.maxSeqLen);
  return {
    phases: [phase],
    predict: (x) => tf.tidy(() => net.predict(crop(x))),
    represent: (x) => tf.tidy(() => net.represent(crop(x))),
    dispose() {
      tf.dispose(params);
      adam.dispose();
    },
  };
}
