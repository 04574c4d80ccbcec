import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Adam, Conv1dK3, dropout, dropoutMask, EncoderLayer, LayerNorm, MultiHeadSelfAttention, TransformerEncoder, trainCtx, tuneWasmKernels, variablesOf, type ForwardCtx, type Module } from '../../../src-main/engine/nn';
import { hrlf } from '../../../src-main/engine/methods/hrlf/card';
import { instantiate, resolveConfig } from '../../../src-main/engine/methods/registry';
import { evaluate } from '../../../src-main/engine/train/evaluate';
import { readLosses } from '../../../src-main/engine/train/losses';
import { trainMethod } from '../../../src-main/engine/train/trainer';
import { snapshot } from '../../../src-main/engine/train/weights';
import { shapeOf } from '../../../src-main/engine/types';
import { createRng } from '../../../src-main/engine/random';
import { tinyDataset } from '../train/tiny-data';
import { useBackend, webGpuProbe } from './helpers/backends';
import { disposeBatch, TINY_REGRESSION, tinyBatch } from './helpers/tiny-data';

/**
 * The webgpu backend (Dawn) against wasm, to 1e-4: every nn layer's output and gradients (input
 * and parameters, dropout on: both backends draw the same masks), one HRLF step, whole training
 * runs through the trainer (lf-linear, HRLF), and the fused in-place Adam pass. Reads are
 * asynchronous (tfjs-webgpu's dataSync needs OffscreenCanvas, which Node lacks).
 * Skipped, with the reason, only where Dawn can create no adapter at all.
 */
const gpu = await webGpuProbe();

type Case = { name: string; module: Module; input: number[]; f: (x: tf.Tensor, ctx: ForwardCtx) => tf.Tensor };

function cases(): Case[] {
  const rng = createRng(5);
  const attn = new MultiHeadSelfAttention(40, 10, 0.1, rng);
  const layer = new EncoderLayer(40, 10, 0.1, 160, rng);
  const encoder = new TransformerEncoder({ d: 40, heads: 10, layers: 2, dropout: 0.1 }, rng);
  const ln = new LayerNorm(40);
  const conv = new Conv1dK3(40, 12, rng);
  return [
    { name: 'LayerNorm', module: ln, input: [3, 9, 40], f: (x) => ln.apply(x) },
    { name: 'attention', module: attn, input: [3, 9, 40], f: (x, ctx) => attn.apply(x as tf.Tensor3D, ctx) },
    { name: 'attention (last query)', module: attn, input: [3, 9, 40], f: (x, ctx) => attn.applyLast(x as tf.Tensor3D, ctx) },
    { name: 'encoder layer', module: layer, input: [3, 9, 40], f: (x, ctx) => layer.apply(x as tf.Tensor3D, ctx) },
    { name: 'encoder (last step)', module: encoder, input: [3, 9, 40], f: (x, ctx) => encoder.applyLast(x as tf.Tensor3D, ctx) },
    { name: 'conv1d + epilogue', module: conv, input: [3, 9, 40], f: (x) => conv.apply(x as tf.Tensor3D, undefined, { scale: 2, add: tf.ones([9, 12]) }) },
  ];
}

/** Output, input gradient and parameter gradients of sum(f(x)·r) on the active backend, read asynchronously. */
async function evaluateCase(c: Case, weights: Float32Array[]): Promise<Float32Array[]> {
  const vars = variablesOf(c.module);
  vars.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(weights[i]!, v.shape))));
  const x = tf.randomNormal(c.input, 0, 1, 'float32', 3);
  const fwd = (xi: tf.Tensor): tf.Tensor => c.f(xi, trainCtx(createRng(42)));
  const y = fwd(x);
  const r = tf.randomNormal(y.shape, 0, 1, 'float32', 4);
  const loss = (xi: tf.Tensor): tf.Scalar => tf.sum(tf.mul(fwd(xi), r));
  const dx = tf.grad(loss)(x);
  const { grads } = tf.variableGrads(() => loss(x), vars);
  const out = [y, dx, ...vars.map((v) => grads[v.name]!)];
  const values = await Promise.all(out.map(async (t) => Float32Array.from(await t.data())));
  tf.dispose([x, y, r, dx, ...Object.values(grads)]);
  return values;
}

