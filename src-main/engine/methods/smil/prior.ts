/**
 * The modality prior (mengmenm/SMIL:src/get_sound_mean_kmean.py: the pretrained model's features of
 * the complete-modality training samples, sklearn KMeans n_clusters 10, random_state 0; the centres
 * are the prior). [gap-fill] one prior per modality, over the encoders' f_m of the training samples
 * where m is present, with engine/cluster's seeded K-means (sklearn's algorithm, our random stream).
 */
import * as tf from '@tensorflow/tfjs-core';
import { kMeans } from '../../cluster';
import { EVAL } from '../../nn';
import { createRng } from '../../random';
import type { SplitData } from '../../types';
import { MODALITIES, presence, type Modality, type SmilNetwork } from './network';

const CHUNK = 256;

/** f_m of every training sample in which m is present, row-major [n_m, d] per modality. */
async function trainingFeatures(net: SmilNetwork, split: SplitData, T: number, dims: readonly number[]): Promise<Record<Modality, number[]>> {
  const out: Record<Modality, number[]> = { l: [], a: [], v: [] };
  for (let start = 0; start < split.n; start += CHUNK) {
    const n = Math.min(CHUNK, split.n - start);
    const packed = tf.tidy(() => {
      const x = (values: Float32Array, dim: number): tf.Tensor3D => tf.tensor3d(values.subarray(start * T * dim, (start + n) * T * dim), [n, T, dim]);
      const inputs = { l: x(split.l, dims[0]!), a: x(split.a, dims[1]!), v: x(split.v, dims[2]!) };
      const f = net.features(inputs, EVAL);
      // [n, 3d + 3]: the three features and the three presence flags, read in one transfer.
      return tf.concat([f.l, f.a, f.v, presence(inputs.l), presence(inputs.a), presence(inputs.v)], 1);
    });
    const rows = await packed.data();
    packed.dispose();
    const d = net.config.d;
    const width = 3 * d + 3;
    for (let i = 0; i < n; i++) {
      MODALITIES.forEach((m, j) => {
        if (rows[i * width + 3 * d + j] === 1) for (let c = 0; c < d; c++) out[m].push(rows[i * width + j * d + c]!);
      });
    }
  }
  return out;
}

/** Fits C_m for every modality and writes it into the network's centre variables. */
export async function fitPrior(net: SmilNetwork, train: SplitData, T: number, dims: readonly number[], seed: number): Promise<void> {
  const features = await trainingFeatures(net, train, T, dims);
  const { d, clusters, kmeansRestarts } = net.config;
  for (const m of MODALITIES) {
    const n = features[m].length / d;
    if (n < clusters) {
      throw new Error(`SMIL prior: modality ${m} is present in ${n} training samples, fewer than config clusters = ${clusters}`);
    }
    const fit = kMeans(features[m], d, { k: clusters, rng: createRng(`${seed}:smil-prior:${m}`), nInit: kmeansRestarts });
    tf.tidy(() => net.centres[m].assign(tf.tensor2d(fit.centres, [clusters, d])));
  }
}
