/**
 * CorrKD equals its PyTorch transcription (bench/engine/torch/corrkd.py, fixtures from
 * test/fixtures/methods/corrkd/gen_corrkd.py): same teacher and student weights, same batch, same
 * MSM masks → the same teacher and student features and logits, the teacher's task loss, every
 * student loss term and every student parameter's gradient, on wasm and cpu. The student runs as
 * trainStep runs it (encoders on the corrupted rows only).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { corrkdConfig, type CorrkdConfig } from '../../../../src-main/engine/methods/corrkd/card';
import { corrkdTeacherCacheKey, createCorrkd } from '../../../../src-main/engine/methods/corrkd/method';
import { CorrkdNetwork } from '../../../../src-main/engine/methods/corrkd/network';
import { studentTerms, teacherTerms } from '../../../../src-main/engine/methods/corrkd/objective';
import { getMethod, resolveConfig, resolveRun } from '../../../../src-main/engine/methods/registry';
import { EVAL } from '../../../../src-main/engine/nn';
import { createRng } from '../../../../src-main/engine/random';
import { trainMethod } from '../../../../src-main/engine/train/trainer';
import { snapshot } from '../../../../src-main/engine/train/weights';
import { shapeOf, type DataShape } from '../../../../src-main/engine/types';
import { tinyDataset } from '../../train/tiny-data';
import { BACKENDS, useBackend } from '../helpers/backends';
import { expectClose, loadParams, maskedInputs, toTensor, type JsonParams, type JsonTensor, type MaskedCase } from '../helpers/fixtures';

interface Outputs {
  feature: JsonTensor;
  logits: JsonTensor;
}

interface Case extends MaskedCase<CorrkdConfig> {
  teacherParams: JsonParams;
  studentParams: JsonParams;
  teacher: Outputs;
  student: Outputs;
  teacherTask: number;
  terms: Record<string, number>;
  grads: JsonParams;
}

const CASES = ['defaults', 'iemocap', 'knobs', 'bins'] as const;
const FIXTURE = fileURLToPath(new URL('../../../fixtures/methods/corrkd/corrkd_fixtures.json', import.meta.url));
const fx = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<(typeof CASES)[number], Case>;
/** The bar for a method against its transcription. */
const TOL = 1e-4;

afterAll(() => {
  tf.disposeVariables();
});

describe.each(BACKENDS)('CorrKD against its PyTorch transcription (%s)', (backend) => {
  it.each(CASES)('%s: teacher and student outputs, every loss term and every student gradient', async (name) => {
    await useBackend(backend);
    const c = fx[name];
    const shape: DataShape = c.shape;
    const config = corrkdConfig.parse({ ...c.config, lr: 1e-3, batchSize: 4, epochs: 1 });
    const teacher = new CorrkdNetwork(shape, config, createRng('fixture-teacher'));
    const student = new CorrkdNetwork(shape, config, createRng('fixture-student'));
    loadParams(teacher, c.teacherParams);
    loadParams(student, c.studentParams);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const { clean, corrupted, rows } = maskedInputs(c);
      const y = toTensor(c.y) as tf.Tensor2D;
      const teacherOut = teacher.forward(clean, EVAL);
      expectClose(teacherOut.feature, c.teacher.feature, TOL);
      expectClose(teacherOut.logits, c.teacher.logits, TOL);
      expectClose(teacherTerms(teacherOut, y, shape.task, config).total!.dataSync()[0]!, c.teacherTask, TOL);
      const held: Record<string, tf.Scalar> = {};
      const { grads } = tf.variableGrads(() => {
        const out = student.forward(corrupted, EVAL, rows);
        expectClose(out.feature, c.student.feature, TOL);
        expectClose(out.logits, c.student.logits, TOL);
        const terms = studentTerms(teacherOut, out, y, shape.task, config);
        for (const [n, v] of Object.entries(terms)) held[n] = tf.keep(v);
        return terms.total!;
      }, student.variables());
      expect(Object.keys(held).sort()).toEqual(Object.keys(c.terms).sort());
      for (const [n, v] of Object.entries(held)) expectClose(v.dataSync()[0]!, c.terms[n]!, TOL);
      tf.dispose(Object.values(held));
      for (const [n, v] of student.namedVariables()) expectClose(grads[v.name]!, c.grads[n]!, TOL);
    });
    expect(tf.memory().numTensors).toBe(before);
    teacher.dispose();
    student.dispose();
  });
});

