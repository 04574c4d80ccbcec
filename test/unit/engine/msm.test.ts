import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { drawMsmMasks, presentRows, subsetBitmasks } from '../../../src-main/engine/data/msm';
import { corrupt } from '../../../src-main/engine/data/msm-batch';
import { createRng } from '../../../src-main/engine/random';
import { useBackend } from './helpers/backends';

describe('Modality Stochastic Missing', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('draws the available set uniformly over the 7 non-empty subsets and p ~ U[0, 1) per sample', () => {
    const n = 14000;
    const t = 40;
    const masks = drawMsmMasks(n, t, createRng(1));
    const counts = new Map<number, number>();
    const keptFractions: number[] = [];
    for (let b = 0; b < n; b++) {
      let subset = 0;
      let kept = 0;
      let present = 0;
      [masks.l, masks.a, masks.v].forEach((mask, m) => {
        const row = mask.subarray(b * t, (b + 1) * t);
        const k = row.reduce((s, v) => s + v, 0);
        if (k > 0) subset |= 1 << m;
        kept += k;
        present += k > 0 ? t : 0;
      });
      counts.set(subset, (counts.get(subset) ?? 0) + 1);
      if (present > 0) keptFractions.push(kept / present);
    }
    // Every non-empty subset appears about n/7 times (a sample whose frames all drop looks
    // smaller here, hence the loose bound); the empty set only via p close to 1.
    for (let s = 1; s < 8; s++) expect(Math.abs((counts.get(s) ?? 0) / n - 1 / 7)).toBeLessThan(0.03);
    // E[kept fraction] = E[1 − p] = 1/2
    const meanKept = keptFractions.reduce((a, b) => a + b, 0) / keptFractions.length;
    expect(Math.abs(meanKept - 0.5)).toBeLessThan(0.02);
  });

  it('zeroes missing rows, lists the present ones, and is reproducible from the Rng', () => {
    const x = tf.ones([4, 6, 3]) as tf.Tensor3D;
    const inputs = { l: x, a: x, v: x };
    const first = corrupt(inputs, createRng('m'));
    const again = corrupt(inputs, createRng('m'));
    for (const m of ['l', 'a', 'v'] as const) {
      const values = first.inputs[m].dataSync();
      const rows = new Set(first.rows[m]);
      for (let r = 0; r < 24; r++) {
        for (let c = 0; c < 3; c++) expect(values[r * 3 + c]).toBe(rows.has(r) ? 1 : 0);
      }
      expect(Array.from(again.inputs[m].dataSync())).toEqual(Array.from(values));
    }
    expect(presentRows(drawMsmMasks(4, 6, createRng('m')))).toEqual(first.rows);
    tf.dispose([x, first.inputs.l, first.inputs.a, first.inputs.v, again.inputs.l, again.inputs.a, again.inputs.v]);
  });
});

describe('MSM restricted by a scenario', () => {
  it('draws only the allowed subsets and drops at most maxDrop of the frames', () => {
    const options = { subsets: subsetBitmasks('a;l,a,v'), maxDrop: 0.5 };
    expect(options.subsets).toEqual([2, 7]);
    const n = 400;
    const t = 50;
    const masks = drawMsmMasks(n, t, createRng(3), options);
    let dropped = 0;
    let kept = 0;
    for (let i = 0; i < n; i++) {
      const present = (m: Float32Array): boolean => m.subarray(i * t, (i + 1) * t).some((x) => x === 1);
      const set = [present(masks.l), present(masks.a), present(masks.v)];
      expect([JSON.stringify([false, true, false]), JSON.stringify([true, true, true])]).toContain(JSON.stringify(set));
      for (let f = 0; f < t; f++) {
        if (masks.a[i * t + f] === 1) kept++;
        else dropped++;
      }
    }
    // p ~ U[0, 0.5): about a quarter of the audio frames are dropped, never more than half overall.
    expect(dropped / (dropped + kept)).toBeGreaterThan(0.18);
    expect(dropped / (dropped + kept)).toBeLessThan(0.32);
  });

  it('with the spec settings draws exactly what the default draws', () => {
    const a = drawMsmMasks(20, 8, createRng('same'));
    const b = drawMsmMasks(20, 8, createRng('same'), { subsets: subsetBitmasks('l;a;v;l,a;l,v;a,v;l,a,v'), maxDrop: 1 });
    expect(Array.from(b.v)).toEqual(Array.from(a.v));
  });
});
