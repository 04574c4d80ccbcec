import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Inputs, MethodInstance } from '../../../src-main/engine/methods/method';
import { evaluate } from '../../../src-main/engine/train/evaluate';
import { tinyDataset } from './tiny-data';

const data = tinyDataset();

/** A stand-in method that records a fingerprint of every input it is shown. */
function recordingMethod(scale: number): { method: MethodInstance; seen: string[] } {
  const seen: string[] = [];
  const fingerprint = (x: Inputs): string =>
    [x.l, x.a, x.v].map((t) => Array.from(t.dataSync()).reduce((h, v, i) => (h + v * ((i % 97) + 1)) % 1e9, 0).toFixed(6)).join('/');
  const method: MethodInstance = {
    phases: [],
    predict: (x) => {
      seen.push(fingerprint(x));
      return tf.mul(tf.sum(tf.mean(x.l, 1), 1, true), scale) as tf.Tensor2D;
    },
    represent: (x) => tf.mean(x.l, 1) as tf.Tensor2D,
    dispose: () => undefined,
  };
  return { method, seen };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('evaluation protocol', () => {
  it('shows two different methods identical masked inputs under every condition', async () => {
    const a = recordingMethod(1);
    const b = recordingMethod(-2);
    const ra = await evaluate(a.method, data, 0);
    const rb = await evaluate(b.method, data, 0);
    expect(a.seen.length).toBe(7 + 11);
    expect(b.seen).toEqual(a.seen);
    // ...while the methods themselves differ.
    expect(ra.results.find((r) => r.condition === 'l,a,v')!.predictions).not.toEqual(rb.results.find((r) => r.condition === 'l,a,v')!.predictions);
  });

  it('draws other intra-modality masks for another mask seed, and zeroes absent modalities entirely', async () => {
    const a = recordingMethod(1);
    const b = recordingMethod(1);
    await evaluate(a.method, data, 0);
    await evaluate(b.method, data, 1);
    expect(b.seen.slice(0, 7)).toEqual(a.seen.slice(0, 7));
    expect(b.seen.slice(8, 17)).not.toEqual(a.seen.slice(8, 17));
    // {l}: audio and visual are all zeros; p = 1.0: everything is.
    expect(a.seen[0]!.split('/').slice(1)).toEqual(['0.000000', '0.000000']);
    expect(a.seen[7 + 10]).toBe('0.000000/0.000000/0.000000');
  });

  it('reports Avg. as the mean of the six missing-modality conditions', async () => {
    const { results } = await evaluate(recordingMethod(1).method, data, 0);
    const f1 = (c: string): number => (results.find((r) => r.protocol === 'inter' && r.condition === c)!.metrics as Record<string, number>).f1_non0!;
    const six = ['l', 'a', 'v', 'l,a', 'l,v', 'a,v'].map(f1);
    expect(f1('avg')).toBeCloseTo(six.reduce((x, y) => x + y) / 6, 12);
  });
});