describe('CorrKD card', () => {
  it('takes HRLF’s per-dataset settings (spec §4), trains under MSM in two phases, and refuses out-of-range knobs naming them', () => {
    expect(resolveConfig('mosi', { method: 'corrkd' })).toMatchObject({ heads: 10, lr: 1e-3, batchSize: 128, epochs: 50, d: 40, tauScd: 0.1 });
    expect(resolveConfig('mosei', { method: 'corrkd' })).toMatchObject({ heads: 8, lr: 2e-3, batchSize: 16, epochs: 20 });
    expect(resolveConfig('iemocap', { method: 'corrkd' })).toMatchObject({ heads: 10, lr: 4e-3, batchSize: 32, epochs: 30 });
    const run = resolveRun('mosi', { method: 'corrkd', epochs: 3 });
    expect(run.training).toBe('msm');
    expect(run.phases).toEqual([
      { name: 'teacher', epochs: 3 },
      { name: 'student', epochs: 3 },
    ]);
    expect(getMethod('corrkd').teacher).toEqual({ phase: 'teacher', group: 'corrkd' });
    expect(() => resolveConfig('mosi', { method: 'corrkd', overrides: { heads: 3 } })).toThrow(/config heads: d \(40\) must be divisible by heads \(3\)/);
    expect(() => resolveConfig('mosi', { method: 'corrkd', overrides: { tauScd: 0 } })).toThrow(/config tauScd:/);
    expect(() => resolveConfig('mosi', { method: 'corrkd', overrides: { lambdaCpd: -1 } })).toThrow(/config lambdaCpd:/);
    expect(() => resolveConfig('mosi', { method: 'corrkd', overrides: { cpdClasses: 'acc5' } })).toThrow(/config cpdClasses:/);
    expect(() => resolveConfig('mosi', { method: 'corrkd', overrides: { rcdRegression: 'kl' } })).toThrow(/config rcdRegression:/);
    expect(() => resolveConfig('mosi', { method: 'corrkd', overrides: { patience: 0 } })).toThrow(/config patience:/);
  });

  it('keys its cached teacher by exactly what the teacher phase reads', () => {
    const shape: DataShape = { kind: 'mosi', task: 'regression', T: 50, dims: [300, 5, 20], labelDim: 1 };
    const base = corrkdConfig.parse({});
    const key = (over: Partial<CorrkdConfig>, seed = 1111) => corrkdTeacherCacheKey(shape, { ...base, ...over }, seed);
    // Student-only knobs (distillation, MSM) leave the teacher as it is.
    expect(key({ lambdaScd: 0, tauCpd: 0.5, rcdRegression: 'mse', msmMaxDrop: 0.5 })).toBe(key({}));
    // The teacher's network, training and seed do not.
    for (const over of [{ d: 20 }, { fusionHidden: 60 }, { lr: 2e-3 }, { epochs: 7 }, { regressionLoss: 'l1' as const }]) {
      expect(key(over)).not.toBe(key({}));
    }
    expect(key({}, 1112)).not.toBe(key({}));
    expect(key({})).toMatch(/^corrkd-teacher:[0-9a-f]{32}$/);
  });
});

describe('CorrKD teacher reuse', () => {
  it('a second run with other distillation knobs reuses the cached teacher (same weights), and trains only its student', async () => {
    await useBackend('wasm');
    const data = tinyDataset({ train: 24, valid: 8, test: 8 }, 6, [6, 3, 4], 'mosi');
    const shape = shapeOf(data);
    const cacheDir = mkdtempSync(join(tmpdir(), 'corrkd-teachers-'));
    const run = async (overrides: Partial<CorrkdConfig>) => {
      const config = resolveConfig('mosi', { method: 'corrkd', epochs: 1, overrides: { d: 8, heads: 2, fusionHidden: 6, batchSize: 8, ...overrides } }) as CorrkdConfig;
      const instance = createCorrkd({ shape, config, seed: 3, rng: createRng('3|init'), trainSize: data.train.n });
      const reused: string[] = [];
      const trained: string[] = [];
      await trainMethod(instance, data, { seed: 3, cacheDir, cacheScope: 'test' }, { onPhaseReused: (p) => reused.push(p), onEpoch: (r) => trained.push(r.phase) });
      const teacher = Array.from((await snapshot(instance.phases[0]!.variables())).flatMap((w) => Array.from(w)));
      instance.dispose();
      return { reused, trained, teacher };
    };
    try {
      const first = await run({});
      const second = await run({ lambdaScd: 0.5, rcdRegression: 'mse', msmMaxDrop: 0.5 });
      expect(first).toMatchObject({ reused: [], trained: ['teacher', 'student'] });
      expect(second).toMatchObject({ reused: ['teacher'], trained: ['student'] });
      expect(second.teacher).toEqual(first.teacher);
      expect(readdirSync(cacheDir, { recursive: true }).length).toBeGreaterThan(0);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});
