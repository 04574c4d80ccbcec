/**
 * Self-MM equals its PyTorch transcription (bench/engine/torch/self-mm.py, which follows MMSA's
 * SELF_MM model and trainer) on the fixtures of test/fixtures/methods/self-mm/gen_self_mm.py, on
 * wasm and cpu: the four heads' outputs and ULGM features before every batch, every loss term, the
 * generated labels after every batch (ULGM from epoch 2), the weights after every optimiser step
 * (per-group Adam with weight decay and gradient accumulation), and the validation loss; to 1e-4.
 * Then the card's per-kind settings and refusals, and the valid-row mask.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetKind, Task } from '../../../../src-shared/domain';
import type { Batch } from '../../../../src-main/engine/methods/method';
import { resolveRunOf } from '../../../../src-main/engine/methods/registry';
import { selfMm } from '../../../../src-main/engine/methods/self-mm/card';
import type { SelfMmConfig } from '../../../../src-main/engine/methods/self-mm/config';
import { buildSelfMm } from '../../../../src-main/engine/methods/self-mm/model';
import { HEADS, validRows } from '../../../../src-main/engine/methods/self-mm/network';
import { UNIMODAL } from '../../../../src-main/engine/methods/self-mm/ulgm';
import { EVAL } from '../../../../src-main/engine/nn';
import { createRng } from '../../../../src-main/engine/random';
import { gatherRows, toBatch, disposeBatch } from '../../../../src-main/engine/train/batches';
import type { DatasetData, SplitData } from '../../../../src-main/engine/types';
import { BACKENDS, useBackend } from '../helpers/backends';
import { expectClose, loadParams, type JsonParams, type JsonTensor } from '../helpers/fixtures';

type Heads<T> = Record<(typeof HEADS)[number], T>;

interface BatchRecord {
  index: number[];
  outputs: Heads<JsonTensor>;
  features: Heads<JsonTensor>;
  terms: Heads<number>;
  labels?: Record<(typeof UNIMODAL)[number], JsonTensor>;
  params?: JsonParams;
}

interface Case {
  name: string;
  kind: DatasetKind;
  task: Task;
  n: number;
  T: number;
  dims: [number, number, number];
  knobs: Record<string, unknown>;
  l: JsonTensor;
  a: JsonTensor;
  v: JsonTensor;
  y: JsonTensor;
  params: JsonParams;
  epochs: { batches: BatchRecord[]; valid: number }[];
}

const FIXTURE = fileURLToPath(new URL('../../../fixtures/methods/self-mm/self_mm_fixtures.json', import.meta.url));
const { cases } = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { cases: Case[] };
const TOL = 1e-4;

function datasetOf(c: Case): DatasetData {
  const split: SplitData = {
    n: c.n,
    ids: Array.from({ length: c.n }, (_, i) => `s${i}`),
    l: Float32Array.from(c.l.data),
    a: Float32Array.from(c.a.data),
    v: Float32Array.from(c.v.data),
    y: Float32Array.from(c.y.data),
  };
  const labelDim = c.y.shape[1]!;
  return { name: c.name, kind: c.kind, task: c.task, T: c.T, dims: c.dims, labelDim, train: split, valid: split, test: split, sha256: c.name };
}

function batchOf(data: DatasetData, index: number[]): Batch {
  const rows = Int32Array.from(index);
  return toBatch(data, gatherRows(data, data.train, rows), rows);
}

describe.each(BACKENDS)('Self-MM equals its PyTorch transcription on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  afterAll(() => {
    tf.disposeVariables();
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s: outputs, features, loss terms, ULGM labels, weights after each step, validation', (_name, c) => {
    const data = datasetOf(c);
    const config = resolveRunOf(selfMm, c.kind, { overrides: c.knobs }).config as SelfMmConfig;
    const shape = { kind: c.kind, task: c.task, T: c.T, dims: c.dims, labelDim: data.labelDim };
    const { instance, net, phase } = buildSelfMm({ shape, config, seed: 1, rng: createRng(1), trainSize: c.n });
    loadParams(net, c.params);
    const named = new Map(net.namedVariables());
    const rng = createRng('parity');
    let steps = 0;
    c.epochs.forEach((epoch, e) => {
      phase.beginEpoch(e + 1, data);
      for (const rec of epoch.batches) {
        const batch = batchOf(data, rec.index);
        tf.tidy(() => {
          const out = net.forward(batch, EVAL);
          for (const h of HEADS) {
            expectClose(out.outputs[h], rec.outputs[h], TOL);
            expectClose(out.features[h], rec.features[h], TOL);
          }
        });
        const losses = phase.trainStep(batch, rng);
        disposeBatch(batch);
        for (const h of HEADS) expectClose(losses[h]!, rec.terms[h], TOL);
        expectClose(losses.total!, HEADS.reduce((s, h) => s + rec.terms[h], 0), TOL);
        if (rec.labels) {
          for (const m of UNIMODAL) {
            const got = tf.tensor1d(phase.ulgm!.labelsOf(m));
            expectClose(got, rec.labels[m], TOL);
            got.dispose();
          }
        }
        if (rec.params) {
          steps++;
          for (const [name, p] of Object.entries(rec.params)) expectClose(named.get(name)!, p, TOL);
        }
      }
      const all = batchOf(data, Array.from({ length: c.n }, (_, i) => i));
      expectClose(phase.validate(all).total!, epoch.valid, TOL);
      disposeBatch(all);
    });
    expect(steps, 'optimiser steps covered').toBeGreaterThanOrEqual(2);
    instance.dispose();
  });
});

describe('Self-MM card', () => {
  it('takes MMSA self_mm settings per kind: MOSEI differs from MOSI, IEMOCAP reuses MOSEI without ULGM', () => {
    const mosi = resolveRunOf(selfMm, 'mosi', {}).config;
    const mosei = resolveRunOf(selfMm, 'mosei', {}).config;
    const iemocap = resolveRunOf(selfMm, 'iemocap', {}).config;
    expect(mosi).toMatchObject({ batchSize: 16, lrAudio: 5e-3, lrVideo: 5e-3, lrOther: 1e-3, weightDecayOther: 1e-3, postTextDropout: 0.1, updateEpochs: 4, earlyStop: 8, ulgm: true });
    expect(mosei).toMatchObject({ batchSize: 32, lrVideo: 1e-4, weightDecayAudio: 0, weightDecayOther: 1e-2, postFusionDropout: 0.1, postTextDropout: 0, ulgm: true });
    expect(iemocap).toMatchObject({ ...mosei, ulgm: false });
    expect(selfMm.training(mosi as SelfMmConfig)).toBe('complete');
  });

  it('refuses out-of-range knobs by name, and ULGM on IEMOCAP', () => {
    expect(() => resolveRunOf(selfMm, 'mosi', { overrides: { updateEpochs: 0 } })).toThrow(/updateEpochs/);
    expect(() => resolveRunOf(selfMm, 'mosi', { overrides: { lengthsFrom: 'audio' } })).toThrow(/lengthsFrom/);
    expect(() => resolveRunOf(selfMm, 'mosi', { overrides: { postTextDropout: 1 } })).toThrow(/postTextDropout/);
    const config = resolveRunOf(selfMm, 'iemocap', { overrides: { ulgm: true } }).config as SelfMmConfig;
    const shape = { kind: 'iemocap' as const, task: 'classification' as const, T: 4, dims: [3, 2, 2] as [number, number, number], labelDim: 4 };
    expect(() => buildSelfMm({ shape, config, seed: 1, rng: createRng(1), trainSize: 8 })).toThrow(/ulgm/);
    expect(() => buildSelfMm({ shape, config: { ...config, ulgm: false }, seed: 1, rng: createRng(1) })).toThrow(/trainSize/);
  });
});

describe('Self-MM valid rows', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('reads front padding off the inputs: from the first row present (in any modality, or in the text) onwards; interior zero rows stay valid', () => {
    // One sample, T 5: rows 0-1 padding, row 2 audio only, row 3 all zero (a dropped frame), row 4 text.
    const l = tf.tensor3d([0, 0, 0, 0, 0, 0, 0, 0, 1, -2], [1, 5, 2]);
    const a = tf.tensor3d([0, 0, 3, 0, 1], [1, 5, 1]);
    const v = tf.zeros([1, 5, 1]) as tf.Tensor3D;
    const any = validRows({ l, a, v }, 'any-modality')!;
    const text = validRows({ l, a, v }, 'text')!;
    expect(Array.from(any.dataSync())).toEqual([0, 0, 1, 1, 1]);
    expect(Array.from(text.dataSync())).toEqual([0, 0, 0, 0, 1]);
    expect(validRows({ l, a, v }, 'none')).toBeUndefined();
    const empty = validRows({ l: tf.zerosLike(l), a: tf.zerosLike(a), v }, 'any-modality')!;
    expect(Array.from(empty.dataSync())).toEqual([0, 0, 0, 0, 0]);
    tf.dispose([l, a, v, any, text, empty]);
  });
});