function expectNear(got: Float32Array[], want: Float32Array[], what: string): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, k) => {
    const w = want[k]!;
    let worst = 0;
    let scale = 1;
    for (let i = 0; i < w.length; i++) {
      worst = Math.max(worst, Math.abs(g[i]! - w[i]!));
      scale = Math.max(scale, Math.abs(w[i]!));
    }
    expect(worst, `${what}, output ${k}: max abs diff ${worst} (scale ${scale})`).toBeLessThanOrEqual(1e-4 * scale);
  });
}

describe('webgpu backend', () => {
  afterAll(async () => {
    await useBackend('wasm');
  });

  it.skipIf(gpu.ok)(`is not tested here: ${gpu.detail}`, () => {});

  it.runIf(gpu.ok)(`nn layers equal wasm to 1e-4 (outputs, input and parameter gradients, dropout on) on ${gpu.detail}`, async () => {
    await useBackend('wasm');
    tuneWasmKernels();
    for (const c of cases()) {
      const weights = await Promise.all(variablesOf(c.module).map(async (v) => Float32Array.from(await v.data())));
      await useBackend('wasm');
      const want = await evaluateCase(c, weights);
      await tf.setBackend('webgpu');
      const got = await evaluateCase(c, weights);
      expectNear(got, want, c.name);
      await useBackend('wasm');
    }
  }, 600_000);

  it.runIf(gpu.ok)('dropout draws the host mask stream on the GPU, bit for bit, across chunk and workgroup boundaries, and its gradient redraws it', async () => {
    await tf.setBackend('webgpu');
    // 1 element; a partial chunk; exactly one chunk (32); one past; several workgroups (64 threads × 32) and a ragged end.
    for (const [size, rate, seed] of [[1, 0.5, 1], [31, 0.1, 2], [32, 0.3, 3], [33, 0.3, 4], [5000, 0.1, 5], [70_001, 0.25, 6], [2048 * 3 + 7, 0.9, 7]] as const) {
      const x = tf.randomNormal([size], 0, 1, 'float32', seed);
      const host = dropoutMask(size, rate, seed);
      const xs = await x.data();
      const want = Float32Array.from(xs, (v, i) => v * host[i]!);
      const ctx = (): ForwardCtx => trainCtx({ ...createRng(0), seed: () => seed });
      const got = await dropout(x, rate, ctx()).data();
      expect(Array.from(got), `size ${size}, rate ${rate}`).toEqual(Array.from(want));
      const dx = await tf.grad((xi: tf.Tensor) => tf.sum(dropout(xi, rate, ctx())))(x).data();
      expect(Array.from(dx), `gradient, size ${size}`).toEqual(Array.from(host));
      x.dispose();
    }
    await useBackend('wasm');
  }, 300_000);

  it.runIf(gpu.ok)('one HRLF training step (frozen teacher, student with MSM, dropout, Adam, discriminators) equals wasm to 1e-4', async () => {
    const step = async (backend: 'wasm' | 'webgpu'): Promise<Float32Array[]> => {
      if (backend === 'wasm') await useBackend('wasm');
      else await tf.setBackend('webgpu');
      const config = hrlf.config.parse({ ...hrlf.defaults?.[TINY_REGRESSION.kind], d: 8, heads: 2, layers: 2, batchSize: 16, epochs: 1 });
      const instance = (await hrlf.load())({ shape: TINY_REGRESSION, config, seed: 3, rng: createRng(3) });
      instance.phases[0]!.finish?.();
      const student = instance.phases[1]!;
      const batch = tinyBatch(TINY_REGRESSION, 16, 7);
      const losses = await readLosses(student.trainStep(batch, createRng('one step')));
      const names = Object.keys(losses).sort();
      const after = await snapshot(student.variables());
      disposeBatch(batch);
      instance.dispose();
      expect(names).toContain('disc');
      return [Float32Array.from(names.map((n) => losses[n]!)), ...after];
    };
    expectNear(await step('webgpu'), await step('wasm'), 'HRLF student step (losses, then every weight after the update)');
  }, 600_000);

  /**
   * A whole run through the engine's own trainer (epochs, validation, best-epoch snapshot,
   * checkpoints, collapse check) and evaluation, on webgpu and on wasm: every epoch's train and
   * validation losses, the final weights and the complete-condition predictions agree to 1e-4.
   */
  const trainRun = async (backend: 'wasm' | 'webgpu', method: string, overrides: Record<string, unknown>, epochs: number): Promise<Float32Array[]> => {
    if (backend === 'wasm') await useBackend('wasm');
    else await tf.setBackend('webgpu');
    const data = tinyDataset({ train: 16, valid: 8, test: 8 }, 8, [6, 3, 4], 'mosi');
    const shape = shapeOf(data);
    const config = resolveConfig(shape.kind, { method, epochs, overrides });
    const instance = await instantiate(method, { shape, config, seed: 5, rng: createRng('5|init') });
    const dir = mkdtempSync(join(tmpdir(), `webgpu-${backend}-`));
    try {
      const losses: number[] = [];
      const outcome = await trainMethod(instance, data, { seed: 5, checkpointDir: dir }, { onEpoch: (e) => void losses.push(...Object.values(e.train), ...Object.values(e.valid)) });
      expect(outcome.kind, `${method} on ${backend}`).toBe('completed');
      expect(tf.getBackend()).toBe(backend);
      const weights = await snapshot(instance.phases.flatMap((p) => p.variables()));
      const complete = (await evaluate(instance, data, 0)).results.find((r) => r.condition === 'l,a,v')!.predictions;
      return [Float32Array.from(losses), ...weights, complete];
    } finally {
      instance.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it.runIf(gpu.ok)('trains lf-linear through the trainer (2 epochs, checkpoints, evaluation) as on wasm, to 1e-4', async () => {
    const want = await trainRun('wasm', 'lf-linear', { batchSize: 8 }, 2);
    expectNear(await trainRun('webgpu', 'lf-linear', { batchSize: 8 }, 2), want, 'lf-linear run');
  }, 600_000);

  it.runIf(gpu.ok)('trains HRLF through the trainer (one teacher and one student epoch) as on wasm, to 1e-4', async () => {
    const tiny = { d: 8, heads: 2, layers: 2, batchSize: 8 };
    const want = await trainRun('wasm', 'hrlf', tiny, 1);
    expectNear(await trainRun('webgpu', 'hrlf', tiny, 1), want, 'HRLF run');
  }, 600_000);

  it.runIf(gpu.ok)('the fused in-place Adam pass equals the wasm Adam over several steps', async () => {
    const run = async (backend: 'wasm' | 'webgpu'): Promise<Float32Array[]> => {
      if (backend === 'wasm') await useBackend('wasm');
      else await tf.setBackend('webgpu');
      const params = [tf.variable(tf.tensor(Float32Array.from({ length: 300 }, (_, i) => Math.sin(i)), [20, 15])), tf.variable(tf.tensor([0.5, -1, 2]))];
      const adam = new Adam(params, { lr: 0.01 });
      for (let s = 0; s < 5; s++) {
        tf.tidy(() => adam.apply([tf.mul(tf.cos(params[0]!), s + 1), s === 2 ? null : tf.tensor([1, -2, 3 * s])]));
      }
      const out = await Promise.all([...params, adam.m, adam.v].map(async (t) => Float32Array.from(await t.data())));
      adam.dispose();
      tf.dispose(params);
      return out;
    };
    expectNear(await run('webgpu'), await run('wasm'), 'adam');
  }, 300_000);
});
